-- Average rating and number of reviews of product $1.
select avg(rating)::float8 as rating_avg, count(*) as rating_count from globalcart.shop_reviews where product_id = $1

-- Average rating and number of reviews of product $1.
select avg(rating)::float8, count(*) from globalcart.shop_reviews where product_id = $1

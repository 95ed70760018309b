-- Reviews of product $1, newest first: rating, title, body, author's first name, time; page $2/$3.
select r.rating, r.title, r.body, split_part(c.display_name, ' ', 1) as author, r.created_at
from globalcart.shop_reviews r
join globalcart.shop_customers c using (customer_id)
where r.product_id = $1
order by r.created_at desc, r.review_id desc
limit $2 offset $3

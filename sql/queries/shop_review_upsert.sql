-- Writes (or replaces) the review of product $1 by customer $2; true when it is new.
insert into globalcart.shop_reviews as t (product_id, customer_id, rating, title, body)
values ($1, $2, $3, $4, $5)
on conflict (product_id, customer_id) do update
set rating = excluded.rating, title = excluded.title, body = excluded.body, updated_at = now()
returning (xmax = 0)

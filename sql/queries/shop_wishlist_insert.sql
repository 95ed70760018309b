-- Saves product $2 for customer $1 (idempotent).
insert into globalcart.shop_wishlist (customer_id, product_id) values ($1, $2) on conflict do nothing

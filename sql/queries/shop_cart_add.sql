-- Adds $3 units of product $2 to cart owner $1 (a line holds at most 20).
insert into globalcart.shop_cart_items as t (owner, product_id, qty) values ($1, $2, $3)
on conflict (owner, product_id) do update set qty = least(20, t.qty + excluded.qty), updated_at = now()

-- Moves the lines of cart owner $1 into cart owner $2 (quantities add up, capped at 20).
insert into globalcart.shop_cart_items as t (owner, product_id, qty)
select $2, product_id, qty from globalcart.shop_cart_items where owner = $1
on conflict (owner, product_id) do update
set qty = least(20, t.qty + excluded.qty), updated_at = now()

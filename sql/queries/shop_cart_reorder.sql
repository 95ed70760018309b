-- Adds the lines of order $1 (if customer $2's) to cart owner $3, capped at 20 a line.
insert into globalcart.shop_cart_items as t (owner, product_id, qty)
select $3, i.product_id, i.qty
from globalcart.shop_order_items i
join globalcart.shop_orders o using (order_id)
where o.order_id = $1 and o.customer_id = $2
on conflict (owner, product_id) do update set qty = least(20, t.qty + excluded.qty), updated_at = now()

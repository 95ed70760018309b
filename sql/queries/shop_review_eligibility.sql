-- Whether customer $1 ordered product $2 (not cancelled), and whether such an order was delivered.
select coalesce(bool_or(o.status <> 'CANCELLED'), false) as bought,
       coalesce(bool_or(o.status = 'DELIVERED'), false) as delivered
from globalcart.shop_orders o
join globalcart.shop_order_items i using (order_id)
where o.customer_id = $1 and i.product_id = $2

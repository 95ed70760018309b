-- Order $1 of customer $2: the summary columns, then subtotal, discount, promo, promo
-- discount, tax, address, cancel reason, paid and cancelled times.
select o.order_id, o.created_at, o.status, o.payment_status, o.total::float8 as total,
       o.currency::text as currency, coalesce(sum(i.qty), 0)::bigint as item_count,
       (array_agg(i.product_name order by i.order_item_id))[1:3] as first_items,
       (o.gross - o.discount + o.promo_discount)::float8 as subtotal, o.discount::float8 as discount,
       o.promo_code, o.promo_discount::float8 as promo_discount, o.tax::float8 as tax, o.address, o.cancel_reason, o.paid_at, o.cancelled_at
from globalcart.shop_orders o
left join globalcart.shop_order_items i using (order_id)
where o.order_id = $1 and o.customer_id = $2
group by o.order_id

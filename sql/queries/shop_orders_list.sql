-- The 50 latest orders of customer $1 (summary columns).
select o.order_id, o.created_at, o.status, o.payment_status, o.total::float8 as total,
       o.currency::text as currency, coalesce(sum(i.qty), 0)::bigint as item_count,
       (array_agg(i.product_name order by i.order_item_id))[1:3] as first_items
from globalcart.shop_orders o
left join globalcart.shop_order_items i using (order_id)
where o.customer_id = $1
group by o.order_id
order by o.created_at desc
limit 50

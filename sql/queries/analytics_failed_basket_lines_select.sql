-- The baskets lost to payment failures (vw_failed_payment_orders) before the as-of bound ($1),
-- one row per line with its net revenue in USD; an order without lines counts whole under UNKNOWN.
select f.order_id,
       f.order_dt - date '1970-01-01' as order_day,
       f.channel,
       coalesce(o.region, 'UNKNOWN') as region,
       coalesce(p.category_l1, 'UNKNOWN') as category,
       coalesce(i.line_net_revenue * o.fx_to_reporting, f.net_revenue_usd)::float8 as lost_usd
from globalcart.failed_payment_orders_between('-infinity', $1::text::timestamptz) f
join globalcart.vw_orders_core o on o.order_id = f.order_id
left join globalcart.fact_order_items i on i.order_id = f.order_id
left join globalcart.dim_product p on p.product_id = i.product_id

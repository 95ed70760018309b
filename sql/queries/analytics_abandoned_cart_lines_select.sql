-- The abandoned cart lines (vw_funnel_abandoned_cart_lines) of sessions started before the as-of
-- day ($1), with the session's channel and the customer's home region.
select a.session_dt - date '1970-01-01' as session_day,
       coalesce(a.channel, 'UNKNOWN') as channel,
       coalesce(g.region, 'UNKNOWN') as region,
       coalesce(p.category_l1, 'UNKNOWN') as category,
       coalesce(a.est_revenue_lost_usd, 0)::float8 as lost_usd
from globalcart.vw_funnel_abandoned_cart_lines a
left join globalcart.dim_customer c on c.customer_id = a.customer_id
left join globalcart.dim_geo g on g.geo_id = c.geo_id
left join globalcart.dim_product p on p.product_id = a.product_id
where a.session_dt < $1::text::date

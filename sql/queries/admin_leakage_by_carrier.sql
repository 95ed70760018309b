-- Shipping cost, SLA breaches, shipments and refunds (ex tax) of completed orders placed in
-- [$1, $2), by carrier (USD).
select s.carrier, coalesce(sum(o.shipping_cost_usd), 0)::float8 as shipping_usd,
       count(*) filter (where s.sla_breached_flag) as sla_breaches, count(*) as shipments,
       coalesce(sum(o.refund_ex_tax_usd), 0)::float8 as refunds_usd
from globalcart.finance_order_pnl_between($1, $2) o
join globalcart.fact_shipments s on s.order_id = o.order_id
group by s.carrier
order by 2 desc

-- Profit leakage drivers of a kpi_period row ($1: report_kpi_period_row's JSON): money drivers (USD) with their share of net revenue, order counts with their share of completed orders.
select d.driver,
       d.value::float8 as value,
       d.unit,
       (d.value / nullif(d.base, 0))::float8 as share,
       d.share_of
from json_to_record($1::text::json) as k(discount_usd numeric, shipping_cost_usd numeric, gateway_fee_usd numeric,
                                         refund_ex_tax_usd numeric, revenue_lost_cart_abandonment_usd numeric,
                                         revenue_lost_payment_failures_usd numeric, net_revenue_usd numeric,
                                         loss_orders bigint, discount_heavy_orders bigint, orders bigint)
cross join lateral (values (1, 'discount_usd', k.discount_usd, 'USD', k.net_revenue_usd, 'net revenue'),
                           (2, 'shipping_cost_usd', k.shipping_cost_usd, 'USD', k.net_revenue_usd, 'net revenue'),
                           (3, 'gateway_fee_usd', k.gateway_fee_usd, 'USD', k.net_revenue_usd, 'net revenue'),
                           (4, 'refund_ex_tax_usd', k.refund_ex_tax_usd, 'USD', k.net_revenue_usd, 'net revenue'),
                           (5, 'revenue_lost_cart_abandonment_usd', k.revenue_lost_cart_abandonment_usd, 'USD', k.net_revenue_usd, 'net revenue'),
                           (6, 'revenue_lost_payment_failures_usd', k.revenue_lost_payment_failures_usd, 'USD', k.net_revenue_usd, 'net revenue'),
                           (7, 'loss_orders', k.loss_orders::numeric, 'orders', k.orders::numeric, 'completed orders'),
                           (8, 'discount_heavy_orders', k.discount_heavy_orders::numeric, 'orders', k.orders::numeric, 'completed orders'))
     as d(position, driver, value, unit, base, share_of)
order by d.position

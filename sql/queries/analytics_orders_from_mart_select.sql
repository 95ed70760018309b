-- analytics_orders_select from mart_finance_profitability (vw_finance_order_pnl as of its
-- last refresh): completed orders placed before the as-of bound ($1), P&L in USD.
select o.order_id,
       o.customer_id,
       o.order_dt - date '1970-01-01' as order_day,
       o.channel,
       coalesce(o.region, 'UNKNOWN') as region,
       o.gross_usd::float8 as gross_usd,
       o.discount_usd::float8 as discount_usd,
       o.net_revenue_usd::float8 as net_revenue_usd,
       o.units::int8 as units,
       o.item_lines::int8 as item_lines,
       o.returned_lines::int8 as returned_lines,
       o.shipping_cost_usd::float8 as shipping_cost_usd,
       o.refund_ex_tax_usd::float8 as refund_ex_tax_usd,
       o.net_profit_usd::float8 as net_profit_usd,
       o.discount_heavy,
       o.loss_order
from globalcart.mart_finance_profitability o
where o.order_ts < $1::text::timestamptz

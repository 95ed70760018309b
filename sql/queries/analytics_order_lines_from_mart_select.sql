-- analytics_order_lines_select from mart_order_lines (vw_finance_item_pnl as of its last
-- refresh): lines of completed orders placed before the as-of bound ($1, a UTC midnight), USD.
select l.order_id,
       l.order_dt - date '1970-01-01' as order_day,
       l.product_id,
       coalesce(l.category_l1, 'UNKNOWN') as category,
       l.qty::int8 as qty,
       l.line_discount_usd::float8 as line_discount_usd,
       l.line_net_revenue_usd::float8 as line_net_revenue_usd,
       l.alloc_shipping_cost_usd::float8 as alloc_shipping_cost_usd,
       l.line_refund_ex_tax_usd::float8 as line_refund_ex_tax_usd,
       l.line_net_profit_usd::float8 as line_net_profit_usd
from globalcart.mart_order_lines l
where l.order_dt < $1::text::date

-- Lines of completed orders placed before the as-of bound ($1, timestamptz as text), USD.
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
from globalcart.finance_item_pnl_between('-infinity', $1::text::timestamptz) l

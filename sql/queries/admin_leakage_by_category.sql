-- Profit leakage of completed orders placed in [$1, $2) by category: refunds (ex tax),
-- discounts, shipping allocated, and losses of loss-making lines (USD).
select coalesce(category_l1, 'UNKNOWN') as category,
       coalesce(sum(line_refund_ex_tax_usd), 0)::float8 as refunds_usd,
       coalesce(sum(line_discount_usd), 0)::float8 as discount_usd,
       coalesce(sum(alloc_shipping_cost_usd), 0)::float8 as shipping_usd,
       coalesce(-sum(least(line_net_profit_usd, 0)), 0)::float8 as loss_usd
from globalcart.finance_item_pnl_between($1, $2)
group by 1
order by coalesce(sum(line_refund_ex_tax_usd), 0) + coalesce(sum(line_discount_usd), 0) desc

-- Profit leakage of completed orders placed in [$1, $2) by category: refunds (ex tax),
-- discounts, shipping allocated, and losses of loss-making lines (USD).
select coalesce(category_l1, 'UNKNOWN'), coalesce(sum(line_refund_ex_tax_usd), 0)::float8,
       coalesce(sum(line_discount_usd), 0)::float8, coalesce(sum(alloc_shipping_cost_usd), 0)::float8,
       coalesce(-sum(least(line_net_profit_usd, 0)), 0)::float8
from globalcart.finance_item_pnl_between($1, $2)
group by 1
order by coalesce(sum(line_refund_ex_tax_usd), 0) + coalesce(sum(line_discount_usd), 0) desc

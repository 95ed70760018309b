-- Profit leakage of the completed order lines placed on the UTC days $1 … $2 (inclusive, null = unbounded), from mart_order_lines (the lines of vw_finance_item_pnl, kept by day; the report refreshes it first), by top-level category, USD: discount, allocated shipping and gateway fees, refunds ex tax, their sum and its share of the category's net revenue; the last row (category null) is every category.
with l as (
    select coalesce(category_l1, 'UNKNOWN') as category,
           line_net_revenue_usd,
           line_discount_usd,
           alloc_shipping_cost_usd,
           alloc_gateway_fee_usd,
           line_refund_ex_tax_usd
    from globalcart.mart_order_lines
    where ($1::date is null or date_id >= to_char($1::date, 'YYYYMMDD')::integer)
      and ($2::date is null or date_id <= to_char($2::date, 'YYYYMMDD')::integer)
), c as (
    select category,
           grouping(category) = 1 as all_categories,
           coalesce(sum(line_net_revenue_usd), 0) as net_revenue_usd,
           coalesce(sum(line_discount_usd), 0) as discount_usd,
           coalesce(sum(alloc_shipping_cost_usd), 0) as shipping_cost_usd,
           coalesce(sum(alloc_gateway_fee_usd), 0) as gateway_fee_usd,
           coalesce(sum(line_refund_ex_tax_usd), 0) as refund_ex_tax_usd
    from l
    group by rollup (category)
)
select category,
       all_categories,
       net_revenue_usd::float8 as net_revenue_usd,
       discount_usd::float8 as discount_usd,
       shipping_cost_usd::float8 as shipping_cost_usd,
       gateway_fee_usd::float8 as gateway_fee_usd,
       refund_ex_tax_usd::float8 as refund_ex_tax_usd,
       (discount_usd + shipping_cost_usd + gateway_fee_usd + refund_ex_tax_usd)::float8 as leakage_usd,
       ((discount_usd + shipping_cost_usd + gateway_fee_usd + refund_ex_tax_usd)
           / nullif(net_revenue_usd, 0))::float8 as leakage_share
from c
order by all_categories, leakage_usd desc, category

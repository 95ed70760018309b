-- Net revenue and net profit (USD) of the completed order lines of vw_finance_item_pnl placed on the UTC days $1 … $2 (inclusive, null = unbounded; finance_item_pnl_between is the same definition restricted to those orders) by top-level category × region, with every total (cube: a total when its all_* flag is true).
with l as (
    select coalesce(category_l1, 'UNKNOWN') as category,
           coalesce(region, 'UNKNOWN') as region,
           line_net_revenue_usd,
           line_net_profit_usd
    from globalcart.finance_item_pnl_between(
        coalesce($1::date::timestamp at time zone 'UTC', '-infinity'),
        coalesce(($2::date + 1)::timestamp at time zone 'UTC', 'infinity'))
)
select category,
       region,
       grouping(category) = 1 as all_categories,
       grouping(region) = 1 as all_regions,
       coalesce(sum(line_net_revenue_usd), 0)::float8 as net_revenue_usd,
       coalesce(sum(line_net_profit_usd), 0)::float8 as net_profit_usd
from l
group by cube (category, region)
order by grouping(category), category, grouping(region), region

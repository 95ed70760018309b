-- Net revenue and net profit (USD) of the completed order lines placed on the UTC days $1 … $2 (inclusive, null = unbounded), from mart_order_lines (the lines of vw_finance_item_pnl, kept by day; the report refreshes it first), by top-level category × region, with every total (cube: a total when its all_* flag is true).
with l as (
    select coalesce(category_l1, 'UNKNOWN') as category,
           coalesce(region, 'UNKNOWN') as region,
           line_net_revenue_usd,
           line_net_profit_usd
    from globalcart.mart_order_lines
    where ($1::date is null or date_id >= to_char($1::date, 'YYYYMMDD')::integer)
      and ($2::date is null or date_id <= to_char($2::date, 'YYYYMMDD')::integer)
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

-- Net revenue (USD) of completed orders by sales channel × calendar month within the UTC days $1 … $2 (inclusive, null = unbounded), from mart_finance_profitability (the orders of vw_finance_order_pnl, kept by day; the report refreshes it first): every month of the calendar in the range × every channel ever sold through (0 when none, as vw_kpi_daily_by_dim shows them), with every total (cube: a total when its all_* flag is true).
with sales as (
    select date_trunc('month', order_dt)::date as month,
           channel,
           sum(net_revenue_usd) as net_revenue_usd
    from globalcart.mart_finance_profitability
    where ($1::date is null or date_id >= to_char($1::date, 'YYYYMMDD')::integer)
      and ($2::date is null or date_id <= to_char($2::date, 'YYYYMMDD')::integer)
    group by 1, 2
), months as (
    select distinct date_trunc('month', kpi_dt)::date as month
    from globalcart.vw_kpi_calendar
    where ($1::date is null or kpi_dt >= $1::date)
      and ($2::date is null or kpi_dt <= $2::date)
), channels as (
    select distinct channel from globalcart.mart_finance_profitability
), grid as (
    select m.month, c.channel, coalesce(s.net_revenue_usd, 0) as net_revenue_usd
    from months m
    cross join channels c
    left join sales s on s.month = m.month and s.channel = c.channel
)
select month,
       channel,
       grouping(month) = 1 as all_months,
       grouping(channel) = 1 as all_channels,
       coalesce(sum(net_revenue_usd), 0)::float8 as net_revenue_usd
from grid
group by cube (month, channel)
order by 3, 1, 4, 2

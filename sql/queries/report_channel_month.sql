-- Net revenue (USD) of completed orders by sales channel × calendar month from vw_kpi_daily_by_dim within the UTC days $1 … $2 (inclusive, null = unbounded), with every total (cube: a total when its all_* flag is true).
select date_trunc('month', kpi_dt)::date as month,
       dim_value as channel,
       grouping(date_trunc('month', kpi_dt)) = 1 as all_months,
       grouping(dim_value) = 1 as all_channels,
       coalesce(sum(net_revenue_usd), 0)::float8 as net_revenue_usd
from globalcart.vw_kpi_daily_by_dim
where dim = 'channel'
  and ($1::date is null or kpi_dt >= $1::date)
  and ($2::date is null or kpi_dt <= $2::date)
group by cube (date_trunc('month', kpi_dt), dim_value)
order by 3, 1, 4, 2

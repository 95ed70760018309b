-- Per calendar month of vw_kpi_daily within the UTC days $1 … $2 (inclusive, null = unbounded): Σ of the additive measures, ratios recomputed from the month's sums as kpi_period does; the last row (month null) is the whole period.
select date_trunc('month', kpi_dt)::date as month,
       count(*) as days,
       coalesce(sum(orders), 0)::float8 as orders,
       coalesce(sum(gmv_usd), 0)::float8 as gmv_usd,
       coalesce(sum(net_revenue_usd), 0)::float8 as net_revenue_usd,
       coalesce(sum(gross_profit_usd), 0)::float8 as gross_profit_usd,
       coalesce(sum(net_profit_usd), 0)::float8 as net_profit_usd,
       globalcart.kpi_aov(sum(net_revenue_usd), sum(orders))::float8 as aov_usd,
       globalcart.kpi_margin(sum(gross_profit_usd), sum(net_revenue_usd))::float8 as gross_margin,
       globalcart.kpi_margin(sum(net_profit_usd), sum(net_revenue_usd))::float8 as net_margin,
       globalcart.kpi_conversion_rate(sum(orders_placed), sum(product_views))::float8 as conversion_rate
from globalcart.vw_kpi_daily
where ($1::date is null or kpi_dt >= $1::date)
  and ($2::date is null or kpi_dt <= $2::date)
group by rollup (date_trunc('month', kpi_dt))
order by grouping(date_trunc('month', kpi_dt)), 1

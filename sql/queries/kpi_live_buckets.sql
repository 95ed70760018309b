-- 10-second buckets of every live measure between $1 and $2 (the rolling KPI cache).
select * from globalcart.kpi_buckets($1, $2, '10 seconds')

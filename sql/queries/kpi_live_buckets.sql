-- Buckets of every live measure between $1 and $2 at grain $3 ('second' or
-- 'N seconds', the cache's bucket width): the rolling KPI cache.
select * from globalcart.kpi_buckets($1, $2, $3)

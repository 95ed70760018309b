-- Buckets of grain $3 between $1 and $2 for dimension $4 (all, region, channel, category).
select * from globalcart.kpi_buckets($1, $2, $3) where dim = $4 order by bucket, dim_value

-- Every KPI over the UTC days $1 … $2 inclusive (null = unbounded), as one JSON object.
select row_to_json(k)::jsonb from globalcart.kpi_period($1::date, $2::date) k

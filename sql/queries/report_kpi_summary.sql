-- Every KPI of kpi_period($1 … $2) (UTC days, inclusive, null = unbounded), one row per column in the function's order: key (the JSON key of /api/kpis/summary), its number or its day.
select e.key,
       case when json_typeof(e.value) = 'number' then (e.value #>> '{}')::float8 end as value,
       case when json_typeof(e.value) = 'string' then (e.value #>> '{}')::date end as day
from globalcart.kpi_period($1::date, $2::date) k
cross join lateral json_each(row_to_json(k)) with ordinality as e(key, value, position)
order by e.position

-- Every KPI of a kpi_period row ($1: report_kpi_period_row's JSON), one row per column in the function's order: key (the JSON key of /api/kpis/summary), its number or its day.
select e.key,
       case when json_typeof(e.value) = 'number' then (e.value #>> '{}')::float8 end as value,
       case when json_typeof(e.value) = 'string' then (e.value #>> '{}')::date end as day
from json_each($1::text::json) with ordinality as e(key, value, position)
order by e.position

-- For each KPI key in $1 (in order): its definition, the comment of the column of vw_kpi_totals or, when that one has none, of vw_kpi_daily, and which view it came from.
select k.key,
       coalesce(col_description(t.attrelid, t.attnum), col_description(d.attrelid, d.attnum)) as definition,
       case when col_description(t.attrelid, t.attnum) is not null then 'vw_kpi_totals'
            when col_description(d.attrelid, d.attnum) is not null then 'vw_kpi_daily' end as source
from unnest($1::text[]) with ordinality as k(key, position)
left join pg_attribute t on t.attrelid = 'globalcart.vw_kpi_totals'::regclass and t.attname = k.key
left join pg_attribute d on d.attrelid = 'globalcart.vw_kpi_daily'::regclass and d.attname = k.key
order by k.position

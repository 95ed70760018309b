-- Tables, views and materialized views of the schema with their comments (etl_schema_migrations excluded: the runner's own).
select c.oid::int8, c.relname::text, c.relkind::text, coalesce(obj_description(c.oid, 'pg_class'), '')
from pg_class c
where c.relnamespace = 'globalcart'::regnamespace
  and c.relkind in ('r', 'v', 'm')
  and c.relname <> 'etl_schema_migrations'
order by case c.relkind when 'r' then 1 when 'm' then 2 else 3 end, c.relname

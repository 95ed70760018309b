-- Tables, views and materialized views of the schema with their comments (etl_schema_migrations excluded: the runner's own).
select c.oid::int8 as oid, c.relname::text as relname, c.relkind::text as relkind,
       coalesce(obj_description(c.oid, 'pg_class'), '') as comment
from pg_class c
where c.relnamespace = 'globalcart'::regnamespace
  and c.relkind in ('r', 'v', 'm')
  and c.relname <> 'etl_schema_migrations'
order by case c.relkind when 'r' then 1 when 'm' then 2 else 3 end, c.relname

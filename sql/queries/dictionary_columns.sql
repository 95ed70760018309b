-- Columns of one relation ($1 = its oid) with type, nullability and comment, in table order.
select a.attname::text as attname, format_type(a.atttypid, a.atttypmod) as data_type, a.attnotnull,
       coalesce(col_description(a.attrelid, a.attnum), '') as comment
from pg_attribute a
where a.attrelid = $1::int8::oid and a.attnum > 0 and not a.attisdropped
order by a.attnum

-- Functions of the schema (not trigger functions) with their arguments, result and comment.
select p.proname::text as proname, pg_get_function_identity_arguments(p.oid) as arguments,
       pg_get_function_result(p.oid) as result, coalesce(obj_description(p.oid, 'pg_proc'), '') as comment
from pg_proc p
where p.pronamespace = 'globalcart'::regnamespace
  and p.prorettype <> 'trigger'::regtype
order by p.proname, 2

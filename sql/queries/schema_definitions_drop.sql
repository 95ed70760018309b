-- Drops every definition of schema globalcart (what sql/definitions/ creates):
-- views, materialized views, functions (their triggers go with them) and
-- standalone row types. Tables, sequences, enums and indexes on tables stay.
do $$
declare
    r record;
begin
    for r in
        select format('drop %s if exists globalcart.%I cascade',
                      case c.relkind when 'm' then 'materialized view' when 'v' then 'view' else 'type' end,
                      c.relname) as stmt
        from pg_class c
        where c.relnamespace = 'globalcart'::regnamespace and c.relkind in ('v', 'm', 'c')
        order by c.oid desc
    loop
        execute r.stmt;
    end loop;
    for r in
        select format('drop function if exists %s cascade', p.oid::regprocedure) as stmt
        from pg_proc p
        where p.pronamespace = 'globalcart'::regnamespace and p.prokind = 'f'
          and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
    loop
        execute r.stmt;
    end loop;
end
$$

-- The calendar: ensure_dim_date() adds any missing day (and its attributes) to
-- dim_date.
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

-- 4. calendar days added by concurrent loaders (lanes, or several consumers):
-- every unique key of dim_date is an arbiter, so two transactions adding the
-- same day both succeed (002 named only date_id, and the loser of the race
-- failed on date_value).
create or replace function ensure_dim_date(days date[]) returns void
language sql as $$
    insert into globalcart.dim_date
    select to_char(d, 'YYYYMMDD')::integer, d,
           extract(year from d), extract(quarter from d), extract(month from d),
           trim(to_char(d, 'Month')), extract(week from d), extract(day from d),
           extract(isodow from d), trim(to_char(d, 'Day')), extract(isodow from d) >= 6
    from (select distinct unnest(days) as d) s
    where d is not null
    on conflict do nothing
$$;
comment on function ensure_dim_date(date[]) is 'Adds the given days to dim_date if missing';

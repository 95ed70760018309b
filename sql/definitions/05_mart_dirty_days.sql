-- The days a write touched: statement triggers on the facts mark, in the
-- writer's own transaction, every UTC day whose KPIs the written rows may
-- change, in mart_dirty_days (migration 022). The daily rollup recomputes
-- exactly those days (refresh_kpi_daily_rollup, 13_kpis.sql) and its readers
-- compute them afresh until it has, so no writer (the loaders, a backfill, a
-- hand fix in psql) can leave a stale figure behind.
--
-- A day counts as touched when a row's old or new version is reported on it:
-- an order's P&L, its unshipped shipments and its payments on the order day;
-- a shipment on its ship day, a return on its return day, a payment without
-- its order on its own day, a session on its first event's day. An order
-- whose status changes also moves its shipments, returns and payments in or
-- out of the completed scope, so their days count too.
--
-- Lookups go through the keys one row at a time (lateral, offset 0): the
-- transition tables have no statistics, and a hash join would read a whole
-- fact table per statement.
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

-- The UTC day of an instant (null stays null).
create function utc_day(ts timestamptz) returns date
language sql immutable as $$
select (ts at time zone 'UTC')::date
$$;
comment on function utc_day(timestamptz) is 'The UTC calendar day of an instant';

-- The first and last instant of a range of UTC days (null = unbounded).
create function utc_days_start(from_dt date) returns timestamptz
language sql immutable as $$
select coalesce(from_dt::timestamp at time zone 'UTC', '-infinity'::timestamptz)
$$;
comment on function utc_days_start(date) is 'Start of the UTC day from_dt, -infinity when null';

create function utc_days_end(to_dt date) returns timestamptz
language sql immutable as $$
select coalesce((to_dt + 1)::timestamp at time zone 'UTC', 'infinity'::timestamptz)
$$;
comment on function utc_days_end(date) is 'End (exclusive) of the UTC day to_dt, infinity when null';

-- Whether an instant or a day falls in a window. Over all time (-infinity,
-- infinity / null, null) the test folds to true when the planner inlines it
-- with constant bounds, so a query over everything carries no range filter
-- whose selectivity the planner would have to guess (on tables not analysed
-- yet it guessed a handful of rows and nested-looped for minutes).
create function in_window(ts timestamptz, from_ts timestamptz, to_ts timestamptz) returns boolean
language sql immutable as $$
select (from_ts = '-infinity' and to_ts = 'infinity' and ts is not null)
       or (ts >= from_ts and ts < to_ts)
$$;
comment on function in_window(timestamptz, timestamptz, timestamptz) is 'ts in [from_ts, to_ts); (-infinity, infinity) = every instant';

create function in_days(ts timestamptz, from_dt date, to_dt date) returns boolean
language sql immutable as $$
select globalcart.in_window(ts, globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt))
$$;
comment on function in_days(timestamptz, date, date) is 'ts falls on one of the UTC days from_dt … to_dt (null = unbounded)';

create function day_in(d date, from_dt date, to_dt date) returns boolean
language sql immutable as $$
select (from_dt is null and to_dt is null and d is not null)
       or (d >= coalesce(from_dt, '-infinity') and d <= coalesce(to_dt, 'infinity'))
$$;
comment on function day_in(date, date, date) is 'd is one of the days from_dt … to_dt (null = unbounded)';

-- The order days of a set of orders, one index lookup each.
create function order_days(order_ids bigint[]) returns setof date
language sql stable as $$
select (select globalcart.utc_day(o.order_ts) from globalcart.fact_orders o where o.order_id = ids.id)
from (select distinct unnest(order_ids) as id) ids
$$;
comment on function order_days(bigint[]) is 'The UTC order day of each stored order of the list (null for an order not stored)';

create function mark_dirty_days() returns trigger
language plpgsql as $$
declare
    days date[];
begin
    if tg_table_name = 'fact_orders' then
        days := array(select globalcart.utc_day(order_ts) from touched);
        if tg_op = 'UPDATE' then
            days := days || array(select globalcart.utc_day(order_ts) from replaced);
        end if;
        if tg_op <> 'INSERT' then
            days := days || array(
                -- a status change (or a removal) moves the order's shipments,
                -- returns and payments in or out of the completed scope
                select globalcart.utc_day(x.ts)
                from (select distinct order_id from touched) n
                cross join lateral (
                    select s.shipped_ts as ts from globalcart.fact_shipments s where s.order_id = n.order_id
                    union all
                    select r.return_ts from globalcart.fact_returns r where r.order_id = n.order_id
                    union all
                    select coalesce(p.authorized_ts, p.captured_ts)
                    from globalcart.fact_payments p where p.order_id = n.order_id
                    offset 0) x);
        end if;
    elsif tg_table_name = 'fact_order_items' then
        days := array(select globalcart.order_days(array(select order_id from touched)));
    elsif tg_table_name = 'fact_shipments' then
        days := array(select globalcart.utc_day(shipped_ts) from touched
                      union all
                      select globalcart.order_days(array(select order_id from touched)));
        if tg_op = 'UPDATE' then
            days := days || array(select globalcart.utc_day(shipped_ts) from replaced);
        end if;
    elsif tg_table_name = 'fact_payments' then
        days := array(select globalcart.utc_day(coalesce(authorized_ts, captured_ts)) from touched
                      union all
                      select globalcart.order_days(array(select order_id from touched)));
        if tg_op = 'UPDATE' then
            days := days || array(select globalcart.utc_day(coalesce(authorized_ts, captured_ts)) from replaced);
        end if;
    elsif tg_table_name = 'fact_returns' then
        days := array(select globalcart.utc_day(return_ts) from touched
                      union all
                      select globalcart.order_days(array(select order_id from touched)));
        if tg_op = 'UPDATE' then
            days := days || array(select globalcart.utc_day(return_ts) from replaced);
        end if;
    elsif tg_table_name = 'fact_funnel_events' then
        -- every day the sessions have an event on: their first event's day
        -- before and after these clicks
        days := array(
            select globalcart.utc_day(event_ts) from touched
            union all
            select globalcart.utc_day(e.event_ts)
            from (select distinct session_id from touched) s
            cross join lateral (
                select f.event_ts from globalcart.fact_funnel_events f
                where f.session_id = s.session_id offset 0) e);
    end if;
    insert into globalcart.mart_dirty_days (day)
    select distinct d from unnest(days) as u(d) where d is not null;
    return null;
end
$$;
comment on function mark_dirty_days() is 'Statement trigger on the facts: marks in mart_dirty_days every UTC day whose KPIs the statement''s rows may change (touched: the rows inserted, the new versions of an update, the rows deleted; replaced: the old versions of an update)';

-- three statement triggers per fact table: insert, update, delete
do $$
declare
    t text;
begin
    foreach t in array array['fact_orders', 'fact_order_items', 'fact_shipments', 'fact_payments',
                             'fact_returns', 'fact_funnel_events'] loop
        execute format('create trigger %I after insert on %I referencing new table as touched
                        for each statement execute function mark_dirty_days()',
                       'mark_dirty_' || t || '_insert', t);
        execute format('create trigger %I after update on %I referencing old table as replaced
                        new table as touched for each statement execute function mark_dirty_days()',
                       'mark_dirty_' || t || '_update', t);
        execute format('create trigger %I after delete on %I referencing old table as touched
                        for each statement execute function mark_dirty_days()',
                       'mark_dirty_' || t || '_delete', t);
    end loop;
end
$$;

-- Reading the daily rollup ----------------------------------------------------
-- (kpi_daily_parts_between and refresh_kpi_daily_rollup are in 13_kpis.sql;
-- these readers are PL/pgSQL, bound when first called, so the views of the
-- files in between can read them.)

-- Days as runs of consecutive days (a run is computed by one call).
create function day_runs(days date[])
returns table (lo date, hi date)
language sql immutable as $$
select min(day), max(day)
from (select day, day - (row_number() over (order by day))::integer as run
      from (select distinct day from unnest(days) as u(day) where day is not null) d) n
group by run
order by 1
$$;
comment on function day_runs(date[]) is 'The distinct non-null days of the array as runs of consecutive days [lo, hi], in order';

create function mart_dirty_runs(from_dt date, to_dt date)
returns table (lo date, hi date)
language sql stable as $$
select * from globalcart.day_runs(array(
    select day from globalcart.mart_dirty_days
    where day >= coalesce(from_dt, '-infinity') and day <= coalesce(to_dt, 'infinity')))
$$;
comment on function mart_dirty_runs(date, date) is 'The days of mart_dirty_days within from_dt … to_dt (null = unbounded) as runs of consecutive days';

create function mart_all_dirty() returns boolean
language sql stable as $$
select exists (select 1 from globalcart.mart_dirty_days where day is null)
$$;
comment on function mart_all_dirty() is 'Whether every day is marked for a recompute (the null day of mart_dirty_days)';

-- Nested loops are off in the functions that compute days from the facts
-- (here, refresh_kpi_daily_rollup, refresh_bi_mart_days), as in kpi_buckets:
-- the windowed P&L functions of 11_pnl.sql select a window's orders with
-- `= any(array(…))`, which reads each fact by index without a join but leaves
-- the planner a guess of ten rows; a nested loop planned on that guess and
-- fed a day's thousands of rows ran for seconds per day and minutes per month
-- on the large preset. Hash joins over the window's rows do not care. JIT is
-- off too: compiling these plans took longer (2–3 s) than running them.
create function kpi_daily_fresh(from_dt date, to_dt date)
returns setof kpi_daily_rollup
language plpgsql stable
set enable_nestloop to off set jit to off as $$
declare
    r record;
begin
    if globalcart.mart_all_dirty() then
        return query select * from globalcart.kpi_daily_parts_between(from_dt, to_dt);
        return;
    end if;
    return query
        select k.* from globalcart.kpi_daily_rollup k
        where k.kpi_dt >= coalesce(from_dt, '-infinity') and k.kpi_dt <= coalesce(to_dt, 'infinity')
          and not exists (select 1 from globalcart.mart_dirty_days m where m.day = k.kpi_dt);
    -- one call per run of days, with its bounds as constants (each plan sees them)
    for r in select * from globalcart.mart_dirty_runs(from_dt, to_dt) loop
        return query select * from globalcart.kpi_daily_parts_between(r.lo, r.hi);
    end loop;
end
$$;
comment on function kpi_daily_fresh(date, date) is 'kpi_daily_rollup as the facts say now, for the UTC days from_dt … to_dt (null = unbounded): the stored rows of the clean days, the marked days (mart_dirty_days) computed again';

create function kpi_daily_abandoned_fresh(from_dt date, to_dt date)
returns setof kpi_daily_abandoned_products
language plpgsql stable
set enable_nestloop to off set jit to off as $$
declare
    r record;
begin
    if globalcart.mart_all_dirty() then
        return query select * from globalcart.kpi_daily_abandoned_between(from_dt, to_dt);
        return;
    end if;
    return query
        select k.* from globalcart.kpi_daily_abandoned_products k
        where k.kpi_dt >= coalesce(from_dt, '-infinity') and k.kpi_dt <= coalesce(to_dt, 'infinity')
          and not exists (select 1 from globalcart.mart_dirty_days m where m.day = k.kpi_dt);
    for r in select * from globalcart.mart_dirty_runs(from_dt, to_dt) loop
        return query select * from globalcart.kpi_daily_abandoned_between(r.lo, r.hi);
    end loop;
end
$$;
comment on function kpi_daily_abandoned_fresh(date, date) is 'kpi_daily_abandoned_products as the clicks say now (see kpi_daily_fresh)';


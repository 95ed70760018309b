-- Tell the live KPI cache which seconds a batch touched (delivered on commit
-- only; the cache reloads the one-second or ten-second bucket holding each). Touched are: the batch's own event times $1 (Unix seconds:
-- order, return, ship and click times); the order time of the orders $2 whose
-- payments, shipments or returns it loaded (their P&L is reported at their
-- order time); the start of the sessions $3 whose clicks it loaded (sessions
-- are reported at their first event). Only the last $4 seconds count (the
-- live horizon, consumers/src/load.rs). Payload:
-- the Unix seconds, comma-separated, or `>start` (everything since) when
-- there are more than 500; nothing is sent when no recent second was touched.
with touched (ts) as (
    select unnest($1::int8[])
    union all
    -- one index lookup per order and per session, whatever the statistics say
    -- (a misjudged session count once turned this into a scan of every click)
    select (select extract(epoch from o.order_ts)::int8
            from globalcart.fact_orders o where o.order_id = ids.id)
    from unnest($2::int8[]) as ids(id)
    union all
    select (select extract(epoch from min(e.event_ts))::int8
            from globalcart.fact_funnel_events e where e.session_id = s.id)
    from unnest($3::text[]) as s(id)
), seconds (b) as (
    select distinct ts
    from touched
    where ts >= extract(epoch from now())::int8 - $4::int8
)
select pg_notify('globalcart_kpis',
                 case when count(*) > 500 then '>' || min(b)
                      else string_agg(b::text, ',' order by b) end)
from seconds
having count(*) > 0

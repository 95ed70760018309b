-- 007 — live KPI buckets: every live measure per time bucket (minute, hour,
-- day, week or month) and per dimension value (all, region, channel, category),
-- read from the KPI views of 005 (completed-order scope, USD, sessions as in
-- vw_funnel_sessions). The rolling KPI cache loads minutes of it; the timeseries
-- endpoint loads coarser grains. Orders count on their order time, refunds on
-- their return time, shipments on their ship time, sessions on their first event
-- (sessions are looked up from events up to two hours before the range).

set local search_path = globalcart;

create function kpi_buckets(from_ts timestamptz, to_ts timestamptz, grain text)
returns table (bucket timestamptz, dim text, dim_value text, gmv_usd float8,
               net_revenue_usd float8, orders int8, units int8, refunds_usd float8,
               shipments int8, sla_breaches int8, sessions_viewed int8, sessions_added int8,
               sessions_attempted int8, sessions_failed int8, sessions_placed int8,
               sessions_abandoned int8)
language sql stable set timezone to 'UTC' as $$
with orders as (
    select date_trunc(grain, o.order_ts) as minute, o.order_id,
           coalesce(o.region, 'UNKNOWN') as region, o.channel, o.gross_usd, o.net_revenue_usd
    from globalcart.vw_orders_completed o
    where o.order_ts >= from_ts and o.order_ts < to_ts
), lines as (
    select o.minute, o.order_id, coalesce(p.category_l1, 'UNKNOWN') as category,
           sum(i.unit_list_price * i.qty * c.fx_to_reporting) as gross_usd,
           sum(i.line_net_revenue * c.fx_to_reporting) as net_revenue_usd,
           sum(i.qty) as units
    from orders o
    join globalcart.fact_order_items i on i.order_id = o.order_id
    join globalcart.fact_orders fo on fo.order_id = o.order_id
    join globalcart.dim_currency c on c.currency = fo.currency
    left join globalcart.dim_product p on p.product_id = i.product_id
    group by 1, 2, 3
), order_units as (
    select order_id, sum(units) as units from lines group by order_id
), refunds as (
    select date_trunc(grain, r.return_ts) as minute, r.refund_usd,
           coalesce(o.region, 'UNKNOWN') as region, o.channel
    from globalcart.vw_returns_enriched r
    join globalcart.vw_orders_core o on o.order_id = r.order_id
    where r.is_completed_order and r.return_ts >= from_ts and r.return_ts < to_ts
), ships as (
    select date_trunc(grain, s.shipped_ts) as minute, s.sla_breached_flag,
           coalesce(o.region, 'UNKNOWN') as region, o.channel
    from globalcart.vw_shipments_enriched s
    join globalcart.vw_orders_core o on o.order_id = s.order_id
    where s.is_completed_order and s.shipped_ts >= from_ts and s.shipped_ts < to_ts
), sessions as (
    select date_trunc(grain, min(e.event_ts)) as minute, min(e.channel) as channel,
           bool_or(e.stage = 'VIEW_PRODUCT') as viewed,
           bool_or(e.stage = 'ADD_TO_CART') as added,
           bool_or(e.stage = 'PAYMENT_ATTEMPTED') as attempted,
           bool_or(e.stage = 'PAYMENT_FAILED') as failed,
           bool_or(e.stage = 'ORDER_PLACED') as placed,
           bool_or(e.stage = 'ADD_TO_CART')
               and not bool_or(e.stage in ('PAYMENT_ATTEMPTED', 'PAYMENT_FAILED', 'ORDER_PLACED')) as abandoned
    from globalcart.fact_funnel_events e
    where e.session_id in (
        select session_id from globalcart.fact_funnel_events
        where event_ts >= from_ts - interval '2 hours' and event_ts < to_ts)
    group by e.session_id
    having min(e.event_ts) >= from_ts and min(e.event_ts) < to_ts
), facts (minute, dim, dim_value, gmv_usd, net_revenue_usd, orders, units, refunds_usd,
          shipments, sla_breaches, sessions_viewed, sessions_added, sessions_attempted,
          sessions_failed, sessions_placed, sessions_abandoned) as (
    select o.minute, d.dim, d.v, o.gross_usd, o.net_revenue_usd, 1, u.units, 0::numeric, 0, 0, 0, 0, 0, 0, 0, 0
    from orders o
    join order_units u using (order_id)
    cross join lateral (values ('all', 'all'), ('region', o.region), ('channel', o.channel)) d(dim, v)
    union all
    select minute, 'category', category, gross_usd, net_revenue_usd, 1, units, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from lines
    union all
    select r.minute, d.dim, d.v, 0, 0, 0, 0, r.refund_usd, 0, 0, 0, 0, 0, 0, 0, 0
    from refunds r
    cross join lateral (values ('all', 'all'), ('region', r.region), ('channel', r.channel)) d(dim, v)
    union all
    select s.minute, d.dim, d.v, 0, 0, 0, 0, 0, 1, s.sla_breached_flag::int, 0, 0, 0, 0, 0, 0
    from ships s
    cross join lateral (values ('all', 'all'), ('region', s.region), ('channel', s.channel)) d(dim, v)
    union all
    select s.minute, d.dim, d.v, 0, 0, 0, 0, 0, 0, 0, s.viewed::int, s.added::int,
           s.attempted::int, s.failed::int, s.placed::int, s.abandoned::int
    from sessions s
    cross join lateral (values ('all', 'all'), ('channel', s.channel)) d(dim, v)
)
select f.minute, f.dim, f.dim_value,
       coalesce(sum(f.gmv_usd), 0)::float8, coalesce(sum(f.net_revenue_usd), 0)::float8,
       sum(f.orders)::int8, sum(f.units)::int8, coalesce(sum(f.refunds_usd), 0)::float8,
       sum(f.shipments)::int8, sum(f.sla_breaches)::int8, sum(f.sessions_viewed)::int8,
       sum(f.sessions_added)::int8, sum(f.sessions_attempted)::int8, sum(f.sessions_failed)::int8,
       sum(f.sessions_placed)::int8, sum(f.sessions_abandoned)::int8
from facts f
group by f.minute, f.dim, f.dim_value
$$;
comment on function kpi_buckets(timestamptz, timestamptz, text) is 'Live KPI measures per time bucket (grain: minute, hour, day, week, month) and dimension value, from the KPI views';

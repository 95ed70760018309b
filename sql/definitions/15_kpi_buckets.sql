-- The live KPI buckets: additive sums per bucket of any window, read by the
-- live KPI cache. The grain is a unit of date_trunc (second, minute, hour, day,
-- week, month) or 'N seconds' (date_bin from 2000-01-01): the cache passes its
-- bucket width (api/src/kpis/cache.rs, BUCKET), so it is defined only there.
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

create or replace function kpi_buckets(from_ts timestamptz, to_ts timestamptz, grain text)
returns table (bucket timestamptz, dim text, dim_value text, gmv_usd float8,
               net_revenue_usd float8, orders int8, units int8, refunds_usd float8,
               shipments int8, sla_breaches int8, sessions_viewed int8, sessions_added int8,
               sessions_attempted int8, sessions_failed int8, sessions_placed int8,
               sessions_abandoned int8, cogs_usd float8, shipping_cost_usd float8,
               gateway_fee_usd float8, gross_profit_usd float8, net_profit_usd float8,
               loss_orders int8, failed_payment_orders int8,
               revenue_lost_payment_failures_usd float8, abandoned_cart_list_usd float8)
language plpgsql stable
set timezone to 'UTC' set jit to off set enable_nestloop to off as $fn$
begin
    -- EXECUTE plans the query with the window's values. Every fact is read
    -- through an index (by time, or by `= any(<ids of the window>)`), and the
    -- pieces are hash-joined: nested loops are off because the row estimates
    -- of the newest minutes always lag (the statistics predate them), and a
    -- nested loop planned for 1 row but fed thousands never finishes.
    return query execute $q$
with orders as (
    select case when $3 like '% seconds' then date_bin($3::interval, o.order_ts, timestamptz '2000-01-01') else date_trunc($3, o.order_ts) end as minute, o.order_id,
           coalesce(o.region, 'UNKNOWN') as region, o.channel, o.gross_usd, o.net_revenue_usd,
           o.units, o.cogs_usd, o.shipping_cost_usd, o.gateway_fee_usd, o.gross_profit_usd,
           o.net_profit_usd, o.loss_order
    from globalcart.finance_order_pnl_between($1, $2) o
), lines as (
    select o.minute, o.order_id, coalesce(i.category_l1, 'UNKNOWN') as category, o.loss_order,
           sum(i.line_gross_usd) as gross_usd, sum(i.line_net_revenue_usd) as net_revenue_usd,
           sum(i.qty) as units, sum(i.line_cogs_usd) as cogs_usd,
           sum(i.alloc_shipping_cost_usd) as shipping_cost_usd,
           sum(i.alloc_gateway_fee_usd) as gateway_fee_usd,
           sum(i.line_gross_profit_usd) as gross_profit_usd,
           sum(i.line_net_profit_usd) as net_profit_usd
    from orders o
    join globalcart.finance_item_pnl_between($1, $2) i on i.order_id = o.order_id
    group by 1, 2, 3, 4
), failed as (
    select case when $3 like '% seconds' then date_bin($3::interval, o.order_ts, timestamptz '2000-01-01') else date_trunc($3, o.order_ts) end as minute, coalesce(o.region, 'UNKNOWN') as region,
           o.channel, f.net_revenue_usd
    from globalcart.failed_payment_orders_between($1, $2) f
    join globalcart.vw_orders_core o on o.order_id = f.order_id
    where o.order_ts >= $1 and o.order_ts < $2
), refunds as (
    select case when $3 like '% seconds' then date_bin($3::interval, r.return_ts, timestamptz '2000-01-01') else date_trunc($3, r.return_ts) end as minute, r.refund_usd,
           coalesce(o.region, 'UNKNOWN') as region, o.channel
    from globalcart.vw_returns_enriched r
    join globalcart.vw_orders_completed o on o.order_id = r.order_id
    where r.return_ts >= $1 and r.return_ts < $2
      and o.order_id = any (array(select order_id from globalcart.fact_returns
                                  where return_ts >= $1 and return_ts < $2))
), ships as (
    -- a shipment counts at its ship time, and at its order's time while not
    -- shipped: vw_shipments_enriched.ship_dt at the grain of the bucket
    select case when $3 like '% seconds' then date_bin($3::interval, coalesce(s.shipped_ts, o.order_ts), timestamptz '2000-01-01') else date_trunc($3, coalesce(s.shipped_ts, o.order_ts)) end as minute, s.sla_breached_flag,
           coalesce(o.region, 'UNKNOWN') as region, o.channel
    from globalcart.vw_shipments_enriched s
    join globalcart.vw_orders_completed o on o.order_id = s.order_id
    where coalesce(s.shipped_ts, o.order_ts) >= $1 and coalesce(s.shipped_ts, o.order_ts) < $2
      and o.order_id = any (array(select order_id from globalcart.fact_shipments
                                  where shipped_ts >= $1 and shipped_ts < $2
                                  union all
                                  select order_id from globalcart.fact_orders
                                  where order_ts >= $1 and order_ts < $2))
), sessions as (
    select case when $3 like '% seconds' then date_bin($3::interval, min(e.event_ts), timestamptz '2000-01-01') else date_trunc($3, min(e.event_ts)) end as minute, min(e.channel) as channel,
           bool_or(e.stage = 'VIEW_PRODUCT') as viewed,
           bool_or(e.stage = 'ADD_TO_CART') as added,
           bool_or(e.stage = 'PAYMENT_ATTEMPTED') as attempted,
           bool_or(e.stage = 'PAYMENT_FAILED') as failed,
           bool_or(e.stage = 'ORDER_PLACED') as placed,
           bool_or(e.stage = 'ADD_TO_CART')
               and not bool_or(e.stage in ('PAYMENT_ATTEMPTED', 'PAYMENT_FAILED', 'ORDER_PLACED')) as abandoned,
           array_agg(distinct e.product_id) filter (where e.stage = 'ADD_TO_CART' and e.product_id is not null) as added_products
    from globalcart.fact_funnel_events e
    -- a session that starts in the window has its first event there
    where e.session_id = any (array(
        select distinct session_id from globalcart.fact_funnel_events
        where event_ts >= $1 and event_ts < $2))
    group by e.session_id
    having min(e.event_ts) >= $1 and min(e.event_ts) < $2
), abandoned as (
    -- list value of the distinct products left in abandoned carts (× the sell-to-list
    -- ratio of vw_sell_to_list_ratio = revenue lost to cart abandonment)
    select s.minute, s.channel, sum(p.list_price * c.fx_to_reporting) as list_usd
    from sessions s
    cross join lateral unnest(s.added_products) as a(product_id)
    join globalcart.dim_product p on p.product_id = a.product_id
    left join globalcart.dim_currency c on c.currency = p.currency
    where s.abandoned
    group by s.minute, s.channel
), facts (minute, dim, dim_value, gmv_usd, net_revenue_usd, orders, units, refunds_usd,
          shipments, sla_breaches, sessions_viewed, sessions_added, sessions_attempted,
          sessions_failed, sessions_placed, sessions_abandoned, cogs_usd, shipping_cost_usd,
          gateway_fee_usd, gross_profit_usd, net_profit_usd, loss_orders, failed_orders,
          failed_usd, abandoned_usd) as (
    select o.minute, d.dim, d.v, o.gross_usd, o.net_revenue_usd, 1, o.units, 0::numeric, 0, 0, 0, 0, 0, 0, 0, 0,
           o.cogs_usd, o.shipping_cost_usd, o.gateway_fee_usd, o.gross_profit_usd, o.net_profit_usd,
           o.loss_order::int, 0, 0::numeric, 0::numeric
    from orders o
    cross join lateral (values ('all', 'all'), ('region', o.region), ('channel', o.channel)) d(dim, v)
    union all
    select minute, 'category', category, gross_usd, net_revenue_usd, 1, units, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           cogs_usd, shipping_cost_usd, gateway_fee_usd, gross_profit_usd, net_profit_usd,
           loss_order::int, 0, 0, 0
    from lines
    union all
    select f.minute, d.dim, d.v, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, f.net_revenue_usd, 0
    from failed f
    cross join lateral (values ('all', 'all'), ('region', f.region), ('channel', f.channel)) d(dim, v)
    union all
    select r.minute, d.dim, d.v, 0, 0, 0, 0, r.refund_usd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from refunds r
    cross join lateral (values ('all', 'all'), ('region', r.region), ('channel', r.channel)) d(dim, v)
    union all
    select s.minute, d.dim, d.v, 0, 0, 0, 0, 0, 1, s.sla_breached_flag::int, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from ships s
    cross join lateral (values ('all', 'all'), ('region', s.region), ('channel', s.channel)) d(dim, v)
    union all
    select s.minute, d.dim, d.v, 0, 0, 0, 0, 0, 0, 0, s.viewed::int, s.added::int,
           s.attempted::int, s.failed::int, s.placed::int, s.abandoned::int, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from sessions s
    cross join lateral (values ('all', 'all'), ('channel', s.channel)) d(dim, v)
    union all
    select a.minute, d.dim, d.v, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, a.list_usd
    from abandoned a
    cross join lateral (values ('all', 'all'), ('channel', a.channel)) d(dim, v)
)
select f.minute, f.dim, f.dim_value,
       coalesce(sum(f.gmv_usd), 0)::float8, coalesce(sum(f.net_revenue_usd), 0)::float8,
       sum(f.orders)::int8, sum(f.units)::int8, coalesce(sum(f.refunds_usd), 0)::float8,
       sum(f.shipments)::int8, sum(f.sla_breaches)::int8, sum(f.sessions_viewed)::int8,
       sum(f.sessions_added)::int8, sum(f.sessions_attempted)::int8, sum(f.sessions_failed)::int8,
       sum(f.sessions_placed)::int8, sum(f.sessions_abandoned)::int8,
       coalesce(sum(f.cogs_usd), 0)::float8, coalesce(sum(f.shipping_cost_usd), 0)::float8,
       coalesce(sum(f.gateway_fee_usd), 0)::float8, coalesce(sum(f.gross_profit_usd), 0)::float8,
       coalesce(sum(f.net_profit_usd), 0)::float8, sum(f.loss_orders)::int8,
       sum(f.failed_orders)::int8, coalesce(sum(f.failed_usd), 0)::float8,
       coalesce(sum(f.abandoned_usd), 0)::float8
from facts f
group by f.minute, f.dim, f.dim_value
$q$ using from_ts, to_ts, grain;
end
$fn$;
comment on function kpi_buckets(timestamptz, timestamptz, text) is 'Live KPI measures per time bucket (grain: ''N seconds'', second, minute, hour, day, week, month) and dimension value, from the KPI views; shipments count at their ship time, or their order time while unshipped (017)';

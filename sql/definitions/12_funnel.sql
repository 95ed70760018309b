-- The clickstream funnel: sessions, abandoned carts, daily funnel metrics,
-- product leakage and payment failures.
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

create type funnel_sessions_row as (
    session_id text,
    session_dt date,
    started_at timestamptz,
    ended_at timestamptz,
    channel text,
    device text,
    customer_id bigint,
    viewed_product boolean,
    added_to_cart boolean,
    viewed_cart boolean,
    started_checkout boolean,
    attempted_payment boolean,
    payment_failed boolean,
    placed_order boolean,
    abandoned_cart boolean,
    added_products bigint[]
);
comment on type funnel_sessions_row is 'Row of vw_funnel_sessions and funnel_sessions_between()';

create function funnel_sessions_between(from_ts timestamptz, to_ts timestamptz)
returns setof funnel_sessions_row
language sql stable as $$
select session_id,
       (min(event_ts) at time zone 'UTC')::date as session_dt,
       min(event_ts) as started_at,
       max(event_ts) as ended_at,
       min(channel) as channel,
       min(device) as device,
       max(customer_id) as customer_id,
       bool_or(stage = 'VIEW_PRODUCT') as viewed_product,
       bool_or(stage = 'ADD_TO_CART') as added_to_cart,
       bool_or(stage = 'VIEW_CART') as viewed_cart,
       bool_or(stage = 'CHECKOUT_STARTED') as started_checkout,
       bool_or(stage = 'PAYMENT_ATTEMPTED') as attempted_payment,
       bool_or(stage = 'PAYMENT_FAILED') as payment_failed,
       bool_or(stage = 'ORDER_PLACED') as placed_order,
       bool_or(stage = 'ADD_TO_CART')
           and not bool_or(stage in ('PAYMENT_ATTEMPTED', 'PAYMENT_FAILED', 'ORDER_PLACED')) as abandoned_cart,
       array_agg(product_id) filter (where stage = 'ADD_TO_CART' and product_id is not null) as added_products
from globalcart.fact_funnel_events
where ((from_ts = '-infinity' and to_ts = 'infinity')
       -- every event of the sessions with an event in the window (a session
       -- started in it may end after it)
       or session_id = any (array(select distinct w.session_id from globalcart.fact_funnel_events w
                                  where globalcart.in_window(w.event_ts, from_ts, to_ts))))
group by session_id
having globalcart.in_window(min(event_ts), from_ts, to_ts)
$$;
comment on function funnel_sessions_between(timestamptz, timestamptz) is 'vw_funnel_sessions of the sessions started in [from_ts, to_ts)';

create view vw_funnel_sessions as
select * from funnel_sessions_between('-infinity', 'infinity');
comment on view vw_funnel_sessions is 'One row per shopping session with a flag per funnel stage reached; a session counts on the UTC day it started';
comment on column vw_funnel_sessions.session_dt is 'UTC day of the first event of the session';
comment on column vw_funnel_sessions.channel is 'Channel of the session (WEB or APP; the smallest if it changed)';
comment on column vw_funnel_sessions.device is 'Device of the session (the smallest if it changed)';
comment on column vw_funnel_sessions.customer_id is 'Signed-in customer, null for guests';
comment on column vw_funnel_sessions.abandoned_cart is 'Added to cart but never reached payment (no PAYMENT_ATTEMPTED, PAYMENT_FAILED or ORDER_PLACED): the one definition of an abandoned cart';
comment on column vw_funnel_sessions.added_products is 'Products added to the cart, one entry per ADD_TO_CART (repeats kept)';

-- the abandoned cart lines carry their session's channel and customer (appended
-- columns: every reader of the view keeps working)
create or replace view vw_funnel_abandoned_cart_lines as
select a.session_id,
       a.session_dt,
       a.product_id,
       e.list_price_usd,
       e.sell_to_list_ratio,
       e.expected_sell_price_usd as est_revenue_lost_usd,
       a.channel,
       a.customer_id
from (select distinct s.session_id, s.session_dt, p.product_id, s.channel, s.customer_id
      from vw_funnel_sessions s
      cross join lateral unnest(s.added_products) as p(product_id)
      where s.abandoned_cart) a
left join vw_product_expected_sell_price e on e.product_id = a.product_id;
comment on view vw_funnel_abandoned_cart_lines is 'One row per distinct (session, product) added to the cart in an abandoned session, with the net revenue it would have brought (one unit at list price × sell/list ratio), USD';
comment on column vw_funnel_abandoned_cart_lines.session_dt is 'UTC day the session started';
comment on column vw_funnel_abandoned_cart_lines.list_price_usd is 'Current catalog list price in USD (null if the product is unknown)';
comment on column vw_funnel_abandoned_cart_lines.sell_to_list_ratio is 'vw_sell_to_list_ratio';
comment on column vw_funnel_abandoned_cart_lines.est_revenue_lost_usd is 'Estimated net revenue lost: list price × sell/list ratio, USD';
comment on column vw_funnel_abandoned_cart_lines.channel is 'Channel of the session (vw_funnel_sessions)';
comment on column vw_funnel_abandoned_cart_lines.customer_id is 'Signed-in customer of the session, null for guests';

create view vw_funnel_product_leakage as
with views as (
    select product_id,
           count(distinct session_id) filter (where stage = 'VIEW_PRODUCT') as product_views,
           count(distinct session_id) filter (where stage = 'ADD_TO_CART') as add_to_cart
    from fact_funnel_events
    where product_id is not null
    group by product_id
), abandoned as (
    select product_id,
           count(*) as abandoned_adds,
           sum(est_revenue_lost_usd) as revenue_lost_cart_abandonment_usd
    from vw_funnel_abandoned_cart_lines
    group by product_id
), failed as (
    select i.product_id,
           count(distinct i.order_id) as failed_orders,
           sum(i.line_net_revenue * c.fx_to_reporting) as revenue_lost_payment_failures_usd
    from vw_failed_payment_orders f
    join fact_order_items i on i.order_id = f.order_id
    join fact_orders o on o.order_id = f.order_id
    left join dim_currency c on c.currency = o.currency
    group by i.product_id
), keys as (
    select product_id from views
    union
    select product_id from abandoned
    union
    select product_id from failed
)
select k.product_id,
       p.product_name,
       p.category_l1,
       p.category_l2,
       coalesce(v.product_views, 0) as product_views,
       coalesce(v.add_to_cart, 0) as add_to_cart,
       coalesce(a.abandoned_adds, 0) as abandoned_adds,
       coalesce(a.revenue_lost_cart_abandonment_usd, 0) as revenue_lost_cart_abandonment_usd,
       coalesce(f.failed_orders, 0) as failed_orders,
       coalesce(f.revenue_lost_payment_failures_usd, 0) as revenue_lost_payment_failures_usd
from keys k
left join views v on v.product_id = k.product_id
left join abandoned a on a.product_id = k.product_id
left join failed f on f.product_id = k.product_id
left join dim_product p on p.product_id = k.product_id;
comment on view vw_funnel_product_leakage is 'Per product, all time: funnel sessions, abandoned adds and the revenue lost to cart abandonment and to failed payments (USD); sums to vw_revenue_leakage';
comment on column vw_funnel_product_leakage.product_views is 'Sessions that viewed the product';
comment on column vw_funnel_product_leakage.add_to_cart is 'Sessions that added the product to the cart';
comment on column vw_funnel_product_leakage.abandoned_adds is 'Abandoned sessions that had added the product';
comment on column vw_funnel_product_leakage.revenue_lost_cart_abandonment_usd is 'Σ est_revenue_lost_usd of vw_funnel_abandoned_cart_lines, USD';
comment on column vw_funnel_product_leakage.failed_orders is 'Orders lost to payment failure containing the product';
comment on column vw_funnel_product_leakage.revenue_lost_payment_failures_usd is 'Net revenue of its lines in those orders, USD';

create view vw_funnel_payment_failures as
with per_order as (
    select payment_dt,
           payment_method,
           payment_provider,
           coalesce(failure_reason, 'UNKNOWN') as failure_reason,
           order_id,
           count(*) as failed_payments,
           sum(amount_usd) as amount_attempted_usd
    from vw_payments_enriched
    where is_failed
    group by payment_dt, payment_method, payment_provider, coalesce(failure_reason, 'UNKNOWN'), order_id
)
select f.payment_dt,
       f.payment_method,
       f.payment_provider,
       f.failure_reason,
       sum(f.failed_payments)::bigint as failed_payments,
       count(*) as failed_orders,
       sum(f.amount_attempted_usd) as amount_attempted_usd,
       coalesce(sum(o.net_revenue_usd), 0) as revenue_at_risk_usd
from per_order f
left join vw_orders_core o on o.order_id = f.order_id
group by f.payment_dt, f.payment_method, f.payment_provider, f.failure_reason;
comment on view vw_funnel_payment_failures is 'FAILED and DECLINED payments per day, method, provider and reason; counts payments (never item lines), each order''s basket once per group';
comment on column vw_funnel_payment_failures.payment_dt is 'UTC day of the order of the payment';
comment on column vw_funnel_payment_failures.failure_reason is 'Why the payment failed (UNKNOWN if not given)';
comment on column vw_funnel_payment_failures.failed_payments is 'Failed payment attempts';
comment on column vw_funnel_payment_failures.failed_orders is 'Distinct orders of those attempts';
comment on column vw_funnel_payment_failures.amount_attempted_usd is 'Σ amounts attempted including tax, USD';
comment on column vw_funnel_payment_failures.revenue_at_risk_usd is 'Σ net revenue excluding tax of the distinct orders, USD';

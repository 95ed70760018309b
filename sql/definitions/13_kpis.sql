-- Every KPI per UTC day (vw_kpi_daily), over any range of days (kpi_period,
-- which vw_kpi_totals calls over all time), per dimension, leakage and growth.
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

-- The daily rollup ------------------------------------------------------------
-- Every additive measure of a UTC day is computed from the facts by
-- kpi_daily_parts_between (and the abandoned cart lines per product by
-- kpi_daily_abandoned_between), kept per day in kpi_daily_rollup and
-- kpi_daily_abandoned_products (migration 022), and read through
-- kpi_daily_fresh / kpi_daily_abandoned_fresh: the stored rows of the days
-- nothing touched since their refresh, the others computed again. So every
-- reader gets what the facts say now, and a range costs its dirty days only.

create function kpi_daily_parts_between(from_dt date, to_dt date)
returns setof kpi_daily_rollup
language sql stable as $$
with o as (
    select order_dt as dt,
           count(*) as orders,
           count(distinct customer_id) as active_customers,
           sum(item_lines)::bigint as item_lines,
           sum(units)::bigint as units,
           sum(gross_usd) as gmv_usd,
           sum(discount_usd) as discount_usd,
           sum(tax_usd) as tax_usd,
           sum(net_revenue_usd) as net_revenue_usd,
           sum(cogs_usd) as cogs_usd,
           sum(gross_profit_usd) as gross_profit_usd,
           sum(shipping_cost_usd) as shipping_cost_usd,
           sum(gateway_fee_usd) as gateway_fee_usd,
           sum(refund_amount_usd) as refund_amount_usd,
           sum(refund_ex_tax_usd) as refund_ex_tax_usd,
           sum(restocked_cogs_usd) as restocked_cogs_usd,
           sum(net_profit_usd) as net_profit_usd,
           sum(returned_lines)::bigint as returned_lines,
           count(*) filter (where has_return) as returned_orders,
           count(*) filter (where loss_order) as loss_orders,
           count(*) filter (where discount_heavy) as discount_heavy_orders
    from globalcart.finance_order_pnl_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt))
    group by order_dt
), sold as (
    -- the two sums of vw_sell_to_list_ratio, per order day
    select * from globalcart.kpi_sold_lines_between(from_dt, to_dt)
), s as (
    -- a shipment counts on its ship day, or on its order's day until it ships
    select ship_dt as dt,
           count(*) as shipments,
           count(*) filter (where sla_breached_flag) as sla_breached_shipments
    from globalcart.vw_shipments_enriched
    where is_completed_order
      and globalcart.day_in(ship_dt, from_dt, to_dt)
      and ((from_dt is null and to_dt is null)
           or shipment_id = any (array(
                  select x.shipment_id from globalcart.fact_shipments x
                  where globalcart.in_days(x.shipped_ts, from_dt, to_dt)
                  union all
                  select x.shipment_id from globalcart.fact_shipments x
                  where x.shipped_ts is null
                    and x.order_id = any (array(select w.order_id from globalcart.fact_orders w
                                                where globalcart.in_days(w.order_ts, from_dt, to_dt))))))
    group by ship_dt
), r as (
    select return_dt as dt,
           count(*) as returns,
           sum(refund_usd) as refunds_issued_usd
    from globalcart.vw_returns_enriched
    where is_completed_order
      and globalcart.in_days(return_ts, from_dt, to_dt)
    group by return_dt
), p as (
    -- a payment counts on its order's day, or on its own until the order arrives
    select payment_dt as dt,
           count(*) as payments,
           count(*) filter (where is_failed) as failed_payments,
           count(*) filter (where chargeback_flag) as chargebacks
    from globalcart.vw_payments_enriched
    where globalcart.day_in(payment_dt, from_dt, to_dt)
      and ((from_dt is null and to_dt is null)
           or payment_id = any (array(
                  select x.payment_id from globalcart.fact_payments x
                  where x.order_id = any (array(select w.order_id from globalcart.fact_orders w
                                                where globalcart.in_days(w.order_ts, from_dt, to_dt)))
                  union all
                  select x.payment_id from globalcart.fact_payments x
                  where globalcart.in_days(coalesce(x.authorized_ts, x.captured_ts), from_dt, to_dt))))
    group by payment_dt
), fp as (
    select order_dt as dt,
           count(*) as failed_payment_orders,
           sum(net_revenue_usd) as revenue_lost_payment_failures_usd
    from globalcart.failed_payment_orders_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt))
    group by order_dt
), sessions as materialized (
    select * from globalcart.funnel_sessions_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt))
), f as (
    select session_dt as dt,
           count(*) as sessions,
           count(*) filter (where viewed_product) as product_views,
           count(*) filter (where added_to_cart) as add_to_cart,
           count(*) filter (where viewed_cart) as view_cart,
           count(*) filter (where started_checkout) as checkout_started,
           count(*) filter (where attempted_payment) as payment_attempts,
           count(*) filter (where payment_failed) as payment_failed,
           count(*) filter (where placed_order) as orders_placed,
           count(*) filter (where abandoned_cart) as abandoned_carts
    from sessions
    group by session_dt
), a as (
    -- the lines of vw_funnel_abandoned_cart_lines, counted
    select l.session_dt as dt, count(*) as abandoned_cart_lines
    from (select distinct x.session_id, x.session_dt, p.product_id
          from sessions x
          cross join lateral unnest(x.added_products) as p(product_id)
          where x.abandoned_cart) l
    group by l.session_dt
), days as (
    select dt from o union select dt from sold union select dt from s union select dt from r
    union select dt from p union select dt from fp union select dt from f
)
select d.dt,
       coalesce(o.orders, 0),
       coalesce(o.active_customers, 0),
       coalesce(o.item_lines, 0),
       coalesce(o.units, 0),
       coalesce(o.gmv_usd, 0),
       coalesce(o.discount_usd, 0),
       coalesce(o.tax_usd, 0),
       coalesce(o.net_revenue_usd, 0),
       coalesce(o.cogs_usd, 0),
       coalesce(o.gross_profit_usd, 0),
       coalesce(o.shipping_cost_usd, 0),
       coalesce(o.gateway_fee_usd, 0),
       coalesce(o.refund_amount_usd, 0),
       coalesce(o.refund_ex_tax_usd, 0),
       coalesce(o.restocked_cogs_usd, 0),
       coalesce(o.net_profit_usd, 0),
       coalesce(o.returned_lines, 0),
       coalesce(o.returned_orders, 0),
       coalesce(o.loss_orders, 0),
       coalesce(o.discount_heavy_orders, 0),
       coalesce(s.shipments, 0),
       coalesce(s.sla_breached_shipments, 0),
       coalesce(r.returns, 0),
       coalesce(r.refunds_issued_usd, 0),
       coalesce(p.payments, 0),
       coalesce(p.failed_payments, 0),
       coalesce(p.chargebacks, 0),
       coalesce(f.sessions, 0),
       coalesce(f.product_views, 0),
       coalesce(f.add_to_cart, 0),
       coalesce(f.view_cart, 0),
       coalesce(f.checkout_started, 0),
       coalesce(f.payment_attempts, 0),
       coalesce(f.payment_failed, 0),
       coalesce(f.orders_placed, 0),
       coalesce(f.abandoned_carts, 0),
       coalesce(a.abandoned_cart_lines, 0),
       coalesce(fp.failed_payment_orders, 0),
       coalesce(fp.revenue_lost_payment_failures_usd, 0),
       coalesce(sold.sold_lines_net_usd, 0),
       coalesce(sold.sold_lines_list_usd, 0),
       now()
from days d
left join o on o.dt = d.dt
left join sold on sold.dt = d.dt
left join s on s.dt = d.dt
left join r on r.dt = d.dt
left join p on p.dt = d.dt
left join fp on fp.dt = d.dt
left join f on f.dt = d.dt
left join a on a.dt = d.dt
$$;
comment on function kpi_daily_parts_between(date, date) is 'The rows of kpi_daily_rollup for the UTC days from_dt … to_dt (inclusive, null = unbounded) that have any activity, computed from the facts: the additive measures of vw_kpi_daily, each on the day vw_kpi_daily reports it';

create function kpi_daily_abandoned_between(from_dt date, to_dt date)
returns setof kpi_daily_abandoned_products
language sql stable as $$
select l.session_dt, l.product_id, count(*)
from (select distinct x.session_id, x.session_dt, p.product_id
      from globalcart.funnel_sessions_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt)) x
      cross join lateral unnest(x.added_products) as p(product_id)
      where x.abandoned_cart) l
group by l.session_dt, l.product_id
$$;
comment on function kpi_daily_abandoned_between(date, date) is 'The rows of kpi_daily_abandoned_products for the UTC days from_dt … to_dt (inclusive, null = unbounded), computed from the clicks';

-- nested loops off: see kpi_daily_fresh (05_mart_dirty_days.sql)
create function refresh_kpi_daily_rollup()
returns table (days integer, whole boolean)
language plpgsql
set enable_nestloop to off set jit to off as $$
declare
    taken date[];
    r record;
begin
    -- one refresh at a time; the second takes the days marked meanwhile
    perform pg_advisory_xact_lock(hashtext('globalcart.refresh_kpi_daily_rollup'));
    -- take the marks this refresh sees; marks committed later stay for the next
    with t as (delete from globalcart.mart_dirty_days returning day)
    select coalesce(array_agg(day), '{}') into taken from t;
    whole := array_position(taken, null) is not null;
    -- the BI marts kept by day recompute the same days at their next refresh
    insert into globalcart.bi_mart_dirty_days (mart, day)
    select m, d
    from unnest(globalcart.bi_marts_by_day()) as m
    cross join (select distinct d from unnest(taken) as u(d)) t;
    if whole then
        delete from globalcart.kpi_daily_rollup;
        delete from globalcart.kpi_daily_abandoned_products;
        insert into globalcart.kpi_daily_rollup select * from globalcart.kpi_daily_parts_between(null, null);
        insert into globalcart.kpi_daily_abandoned_products select * from globalcart.kpi_daily_abandoned_between(null, null);
        select count(*) into days from globalcart.kpi_daily_rollup;
    else
        select count(distinct d) into days from unnest(taken) d;
        for r in select * from globalcart.day_runs(taken) loop
            delete from globalcart.kpi_daily_rollup where kpi_dt between r.lo and r.hi;
            delete from globalcart.kpi_daily_abandoned_products where kpi_dt between r.lo and r.hi;
            insert into globalcart.kpi_daily_rollup select * from globalcart.kpi_daily_parts_between(r.lo, r.hi);
            insert into globalcart.kpi_daily_abandoned_products select * from globalcart.kpi_daily_abandoned_between(r.lo, r.hi);
        end loop;
    end if;
    return next;
end
$$;
comment on function refresh_kpi_daily_rollup() is 'Recomputes the days of kpi_daily_rollup and kpi_daily_abandoned_products marked in mart_dirty_days (every day after a null mark) and removes the marks it saw, handing them on to bi_mart_dirty_days, in one transaction; returns how many days it recomputed and whether it rebuilt everything';

-- every definition may have changed: every stored day is recomputed
insert into mart_dirty_days (day) values (null);

-- Daily KPIs, totals and breakdowns ------------------------------------------
create view vw_kpi_daily as
with k as materialized (
    select * from kpi_daily_fresh(null, null)
), ab as (
    -- the abandoned lines at the current list price (vw_product_expected_sell_price)
    select a.kpi_dt, sum(a.lines * p.list_price * c.fx_to_reporting) as list_usd
    from kpi_daily_abandoned_fresh(null, null) a
    join dim_product p on p.product_id = a.product_id
    left join dim_currency c on c.currency = p.currency
    group by a.kpi_dt
), d as (
    select c.kpi_dt,
           c.date_id,
           coalesce(k.orders, 0) as orders,
           coalesce(k.active_customers, 0) as active_customers,
           coalesce(k.item_lines, 0) as item_lines,
           coalesce(k.units, 0) as units,
           coalesce(k.gmv_usd, 0) as gmv_usd,
           coalesce(k.discount_usd, 0) as discount_usd,
           coalesce(k.tax_usd, 0) as tax_usd,
           coalesce(k.net_revenue_usd, 0) as net_revenue_usd,
           coalesce(k.cogs_usd, 0) as cogs_usd,
           coalesce(k.gross_profit_usd, 0) as gross_profit_usd,
           coalesce(k.shipping_cost_usd, 0) as shipping_cost_usd,
           coalesce(k.gateway_fee_usd, 0) as gateway_fee_usd,
           coalesce(k.refund_amount_usd, 0) as refund_amount_usd,
           coalesce(k.refund_ex_tax_usd, 0) as refund_ex_tax_usd,
           coalesce(k.restocked_cogs_usd, 0) as restocked_cogs_usd,
           coalesce(k.net_profit_usd, 0) as net_profit_usd,
           coalesce(k.returned_lines, 0) as returned_lines,
           coalesce(k.returned_orders, 0) as returned_orders,
           coalesce(k.loss_orders, 0) as loss_orders,
           coalesce(k.discount_heavy_orders, 0) as discount_heavy_orders,
           coalesce(k.shipments, 0) as shipments,
           coalesce(k.sla_breached_shipments, 0) as sla_breached_shipments,
           coalesce(k.returns, 0) as returns,
           coalesce(k.refunds_issued_usd, 0) as refunds_issued_usd,
           coalesce(k.payments, 0) as payments,
           coalesce(k.failed_payments, 0) as failed_payments,
           coalesce(k.chargebacks, 0) as chargebacks,
           coalesce(k.sessions, 0) as sessions,
           coalesce(k.product_views, 0) as product_views,
           coalesce(k.add_to_cart, 0) as add_to_cart,
           coalesce(k.view_cart, 0) as view_cart,
           coalesce(k.checkout_started, 0) as checkout_started,
           coalesce(k.payment_attempts, 0) as payment_attempts,
           coalesce(k.payment_failed, 0) as payment_failed,
           coalesce(k.orders_placed, 0) as orders_placed,
           coalesce(k.abandoned_carts, 0) as abandoned_carts,
           coalesce(k.abandoned_cart_lines, 0) as abandoned_cart_lines,
           coalesce(ab.list_usd * ratio.sell_to_list_ratio, 0) as revenue_lost_cart_abandonment_usd,
           coalesce(k.failed_payment_orders, 0) as failed_payment_orders,
           coalesce(k.revenue_lost_payment_failures_usd, 0) as revenue_lost_payment_failures_usd
    from vw_kpi_calendar c
    left join k on k.kpi_dt = c.kpi_dt
    left join ab on ab.kpi_dt = c.kpi_dt
    cross join vw_sell_to_list_ratio ratio
)
select d.*,
       globalcart.kpi_aov(net_revenue_usd, orders) as aov_usd,
       globalcart.kpi_margin(gross_profit_usd, net_revenue_usd) as gross_margin,
       globalcart.kpi_margin(net_profit_usd, net_revenue_usd) as net_margin,
       discount_usd / nullif(gmv_usd, 0) as discount_rate,
       shipping_cost_usd / nullif(net_revenue_usd, 0) as shipping_cost_ratio,
       refund_ex_tax_usd / nullif(net_revenue_usd, 0) as refund_rate,
       returned_lines::numeric / nullif(item_lines, 0) as return_rate,
       globalcart.kpi_sla_breach_rate(sla_breached_shipments, shipments) as sla_breach_rate,
       failed_payments::numeric / nullif(payments, 0) as failed_payment_rate,
       chargebacks::numeric / nullif(payments, 0) as chargeback_rate,
       globalcart.kpi_conversion_rate(orders_placed, product_views) as conversion_rate,
       globalcart.kpi_cart_abandonment_rate(abandoned_carts, add_to_cart) as cart_abandonment_rate,
       globalcart.kpi_payment_failure_rate(payment_failed, payment_attempts) as payment_failure_rate
from d;
comment on view vw_kpi_daily is 'Every KPI per UTC day of the calendar (days without activity show 0): order and P&L measures on the order day (completed orders), shipments on the ship day, returns issued on the return day, payments on the order day, funnel on the session day; ratios recomputed from the day''s sums, null when the denominator is 0. Read from the daily rollup (kpi_daily_fresh: the stored days, the days touched since computed again), so it always agrees with the facts';
comment on column vw_kpi_daily.kpi_dt is 'UTC day';
comment on column vw_kpi_daily.date_id is 'Day as yyyymmdd';
comment on column vw_kpi_daily.orders is 'Completed orders placed that day';
comment on column vw_kpi_daily.active_customers is 'Distinct customers with a completed order that day (not additive across days)';
comment on column vw_kpi_daily.item_lines is 'Lines of those orders';
comment on column vw_kpi_daily.units is 'Units sold (Σ qty)';
comment on column vw_kpi_daily.gmv_usd is 'GMV = gross amount Σ list × qty, USD';
comment on column vw_kpi_daily.discount_usd is 'Discount, USD';
comment on column vw_kpi_daily.tax_usd is 'Tax, USD';
comment on column vw_kpi_daily.net_revenue_usd is 'Net revenue: gross − discount excluding tax, USD';
comment on column vw_kpi_daily.cogs_usd is 'COGS Σ unit cost × qty, USD';
comment on column vw_kpi_daily.gross_profit_usd is 'net revenue − COGS, USD';
comment on column vw_kpi_daily.shipping_cost_usd is 'Shipping cost of the day''s orders, USD';
comment on column vw_kpi_daily.gateway_fee_usd is 'Gateway fees (non-failed payments) of the day''s orders, USD';
comment on column vw_kpi_daily.refund_amount_usd is 'Refunds including tax of the day''s orders (P&L attribution), USD';
comment on column vw_kpi_daily.refund_ex_tax_usd is 'The same refunds without tax, USD';
comment on column vw_kpi_daily.restocked_cogs_usd is 'COGS given back by restocked returns of the day''s orders, USD';
comment on column vw_kpi_daily.net_profit_usd is 'gross profit − shipping − fees − refunds ex tax + restocked COGS, USD';
comment on column vw_kpi_daily.returned_lines is 'Lines of the day''s orders with a return';
comment on column vw_kpi_daily.returned_orders is 'The day''s orders with a return';
comment on column vw_kpi_daily.loss_orders is 'The day''s orders with net profit < 0';
comment on column vw_kpi_daily.discount_heavy_orders is 'The day''s orders with discount / gross > 0.30';
comment on column vw_kpi_daily.shipments is 'Shipments of completed orders, on the day they shipped';
comment on column vw_kpi_daily.sla_breached_shipments is 'Of which breached the SLA';
comment on column vw_kpi_daily.returns is 'Returns of completed orders requested that day';
comment on column vw_kpi_daily.refunds_issued_usd is 'Their refunds including tax, USD (the live "refunds today" tile)';
comment on column vw_kpi_daily.payments is 'Payment attempts (all orders: failures are never on completed orders)';
comment on column vw_kpi_daily.failed_payments is 'FAILED or DECLINED attempts';
comment on column vw_kpi_daily.chargebacks is 'Attempts disputed by the customer';
comment on column vw_kpi_daily.sessions is 'Sessions started (vw_funnel_daily_metrics)';
comment on column vw_kpi_daily.product_views is 'Sessions with VIEW_PRODUCT';
comment on column vw_kpi_daily.add_to_cart is 'Sessions with ADD_TO_CART';
comment on column vw_kpi_daily.view_cart is 'Sessions with VIEW_CART';
comment on column vw_kpi_daily.checkout_started is 'Sessions with CHECKOUT_STARTED';
comment on column vw_kpi_daily.payment_attempts is 'Sessions with PAYMENT_ATTEMPTED';
comment on column vw_kpi_daily.payment_failed is 'Sessions with PAYMENT_FAILED';
comment on column vw_kpi_daily.orders_placed is 'Sessions with ORDER_PLACED';
comment on column vw_kpi_daily.abandoned_carts is 'Sessions that added to cart but never reached payment';
comment on column vw_kpi_daily.abandoned_cart_lines is 'Distinct (session, product) adds of those sessions';
comment on column vw_kpi_daily.revenue_lost_cart_abandonment_usd is 'Estimate: Σ list price × sell/list ratio of the abandoned adds, USD';
comment on column vw_kpi_daily.failed_payment_orders is 'Orders placed that day lost to a failed payment';
comment on column vw_kpi_daily.revenue_lost_payment_failures_usd is 'Their net revenue excluding tax, USD';
comment on column vw_kpi_daily.aov_usd is 'net revenue / orders, USD';
comment on column vw_kpi_daily.gross_margin is 'gross profit / net revenue, ratio';
comment on column vw_kpi_daily.net_margin is 'net profit / net revenue, ratio';
comment on column vw_kpi_daily.discount_rate is 'discount / GMV, ratio';
comment on column vw_kpi_daily.shipping_cost_ratio is 'shipping cost / net revenue, ratio';
comment on column vw_kpi_daily.refund_rate is 'refunds ex tax / net revenue, ratio';
comment on column vw_kpi_daily.return_rate is 'returned lines / lines sold, ratio';
comment on column vw_kpi_daily.sla_breach_rate is 'breached shipments / shipments, ratio';
comment on column vw_kpi_daily.failed_payment_rate is 'failed payment attempts / payment attempts, ratio (payments table)';
comment on column vw_kpi_daily.chargeback_rate is 'chargebacks / payment attempts, ratio';
comment on column vw_kpi_daily.conversion_rate is 'orders_placed / product_views sessions, ratio';
comment on column vw_kpi_daily.cart_abandonment_rate is 'abandoned_carts / add_to_cart sessions, ratio';
comment on column vw_kpi_daily.payment_failure_rate is 'payment_failed / payment_attempts sessions, ratio (funnel)';

create view vw_funnel_daily_metrics as
select kpi_dt,
       sessions,
       product_views,
       add_to_cart,
       view_cart,
       checkout_started,
       payment_attempts,
       payment_failed,
       orders_placed,
       abandoned_carts,
       abandoned_cart_lines,
       revenue_lost_cart_abandonment_usd,
       conversion_rate,
       cart_abandonment_rate,
       payment_failure_rate
from vw_kpi_daily;
comment on view vw_funnel_daily_metrics is 'Funnel per UTC day in distinct sessions (session-level stage flags, then counts), every day of the calendar, with the revenue estimated lost to abandoned carts: the funnel columns of vw_kpi_daily';
comment on column vw_funnel_daily_metrics.kpi_dt is 'UTC day the sessions started';
comment on column vw_funnel_daily_metrics.sessions is 'Sessions started that day';
comment on column vw_funnel_daily_metrics.product_views is 'Sessions with at least one VIEW_PRODUCT';
comment on column vw_funnel_daily_metrics.add_to_cart is 'Sessions with at least one ADD_TO_CART';
comment on column vw_funnel_daily_metrics.view_cart is 'Sessions with VIEW_CART';
comment on column vw_funnel_daily_metrics.checkout_started is 'Sessions with CHECKOUT_STARTED';
comment on column vw_funnel_daily_metrics.payment_attempts is 'Sessions with PAYMENT_ATTEMPTED';
comment on column vw_funnel_daily_metrics.payment_failed is 'Sessions with PAYMENT_FAILED';
comment on column vw_funnel_daily_metrics.orders_placed is 'Sessions with ORDER_PLACED';
comment on column vw_funnel_daily_metrics.abandoned_carts is 'Sessions that added to cart but never reached payment';
comment on column vw_funnel_daily_metrics.abandoned_cart_lines is 'Distinct (session, product) adds of those sessions (vw_funnel_abandoned_cart_lines)';
comment on column vw_funnel_daily_metrics.revenue_lost_cart_abandonment_usd is 'Estimate: Σ list price × sell/list ratio of those adds, USD';
comment on column vw_funnel_daily_metrics.conversion_rate is 'orders_placed / product_views, ratio (null without views)';
comment on column vw_funnel_daily_metrics.cart_abandonment_rate is 'abandoned_carts / add_to_cart, ratio (null without adds)';
comment on column vw_funnel_daily_metrics.payment_failure_rate is 'payment_failed / payment_attempts, ratio (null without attempts)';


-- Every KPI over a range of days ---------------------------------------------
create function kpi_period(from_dt date, to_dt date)
returns table (
    first_dt date, last_dt date, days bigint, orders bigint, item_lines bigint, units bigint,
    gmv_usd numeric, discount_usd numeric, tax_usd numeric, net_revenue_usd numeric,
    cogs_usd numeric, gross_profit_usd numeric, shipping_cost_usd numeric,
    gateway_fee_usd numeric, refund_amount_usd numeric, refund_ex_tax_usd numeric,
    restocked_cogs_usd numeric, net_profit_usd numeric, returned_lines bigint,
    returned_orders bigint, loss_orders bigint, discount_heavy_orders bigint,
    shipments bigint, sla_breached_shipments bigint, returns bigint,
    refunds_issued_usd numeric, payments bigint, failed_payments bigint,
    chargebacks bigint, sessions bigint, product_views bigint, add_to_cart bigint,
    view_cart bigint, checkout_started bigint, payment_attempts bigint,
    payment_failed bigint, orders_placed bigint, abandoned_carts bigint,
    abandoned_cart_lines bigint, revenue_lost_cart_abandonment_usd numeric,
    failed_payment_orders bigint, revenue_lost_payment_failures_usd numeric,
    active_customers bigint, repeat_customers bigint, churned_customers bigint,
    churn_as_of_dt date, aov_usd numeric, gross_margin numeric, net_margin numeric,
    discount_rate numeric, shipping_cost_ratio numeric, refund_rate numeric,
    return_rate numeric, sla_breach_rate numeric, failed_payment_rate numeric,
    chargeback_rate numeric, conversion_rate numeric, cart_abandonment_rate numeric,
    payment_failure_rate numeric, repeat_customer_rate numeric, churn_rate numeric
)
language sql stable
-- JIT off: compiling the plan took longer (0.5 s on the large preset) than running it
set jit to off as $$
with t as (
    select min(kpi_dt) as first_dt,
           max(kpi_dt) as last_dt,
           count(*) as days,
           coalesce(sum(orders), 0)::bigint as orders,
           coalesce(sum(item_lines), 0)::bigint as item_lines,
           coalesce(sum(units), 0)::bigint as units,
           coalesce(sum(gmv_usd), 0) as gmv_usd,
           coalesce(sum(discount_usd), 0) as discount_usd,
           coalesce(sum(tax_usd), 0) as tax_usd,
           coalesce(sum(net_revenue_usd), 0) as net_revenue_usd,
           coalesce(sum(cogs_usd), 0) as cogs_usd,
           coalesce(sum(gross_profit_usd), 0) as gross_profit_usd,
           coalesce(sum(shipping_cost_usd), 0) as shipping_cost_usd,
           coalesce(sum(gateway_fee_usd), 0) as gateway_fee_usd,
           coalesce(sum(refund_amount_usd), 0) as refund_amount_usd,
           coalesce(sum(refund_ex_tax_usd), 0) as refund_ex_tax_usd,
           coalesce(sum(restocked_cogs_usd), 0) as restocked_cogs_usd,
           coalesce(sum(net_profit_usd), 0) as net_profit_usd,
           coalesce(sum(returned_lines), 0)::bigint as returned_lines,
           coalesce(sum(returned_orders), 0)::bigint as returned_orders,
           coalesce(sum(loss_orders), 0)::bigint as loss_orders,
           coalesce(sum(discount_heavy_orders), 0)::bigint as discount_heavy_orders,
           coalesce(sum(shipments), 0)::bigint as shipments,
           coalesce(sum(sla_breached_shipments), 0)::bigint as sla_breached_shipments,
           coalesce(sum(returns), 0)::bigint as returns,
           coalesce(sum(refunds_issued_usd), 0) as refunds_issued_usd,
           coalesce(sum(payments), 0)::bigint as payments,
           coalesce(sum(failed_payments), 0)::bigint as failed_payments,
           coalesce(sum(chargebacks), 0)::bigint as chargebacks,
           coalesce(sum(sessions), 0)::bigint as sessions,
           coalesce(sum(product_views), 0)::bigint as product_views,
           coalesce(sum(add_to_cart), 0)::bigint as add_to_cart,
           coalesce(sum(view_cart), 0)::bigint as view_cart,
           coalesce(sum(checkout_started), 0)::bigint as checkout_started,
           coalesce(sum(payment_attempts), 0)::bigint as payment_attempts,
           coalesce(sum(payment_failed), 0)::bigint as payment_failed,
           coalesce(sum(orders_placed), 0)::bigint as orders_placed,
           coalesce(sum(abandoned_carts), 0)::bigint as abandoned_carts,
           coalesce(sum(abandoned_cart_lines), 0)::bigint as abandoned_cart_lines,
           coalesce(sum(revenue_lost_cart_abandonment_usd), 0) as revenue_lost_cart_abandonment_usd,
           coalesce(sum(failed_payment_orders), 0)::bigint as failed_payment_orders,
           coalesce(sum(revenue_lost_payment_failures_usd), 0) as revenue_lost_payment_failures_usd
    from globalcart.vw_kpi_daily
    where (from_dt is null or kpi_dt >= from_dt)
      and (to_dt is null or kpi_dt <= to_dt)
), as_of as (
    select least(coalesce(to_dt + 1, (now() at time zone 'UTC')::date),
                 (now() at time zone 'UTC')::date) as dt
), cust as (
    -- the period's customers (completed orders), counted without their P&L
    select a.dt as churn_as_of_dt,
           count(c.customer_id) as active_customers,
           count(c.customer_id) filter (where c.orders >= 2) as repeat_customers,
           count(c.customer_id) filter (where c.last_order_dt < a.dt - 90) as churned_customers
    from as_of a
    left join (select customer_id, count(*) as orders, max(order_dt) as last_order_dt
               from globalcart.vw_orders_completed
               where (from_dt is null or order_dt >= from_dt)
                 and (to_dt is null or order_dt <= to_dt)
               group by customer_id) c on true
    group by a.dt
)
select t.*,
       cust.active_customers,
       cust.repeat_customers,
       cust.churned_customers,
       cust.churn_as_of_dt,
       globalcart.kpi_aov(t.net_revenue_usd, t.orders) as aov_usd,
       globalcart.kpi_margin(t.gross_profit_usd, t.net_revenue_usd) as gross_margin,
       globalcart.kpi_margin(t.net_profit_usd, t.net_revenue_usd) as net_margin,
       t.discount_usd / nullif(t.gmv_usd, 0) as discount_rate,
       t.shipping_cost_usd / nullif(t.net_revenue_usd, 0) as shipping_cost_ratio,
       t.refund_ex_tax_usd / nullif(t.net_revenue_usd, 0) as refund_rate,
       t.returned_lines::numeric / nullif(t.item_lines, 0) as return_rate,
       globalcart.kpi_sla_breach_rate(t.sla_breached_shipments, t.shipments) as sla_breach_rate,
       t.failed_payments::numeric / nullif(t.payments, 0) as failed_payment_rate,
       t.chargebacks::numeric / nullif(t.payments, 0) as chargeback_rate,
       globalcart.kpi_conversion_rate(t.orders_placed, t.product_views) as conversion_rate,
       globalcart.kpi_cart_abandonment_rate(t.abandoned_carts, t.add_to_cart) as cart_abandonment_rate,
       globalcart.kpi_payment_failure_rate(t.payment_failed, t.payment_attempts) as payment_failure_rate,
       cust.repeat_customers::numeric / nullif(cust.active_customers, 0) as repeat_customer_rate,
       cust.churned_customers::numeric / nullif(cust.active_customers, 0) as churn_rate
from t cross join cust
$$;
comment on function kpi_period(date, date) is 'Every KPI over the UTC days from_dt … to_dt inclusive (null = unbounded): Σ of the additive measures of vw_kpi_daily, ratios recomputed from the sums; customers are those with a completed order in the range, churned when their last one is more than 90 days before the day after to_dt (today at most). Used by /api/kpis/summary, the Excel report and vw_kpi_totals';

-- vw_kpi_totals is kpi_period over all time (same columns, same order, one
-- definition): its column comments of 005 stay.
create or replace view vw_kpi_totals as
select * from kpi_period(null, null);
comment on view vw_kpi_totals is 'One row, all time: Σ of every additive measure of vw_kpi_daily, ratios recomputed from the sums (never averaged), plus the customer KPIs; zeros on an empty database';
comment on column vw_kpi_totals.first_dt is 'First day of the calendar (null without data)';
comment on column vw_kpi_totals.last_dt is 'Last day of the calendar';
comment on column vw_kpi_totals.days is 'Days in the calendar';
comment on column vw_kpi_totals.orders is 'Completed orders';
comment on column vw_kpi_totals.gmv_usd is 'GMV = Σ list × qty, USD';
comment on column vw_kpi_totals.net_revenue_usd is 'Net revenue: gross − discount excluding tax, USD';
comment on column vw_kpi_totals.net_profit_usd is 'gross profit − shipping − fees − refunds ex tax + restocked COGS, USD';
comment on column vw_kpi_totals.refund_amount_usd is 'Refunds including tax of completed orders, USD';
comment on column vw_kpi_totals.refund_ex_tax_usd is 'The same without tax, USD';
comment on column vw_kpi_totals.refunds_issued_usd is 'Refunds including tax of completed orders by return day; equals refund_amount_usd';
comment on column vw_kpi_totals.active_customers is 'Customers with at least one completed order';
comment on column vw_kpi_totals.repeat_customers is 'Customers with at least 2 completed orders';
comment on column vw_kpi_totals.churned_customers is 'Customers whose last completed order is more than 90 days before churn_as_of_dt';
comment on column vw_kpi_totals.churn_as_of_dt is 'Today (UTC): the day churn is measured at';
comment on column vw_kpi_totals.aov_usd is 'net revenue / orders, USD';
comment on column vw_kpi_totals.gross_margin is 'gross profit / net revenue, ratio';
comment on column vw_kpi_totals.net_margin is 'net profit / net revenue, ratio';
comment on column vw_kpi_totals.discount_rate is 'discount / GMV, ratio';
comment on column vw_kpi_totals.shipping_cost_ratio is 'shipping cost / net revenue, ratio';
comment on column vw_kpi_totals.refund_rate is 'refunds ex tax / net revenue, ratio';
comment on column vw_kpi_totals.return_rate is 'returned lines / lines sold, ratio';
comment on column vw_kpi_totals.sla_breach_rate is 'breached shipments / shipments, ratio';
comment on column vw_kpi_totals.failed_payment_rate is 'failed payment attempts / payment attempts, ratio';
comment on column vw_kpi_totals.chargeback_rate is 'chargebacks / payment attempts, ratio';
comment on column vw_kpi_totals.conversion_rate is 'orders_placed / product_views sessions, ratio';
comment on column vw_kpi_totals.cart_abandonment_rate is 'abandoned_carts / add_to_cart sessions, ratio';
comment on column vw_kpi_totals.payment_failure_rate is 'payment_failed / payment_attempts sessions, ratio';
comment on column vw_kpi_totals.repeat_customer_rate is 'repeat customers / active customers, ratio';
comment on column vw_kpi_totals.churn_rate is 'churned customers / active customers, ratio';

create view vw_kpi_daily_by_dim as
with facts as (
    select order_dt, 'region' as dim, coalesce(region, 'UNKNOWN') as dim_value,
           count(*) as orders, sum(units)::bigint as units, sum(gross_usd) as gmv_usd,
           sum(discount_usd) as discount_usd, sum(tax_usd) as tax_usd,
           sum(net_revenue_usd) as net_revenue_usd, sum(cogs_usd) as cogs_usd,
           sum(gross_profit_usd) as gross_profit_usd, sum(shipping_cost_usd) as shipping_cost_usd,
           sum(gateway_fee_usd) as gateway_fee_usd, sum(refund_amount_usd) as refund_amount_usd,
           sum(net_profit_usd) as net_profit_usd
    from vw_finance_order_pnl
    group by order_dt, coalesce(region, 'UNKNOWN')
    union all
    select order_dt, 'channel', channel,
           count(*), sum(units)::bigint, sum(gross_usd),
           sum(discount_usd), sum(tax_usd),
           sum(net_revenue_usd), sum(cogs_usd),
           sum(gross_profit_usd), sum(shipping_cost_usd),
           sum(gateway_fee_usd), sum(refund_amount_usd),
           sum(net_profit_usd)
    from vw_finance_order_pnl
    group by order_dt, channel
    union all
    select order_dt, 'category', coalesce(category_l1, 'UNKNOWN'),
           count(distinct order_id), sum(qty), sum(line_gross_usd),
           sum(line_discount_usd), sum(line_tax_usd),
           sum(line_net_revenue_usd), sum(line_cogs_usd),
           sum(line_gross_profit_usd), sum(alloc_shipping_cost_usd),
           sum(alloc_gateway_fee_usd), sum(line_refund_usd),
           sum(line_net_profit_usd)
    from vw_finance_item_pnl
    group by order_dt, coalesce(category_l1, 'UNKNOWN')
), dim_values as (
    select distinct dim, dim_value from facts
)
select c.kpi_dt,
       v.dim,
       v.dim_value,
       coalesce(f.orders, 0) as orders,
       coalesce(f.units, 0) as units,
       coalesce(f.gmv_usd, 0) as gmv_usd,
       coalesce(f.discount_usd, 0) as discount_usd,
       coalesce(f.tax_usd, 0) as tax_usd,
       coalesce(f.net_revenue_usd, 0) as net_revenue_usd,
       coalesce(f.cogs_usd, 0) as cogs_usd,
       coalesce(f.gross_profit_usd, 0) as gross_profit_usd,
       coalesce(f.shipping_cost_usd, 0) as shipping_cost_usd,
       coalesce(f.gateway_fee_usd, 0) as gateway_fee_usd,
       coalesce(f.refund_amount_usd, 0) as refund_amount_usd,
       coalesce(f.net_profit_usd, 0) as net_profit_usd,
       globalcart.kpi_aov(f.net_revenue_usd, f.orders) as aov_usd,
       globalcart.kpi_margin(f.gross_profit_usd, f.net_revenue_usd) as gross_margin,
       globalcart.kpi_margin(f.net_profit_usd, f.net_revenue_usd) as net_margin
from vw_kpi_calendar c
cross join dim_values v
left join facts f on f.order_dt = c.kpi_dt and f.dim = v.dim and f.dim_value = v.dim_value;
comment on view vw_kpi_daily_by_dim is 'Order KPIs of completed orders per UTC day and dimension value (dim = region, channel or category), every day × every value seen, USD. Category comes from the lines: amounts are the lines'' own (shipping, fees and profit allocated by line revenue) and an order counts once in each category it touches, so category orders add up to more than the total';
comment on column vw_kpi_daily_by_dim.kpi_dt is 'UTC day of the orders';
comment on column vw_kpi_daily_by_dim.dim is 'region (order geography), channel (sales channel) or category (category_l1 of the lines)';
comment on column vw_kpi_daily_by_dim.dim_value is 'Value of the dimension (UNKNOWN when missing)';
comment on column vw_kpi_daily_by_dim.orders is 'Completed orders (for category: orders with at least one line of it)';
comment on column vw_kpi_daily_by_dim.units is 'Units sold';
comment on column vw_kpi_daily_by_dim.gmv_usd is 'GMV Σ list × qty, USD';
comment on column vw_kpi_daily_by_dim.net_revenue_usd is 'Net revenue excluding tax, USD';
comment on column vw_kpi_daily_by_dim.shipping_cost_usd is 'Shipping cost (allocated by line revenue for category), USD';
comment on column vw_kpi_daily_by_dim.gateway_fee_usd is 'Gateway fees (allocated by line revenue for category), USD';
comment on column vw_kpi_daily_by_dim.refund_amount_usd is 'Refunds including tax, USD';
comment on column vw_kpi_daily_by_dim.net_profit_usd is 'Net profit, USD';
comment on column vw_kpi_daily_by_dim.aov_usd is 'net revenue / orders, USD (for category: category revenue per order touching it)';
comment on column vw_kpi_daily_by_dim.gross_margin is 'gross profit / net revenue, ratio';
comment on column vw_kpi_daily_by_dim.net_margin is 'net profit / net revenue, ratio';

-- Leakage -------------------------------------------------------------------
create view vw_revenue_leakage as
select t.net_revenue_usd,
       t.refund_amount_usd,
       t.refund_ex_tax_usd as refunds_leakage_usd,
       t.net_revenue_usd - t.refund_ex_tax_usd as net_revenue_after_refunds_usd,
       t.abandoned_carts,
       t.abandoned_cart_lines,
       r.sell_to_list_ratio,
       t.revenue_lost_cart_abandonment_usd,
       t.failed_payment_orders,
       t.revenue_lost_payment_failures_usd,
       t.revenue_lost_cart_abandonment_usd + t.revenue_lost_payment_failures_usd as potential_revenue_lost_usd
from vw_kpi_totals t
cross join vw_sell_to_list_ratio r;
comment on view vw_revenue_leakage is 'One row, all time: realised leakage (refunds of completed orders) and the two estimates of revenue never realised (abandoned carts, failed-payment baskets), USD; estimates are never subtracted from realised revenue';
comment on column vw_revenue_leakage.net_revenue_usd is 'Net revenue of completed orders excluding tax, USD';
comment on column vw_revenue_leakage.refund_amount_usd is 'Refunds including tax (cash out), USD';
comment on column vw_revenue_leakage.refunds_leakage_usd is 'Refund leakage: refunds without tax, USD (comparable with revenue)';
comment on column vw_revenue_leakage.net_revenue_after_refunds_usd is 'net revenue − refunds ex tax, USD';
comment on column vw_revenue_leakage.abandoned_carts is 'Sessions that added to cart but never reached payment';
comment on column vw_revenue_leakage.abandoned_cart_lines is 'Distinct (session, product) adds of those sessions';
comment on column vw_revenue_leakage.sell_to_list_ratio is 'Sell/list ratio used by the abandonment estimate (0.88 without sales)';
comment on column vw_revenue_leakage.revenue_lost_cart_abandonment_usd is 'Estimate: Σ list price × sell/list ratio of abandoned adds, USD';
comment on column vw_revenue_leakage.failed_payment_orders is 'Orders with a failed payment that never completed';
comment on column vw_revenue_leakage.revenue_lost_payment_failures_usd is 'Their net revenue excluding tax, USD';
comment on column vw_revenue_leakage.potential_revenue_lost_usd is 'Both estimates together (disjoint: abandoned sessions never reached payment), USD';

-- Growth --------------------------------------------------------------------
create view vw_revenue_growth_daily as
with d as (
    select kpi_dt,
           net_revenue_usd,
           orders,
           row_number() over (order by kpi_dt) as day_no
    from vw_kpi_daily
), w as (
    select d.*,
           sum(net_revenue_usd) over (order by kpi_dt rows between 6 preceding and current row) as r7,
           avg(net_revenue_usd) over (order by kpi_dt rows between 28 preceding and 1 preceding) as mean28,
           stddev_samp(net_revenue_usd) over (order by kpi_dt rows between 28 preceding and 1 preceding) as sd28,
           sum(net_revenue_usd) over (partition by date_trunc('month', kpi_dt::timestamp) order by kpi_dt) as mtd,
           sum(net_revenue_usd) over (partition by date_trunc('quarter', kpi_dt::timestamp) order by kpi_dt) as qtd,
           sum(net_revenue_usd) over (partition by date_trunc('year', kpi_dt::timestamp) order by kpi_dt) as ytd
    from d
), z as (
    select w.*,
           case when day_no > 28 then (net_revenue_usd - mean28) / nullif(sd28, 0) end as z28
    from w
)
select kpi_dt,
       net_revenue_usd,
       orders,
       case when day_no >= 7 then r7 end as rolling_7d_net_revenue_usd,
       case when day_no >= 14 then r7 / nullif(lag(r7, 7) over (order by kpi_dt), 0) - 1 end as wow_growth,
       mtd as mtd_net_revenue_usd,
       qtd as qtd_net_revenue_usd,
       ytd as ytd_net_revenue_usd,
       case when day_no > 28 then mean28 end as mean_28d_net_revenue_usd,
       case when day_no > 28 then sd28 end as stddev_28d_net_revenue_usd,
       z28 as zscore_28d,
       coalesce(abs(z28) >= 2, false) as is_anomaly
from z;
comment on view vw_revenue_growth_daily is 'Net revenue (USD) per UTC day with its growth family: rolling 7 days, week over week, MTD/QTD/YTD and a 28-day z-score anomaly flag; every calendar day, 0 when no order';
comment on column vw_revenue_growth_daily.net_revenue_usd is 'Net revenue of completed orders that day, USD';
comment on column vw_revenue_growth_daily.orders is 'Completed orders that day';
comment on column vw_revenue_growth_daily.rolling_7d_net_revenue_usd is 'Σ net revenue of the 7 days ending that day, USD (null before 7 days of history)';
comment on column vw_revenue_growth_daily.wow_growth is 'Week over week: rolling 7 days / the 7 days before − 1, ratio (null before 14 days or when the previous week is 0)';
comment on column vw_revenue_growth_daily.mtd_net_revenue_usd is 'Month to date (calendar month, this day included), USD';
comment on column vw_revenue_growth_daily.qtd_net_revenue_usd is 'Quarter to date, USD';
comment on column vw_revenue_growth_daily.ytd_net_revenue_usd is 'Year to date, USD';
comment on column vw_revenue_growth_daily.mean_28d_net_revenue_usd is 'Mean daily net revenue of the 28 previous days, USD (null before 28 days)';
comment on column vw_revenue_growth_daily.stddev_28d_net_revenue_usd is 'Sample standard deviation of the 28 previous days, USD';
comment on column vw_revenue_growth_daily.zscore_28d is '(day − mean of the 28 previous days) / their standard deviation (null before 28 days or when it is 0)';
comment on column vw_revenue_growth_daily.is_anomaly is '|z-score| ≥ 2';

create view vw_revenue_growth_monthly as
with m as (
    select date_trunc('month', kpi_dt::timestamp)::date as month_start,
           count(*) as days,
           sum(net_revenue_usd) as net_revenue_usd,
           sum(orders)::bigint as orders
    from vw_kpi_daily
    group by date_trunc('month', kpi_dt::timestamp)::date
)
select month_start,
       days,
       days < extract(day from (month_start + interval '1 month' - interval '1 day'))::integer as is_partial_month,
       net_revenue_usd,
       orders,
       globalcart.kpi_aov(net_revenue_usd, orders) as aov_usd,
       lag(net_revenue_usd) over (order by month_start) as prev_month_net_revenue_usd,
       net_revenue_usd / nullif(lag(net_revenue_usd) over (order by month_start), 0) - 1 as mom_growth
from m;
comment on view vw_revenue_growth_monthly is 'Net revenue (USD) and completed orders per calendar month, with month-over-month growth';
comment on column vw_revenue_growth_monthly.month_start is 'First day of the month';
comment on column vw_revenue_growth_monthly.days is 'Days of the month inside the calendar';
comment on column vw_revenue_growth_monthly.is_partial_month is 'The calendar covers only part of the month (first or last month of the data)';
comment on column vw_revenue_growth_monthly.net_revenue_usd is 'Net revenue of completed orders, USD';
comment on column vw_revenue_growth_monthly.aov_usd is 'net revenue / orders, USD';
comment on column vw_revenue_growth_monthly.prev_month_net_revenue_usd is 'Net revenue of the previous month, USD';
comment on column vw_revenue_growth_monthly.mom_growth is 'net revenue / previous month − 1, ratio (null for the first month or when the previous is 0)';

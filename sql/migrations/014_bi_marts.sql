-- 014 — BI marts: the five marts of the reference (exec daily, finance
-- profitability, funnel conversion, product performance, customer segments),
-- with its grains, as materialized views over the KPI views of 005/008, so no
-- KPI gets a second definition. Money is USD, ratios are 0–1 (the reference's
-- `_pct` columns are the ratios here; docs/kpi_definitions.md).
--
-- Fixes of the reference (feature catalog §1.9, §10):
-- * refreshed by the pipeline itself (`refresh_bi_marts()`: after every
--   backfill, on a schedule in `globalcart up`, from the CLI), CONCURRENTLY so
--   BI tools keep reading the previous version during a refresh;
-- * no inner join to a date table that ends: every mart derives `date_id` from
--   its own day, and the refresh first adds any missing day to `dim_date`;
-- * the reference's `mart_customer_segments` (lifecycle, value quartile) and
--   the analytics RFM table meet in one mart: the RFM table written by
--   `globalcart analytics run` is renamed `analytics_rfm` and joined in.
--
-- Also: `kpi_period(from, to)`, every KPI over a range of days, which the API
-- (`/api/kpis/summary`), the Excel report and `vw_kpi_totals` share.

set local search_path = globalcart;

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
language sql stable as $$
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
       t.net_revenue_usd / nullif(t.orders, 0) as aov_usd,
       t.gross_profit_usd / nullif(t.net_revenue_usd, 0) as gross_margin,
       t.net_profit_usd / nullif(t.net_revenue_usd, 0) as net_margin,
       t.discount_usd / nullif(t.gmv_usd, 0) as discount_rate,
       t.shipping_cost_usd / nullif(t.net_revenue_usd, 0) as shipping_cost_ratio,
       t.refund_ex_tax_usd / nullif(t.net_revenue_usd, 0) as refund_rate,
       t.returned_lines::numeric / nullif(t.item_lines, 0) as return_rate,
       t.sla_breached_shipments::numeric / nullif(t.shipments, 0) as sla_breach_rate,
       t.failed_payments::numeric / nullif(t.payments, 0) as failed_payment_rate,
       t.chargebacks::numeric / nullif(t.payments, 0) as chargeback_rate,
       t.orders_placed::numeric / nullif(t.product_views, 0) as conversion_rate,
       t.abandoned_carts::numeric / nullif(t.add_to_cart, 0) as cart_abandonment_rate,
       t.payment_failed::numeric / nullif(t.payment_attempts, 0) as payment_failure_rate,
       cust.repeat_customers::numeric / nullif(cust.active_customers, 0) as repeat_customer_rate,
       cust.churned_customers::numeric / nullif(cust.active_customers, 0) as churn_rate
from t cross join cust
$$;
comment on function kpi_period(date, date) is 'Every KPI over the UTC days from_dt … to_dt inclusive (null = unbounded): Σ of the additive measures of vw_kpi_daily, ratios recomputed from the sums; customers are those with a completed order in the range, churned when their last one is more than 90 days before the day after to_dt (today at most). Used by /api/kpis/summary, the Excel report and vw_kpi_totals';

-- vw_kpi_totals is kpi_period over all time (same columns, same order, one
-- definition): its column comments of 005 stay.
create or replace view vw_kpi_totals as
select * from kpi_period(null, null);

-- The analytics RFM table gives its name to the mart --------------------------

alter table mart_customer_segments rename to analytics_rfm;
alter index mart_customer_segments_pkey rename to analytics_rfm_pkey;
comment on table analytics_rfm is 'RFM per customer with a completed order before the as-of day of the latest analytics run: quintile scores, the 5 named segments of the reference and the k-means cluster (read it through mart_customer_segments)';

-- Refresh log ------------------------------------------------------------------

create table bi_mart_refreshes (
    refresh_id bigserial primary key,
    mart text not null,
    trigger text not null,
    started_at timestamptz not null,
    duration_ms double precision not null,
    rows bigint not null
);
create index bi_mart_refreshes_mart on bi_mart_refreshes (mart, started_at desc);
comment on table bi_mart_refreshes is 'One row per mart refreshed by refresh_bi_marts(): when, why and how long (the freshness of each mart)';
comment on column bi_mart_refreshes.refresh_id is 'Surrogate key';
comment on column bi_mart_refreshes.mart is 'Materialized view refreshed';
comment on column bi_mart_refreshes.trigger is 'What asked for it: schedule, backfill, cli, api or a BI tool (manual)';
comment on column bi_mart_refreshes.started_at is 'Start of the refresh';
comment on column bi_mart_refreshes.duration_ms is 'Wall time of the refresh, milliseconds';
comment on column bi_mart_refreshes.rows is 'Rows in the mart after the refresh';

-- 1. Executive daily KPIs --------------------------------------------------------

create materialized view mart_exec_daily_kpis as
select md5('exec_daily|' || k.date_id) as exec_daily_sk,
       k.*
from vw_kpi_daily k;
create unique index mart_exec_daily_kpis_date on mart_exec_daily_kpis (date_id);
comment on materialized view mart_exec_daily_kpis is 'Grain: one row per UTC day from the first to the last day with any activity (days without activity show 0): every column of vw_kpi_daily';
comment on column mart_exec_daily_kpis.exec_daily_sk is 'Surrogate key: md5 of the natural key (the day)';

-- 2. Finance profitability per order ----------------------------------------------

create materialized view mart_finance_profitability as
select md5('finance_order|' || p.order_id) as finance_order_sk,
       to_char(p.order_dt, 'YYYYMMDD')::integer as date_id,
       p.*
from vw_finance_order_pnl p;
create unique index mart_finance_profitability_order on mart_finance_profitability (order_id);
create index mart_finance_profitability_date on mart_finance_profitability (date_id);
create index mart_finance_profitability_customer on mart_finance_profitability (customer_id);
comment on materialized view mart_finance_profitability is 'Grain: one row per completed order: every column of vw_finance_order_pnl (USD), on the order day';
comment on column mart_finance_profitability.finance_order_sk is 'Surrogate key: md5 of the natural key (order_id)';
comment on column mart_finance_profitability.date_id is 'Order day as yyyymmdd (joins dim_date)';
comment on column mart_finance_profitability.order_id is 'Order (fact_orders)';
comment on column mart_finance_profitability.customer_id is 'Customer who placed it (dim_customer)';
comment on column mart_finance_profitability.geo_id is 'Geography of the order (dim_geo)';
comment on column mart_finance_profitability.order_ts is 'When the order was placed';
comment on column mart_finance_profitability.order_status is 'Latest status of the order (completed scope)';
comment on column mart_finance_profitability.channel is 'Sales channel (WEB, APP)';
comment on column mart_finance_profitability.device is 'Device of the order';

-- 3. Funnel conversion per day, channel and device ---------------------------------

create materialized view mart_funnel_conversion as
with s as (
    select session_dt,
           coalesce(channel, 'UNKNOWN') as channel,
           coalesce(device, 'UNKNOWN') as device,
           count(*) as sessions,
           count(*) filter (where viewed_product) as product_views,
           count(*) filter (where added_to_cart) as add_to_cart,
           count(*) filter (where viewed_cart) as view_cart,
           count(*) filter (where started_checkout) as checkout_started,
           count(*) filter (where attempted_payment) as payment_attempts,
           count(*) filter (where payment_failed) as payment_failed,
           count(*) filter (where placed_order) as orders_placed,
           count(*) filter (where abandoned_cart) as abandoned_carts
    from vw_funnel_sessions
    group by 1, 2, 3
)
select md5('funnel|' || s.session_dt || '|' || s.channel || '|' || s.device) as funnel_conv_sk,
       to_char(s.session_dt, 'YYYYMMDD')::integer as date_id,
       s.session_dt as event_dt,
       s.channel,
       s.device,
       s.sessions,
       s.product_views,
       s.add_to_cart,
       s.view_cart,
       s.checkout_started,
       s.payment_attempts,
       s.payment_failed,
       s.orders_placed,
       s.abandoned_carts,
       s.orders_placed::numeric / nullif(s.product_views, 0) as conversion_rate,
       s.abandoned_carts::numeric / nullif(s.add_to_cart, 0) as cart_abandonment_rate,
       s.payment_failed::numeric / nullif(s.payment_attempts, 0) as payment_failure_rate
from s;
create unique index mart_funnel_conversion_key on mart_funnel_conversion (date_id, channel, device);
comment on materialized view mart_funnel_conversion is 'Grain: one row per (UTC day, channel, device) with sessions: the session stage flags of vw_funnel_sessions counted, ratios as in vw_funnel_daily_metrics (summed over channel and device the counts equal vw_funnel_daily_metrics)';
comment on column mart_funnel_conversion.funnel_conv_sk is 'Surrogate key: md5 of the natural key (day, channel, device)';
comment on column mart_funnel_conversion.date_id is 'Session day as yyyymmdd (joins dim_date)';
comment on column mart_funnel_conversion.event_dt is 'UTC day the sessions started';
comment on column mart_funnel_conversion.channel is 'Channel of the session (UNKNOWN when not sent)';
comment on column mart_funnel_conversion.device is 'Device of the session (UNKNOWN when not sent)';
comment on column mart_funnel_conversion.sessions is 'Sessions started';
comment on column mart_funnel_conversion.product_views is 'Sessions with VIEW_PRODUCT';
comment on column mart_funnel_conversion.add_to_cart is 'Sessions with ADD_TO_CART';
comment on column mart_funnel_conversion.view_cart is 'Sessions with VIEW_CART';
comment on column mart_funnel_conversion.checkout_started is 'Sessions with CHECKOUT_STARTED';
comment on column mart_funnel_conversion.payment_attempts is 'Sessions with PAYMENT_ATTEMPTED';
comment on column mart_funnel_conversion.payment_failed is 'Sessions with PAYMENT_FAILED';
comment on column mart_funnel_conversion.orders_placed is 'Sessions with ORDER_PLACED';
comment on column mart_funnel_conversion.abandoned_carts is 'Sessions that added to cart but never reached payment';
comment on column mart_funnel_conversion.conversion_rate is 'orders_placed / product_views, ratio';
comment on column mart_funnel_conversion.cart_abandonment_rate is 'abandoned_carts / add_to_cart, ratio';
comment on column mart_funnel_conversion.payment_failure_rate is 'payment_failed / payment_attempts, ratio';

-- 4. Product performance per day and product ----------------------------------------

create materialized view mart_product_performance as
with sales as (
    select order_dt as dt, product_id,
           sum(qty)::bigint as units_sold,
           count(distinct order_id) as orders,
           sum(line_gross_usd) as gmv_usd,
           sum(line_net_revenue_usd) as net_revenue_usd,
           sum(line_cogs_usd) as cogs_usd,
           sum(line_gross_profit_usd) as gross_profit_usd,
           sum(line_discount_usd) as discount_usd,
           sum(line_net_profit_usd) as net_profit_usd
    from vw_finance_item_pnl
    group by 1, 2
), rets as (
    select return_dt as dt, product_id,
           count(*) as return_lines,
           sum(refund_usd) as refund_usd
    from vw_returns_enriched
    where is_completed_order
    group by 1, 2
), adds as (
    select s.session_dt as dt, p.product_id,
           count(distinct s.session_id) as add_sessions
    from vw_funnel_sessions s
    cross join lateral unnest(s.added_products) as p(product_id)
    group by 1, 2
), abandoned as (
    select session_dt as dt, product_id,
           count(*) as abandoned_add_sessions,
           sum(est_revenue_lost_usd) as revenue_lost_cart_abandonment_usd
    from vw_funnel_abandoned_cart_lines
    group by 1, 2
), failed as (
    select f.order_dt as dt, i.product_id,
           count(distinct f.order_id) as failed_orders,
           sum(i.line_net_revenue * c.fx_to_reporting) as revenue_lost_payment_failures_usd
    from vw_failed_payment_orders f
    join fact_order_items i on i.order_id = f.order_id
    join fact_orders o on o.order_id = f.order_id
    left join dim_currency c on c.currency = o.currency
    group by 1, 2
), keys as (
    select dt, product_id from sales
    union select dt, product_id from rets
    union select dt, product_id from adds
    union select dt, product_id from abandoned
    union select dt, product_id from failed
)
select md5('product_perf|' || k.dt || '|' || k.product_id) as product_perf_sk,
       to_char(k.dt, 'YYYYMMDD')::integer as date_id,
       k.dt,
       k.product_id,
       p.product_name,
       p.category_l1,
       p.category_l2,
       p.brand,
       coalesce(s.units_sold, 0) as units_sold,
       coalesce(s.orders, 0) as orders,
       coalesce(s.gmv_usd, 0) as gmv_usd,
       coalesce(s.net_revenue_usd, 0) as net_revenue_usd,
       coalesce(s.cogs_usd, 0) as cogs_usd,
       coalesce(s.gross_profit_usd, 0) as gross_profit_usd,
       coalesce(s.discount_usd, 0) as discount_usd,
       coalesce(s.net_profit_usd, 0) as net_profit_usd,
       coalesce(r.return_lines, 0) as return_lines,
       coalesce(r.refund_usd, 0) as refund_usd,
       coalesce(a.add_sessions, 0) as add_sessions,
       coalesce(b.abandoned_add_sessions, 0) as abandoned_add_sessions,
       coalesce(b.revenue_lost_cart_abandonment_usd, 0) as revenue_lost_cart_abandonment_usd,
       coalesce(f.failed_orders, 0) as failed_orders,
       coalesce(f.revenue_lost_payment_failures_usd, 0) as revenue_lost_payment_failures_usd
from keys k
left join dim_product p on p.product_id = k.product_id
left join sales s on s.dt = k.dt and s.product_id = k.product_id
left join rets r on r.dt = k.dt and r.product_id = k.product_id
left join adds a on a.dt = k.dt and a.product_id = k.product_id
left join abandoned b on b.dt = k.dt and b.product_id = k.product_id
left join failed f on f.dt = k.dt and f.product_id = k.product_id;
create unique index mart_product_performance_key on mart_product_performance (date_id, product_id);
create index mart_product_performance_date on mart_product_performance (date_id);
create index mart_product_performance_category on mart_product_performance (category_l1, category_l2);
comment on materialized view mart_product_performance is 'Grain: one row per (UTC day, product) with a sale, a return, a cart add or a failed basket that day: lines of completed orders (vw_finance_item_pnl) on the order day, returns of completed orders on the return day, cart adds and abandoned adds (vw_funnel_abandoned_cart_lines) on the session day, baskets lost to payment failures (vw_failed_payment_orders) on the order day; USD';
comment on column mart_product_performance.product_perf_sk is 'Surrogate key: md5 of the natural key (day, product)';
comment on column mart_product_performance.date_id is 'Day as yyyymmdd (joins dim_date)';
comment on column mart_product_performance.dt is 'UTC day';
comment on column mart_product_performance.product_id is 'Product (dim_product)';
comment on column mart_product_performance.product_name is 'Product name (null if the product is unknown)';
comment on column mart_product_performance.category_l1 is 'Top-level category';
comment on column mart_product_performance.category_l2 is 'Sub-category';
comment on column mart_product_performance.brand is 'Brand';
comment on column mart_product_performance.units_sold is 'Units sold in completed orders placed that day';
comment on column mart_product_performance.orders is 'Completed orders with a line of the product';
comment on column mart_product_performance.gmv_usd is 'Σ list × qty, USD';
comment on column mart_product_performance.net_revenue_usd is 'Σ line net revenue excluding tax, USD';
comment on column mart_product_performance.cogs_usd is 'Σ unit cost × qty, USD';
comment on column mart_product_performance.gross_profit_usd is 'net revenue − COGS, USD';
comment on column mart_product_performance.discount_usd is 'Σ line discount, USD';
comment on column mart_product_performance.net_profit_usd is 'Σ line net profit (shipping and fees allocated by line revenue), USD';
comment on column mart_product_performance.return_lines is 'Returns of completed orders requested that day';
comment on column mart_product_performance.refund_usd is 'Their refunds including tax, USD';
comment on column mart_product_performance.add_sessions is 'Sessions started that day that added the product to the cart';
comment on column mart_product_performance.abandoned_add_sessions is 'Of which abandoned the cart (vw_funnel_sessions.abandoned_cart)';
comment on column mart_product_performance.revenue_lost_cart_abandonment_usd is 'Estimate: list price × sell/list ratio per abandoned add, USD';
comment on column mart_product_performance.failed_orders is 'Orders placed that day with the product, lost to a failed payment';
comment on column mart_product_performance.revenue_lost_payment_failures_usd is 'Net revenue of the product''s lines in those baskets, USD';

-- 5. Customer segments -----------------------------------------------------------------

create materialized view mart_customer_segments as
with valued as (
    select customer_id,
           ntile(4) over (order by net_revenue_usd desc, customer_id) as value_quartile
    from vw_finance_customer_pnl
)
select md5('customer|' || k.customer_id) as customer_segment_sk,
       k.customer_id,
       c.geo_id,
       g.region,
       g.country,
       g.city,
       c.acquisition_channel,
       to_char((c.customer_created_ts at time zone 'UTC')::date, 'YYYYMMDD')::integer as customer_created_date_id,
       (c.customer_created_ts at time zone 'UTC')::date as customer_created_dt,
       to_char(p.first_order_dt, 'YYYYMMDD')::integer as first_order_date_id,
       p.first_order_dt,
       to_char(p.last_order_dt, 'YYYYMMDD')::integer as last_order_date_id,
       p.last_order_dt,
       coalesce(p.orders, 0) as orders,
       coalesce(p.net_revenue_usd, 0) as net_revenue_usd,
       coalesce(p.gross_profit_usd, 0) as gross_profit_usd,
       coalesce(p.net_profit_usd, 0) as net_profit_usd,
       coalesce(p.refund_amount_usd, 0) as refund_amount_usd,
       coalesce(p.shipping_cost_usd, 0) as shipping_cost_usd,
       coalesce(p.gateway_fee_usd, 0) as gateway_fee_usd,
       p.aov_usd,
       coalesce(p.repeat_customer, false) as repeat_customer_flag,
       v.value_quartile,
       case when p.orders is null then 'PROSPECT'
            when p.orders = 1 then 'ONE_TIME'
            else 'REPEAT' end as lifecycle_segment,
       r.recency_days,
       r.frequency as rfm_frequency,
       r.monetary_usd as rfm_monetary_usd,
       r.r_score,
       r.f_score,
       r.m_score,
       r.rfm_score,
       r.segment as rfm_segment,
       r.kmeans_cluster,
       ch.churn_probability,
       ch.revenue_at_risk_usd,
       r.run_id as analytics_run_id
from (select customer_id from dim_customer
      union
      select customer_id from vw_finance_customer_pnl) k
left join dim_customer c on c.customer_id = k.customer_id
left join dim_geo g on g.geo_id = c.geo_id
left join vw_finance_customer_pnl p on p.customer_id = k.customer_id
left join valued v on v.customer_id = k.customer_id
left join analytics_rfm r on r.customer_id = k.customer_id
left join analytics_churn_scores ch on ch.customer_id = k.customer_id;
create unique index mart_customer_segments_customer on mart_customer_segments (customer_id);
create index mart_customer_segments_geo on mart_customer_segments (geo_id);
comment on materialized view mart_customer_segments is 'Grain: one row per customer of dim_customer (prospects included) or with a completed order (the customer event may not have arrived yet: then its attributes are null): lifetime P&L of completed orders (vw_finance_customer_pnl), lifecycle segment and value quartile, and the RFM segment, k-means cluster and churn risk of the latest analytics run (null before the first run or for customers without a completed order before its as-of day)';
comment on column mart_customer_segments.customer_segment_sk is 'Surrogate key: md5 of the natural key (customer_id)';
comment on column mart_customer_segments.customer_id is 'Customer (dim_customer)';
comment on column mart_customer_segments.geo_id is 'Home geography (dim_geo)';
comment on column mart_customer_segments.region is 'Home region';
comment on column mart_customer_segments.country is 'Home country';
comment on column mart_customer_segments.city is 'Home city';
comment on column mart_customer_segments.acquisition_channel is 'Marketing channel that acquired the customer';
comment on column mart_customer_segments.customer_created_date_id is 'Sign-up day as yyyymmdd';
comment on column mart_customer_segments.customer_created_dt is 'Sign-up day (UTC)';
comment on column mart_customer_segments.first_order_date_id is 'Day of the first completed order as yyyymmdd (null for prospects)';
comment on column mart_customer_segments.first_order_dt is 'Day of the first completed order';
comment on column mart_customer_segments.last_order_date_id is 'Day of the last completed order as yyyymmdd';
comment on column mart_customer_segments.last_order_dt is 'Day of the last completed order';
comment on column mart_customer_segments.orders is 'Completed orders';
comment on column mart_customer_segments.net_revenue_usd is 'Net revenue excluding tax, USD';
comment on column mart_customer_segments.gross_profit_usd is 'net revenue − COGS, USD';
comment on column mart_customer_segments.net_profit_usd is 'Σ order net profit, USD';
comment on column mart_customer_segments.refund_amount_usd is 'Refunds including tax, USD';
comment on column mart_customer_segments.shipping_cost_usd is 'Shipping cost, USD';
comment on column mart_customer_segments.gateway_fee_usd is 'Gateway fees, USD';
comment on column mart_customer_segments.aov_usd is 'net revenue / orders, USD (null for prospects)';
comment on column mart_customer_segments.repeat_customer_flag is 'At least 2 completed orders';
comment on column mart_customer_segments.value_quartile is 'Quartile of net revenue among customers with a completed order, 1 = top; null for prospects';
comment on column mart_customer_segments.lifecycle_segment is 'PROSPECT (no completed order), ONE_TIME (1) or REPEAT (2 or more)';
comment on column mart_customer_segments.recency_days is 'RFM: days from the last completed order to the as-of day of the analytics run';
comment on column mart_customer_segments.rfm_frequency is 'RFM: completed orders before the as-of day';
comment on column mart_customer_segments.rfm_monetary_usd is 'RFM: net revenue before the as-of day, USD';
comment on column mart_customer_segments.r_score is 'Recency quintile 5 (most recent) … 1';
comment on column mart_customer_segments.f_score is 'Frequency quintile 1 … 5';
comment on column mart_customer_segments.m_score is 'Monetary quintile 1 … 5';
comment on column mart_customer_segments.rfm_score is '100·R + 10·F + M';
comment on column mart_customer_segments.rfm_segment is 'Champions, New Customers, At Risk Loyal, Lost or Potential Loyalist';
comment on column mart_customer_segments.kmeans_cluster is 'Cluster of the chosen k-means model (analytics_rfm_kmeans)';
comment on column mart_customer_segments.churn_probability is 'Model probability of no completed order in the next 90 days (analytics_churn_scores)';
comment on column mart_customer_segments.revenue_at_risk_usd is 'churn probability × trailing-year revenue, USD';
comment on column mart_customer_segments.analytics_run_id is 'Analytics run the RFM columns come from (analytics_runs)';

-- 6–7. Line grain: the P&L of every line and every abandoned cart line ------------------
-- Not marts of the reference: the grains analysts slice by category, product or
-- channel, and the inputs `globalcart analytics run` reads when the marts are
-- fresh (docs/analytics.md) instead of recomputing the views.

create materialized view mart_order_lines as
select md5('order_line|' || l.order_item_id) as order_line_sk,
       to_char(l.order_dt, 'YYYYMMDD')::integer as date_id,
       l.*
from vw_finance_item_pnl l;
create unique index mart_order_lines_item on mart_order_lines (order_item_id);
create index mart_order_lines_date on mart_order_lines (date_id);
create index mart_order_lines_product on mart_order_lines (product_id);
comment on materialized view mart_order_lines is 'Grain: one row per line of a completed order: every column of vw_finance_item_pnl (USD; shipping and fees allocated by the line''s revenue share)';
comment on column mart_order_lines.order_line_sk is 'Surrogate key: md5 of the natural key (order_item_id)';
comment on column mart_order_lines.date_id is 'Order day as yyyymmdd (joins dim_date)';
comment on column mart_order_lines.order_status is 'Latest status of the order (completed scope)';
comment on column mart_order_lines.customer_id is 'Customer who placed the order (dim_customer)';
comment on column mart_order_lines.channel is 'Sales channel of the order';
comment on column mart_order_lines.region is 'Sales region of the order geography';
comment on column mart_order_lines.product_name is 'Product name (dim_product)';
comment on column mart_order_lines.category_l1 is 'Top-level category';
comment on column mart_order_lines.category_l2 is 'Sub-category';
comment on column mart_order_lines.brand is 'Brand';
comment on column mart_order_lines.currency is 'Currency of the order';

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
comment on column vw_funnel_abandoned_cart_lines.channel is 'Channel of the session (vw_funnel_sessions)';
comment on column vw_funnel_abandoned_cart_lines.customer_id is 'Signed-in customer of the session, null for guests';

create materialized view mart_abandoned_cart_lines as
select md5('abandoned|' || a.session_id || '|' || a.product_id) as abandoned_line_sk,
       to_char(a.session_dt, 'YYYYMMDD')::integer as date_id,
       a.*
from vw_funnel_abandoned_cart_lines a;
create unique index mart_abandoned_cart_lines_key on mart_abandoned_cart_lines (session_id, product_id);
create index mart_abandoned_cart_lines_date on mart_abandoned_cart_lines (date_id);
comment on materialized view mart_abandoned_cart_lines is 'Grain: one row per distinct (abandoned session, product added): every column of vw_funnel_abandoned_cart_lines (estimated lost revenue in USD, channel, customer)';
comment on column mart_abandoned_cart_lines.abandoned_line_sk is 'Surrogate key: md5 of the natural key (session, product)';
comment on column mart_abandoned_cart_lines.date_id is 'Session day as yyyymmdd (joins dim_date)';
comment on column mart_abandoned_cart_lines.session_id is 'Shopping session';
comment on column mart_abandoned_cart_lines.product_id is 'Product added to the cart (dim_product)';

-- Refresh --------------------------------------------------------------------------------

create function refresh_bi_marts(trigger text default 'manual', only_marts text[] default null)
returns table (mart text, rows bigint, duration_ms double precision)
language plpgsql as $$
declare
    m text;
    t0 timestamptz;
    n bigint;
begin
    -- one refresh at a time; a second caller waits and then refreshes again
    perform pg_advisory_xact_lock(hashtext('globalcart.refresh_bi_marts'));
    -- every day a mart can show is in the date dimension (it extends itself)
    perform globalcart.ensure_dim_date(array(select kpi_dt from globalcart.vw_kpi_calendar));
    foreach m in array array['mart_exec_daily_kpis', 'mart_finance_profitability',
                             'mart_funnel_conversion', 'mart_product_performance',
                             'mart_customer_segments', 'mart_order_lines',
                             'mart_abandoned_cart_lines'] loop
        continue when only_marts is not null and not m = any(only_marts);
        t0 := clock_timestamp();
        execute format('refresh materialized view concurrently globalcart.%I', m);
        execute format('select count(*) from globalcart.%I', m) into n;
        mart := m;
        rows := n;
        duration_ms := extract(epoch from clock_timestamp() - t0) * 1000;
        insert into globalcart.bi_mart_refreshes (mart, trigger, started_at, duration_ms, rows)
        values (m, trigger, t0, duration_ms, n);
        return next;
    end loop;
end
$$;
comment on function refresh_bi_marts(text, text[]) is 'Refreshes the BI marts (the five of the reference and the two at line grain, or only those named in only_marts) CONCURRENTLY (readers keep the previous version meanwhile), after adding any missing day to dim_date; logs each refresh in bi_mart_refreshes; trigger says who asked (schedule, backfill, cli, api, manual)';

create view vw_bi_mart_freshness as
select distinct on (mart) mart, started_at as last_refreshed_at, duration_ms, rows, trigger
from bi_mart_refreshes
order by mart, started_at desc;
comment on view vw_bi_mart_freshness is 'The latest refresh of each mart';
comment on column vw_bi_mart_freshness.mart is 'Materialized view';
comment on column vw_bi_mart_freshness.last_refreshed_at is 'Start of its latest refresh';
comment on column vw_bi_mart_freshness.duration_ms is 'How long it took, milliseconds';
comment on column vw_bi_mart_freshness.rows is 'Rows after it';
comment on column vw_bi_mart_freshness.trigger is 'Who asked for it';

-- The marts that repeat a KPI view's columns inherit their comments, so the
-- data dictionary (generated from the comments) describes every column once.
do $$
declare
    pair record;
begin
    for pair in
        select d.objoid, d.objsubid as src_attnum, m.oid as mart_oid, ma.attnum as mart_attnum, d.description
        from (values ('mart_exec_daily_kpis', 'vw_kpi_daily'),
                     ('mart_finance_profitability', 'vw_finance_order_pnl'),
                     ('mart_finance_profitability', 'vw_orders_core'),
                     ('mart_order_lines', 'vw_finance_item_pnl'),
                     ('mart_order_lines', 'vw_finance_order_pnl'),
                     ('mart_order_lines', 'fact_order_items'),
                     ('mart_abandoned_cart_lines', 'vw_funnel_abandoned_cart_lines'),
                     ('mart_abandoned_cart_lines', 'vw_funnel_sessions')) as x(mart, src)
        join pg_class m on m.relname = x.mart and m.relnamespace = 'globalcart'::regnamespace
        join pg_class s on s.relname = x.src and s.relnamespace = 'globalcart'::regnamespace
        join pg_attribute sa on sa.attrelid = s.oid and sa.attnum > 0
        join pg_attribute ma on ma.attrelid = m.oid and ma.attname = sa.attname
        join pg_description d on d.objoid = s.oid and d.objsubid = sa.attnum
        where not exists (select 1 from pg_description e where e.objoid = m.oid and e.objsubid = ma.attnum)
    loop
        if not exists (select 1 from pg_description e where e.objoid = pair.mart_oid and e.objsubid = pair.mart_attnum) then
            execute format('comment on column %s.%I is %L',
                           pair.mart_oid::regclass,
                           (select attname from pg_attribute where attrelid = pair.mart_oid and attnum = pair.mart_attnum),
                           pair.description);
        end if;
    end loop;
end
$$;

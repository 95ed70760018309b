-- The BI marts: materialized at day, order, line, product and customer grain,
-- refreshed CONCURRENTLY by refresh_bi_marts(), with their freshness.
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

-- 1. Executive daily KPIs --------------------------------------------------------
create view mart_exec_daily_kpis as
select md5('exec_daily|' || k.date_id) as exec_daily_sk,
       k.*
from vw_kpi_daily k;
comment on view mart_exec_daily_kpis is 'Grain: one row per UTC day from the first to the last day with any activity (days without activity show 0): every column of vw_kpi_daily. A view over the daily KPI rollup (kpi_daily_fresh): always current, nothing to refresh';
comment on column mart_exec_daily_kpis.exec_daily_sk is 'Surrogate key: md5 of the natural key (the day)';
-- the columns it takes from its sources, described as there
comment on column mart_exec_daily_kpis.kpi_dt is 'UTC day';
comment on column mart_exec_daily_kpis.date_id is 'Day as yyyymmdd';
comment on column mart_exec_daily_kpis.orders is 'Completed orders placed that day';
comment on column mart_exec_daily_kpis.active_customers is 'Distinct customers with a completed order that day (not additive across days)';
comment on column mart_exec_daily_kpis.item_lines is 'Lines of those orders';
comment on column mart_exec_daily_kpis.units is 'Units sold (Σ qty)';
comment on column mart_exec_daily_kpis.gmv_usd is 'GMV = gross amount Σ list × qty, USD';
comment on column mart_exec_daily_kpis.discount_usd is 'Discount, USD';
comment on column mart_exec_daily_kpis.tax_usd is 'Tax, USD';
comment on column mart_exec_daily_kpis.net_revenue_usd is 'Net revenue: gross − discount excluding tax, USD';
comment on column mart_exec_daily_kpis.cogs_usd is 'COGS Σ unit cost × qty, USD';
comment on column mart_exec_daily_kpis.gross_profit_usd is 'net revenue − COGS, USD';
comment on column mart_exec_daily_kpis.shipping_cost_usd is 'Shipping cost of the day''s orders, USD';
comment on column mart_exec_daily_kpis.gateway_fee_usd is 'Gateway fees (non-failed payments) of the day''s orders, USD';
comment on column mart_exec_daily_kpis.refund_amount_usd is 'Refunds including tax of the day''s orders (P&L attribution), USD';
comment on column mart_exec_daily_kpis.refund_ex_tax_usd is 'The same refunds without tax, USD';
comment on column mart_exec_daily_kpis.restocked_cogs_usd is 'COGS given back by restocked returns of the day''s orders, USD';
comment on column mart_exec_daily_kpis.net_profit_usd is 'gross profit − shipping − fees − refunds ex tax + restocked COGS, USD';
comment on column mart_exec_daily_kpis.returned_lines is 'Lines of the day''s orders with a return';
comment on column mart_exec_daily_kpis.returned_orders is 'The day''s orders with a return';
comment on column mart_exec_daily_kpis.loss_orders is 'The day''s orders with net profit < 0';
comment on column mart_exec_daily_kpis.discount_heavy_orders is 'The day''s orders with discount / gross > 0.30';
comment on column mart_exec_daily_kpis.shipments is 'Shipments of completed orders, on the day they shipped';
comment on column mart_exec_daily_kpis.sla_breached_shipments is 'Of which breached the SLA';
comment on column mart_exec_daily_kpis.returns is 'Returns of completed orders requested that day';
comment on column mart_exec_daily_kpis.refunds_issued_usd is 'Their refunds including tax, USD (the live "refunds today" tile)';
comment on column mart_exec_daily_kpis.payments is 'Payment attempts (all orders: failures are never on completed orders)';
comment on column mart_exec_daily_kpis.failed_payments is 'FAILED or DECLINED attempts';
comment on column mart_exec_daily_kpis.chargebacks is 'Attempts disputed by the customer';
comment on column mart_exec_daily_kpis.sessions is 'Sessions started (vw_funnel_daily_metrics)';
comment on column mart_exec_daily_kpis.product_views is 'Sessions with VIEW_PRODUCT';
comment on column mart_exec_daily_kpis.add_to_cart is 'Sessions with ADD_TO_CART';
comment on column mart_exec_daily_kpis.view_cart is 'Sessions with VIEW_CART';
comment on column mart_exec_daily_kpis.checkout_started is 'Sessions with CHECKOUT_STARTED';
comment on column mart_exec_daily_kpis.payment_attempts is 'Sessions with PAYMENT_ATTEMPTED';
comment on column mart_exec_daily_kpis.payment_failed is 'Sessions with PAYMENT_FAILED';
comment on column mart_exec_daily_kpis.orders_placed is 'Sessions with ORDER_PLACED';
comment on column mart_exec_daily_kpis.abandoned_carts is 'Sessions that added to cart but never reached payment';
comment on column mart_exec_daily_kpis.abandoned_cart_lines is 'Distinct (session, product) adds of those sessions';
comment on column mart_exec_daily_kpis.revenue_lost_cart_abandonment_usd is 'Estimate: Σ list price × sell/list ratio of the abandoned adds, USD';
comment on column mart_exec_daily_kpis.failed_payment_orders is 'Orders placed that day lost to a failed payment';
comment on column mart_exec_daily_kpis.revenue_lost_payment_failures_usd is 'Their net revenue excluding tax, USD';
comment on column mart_exec_daily_kpis.aov_usd is 'net revenue / orders, USD';
comment on column mart_exec_daily_kpis.gross_margin is 'gross profit / net revenue, ratio';
comment on column mart_exec_daily_kpis.net_margin is 'net profit / net revenue, ratio';
comment on column mart_exec_daily_kpis.discount_rate is 'discount / GMV, ratio';
comment on column mart_exec_daily_kpis.shipping_cost_ratio is 'shipping cost / net revenue, ratio';
comment on column mart_exec_daily_kpis.refund_rate is 'refunds ex tax / net revenue, ratio';
comment on column mart_exec_daily_kpis.return_rate is 'returned lines / lines sold, ratio';
comment on column mart_exec_daily_kpis.sla_breach_rate is 'breached shipments / shipments, ratio';
comment on column mart_exec_daily_kpis.failed_payment_rate is 'failed payment attempts / payment attempts, ratio (payments table)';
comment on column mart_exec_daily_kpis.chargeback_rate is 'chargebacks / payment attempts, ratio';
comment on column mart_exec_daily_kpis.conversion_rate is 'orders_placed / product_views sessions, ratio';
comment on column mart_exec_daily_kpis.cart_abandonment_rate is 'abandoned_carts / add_to_cart sessions, ratio';
comment on column mart_exec_daily_kpis.payment_failure_rate is 'payment_failed / payment_attempts sessions, ratio (funnel)';

-- 2. Finance profitability per order ----------------------------------------------
create function mart_finance_profitability_rows(from_dt date, to_dt date)
returns setof mart_finance_profitability
language sql stable as $$
select md5('finance_order|' || p.order_id) as finance_order_sk,
       to_char(p.order_dt, 'YYYYMMDD')::integer as date_id,
       p.*
from globalcart.finance_order_pnl_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt)) p
$$;
comment on function mart_finance_profitability_rows(date, date) is 'The rows of mart_finance_profitability for the orders placed on the UTC days from_dt … to_dt (null = unbounded)';
comment on table mart_finance_profitability is 'Grain: one row per completed order: every column of vw_finance_order_pnl (USD), on the order day. Kept by day by refresh_bi_marts (mart_finance_profitability_rows)';
comment on column mart_finance_profitability.finance_order_sk is 'Surrogate key: md5 of the natural key (order_id)';
comment on column mart_finance_profitability.date_id is 'Order day as yyyymmdd (joins dim_date)';
comment on column mart_finance_profitability.order_id is 'Order (fact_orders)';
comment on column mart_finance_profitability.customer_id is 'Customer who placed it (dim_customer)';
comment on column mart_finance_profitability.geo_id is 'Geography of the order (dim_geo)';
comment on column mart_finance_profitability.order_ts is 'When the order was placed';
comment on column mart_finance_profitability.order_status is 'Latest status of the order (completed scope)';
comment on column mart_finance_profitability.channel is 'Sales channel (WEB, APP)';
comment on column mart_finance_profitability.device is 'Device of the order';
-- the columns it takes from its sources, described as there
comment on column mart_finance_profitability.region is 'Sales region of the order geography (dim_geo), null if the geography is unknown';
comment on column mart_finance_profitability.country is 'Country of the order geography';
comment on column mart_finance_profitability.order_dt is 'UTC day of the order: the day the whole P&L of the order is reported on';
comment on column mart_finance_profitability.currency is 'Currency of the local amounts';
comment on column mart_finance_profitability.fx_to_reporting is 'Rate from the order currency to USD';
comment on column mart_finance_profitability.item_lines is 'Order lines';
comment on column mart_finance_profitability.units is 'Units sold (Σ qty)';
comment on column mart_finance_profitability.gross_usd is 'Gross amount Σ list × qty, USD (GMV)';
comment on column mart_finance_profitability.discount_usd is 'Discount, USD';
comment on column mart_finance_profitability.tax_usd is 'Tax, USD';
comment on column mart_finance_profitability.net_revenue_usd is 'Net revenue excluding tax, USD';
comment on column mart_finance_profitability.cogs_usd is 'Σ unit cost × qty, USD';
comment on column mart_finance_profitability.gross_profit_usd is 'net revenue − COGS, USD';
comment on column mart_finance_profitability.shipments is 'Shipments of the order';
comment on column mart_finance_profitability.shipping_cost_usd is 'Σ shipping cost, USD';
comment on column mart_finance_profitability.gateway_fee_usd is 'Σ gateway fees of non-failed payments, USD';
comment on column mart_finance_profitability.returned_lines is 'Lines with at least one return';
comment on column mart_finance_profitability.refund_amount_usd is 'Σ refunds including tax, USD (cash refunded)';
comment on column mart_finance_profitability.refund_ex_tax_usd is 'Σ refunds without tax, USD (what profit subtracts)';
comment on column mart_finance_profitability.restocked_cogs_usd is 'COGS given back by restocked returns, USD';
comment on column mart_finance_profitability.sla_breached is 'Any shipment breached its SLA';
comment on column mart_finance_profitability.net_profit_usd is 'gross profit − shipping − gateway fees − refunds ex tax + restocked COGS, USD';
comment on column mart_finance_profitability.gross_margin is 'gross profit / net revenue, ratio (null when revenue is 0)';
comment on column mart_finance_profitability.net_margin is 'net profit / net revenue, ratio (null when revenue is 0)';
comment on column mart_finance_profitability.discount_heavy is 'discount / gross > 0.30';
comment on column mart_finance_profitability.has_return is 'At least one line returned';
comment on column mart_finance_profitability.loss_order is 'net profit < 0';

-- 3. Funnel conversion per day, channel and device ---------------------------------
create function mart_funnel_conversion_rows(from_dt date, to_dt date)
returns setof mart_funnel_conversion
language sql stable as $$
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
    from globalcart.funnel_sessions_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt))
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
       globalcart.kpi_conversion_rate(s.orders_placed, s.product_views) as conversion_rate,
       globalcart.kpi_cart_abandonment_rate(s.abandoned_carts, s.add_to_cart) as cart_abandonment_rate,
       globalcart.kpi_payment_failure_rate(s.payment_failed, s.payment_attempts) as payment_failure_rate
from s
$$;
comment on function mart_funnel_conversion_rows(date, date) is 'The rows of mart_funnel_conversion for the sessions started on the UTC days from_dt … to_dt (null = unbounded)';
comment on table mart_funnel_conversion is 'Grain: one row per (UTC day, channel, device) with sessions: the session stage flags of vw_funnel_sessions counted, ratios as in vw_funnel_daily_metrics (summed over channel and device the counts equal vw_funnel_daily_metrics). Kept by day by refresh_bi_marts';
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
create function mart_product_performance_rows(from_dt date, to_dt date)
returns setof mart_product_performance_stored
language sql stable as $$
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
    from globalcart.finance_item_pnl_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt))
    group by 1, 2
), rets as (
    select return_dt as dt, product_id,
           count(*) as return_lines,
           sum(refund_usd) as refund_usd
    from globalcart.vw_returns_enriched
    where is_completed_order
      and globalcart.in_days(return_ts, from_dt, to_dt)
    group by 1, 2
), sessions as materialized (
    select * from globalcart.funnel_sessions_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt))
), adds as (
    select s.session_dt as dt, p.product_id,
           count(distinct s.session_id) as add_sessions
    from sessions s
    cross join lateral unnest(s.added_products) as p(product_id)
    group by 1, 2
), abandoned as (
    -- the lines of vw_funnel_abandoned_cart_lines, counted (valued at read time)
    select l.session_dt as dt, l.product_id,
           count(*) as abandoned_add_sessions
    from (select distinct x.session_id, x.session_dt, p.product_id
          from sessions x
          cross join lateral unnest(x.added_products) as p(product_id)
          where x.abandoned_cart) l
    group by 1, 2
), failed as (
    select f.order_dt as dt, i.product_id,
           count(distinct f.order_id) as failed_orders,
           sum(i.line_net_revenue * c.fx_to_reporting) as revenue_lost_payment_failures_usd
    from globalcart.failed_payment_orders_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt)) f
    join globalcart.fact_order_items i on i.order_id = f.order_id
    join globalcart.fact_orders o on o.order_id = f.order_id
    left join globalcart.dim_currency c on c.currency = o.currency
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
       coalesce(f.failed_orders, 0) as failed_orders,
       coalesce(f.revenue_lost_payment_failures_usd, 0) as revenue_lost_payment_failures_usd
from keys k
left join sales s on s.dt = k.dt and s.product_id = k.product_id
left join rets r on r.dt = k.dt and r.product_id = k.product_id
left join adds a on a.dt = k.dt and a.product_id = k.product_id
left join abandoned b on b.dt = k.dt and b.product_id = k.product_id
left join failed f on f.dt = k.dt and f.product_id = k.product_id
$$;
comment on function mart_product_performance_rows(date, date) is 'The rows of mart_product_performance_stored for the UTC days from_dt … to_dt (null = unbounded)';
comment on table mart_product_performance_stored is 'The stored half of mart_product_performance: every measure that belongs to its day, kept by day by refresh_bi_marts';

create view mart_product_performance as
select s.product_perf_sk,
       s.date_id,
       s.dt,
       s.product_id,
       p.product_name,
       p.category_l1,
       p.category_l2,
       p.brand,
       s.units_sold,
       s.orders,
       s.gmv_usd,
       s.net_revenue_usd,
       s.cogs_usd,
       s.gross_profit_usd,
       s.discount_usd,
       s.net_profit_usd,
       s.return_lines,
       s.refund_usd,
       s.add_sessions,
       s.abandoned_add_sessions,
       -- each abandoned add is worth the product's expected sell price now
       coalesce(case when s.abandoned_add_sessions > 0 then s.abandoned_add_sessions * e.expected_sell_price_usd end, 0)
           as revenue_lost_cart_abandonment_usd,
       s.failed_orders,
       s.revenue_lost_payment_failures_usd
from mart_product_performance_stored s
left join dim_product p on p.product_id = s.product_id
left join vw_product_expected_sell_price e on e.product_id = s.product_id;
comment on view mart_product_performance is 'Grain: one row per (UTC day, product) with a sale, a return, a cart add or a failed basket that day: lines of completed orders (vw_finance_item_pnl) on the order day, returns of completed orders on the return day, cart adds and abandoned adds (vw_funnel_abandoned_cart_lines) on the session day, baskets lost to payment failures (vw_failed_payment_orders) on the order day; USD. The measures are stored by day (mart_product_performance_stored); the product''s name and the value of its abandoned adds (current list price × sell/list ratio) are read now';
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

create materialized view mart_customer_value as
with p as materialized (
    select * from finance_customer_pnl(true)
), valued as (
    select customer_id,
           ntile(4) over (order by net_revenue_usd desc, customer_id) as value_quartile
    from p
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
            else 'REPEAT' end as lifecycle_segment
from (select customer_id from dim_customer
      union
      select customer_id from p) k
left join dim_customer c on c.customer_id = k.customer_id
left join dim_geo g on g.geo_id = c.geo_id
left join p on p.customer_id = k.customer_id
left join valued v on v.customer_id = k.customer_id;
create unique index mart_customer_value_customer on mart_customer_value (customer_id);
create index mart_customer_value_geo on mart_customer_value (geo_id);
comment on materialized view mart_customer_value is 'Grain: one row per customer of dim_customer (prospects included) or with a completed order (the customer event may not have arrived yet: then its attributes are null): home geography, lifetime P&L of completed orders (vw_finance_customer_pnl, summed from mart_finance_profitability), lifecycle segment and value quartile. The materialized half of mart_customer_segments, refreshed with the marts';
-- the columns it takes from its sources, described as there
comment on column mart_customer_value.customer_segment_sk is 'Surrogate key: md5 of the natural key (customer_id)';
comment on column mart_customer_value.customer_id is 'Customer (dim_customer)';
comment on column mart_customer_value.geo_id is 'Home geography (dim_geo)';
comment on column mart_customer_value.region is 'Home region';
comment on column mart_customer_value.country is 'Home country';
comment on column mart_customer_value.city is 'Home city';
comment on column mart_customer_value.acquisition_channel is 'Marketing channel that acquired the customer';
comment on column mart_customer_value.customer_created_date_id is 'Sign-up day as yyyymmdd';
comment on column mart_customer_value.customer_created_dt is 'Sign-up day (UTC)';
comment on column mart_customer_value.first_order_date_id is 'Day of the first completed order as yyyymmdd (null for prospects)';
comment on column mart_customer_value.first_order_dt is 'Day of the first completed order';
comment on column mart_customer_value.last_order_date_id is 'Day of the last completed order as yyyymmdd';
comment on column mart_customer_value.last_order_dt is 'Day of the last completed order';
comment on column mart_customer_value.orders is 'Completed orders';
comment on column mart_customer_value.net_revenue_usd is 'Net revenue excluding tax, USD';
comment on column mart_customer_value.gross_profit_usd is 'net revenue − COGS, USD';
comment on column mart_customer_value.net_profit_usd is 'Σ order net profit, USD';
comment on column mart_customer_value.refund_amount_usd is 'Refunds including tax, USD';
comment on column mart_customer_value.shipping_cost_usd is 'Shipping cost, USD';
comment on column mart_customer_value.gateway_fee_usd is 'Gateway fees, USD';
comment on column mart_customer_value.aov_usd is 'net revenue / orders, USD (null for prospects)';
comment on column mart_customer_value.repeat_customer_flag is 'At least 2 completed orders';
comment on column mart_customer_value.value_quartile is 'Quartile of net revenue among customers with a completed order, 1 = top; null for prospects';
comment on column mart_customer_value.lifecycle_segment is 'PROSPECT (no completed order), ONE_TIME (1) or REPEAT (2 or more)';

create view mart_customer_segments as
select v.*,
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
from mart_customer_value v
left join analytics_rfm r on r.customer_id = v.customer_id
left join analytics_churn_scores ch on ch.customer_id = v.customer_id;
comment on view mart_customer_segments is 'Grain: one row per customer of dim_customer (prospects included) or with a completed order (the customer event may not have arrived yet: then its attributes are null): every column of mart_customer_value (lifetime P&L, lifecycle segment, value quartile, as of the latest mart refresh) and the RFM segment, k-means cluster and churn risk of the latest analytics run, current the moment the run commits (null before the first run or for customers without a completed order before its as-of day)';
-- the columns it takes from its sources, described as there
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
create function mart_order_lines_rows(from_dt date, to_dt date)
returns setof mart_order_lines
language sql stable as $$
select md5('order_line|' || l.order_item_id) as order_line_sk,
       to_char(l.order_dt, 'YYYYMMDD')::integer as date_id,
       l.*
from globalcart.finance_item_pnl_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt)) l
$$;
comment on function mart_order_lines_rows(date, date) is 'The rows of mart_order_lines for the lines of orders placed on the UTC days from_dt … to_dt (null = unbounded)';
comment on table mart_order_lines is 'Grain: one row per line of a completed order: every column of vw_finance_item_pnl (USD; shipping and fees allocated by the line''s revenue share). Kept by day by refresh_bi_marts';
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
-- the columns it takes from its sources, described as there
comment on column mart_order_lines.order_item_id is 'Order line key';
comment on column mart_order_lines.order_id is 'Order of the line (fact_orders)';
comment on column mart_order_lines.order_dt is 'UTC day of the order';
comment on column mart_order_lines.product_id is 'Product sold (dim_product)';
comment on column mart_order_lines.fx_to_reporting is 'Rate from the order currency to USD';
comment on column mart_order_lines.qty is 'Units sold';
comment on column mart_order_lines.unit_list_price is 'List price per unit, order currency';
comment on column mart_order_lines.unit_sell_price is 'Price charged per unit before tax, order currency';
comment on column mart_order_lines.unit_cost is 'Cost per unit at the time of sale, order currency';
comment on column mart_order_lines.line_gross_usd is 'list × qty in USD';
comment on column mart_order_lines.line_discount_usd is '(list − sell) × qty in USD';
comment on column mart_order_lines.line_tax_usd is 'Tax of the line in USD';
comment on column mart_order_lines.line_net_revenue_usd is 'Net revenue of the line: sell × qty excluding tax, USD';
comment on column mart_order_lines.line_cogs_usd is 'COGS: unit cost × qty, USD';
comment on column mart_order_lines.line_gross_profit_usd is 'line net revenue − line COGS, USD';
comment on column mart_order_lines.revenue_share is 'Line net revenue / order net revenue (1/lines when the order is worth 0): the allocation key';
comment on column mart_order_lines.alloc_shipping_cost_usd is 'Order shipping cost × revenue_share, USD';
comment on column mart_order_lines.alloc_gateway_fee_usd is 'Order gateway fees (non-failed payments) × revenue_share, USD';
comment on column mart_order_lines.returns is 'Returns of this line';
comment on column mart_order_lines.line_refund_usd is 'Refunds of this line including tax, USD';
comment on column mart_order_lines.line_refund_ex_tax_usd is 'Refunds of this line without tax, USD';
comment on column mart_order_lines.restocked_cogs_usd is 'COGS given back by restocked returns: line COGS × restocked share, USD';
comment on column mart_order_lines.line_net_profit_usd is 'gross profit − allocated shipping − allocated fees − refunds ex tax + restocked COGS, USD';
comment on column mart_order_lines.has_return is 'The line has at least one return (the reference''s return_leakage_flag)';
comment on column mart_order_lines.discount_heavy is 'line discount / line gross > 0.30';

create function mart_abandoned_cart_lines_rows(from_dt date, to_dt date)
returns setof mart_abandoned_cart_lines_stored
language sql stable as $$
-- the lines of vw_funnel_abandoned_cart_lines (valued at read time)
select md5('abandoned|' || a.session_id || '|' || a.product_id) as abandoned_line_sk,
       to_char(a.session_dt, 'YYYYMMDD')::integer as date_id,
       a.session_id,
       a.session_dt,
       a.product_id,
       a.channel,
       a.customer_id
from (select distinct s.session_id, s.session_dt, p.product_id, s.channel, s.customer_id
      from globalcart.funnel_sessions_between(globalcart.utc_days_start(from_dt), globalcart.utc_days_end(to_dt)) s
      cross join lateral unnest(s.added_products) as p(product_id)
      where s.abandoned_cart) a
$$;
comment on function mart_abandoned_cart_lines_rows(date, date) is 'The rows of mart_abandoned_cart_lines_stored for the sessions started on the UTC days from_dt … to_dt (null = unbounded)';
comment on table mart_abandoned_cart_lines_stored is 'The stored half of mart_abandoned_cart_lines: the abandoned (session, product) adds, kept by day by refresh_bi_marts';

create view mart_abandoned_cart_lines as
select a.abandoned_line_sk,
       a.date_id,
       a.session_id,
       a.session_dt,
       a.product_id,
       e.list_price_usd,
       e.sell_to_list_ratio,
       e.expected_sell_price_usd as est_revenue_lost_usd,
       a.channel,
       a.customer_id
from mart_abandoned_cart_lines_stored a
left join vw_product_expected_sell_price e on e.product_id = a.product_id;
comment on view mart_abandoned_cart_lines is 'Grain: one row per distinct (abandoned session, product added): every column of vw_funnel_abandoned_cart_lines (estimated lost revenue in USD, channel, customer). The adds are stored by day (mart_abandoned_cart_lines_stored); their value (current list price × sell/list ratio) is read now';
comment on column mart_abandoned_cart_lines.abandoned_line_sk is 'Surrogate key: md5 of the natural key (session, product)';
comment on column mart_abandoned_cart_lines.date_id is 'Session day as yyyymmdd (joins dim_date)';
comment on column mart_abandoned_cart_lines.session_id is 'Shopping session';
comment on column mart_abandoned_cart_lines.product_id is 'Product added to the cart (dim_product)';
-- the columns it takes from its sources, described as there
comment on column mart_abandoned_cart_lines.session_dt is 'UTC day the session started';
comment on column mart_abandoned_cart_lines.list_price_usd is 'Current catalog list price in USD (null if the product is unknown)';
comment on column mart_abandoned_cart_lines.sell_to_list_ratio is 'vw_sell_to_list_ratio';
comment on column mart_abandoned_cart_lines.est_revenue_lost_usd is 'Estimated net revenue lost: list price × sell/list ratio, USD';
comment on column mart_abandoned_cart_lines.channel is 'Channel of the session (vw_funnel_sessions)';
comment on column mart_abandoned_cart_lines.customer_id is 'Signed-in customer of the session, null for guests';

-- The marts kept by day: a table (or the stored half of a view) with a date_id,
-- and a function <mart>_rows(from_dt, to_dt) returning its rows for those days.
create function bi_marts_by_day() returns text[]
language sql immutable as $$
select array['mart_finance_profitability', 'mart_funnel_conversion', 'mart_product_performance',
             'mart_order_lines', 'mart_abandoned_cart_lines']
$$;
comment on function bi_marts_by_day() is 'The BI marts kept by day (bi_mart_dirty_days): each has a table with a date_id and a function <mart>_rows(from_dt, to_dt)';

-- nested loops off: see kpi_daily_fresh (05_mart_dirty_days.sql)
create function refresh_bi_mart_days(m text, full_rebuild boolean)
returns void
language plpgsql
set enable_nestloop to off set jit to off as $$
declare
    taken date[];
    tbl text := case when m in ('mart_product_performance', 'mart_abandoned_cart_lines')
                     then m || '_stored' else m end;
    r record;
begin
    with t as (delete from globalcart.bi_mart_dirty_days d where d.mart = m returning d.day)
    select coalesce(array_agg(day), '{}') into taken from t;
    if full_rebuild or array_position(taken, null) is not null then
        execute format('delete from globalcart.%I', tbl);
        execute format('insert into globalcart.%I select * from globalcart.%I(null, null)', tbl, m || '_rows');
        return;
    end if;
    -- every delete before any insert: a row that moved between two runs of
    -- days (an order whose time changed) is removed before it is added again
    for r in select * from globalcart.day_runs(taken) loop
        execute format('delete from globalcart.%I where date_id between $1 and $2', tbl)
        using to_char(r.lo, 'YYYYMMDD')::integer, to_char(r.hi, 'YYYYMMDD')::integer;
    end loop;
    for r in select * from globalcart.day_runs(taken) loop
        execute format('insert into globalcart.%I select * from globalcart.%I($1, $2)', tbl, m || '_rows')
        using r.lo, r.hi;
    end loop;
end
$$;
comment on function refresh_bi_mart_days(text, boolean) is 'Recomputes the days of mart m (one of bi_marts_by_day()) marked in bi_mart_dirty_days, or all of them (full_rebuild or a null mark), and removes the marks it saw';

create function refresh_bi_marts(trigger text default 'manual', only_marts text[] default null,
                                 full_rebuild boolean default false)
returns table (mart text, rows bigint, duration_ms double precision)
language plpgsql
-- JIT off: compiling the customer mart's plan took longer than running it
set jit to off as $$
declare
    m text;
    t0 timestamptz;
    n bigint;
begin
    -- one refresh at a time; a second caller waits and then refreshes again
    perform pg_advisory_xact_lock(hashtext('globalcart.refresh_bi_marts'));
    -- the days touched since the last one: into the daily rollup (what
    -- mart_exec_daily_kpis reads), and handed on to the marts kept by day
    perform globalcart.refresh_kpi_daily_rollup();
    -- every day a mart can show is in the date dimension (it extends itself)
    perform globalcart.ensure_dim_date(array(select kpi_dt from globalcart.vw_kpi_calendar));
    foreach m in array array['mart_exec_daily_kpis', 'mart_finance_profitability',
                             'mart_funnel_conversion', 'mart_product_performance',
                             'mart_customer_segments', 'mart_order_lines',
                             'mart_abandoned_cart_lines'] loop
        -- the customer mart may be named by either of its names
        continue when only_marts is not null and not m = any(only_marts)
                      and not (m = 'mart_customer_segments' and 'mart_customer_value' = any(only_marts));
        t0 := clock_timestamp();
        if m = 'mart_customer_segments' then
            -- a view over mart_customer_value (015), summed from the order mart:
            -- that one first, then the customers whole
            perform globalcart.refresh_bi_mart_days('mart_finance_profitability', false);
            refresh materialized view concurrently globalcart.mart_customer_value;
        elsif m = any(globalcart.bi_marts_by_day()) then
            perform globalcart.refresh_bi_mart_days(m, full_rebuild);
        end if;
        -- mart_exec_daily_kpis is a view over the rollup refreshed above
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
comment on function refresh_bi_marts(text, text[], boolean) is 'Brings the BI marts up to date: the daily KPI rollup first (refresh_kpi_daily_rollup, which mart_exec_daily_kpis reads), then each mart kept by day for the days the facts'' triggers marked since its last refresh (every day with full_rebuild), and mart_customer_value (the materialized half of mart_customer_segments, also accepted as mart_customer_value in only_marts) refreshed CONCURRENTLY from the order mart; only the marts named in only_marts when given. Readers keep the previous version until it commits. Adds any missing day to dim_date first; logs each mart in bi_mart_refreshes; trigger says who asked (schedule, backfill, cli, api, manual)';

create view vw_bi_mart_freshness as
select distinct on (mart) mart, started_at as last_refreshed_at, duration_ms, rows, trigger
from bi_mart_refreshes
order by mart, started_at desc;
comment on view vw_bi_mart_freshness is 'The latest refresh of each mart';
comment on column vw_bi_mart_freshness.last_refreshed_at is 'Start of its latest refresh';
comment on column vw_bi_mart_freshness.duration_ms is 'How long it took, milliseconds';
comment on column vw_bi_mart_freshness.rows is 'Rows after it';
comment on column vw_bi_mart_freshness.trigger is 'Who asked for it';
comment on column vw_bi_mart_freshness.mart is 'Mart (mart_customer_segments: refreshed through mart_customer_value)';

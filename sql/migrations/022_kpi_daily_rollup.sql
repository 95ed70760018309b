-- 022 — the daily KPI rollup and the days it must recompute (issue 18).
--
-- Every additive measure of vw_kpi_daily is kept per UTC day in
-- kpi_daily_rollup, so a range of any length sums at most a few hundred rows
-- instead of re-deriving the P&L of every order. The loader writes, in the
-- same transaction as the rows it loads, each day whose KPIs those rows may
-- change into mart_dirty_days (sql/queries/mart_dirty_days_mark.sql); the
-- refresh (refresh_kpi_daily_rollup(), sql/definitions/13_kpis.sql) recomputes
-- exactly those days. Readers never see a stale figure: kpi_daily_fresh()
-- takes the rollup for clean days and computes the dirty ones from the facts.

set local search_path = globalcart;

create table mart_dirty_days (
    day date,
    marked_at timestamptz not null default now()
);
comment on table mart_dirty_days is 'UTC days whose KPIs loaded rows may have changed since the last rollup refresh (several rows per day are fine; the refresh takes the rows it saw). A null day asks for every day to be recomputed (a dimension row changed, or the definitions did)';
comment on column mart_dirty_days.day is 'The day to recompute; null = every day';
comment on column mart_dirty_days.marked_at is 'When the loader (or migrate) marked it';

create table kpi_daily_rollup (
    kpi_dt date primary key,
    orders bigint not null,
    active_customers bigint not null,
    item_lines bigint not null,
    units bigint not null,
    gmv_usd numeric not null,
    discount_usd numeric not null,
    tax_usd numeric not null,
    net_revenue_usd numeric not null,
    cogs_usd numeric not null,
    gross_profit_usd numeric not null,
    shipping_cost_usd numeric not null,
    gateway_fee_usd numeric not null,
    refund_amount_usd numeric not null,
    refund_ex_tax_usd numeric not null,
    restocked_cogs_usd numeric not null,
    net_profit_usd numeric not null,
    returned_lines bigint not null,
    returned_orders bigint not null,
    loss_orders bigint not null,
    discount_heavy_orders bigint not null,
    shipments bigint not null,
    sla_breached_shipments bigint not null,
    returns bigint not null,
    refunds_issued_usd numeric not null,
    payments bigint not null,
    failed_payments bigint not null,
    chargebacks bigint not null,
    sessions bigint not null,
    product_views bigint not null,
    add_to_cart bigint not null,
    view_cart bigint not null,
    checkout_started bigint not null,
    payment_attempts bigint not null,
    payment_failed bigint not null,
    orders_placed bigint not null,
    abandoned_carts bigint not null,
    abandoned_cart_lines bigint not null,
    failed_payment_orders bigint not null,
    revenue_lost_payment_failures_usd numeric not null,
    sold_lines_net_usd numeric not null,
    sold_lines_list_usd numeric not null,
    refreshed_at timestamptz not null default now()
);
comment on table kpi_daily_rollup is 'The additive measures of vw_kpi_daily per UTC day, as of the last refresh of the day (refresh_kpi_daily_rollup); read through kpi_daily_fresh(), which recomputes the days marked in mart_dirty_days. Columns as in vw_kpi_daily, plus the two sums of the sell/list ratio; the abandoned cart estimate is in kpi_daily_abandoned_products';
comment on column kpi_daily_rollup.kpi_dt is 'UTC day';
-- the measures, described as in vw_kpi_daily
comment on column kpi_daily_rollup.orders is 'Completed orders placed that day';
comment on column kpi_daily_rollup.active_customers is 'Distinct customers with a completed order that day (not additive across days)';
comment on column kpi_daily_rollup.item_lines is 'Lines of those orders';
comment on column kpi_daily_rollup.units is 'Units sold (Σ qty)';
comment on column kpi_daily_rollup.gmv_usd is 'GMV = gross amount Σ list × qty, USD';
comment on column kpi_daily_rollup.discount_usd is 'Discount, USD';
comment on column kpi_daily_rollup.tax_usd is 'Tax, USD';
comment on column kpi_daily_rollup.net_revenue_usd is 'Net revenue: gross − discount excluding tax, USD';
comment on column kpi_daily_rollup.cogs_usd is 'COGS Σ unit cost × qty, USD';
comment on column kpi_daily_rollup.gross_profit_usd is 'net revenue − COGS, USD';
comment on column kpi_daily_rollup.shipping_cost_usd is 'Shipping cost of the day''s orders, USD';
comment on column kpi_daily_rollup.gateway_fee_usd is 'Gateway fees (non-failed payments) of the day''s orders, USD';
comment on column kpi_daily_rollup.refund_amount_usd is 'Refunds including tax of the day''s orders (P&L attribution), USD';
comment on column kpi_daily_rollup.refund_ex_tax_usd is 'The same refunds without tax, USD';
comment on column kpi_daily_rollup.restocked_cogs_usd is 'COGS given back by restocked returns of the day''s orders, USD';
comment on column kpi_daily_rollup.net_profit_usd is 'gross profit − shipping − fees − refunds ex tax + restocked COGS, USD';
comment on column kpi_daily_rollup.returned_lines is 'Lines of the day''s orders with a return';
comment on column kpi_daily_rollup.returned_orders is 'The day''s orders with a return';
comment on column kpi_daily_rollup.loss_orders is 'The day''s orders with net profit < 0';
comment on column kpi_daily_rollup.discount_heavy_orders is 'The day''s orders with discount / gross > 0.30';
comment on column kpi_daily_rollup.shipments is 'Shipments of completed orders, on the day they shipped';
comment on column kpi_daily_rollup.sla_breached_shipments is 'Of which breached the SLA';
comment on column kpi_daily_rollup.returns is 'Returns of completed orders requested that day';
comment on column kpi_daily_rollup.refunds_issued_usd is 'Their refunds including tax, USD (the live "refunds today" tile)';
comment on column kpi_daily_rollup.payments is 'Payment attempts (all orders: failures are never on completed orders)';
comment on column kpi_daily_rollup.failed_payments is 'FAILED or DECLINED attempts';
comment on column kpi_daily_rollup.chargebacks is 'Attempts disputed by the customer';
comment on column kpi_daily_rollup.sessions is 'Sessions started (vw_funnel_daily_metrics)';
comment on column kpi_daily_rollup.product_views is 'Sessions with VIEW_PRODUCT';
comment on column kpi_daily_rollup.add_to_cart is 'Sessions with ADD_TO_CART';
comment on column kpi_daily_rollup.view_cart is 'Sessions with VIEW_CART';
comment on column kpi_daily_rollup.checkout_started is 'Sessions with CHECKOUT_STARTED';
comment on column kpi_daily_rollup.payment_attempts is 'Sessions with PAYMENT_ATTEMPTED';
comment on column kpi_daily_rollup.payment_failed is 'Sessions with PAYMENT_FAILED';
comment on column kpi_daily_rollup.orders_placed is 'Sessions with ORDER_PLACED';
comment on column kpi_daily_rollup.abandoned_carts is 'Sessions that added to cart but never reached payment';
comment on column kpi_daily_rollup.abandoned_cart_lines is 'Distinct (session, product) adds of those sessions';
comment on column kpi_daily_rollup.failed_payment_orders is 'Orders placed that day lost to a failed payment';
comment on column kpi_daily_rollup.revenue_lost_payment_failures_usd is 'Their net revenue excluding tax, USD';
comment on column kpi_daily_rollup.sold_lines_net_usd is 'Σ net revenue (USD) of the lines of the day''s completed orders: the numerator of vw_sell_to_list_ratio';
comment on column kpi_daily_rollup.sold_lines_list_usd is 'Σ list price × qty (USD) of the same lines: its denominator';
comment on column kpi_daily_rollup.refreshed_at is 'When the day was last recomputed';

create table kpi_daily_abandoned_products (
    kpi_dt date not null,
    product_id bigint not null,
    lines bigint not null,
    primary key (kpi_dt, product_id)
);
comment on table kpi_daily_abandoned_products is 'Per UTC day and product: the distinct (session, product) adds of the abandoned sessions started that day, as of the day''s last rollup refresh. Valued at read time (current list price × sell/list ratio), so a price change needs no recompute';
comment on column kpi_daily_abandoned_products.kpi_dt is 'UTC day the sessions started';
comment on column kpi_daily_abandoned_products.product_id is 'Product added (dim_product)';
comment on column kpi_daily_abandoned_products.lines is 'Abandoned cart lines of that product that day';

-- a database that already holds facts recomputes every day at its first refresh
insert into mart_dirty_days (day) values (null);

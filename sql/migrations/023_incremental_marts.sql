-- 023 — the BI marts kept by day instead of rebuilt (issue 18).
--
-- 014 materialized the marts as views refreshed whole: on the large preset a
-- refresh of all seven took 3.5–7 minutes, longer than the schedule between
-- two. The marts at day grain become tables that `refresh_bi_marts()` keeps
-- by day: it recomputes the days the facts' triggers marked since its last
-- run (bi_mart_dirty_days, handed on by the daily rollup's refresh) and
-- leaves every other day as it is. `globalcart marts refresh --full` (or a
-- null mark) rebuilds them all.
--
-- * mart_finance_profitability, mart_order_lines, mart_funnel_conversion:
--   tables, one row per order, line, and (day, channel, device).
-- * mart_product_performance, mart_abandoned_cart_lines: views over the
--   stored tables *_stored, adding what depends on the whole catalog at read
--   time (the product's current name and list price, the sell/list ratio of
--   every sale), so a price change or a new sale never needs a recompute.
-- * mart_exec_daily_kpis: a view over vw_kpi_daily, which reads the daily
--   rollup (022) and is always current.
-- * mart_customer_value stays materialized, now from mart_finance_profitability.
--
-- The tables' columns are those of the materialized views they replace, in
-- the same order, so BI models and exports do not change. Their row
-- functions (sql/definitions/20_bi_marts.sql) return exactly these columns.

set local search_path = globalcart;

-- the materialized views they replace (their dependants are definitions,
-- re-created after the migrations)
drop materialized view if exists mart_exec_daily_kpis cascade;
drop materialized view if exists mart_finance_profitability cascade;
drop materialized view if exists mart_funnel_conversion cascade;
drop materialized view if exists mart_product_performance cascade;
drop materialized view if exists mart_order_lines cascade;
drop materialized view if exists mart_abandoned_cart_lines cascade;

create table bi_mart_dirty_days (
    mart text not null,
    day date,
    marked_at timestamptz not null default now()
);
comment on table bi_mart_dirty_days is 'Per BI mart kept by day: the UTC days it must recompute at its next refresh, handed on from mart_dirty_days by each refresh of the daily rollup. A null day asks for a full rebuild of that mart';
comment on column bi_mart_dirty_days.mart is 'The mart (its BI name)';
comment on column bi_mart_dirty_days.day is 'The day to recompute; null = every day';
comment on column bi_mart_dirty_days.marked_at is 'When it was handed on';
-- every mart kept by day is built in full at its first refresh
insert into bi_mart_dirty_days (mart, day)
select m, null
from unnest(array['mart_finance_profitability', 'mart_funnel_conversion', 'mart_product_performance',
                  'mart_order_lines', 'mart_abandoned_cart_lines']) as m;

create table mart_finance_profitability (
    finance_order_sk text not null,
    date_id integer not null,
    order_id bigint primary key,
    customer_id bigint,
    geo_id bigint,
    region text,
    country text,
    order_ts timestamptz,
    order_dt date,
    order_status text,
    channel text,
    device text,
    currency character(3),
    fx_to_reporting numeric(18,8),
    item_lines bigint,
    units bigint,
    gross_usd numeric,
    discount_usd numeric,
    tax_usd numeric,
    net_revenue_usd numeric,
    cogs_usd numeric,
    gross_profit_usd numeric,
    shipments bigint,
    shipping_cost_usd numeric,
    gateway_fee_usd numeric,
    returned_lines bigint,
    refund_amount_usd numeric,
    refund_ex_tax_usd numeric,
    restocked_cogs_usd numeric,
    sla_breached boolean,
    net_profit_usd numeric,
    gross_margin numeric,
    net_margin numeric,
    discount_heavy boolean,
    has_return boolean,
    loss_order boolean
);
create index mart_finance_profitability_date on mart_finance_profitability (date_id);
create index mart_finance_profitability_customer on mart_finance_profitability (customer_id);

create table mart_order_lines (
    order_line_sk text not null,
    date_id integer not null,
    order_item_id bigint primary key,
    order_id bigint,
    order_dt date,
    order_status text,
    customer_id bigint,
    channel text,
    region text,
    product_id bigint,
    product_name text,
    category_l1 text,
    category_l2 text,
    brand text,
    currency character(3),
    fx_to_reporting numeric(18,8),
    qty integer,
    unit_list_price numeric(14,2),
    unit_sell_price numeric(14,2),
    unit_cost numeric(14,2),
    line_gross_usd numeric,
    line_discount_usd numeric,
    line_tax_usd numeric,
    line_net_revenue_usd numeric,
    line_cogs_usd numeric,
    line_gross_profit_usd numeric,
    revenue_share numeric,
    alloc_shipping_cost_usd numeric,
    alloc_gateway_fee_usd numeric,
    returns bigint,
    line_refund_usd numeric,
    line_refund_ex_tax_usd numeric,
    restocked_cogs_usd numeric,
    line_net_profit_usd numeric,
    has_return boolean,
    discount_heavy boolean
);
create index mart_order_lines_date on mart_order_lines (date_id);
create index mart_order_lines_product on mart_order_lines (product_id);

create table mart_funnel_conversion (
    funnel_conv_sk text not null,
    date_id integer not null,
    event_dt date not null,
    channel text not null,
    device text not null,
    sessions bigint,
    product_views bigint,
    add_to_cart bigint,
    view_cart bigint,
    checkout_started bigint,
    payment_attempts bigint,
    payment_failed bigint,
    orders_placed bigint,
    abandoned_carts bigint,
    conversion_rate numeric,
    cart_abandonment_rate numeric,
    payment_failure_rate numeric,
    primary key (date_id, channel, device)
);

create table mart_product_performance_stored (
    product_perf_sk text not null,
    date_id integer not null,
    dt date not null,
    product_id bigint not null,
    units_sold bigint,
    orders bigint,
    gmv_usd numeric,
    net_revenue_usd numeric,
    cogs_usd numeric,
    gross_profit_usd numeric,
    discount_usd numeric,
    net_profit_usd numeric,
    return_lines bigint,
    refund_usd numeric,
    add_sessions bigint,
    abandoned_add_sessions bigint,
    failed_orders bigint,
    revenue_lost_payment_failures_usd numeric,
    primary key (date_id, product_id)
);
create index mart_product_performance_stored_product on mart_product_performance_stored (product_id);

create table mart_abandoned_cart_lines_stored (
    abandoned_line_sk text not null,
    date_id integer not null,
    session_id text not null,
    session_dt date not null,
    product_id bigint not null,
    channel text,
    customer_id bigint,
    primary key (session_id, product_id)
);
create index mart_abandoned_cart_lines_stored_date on mart_abandoned_cart_lines_stored (date_id);

-- the stored halves' columns, described as in their views
comment on column mart_abandoned_cart_lines_stored.abandoned_line_sk is 'Surrogate key: md5 of the natural key (session, product)';
comment on column mart_abandoned_cart_lines_stored.date_id is 'Session day as yyyymmdd (joins dim_date)';
comment on column mart_abandoned_cart_lines_stored.session_id is 'Shopping session';
comment on column mart_abandoned_cart_lines_stored.session_dt is 'UTC day the session started';
comment on column mart_abandoned_cart_lines_stored.product_id is 'Product added to the cart (dim_product)';
comment on column mart_abandoned_cart_lines_stored.channel is 'Channel of the session (vw_funnel_sessions)';
comment on column mart_abandoned_cart_lines_stored.customer_id is 'Signed-in customer of the session, null for guests';
comment on column mart_product_performance_stored.product_perf_sk is 'Surrogate key: md5 of the natural key (day, product)';
comment on column mart_product_performance_stored.date_id is 'Day as yyyymmdd (joins dim_date)';
comment on column mart_product_performance_stored.dt is 'UTC day';
comment on column mart_product_performance_stored.product_id is 'Product (dim_product)';
comment on column mart_product_performance_stored.units_sold is 'Units sold in completed orders placed that day';
comment on column mart_product_performance_stored.orders is 'Completed orders with a line of the product';
comment on column mart_product_performance_stored.gmv_usd is 'Σ list × qty, USD';
comment on column mart_product_performance_stored.net_revenue_usd is 'Σ line net revenue excluding tax, USD';
comment on column mart_product_performance_stored.cogs_usd is 'Σ unit cost × qty, USD';
comment on column mart_product_performance_stored.gross_profit_usd is 'net revenue − COGS, USD';
comment on column mart_product_performance_stored.discount_usd is 'Σ line discount, USD';
comment on column mart_product_performance_stored.net_profit_usd is 'Σ line net profit (shipping and fees allocated by line revenue), USD';
comment on column mart_product_performance_stored.return_lines is 'Returns of completed orders requested that day';
comment on column mart_product_performance_stored.refund_usd is 'Their refunds including tax, USD';
comment on column mart_product_performance_stored.add_sessions is 'Sessions started that day that added the product to the cart';
comment on column mart_product_performance_stored.abandoned_add_sessions is 'Of which abandoned the cart (vw_funnel_sessions.abandoned_cart)';
comment on column mart_product_performance_stored.failed_orders is 'Orders placed that day with the product, lost to a failed payment';
comment on column mart_product_performance_stored.revenue_lost_payment_failures_usd is 'Net revenue of the product''s lines in those baskets, USD';

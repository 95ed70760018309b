-- 001 — the star schema of GlobalCart 360 (schema `globalcart`).
--
-- Table names and key columns follow the reference warehouse so BI users feel at
-- home. Every row loaded from the stream carries the `event_id` and `updated_at`
-- of the event that wrote it: an upsert only overwrites a row with a strictly
-- newer (updated_at, event_id), so replays, duplicates and reordered deliveries
-- change nothing. Facts carry no foreign keys to each other: events of different
-- topics arrive in any order (a payment may land before its order), so integrity
-- is checked by queries, not by constraints that would reject valid streams.
-- Money is numeric(14,2) in the row's own currency; `dim_currency` converts it to
-- the reporting currency.

create schema if not exists globalcart;
set local search_path = globalcart;

create type funnel_stage as enum (
    'VIEW_PRODUCT', 'ADD_TO_CART', 'VIEW_CART', 'CHECKOUT_STARTED',
    'PAYMENT_ATTEMPTED', 'PAYMENT_FAILED', 'ORDER_PLACED');
comment on type funnel_stage is 'The 7 stages of the shopping funnel, in order';

-- Calendar: one row per day; extended by the consumers as events arrive, so no
-- day is ever dropped for lack of a date row.
create table dim_date (
    date_id integer primary key,
    date_value date not null unique,
    year smallint not null,
    quarter smallint not null,
    month smallint not null,
    month_name text not null,
    week_of_year smallint not null,
    day_of_month smallint not null,
    day_of_week smallint not null,
    day_name text not null,
    is_weekend boolean not null
);
comment on table dim_date is 'Calendar dimension, one row per day, extended automatically as events arrive';
comment on column dim_date.date_id is 'Day as yyyymmdd';
comment on column dim_date.date_value is 'The calendar date';
comment on column dim_date.year is 'Calendar year';
comment on column dim_date.quarter is 'Calendar quarter 1-4';
comment on column dim_date.month is 'Month 1-12';
comment on column dim_date.month_name is 'English month name';
comment on column dim_date.week_of_year is 'ISO week number';
comment on column dim_date.day_of_month is 'Day of the month 1-31';
comment on column dim_date.day_of_week is 'ISO day of week, 1 = Monday … 7 = Sunday';
comment on column dim_date.day_name is 'English day name';
comment on column dim_date.is_weekend is 'Saturday or Sunday';

create table dim_geo (
    geo_id bigint primary key,
    country text not null,
    region text not null,
    city text not null,
    currency char(3) not null,
    event_id uuid not null,
    updated_at timestamptz not null,
    loaded_at timestamptz not null default now()
);
comment on table dim_geo is 'Customer geographies (country, region, city, home currency), from customer events';
comment on column dim_geo.geo_id is 'Geography key';
comment on column dim_geo.country is 'Country name';
comment on column dim_geo.region is 'Sales region (North America, Europe, APAC, LATAM)';
comment on column dim_geo.city is 'City';
comment on column dim_geo.currency is 'Home currency (ISO 4217)';
comment on column dim_geo.event_id is 'Event that wrote this version';
comment on column dim_geo.updated_at is 'Version of the row: newer wins';
comment on column dim_geo.loaded_at is 'When the consumer wrote this version';

create table dim_customer (
    customer_id bigint primary key,
    customer_created_ts timestamptz not null,
    geo_id bigint not null,
    acquisition_channel text not null,
    event_id uuid not null,
    updated_at timestamptz not null,
    loaded_at timestamptz not null default now()
);
comment on table dim_customer is 'Customers, from the customers topic';
comment on column dim_customer.customer_id is 'Customer key';
comment on column dim_customer.customer_created_ts is 'When the customer signed up';
comment on column dim_customer.geo_id is 'Home geography (dim_geo)';
comment on column dim_customer.acquisition_channel is 'Marketing channel that acquired the customer (dim_channel)';
comment on column dim_customer.event_id is 'Event that wrote this version';
comment on column dim_customer.updated_at is 'Version of the row: newer wins';
comment on column dim_customer.loaded_at is 'When the consumer wrote this version';

create table dim_product (
    product_id bigint primary key,
    sku text not null,
    product_name text not null,
    category_l1 text not null,
    category_l2 text not null,
    brand text not null,
    currency char(3) not null,
    unit_cost numeric(14,2) not null,
    list_price numeric(14,2) not null,
    event_id uuid not null,
    updated_at timestamptz not null,
    loaded_at timestamptz not null default now()
);
comment on table dim_product is 'Catalog products with their current price, from the products topic';
comment on column dim_product.product_id is 'Product key';
comment on column dim_product.sku is 'Stock keeping unit';
comment on column dim_product.product_name is 'Unique product name';
comment on column dim_product.category_l1 is 'Top-level category';
comment on column dim_product.category_l2 is 'Sub-category';
comment on column dim_product.brand is 'Brand';
comment on column dim_product.currency is 'Catalog currency of the prices';
comment on column dim_product.unit_cost is 'Current unit cost in the catalog currency';
comment on column dim_product.list_price is 'Current list price in the catalog currency';
comment on column dim_product.event_id is 'Event that wrote this version';
comment on column dim_product.updated_at is 'Version of the row: newer wins';
comment on column dim_product.loaded_at is 'When the consumer wrote this version';

create table dim_fc (
    fc_id bigint primary key,
    fc_name text not null,
    country text not null,
    timezone text not null,
    event_id uuid not null,
    updated_at timestamptz not null,
    loaded_at timestamptz not null default now()
);
comment on table dim_fc is 'Fulfilment centres, from shipment events';
comment on column dim_fc.fc_id is 'Fulfilment centre key';
comment on column dim_fc.fc_name is 'Fulfilment centre name';
comment on column dim_fc.country is 'Country of the centre';
comment on column dim_fc.timezone is 'IANA time zone of the centre';
comment on column dim_fc.event_id is 'Event that wrote this version';
comment on column dim_fc.updated_at is 'Version of the row: newer wins';
comment on column dim_fc.loaded_at is 'When the consumer wrote this version';

create table fact_orders (
    order_id bigint primary key,
    customer_id bigint not null,
    geo_id bigint not null,
    order_ts timestamptz not null,
    order_status text not null,
    channel text not null,
    device text not null,
    currency char(3) not null,
    gross_amount numeric(14,2) not null,
    discount_amount numeric(14,2) not null,
    tax_amount numeric(14,2) not null,
    net_amount numeric(14,2) not null,
    event_id uuid not null,
    updated_at timestamptz not null,
    loaded_at timestamptz not null default now()
);
create index fact_orders_order_ts on fact_orders (order_ts);
create index fact_orders_customer_id on fact_orders (customer_id);
comment on table fact_orders is 'One row per order in its latest status; amounts equal the sums of its items';
comment on column fact_orders.order_id is 'Order key';
comment on column fact_orders.customer_id is 'Customer who placed the order (dim_customer)';
comment on column fact_orders.geo_id is 'Geography of the order (dim_geo)';
comment on column fact_orders.order_ts is 'When the order was placed';
comment on column fact_orders.order_status is 'Latest status: CREATED, CONFIRMED, CANCELLED, SHIPPED, DELIVERED, COMPLETED, RETURNED';
comment on column fact_orders.channel is 'Sales channel WEB or APP (dim_channel)';
comment on column fact_orders.device is 'MOBILE or DESKTOP';
comment on column fact_orders.currency is 'Currency of the amounts (dim_currency)';
comment on column fact_orders.gross_amount is 'Sum of list price × qty';
comment on column fact_orders.discount_amount is 'Sum of line discounts';
comment on column fact_orders.tax_amount is 'Sum of line taxes';
comment on column fact_orders.net_amount is 'Net revenue: gross − discount, excluding tax';
comment on column fact_orders.event_id is 'Event that wrote this version';
comment on column fact_orders.updated_at is 'Version of the row: newer wins';
comment on column fact_orders.loaded_at is 'When the consumer wrote this version';

create table fact_order_items (
    order_item_id bigint primary key,
    order_id bigint not null,
    product_id bigint not null,
    qty integer not null check (qty > 0),
    unit_list_price numeric(14,2) not null,
    unit_sell_price numeric(14,2) not null,
    unit_cost numeric(14,2) not null,
    line_discount numeric(14,2) not null,
    line_tax numeric(14,2) not null,
    line_net_revenue numeric(14,2) not null,
    event_id uuid not null,
    updated_at timestamptz not null,
    loaded_at timestamptz not null default now()
);
create index fact_order_items_order_id on fact_order_items (order_id);
create index fact_order_items_product_id on fact_order_items (product_id);
comment on table fact_order_items is 'Order lines, from the items carried by order events';
comment on column fact_order_items.order_item_id is 'Order line key';
comment on column fact_order_items.order_id is 'Order of the line (fact_orders)';
comment on column fact_order_items.product_id is 'Product sold (dim_product)';
comment on column fact_order_items.qty is 'Units sold';
comment on column fact_order_items.unit_list_price is 'List price per unit, order currency';
comment on column fact_order_items.unit_sell_price is 'Price charged per unit before tax, order currency';
comment on column fact_order_items.unit_cost is 'Cost per unit at the time of sale, order currency';
comment on column fact_order_items.line_discount is '(list − sell) × qty';
comment on column fact_order_items.line_tax is 'Tax on the line';
comment on column fact_order_items.line_net_revenue is 'sell × qty, excluding tax';
comment on column fact_order_items.event_id is 'Order event that wrote this version';
comment on column fact_order_items.updated_at is 'Version of the row: newer wins';
comment on column fact_order_items.loaded_at is 'When the consumer wrote this version';

create table fact_payments (
    payment_id bigint primary key,
    order_id bigint not null,
    payment_method text not null,
    payment_status text not null,
    payment_provider text not null,
    currency char(3) not null,
    amount numeric(14,2) not null,
    gateway_fee_amount numeric(14,2) not null default 0,
    refund_amount numeric(14,2) not null default 0,
    authorized_ts timestamptz,
    captured_ts timestamptz,
    failure_reason text,
    chargeback_flag boolean not null default false,
    event_id uuid not null,
    updated_at timestamptz not null,
    loaded_at timestamptz not null default now()
);
create index fact_payments_order_id on fact_payments (order_id);
comment on table fact_payments is 'Payments in their latest status';
comment on column fact_payments.payment_id is 'Payment key';
comment on column fact_payments.order_id is 'Order paid (fact_orders)';
comment on column fact_payments.payment_method is 'CARD, UPI, WALLET or COD (dim_payment_method)';
comment on column fact_payments.payment_status is 'PENDING, CAPTURED, FAILED, DECLINED or REFUNDED';
comment on column fact_payments.payment_provider is 'Gateway or network that processed the payment';
comment on column fact_payments.currency is 'Currency of the amounts';
comment on column fact_payments.amount is 'Amount charged including tax';
comment on column fact_payments.gateway_fee_amount is 'Fee the gateway kept';
comment on column fact_payments.refund_amount is 'Amount refunded so far';
comment on column fact_payments.authorized_ts is 'When the payment was authorised';
comment on column fact_payments.captured_ts is 'When the funds were captured (null if never)';
comment on column fact_payments.failure_reason is 'Why the payment failed (null if it did not)';
comment on column fact_payments.chargeback_flag is 'The customer disputed the payment';
comment on column fact_payments.event_id is 'Event that wrote this version';
comment on column fact_payments.updated_at is 'Version of the row: newer wins';
comment on column fact_payments.loaded_at is 'When the consumer wrote this version';

create table fact_shipments (
    shipment_id bigint primary key,
    order_id bigint not null,
    fc_id bigint not null,
    carrier text not null,
    shipment_status text not null,
    currency char(3) not null,
    shipping_cost numeric(14,2) not null,
    shipped_ts timestamptz,
    promised_delivery_dt date not null,
    delivered_dt date,
    sla_breached_flag boolean not null,
    event_id uuid not null,
    updated_at timestamptz not null,
    loaded_at timestamptz not null default now()
);
create index fact_shipments_order_id on fact_shipments (order_id);
comment on table fact_shipments is 'Shipments in their latest status';
comment on column fact_shipments.shipment_id is 'Shipment key';
comment on column fact_shipments.order_id is 'Order shipped (fact_orders)';
comment on column fact_shipments.fc_id is 'Fulfilment centre (dim_fc)';
comment on column fact_shipments.carrier is 'Carrier (dim_carrier)';
comment on column fact_shipments.shipment_status is 'LABEL_CREATED, SHIPPED, DELIVERED or RTO';
comment on column fact_shipments.currency is 'Currency of the shipping cost';
comment on column fact_shipments.shipping_cost is 'What the shipment cost us';
comment on column fact_shipments.shipped_ts is 'When it left the centre';
comment on column fact_shipments.promised_delivery_dt is 'Delivery date promised to the customer';
comment on column fact_shipments.delivered_dt is 'Actual delivery date (null until delivered)';
comment on column fact_shipments.sla_breached_flag is 'Delivered (or still undelivered) after the promised date';
comment on column fact_shipments.event_id is 'Event that wrote this version';
comment on column fact_shipments.updated_at is 'Version of the row: newer wins';
comment on column fact_shipments.loaded_at is 'When the consumer wrote this version';

create table fact_returns (
    return_id bigint primary key,
    order_id bigint not null,
    order_item_id bigint not null,
    product_id bigint not null,
    return_ts timestamptz not null,
    return_reason text not null,
    return_status text not null,
    currency char(3) not null,
    refund_amount numeric(14,2) not null,
    restocked_flag boolean not null,
    event_id uuid not null,
    updated_at timestamptz not null,
    loaded_at timestamptz not null default now()
);
create index fact_returns_order_id on fact_returns (order_id);
comment on table fact_returns is 'Returns and their refunds in their latest status';
comment on column fact_returns.return_id is 'Return key';
comment on column fact_returns.order_id is 'Order returned (fact_orders)';
comment on column fact_returns.order_item_id is 'Line returned (fact_order_items)';
comment on column fact_returns.product_id is 'Product returned (dim_product)';
comment on column fact_returns.return_ts is 'When the return was requested';
comment on column fact_returns.return_reason is 'Why the customer returned it';
comment on column fact_returns.return_status is 'REQUESTED, RECEIVED or REFUNDED';
comment on column fact_returns.currency is 'Currency of the refund';
comment on column fact_returns.refund_amount is 'Amount refunded, including tax';
comment on column fact_returns.restocked_flag is 'The item went back into stock';
comment on column fact_returns.event_id is 'Event that wrote this version';
comment on column fact_returns.updated_at is 'Version of the row: newer wins';
comment on column fact_returns.loaded_at is 'When the consumer wrote this version';

create table fact_funnel_events (
    event_id uuid primary key,
    event_ts timestamptz not null,
    session_id text not null,
    customer_id bigint,
    product_id bigint,
    order_id bigint,
    stage funnel_stage not null,
    channel text not null,
    device text not null,
    failure_reason text,
    loaded_at timestamptz not null default now()
);
create index fact_funnel_events_event_ts on fact_funnel_events (event_ts);
create index fact_funnel_events_session_id on fact_funnel_events (session_id);
comment on table fact_funnel_events is 'Clickstream funnel events, append-only';
comment on column fact_funnel_events.event_id is 'Event key';
comment on column fact_funnel_events.event_ts is 'When the event happened';
comment on column fact_funnel_events.session_id is 'Shopping session (one visit)';
comment on column fact_funnel_events.customer_id is 'Signed-in customer (null for guests)';
comment on column fact_funnel_events.product_id is 'Product concerned, if any';
comment on column fact_funnel_events.order_id is 'Order concerned, if any';
comment on column fact_funnel_events.stage is 'Funnel stage';
comment on column fact_funnel_events.channel is 'WEB or APP';
comment on column fact_funnel_events.device is 'MOBILE or DESKTOP';
comment on column fact_funnel_events.failure_reason is 'Why a payment failed (PAYMENT_FAILED only)';
comment on column fact_funnel_events.loaded_at is 'When the consumer wrote the event';

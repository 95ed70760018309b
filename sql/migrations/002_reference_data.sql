-- 002 — reference dimensions that do not travel on the stream: currencies with
-- their FX rates to the one reporting currency (USD), channels, carriers and
-- payment methods; and the function that extends dim_date as events arrive.
--
-- The reference summed nine currencies as if they were one. Here every amount
-- stays in its own currency in the facts and is converted with
-- `amount * dim_currency.fx_to_reporting` wherever currencies are mixed.
-- The rates match the generator's fixed FX table (producers/src/generator/fx.rs).

-- Its views, functions and triggers are in sql/definitions/ (current form only).

set local search_path = globalcart;

create table dim_currency (
    currency char(3) primary key,
    currency_name text not null,
    inr_per_unit numeric(18,6) not null,
    fx_to_reporting numeric(18,8) not null,
    reporting_currency char(3) not null default 'USD'
);
comment on table dim_currency is 'Currencies and their fixed FX rate to the reporting currency (USD)';
comment on column dim_currency.currency is 'ISO 4217 code';
comment on column dim_currency.currency_name is 'Currency name';
comment on column dim_currency.inr_per_unit is 'Indian rupees per unit (the catalog currency)';
comment on column dim_currency.fx_to_reporting is 'Multiply an amount in this currency by this to get the reporting currency';
comment on column dim_currency.reporting_currency is 'The reporting currency the rate converts to';

insert into dim_currency (currency, currency_name, inr_per_unit, fx_to_reporting) values
    ('USD', 'US dollar', 83.0, 1.0),
    ('CAD', 'Canadian dollar', 61.0, round(61.0 / 83.0, 8)),
    ('GBP', 'Pound sterling', 105.0, round(105.0 / 83.0, 8)),
    ('EUR', 'Euro', 90.0, round(90.0 / 83.0, 8)),
    ('INR', 'Indian rupee', 1.0, round(1.0 / 83.0, 8)),
    ('SGD', 'Singapore dollar', 62.0, round(62.0 / 83.0, 8)),
    ('AUD', 'Australian dollar', 55.0, round(55.0 / 83.0, 8)),
    ('JPY', 'Japanese yen', 0.56, round(0.56 / 83.0, 8)),
    ('BRL', 'Brazilian real', 16.5, round(16.5 / 83.0, 8));

create table dim_channel (
    channel text primary key,
    channel_kind text not null check (channel_kind in ('SALES', 'ACQUISITION')),
    description text not null
);
comment on table dim_channel is 'Sales channels (WEB, APP) and acquisition channels';
comment on column dim_channel.channel is 'Channel code';
comment on column dim_channel.channel_kind is 'SALES (where an order was placed) or ACQUISITION (how a customer came)';
comment on column dim_channel.description is 'What the channel is';
insert into dim_channel values
    ('WEB', 'SALES', 'Web storefront'),
    ('APP', 'SALES', 'Mobile app'),
    ('ORGANIC', 'ACQUISITION', 'Unpaid search and direct visits'),
    ('PAID_SEARCH', 'ACQUISITION', 'Paid search advertising'),
    ('AFFILIATES', 'ACQUISITION', 'Affiliate partners'),
    ('EMAIL', 'ACQUISITION', 'Email campaigns'),
    ('SOCIAL', 'ACQUISITION', 'Social media');

create table dim_carrier (
    carrier text primary key,
    carrier_name text not null
);
comment on table dim_carrier is 'Shipping carriers';
comment on column dim_carrier.carrier is 'Carrier code';
comment on column dim_carrier.carrier_name is 'Carrier name';
insert into dim_carrier values
    ('DHL', 'DHL Express'), ('FEDEX', 'FedEx'), ('UPS', 'UPS'), ('LOCAL_XPRESS', 'Local Xpress');

create table dim_payment_method (
    payment_method text primary key,
    description text not null
);
comment on table dim_payment_method is 'Payment methods';
comment on column dim_payment_method.payment_method is 'Method code';
comment on column dim_payment_method.description is 'What the method is';
insert into dim_payment_method values
    ('CARD', 'Credit or debit card'), ('UPI', 'Unified Payments Interface'),
    ('WALLET', 'Digital wallet'), ('COD', 'Cash on delivery');

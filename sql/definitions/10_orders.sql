-- The KPI layer: one definition of every KPI, in views that every surface
-- (API tiles, dashboards, exports, snapshots) reads instead of re-deriving it.
--
-- Conventions, fixed once for all views (docs/kpi_definitions.md has the table
-- of every KPI):
-- * Net revenue = gross − discount, EXCLUDING tax, in the reporting currency
--   USD. There is no other revenue. Every money column ending in `_usd` is
--   `amount * dim_currency.fx_to_reporting` of the row's own currency; amounts
--   are exact (never rounded here) so sums over any grain add up to the cent.
-- * One scope: a "completed order" is paid and not cancelled, status in
--   (CONFIRMED, SHIPPED, DELIVERED, COMPLETED, RETURNED). The list exists once,
--   in `vw_orders_completed`; revenue, P&L, shipping, refunds and SLA all use it.
--   Only the funnel (sessions) and payment-attempt KPIs look at every attempt,
--   as they must to see failures.
-- * Days are UTC calendar days. Daily views run over every day from the first
--   to the last day with any activity (generate_series), so a day without
--   orders appears with 0 instead of being skipped.
-- * Ratios are 0–1 (never ×100) and are null when their denominator is 0.
-- * Costs, refunds and payments are pre-aggregated per order (or per order line)
--   before any join, so an order with several shipments, payments or returns is
--   never multiplied.
-- * Refunds include tax (`fact_returns.refund_amount`); profit subtracts them ex
--   tax: refund × net/(net + tax) of the order. A restocked return gives back
--   the cost of the refunded share of its line.

--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

-- Orders --------------------------------------------------------------------
create view vw_orders_core as
select o.order_id,
       o.customer_id,
       o.geo_id,
       g.region,
       g.country,
       o.order_ts,
       (o.order_ts at time zone 'UTC')::date as order_dt,
       o.order_status,
       o.channel,
       o.device,
       o.currency,
       c.fx_to_reporting,
       o.gross_amount,
       o.discount_amount,
       o.tax_amount,
       o.net_amount,
       o.gross_amount * c.fx_to_reporting as gross_usd,
       o.discount_amount * c.fx_to_reporting as discount_usd,
       o.tax_amount * c.fx_to_reporting as tax_usd,
       o.net_amount * c.fx_to_reporting as net_revenue_usd
from fact_orders o
left join dim_currency c on c.currency = o.currency
left join dim_geo g on g.geo_id = o.geo_id;
comment on view vw_orders_core is 'Every order in its latest status, with its UTC day, region and amounts converted to USD';
comment on column vw_orders_core.region is 'Sales region of the order geography (dim_geo), null if the geography is unknown';
comment on column vw_orders_core.country is 'Country of the order geography';
comment on column vw_orders_core.order_dt is 'UTC day of order_ts: the day every order measure is reported on';
comment on column vw_orders_core.currency is 'Currency of the local amounts';
comment on column vw_orders_core.fx_to_reporting is 'Rate from the order currency to USD (dim_currency); null if the currency is unknown';
comment on column vw_orders_core.gross_amount is 'Σ list × qty, order currency';
comment on column vw_orders_core.discount_amount is 'Σ line discounts, order currency';
comment on column vw_orders_core.tax_amount is 'Σ line taxes, order currency';
comment on column vw_orders_core.net_amount is 'gross − discount excluding tax, order currency';
comment on column vw_orders_core.gross_usd is 'Gross amount (Σ list × qty) in USD: GMV';
comment on column vw_orders_core.discount_usd is 'Discount in USD';
comment on column vw_orders_core.tax_usd is 'Tax in USD (never part of revenue)';
comment on column vw_orders_core.net_revenue_usd is 'Net revenue: gross − discount, excluding tax, in USD (the one revenue definition)';

create view vw_orders_completed as
select *
from vw_orders_core
where order_status in ('CONFIRMED', 'SHIPPED', 'DELIVERED', 'COMPLETED', 'RETURNED');
comment on view vw_orders_completed is 'The one KPI scope: completed orders, i.e. paid and not cancelled (CONFIRMED, SHIPPED, DELIVERED, COMPLETED, RETURNED); every revenue, profit, shipping, refund and SLA KPI uses it';
comment on column vw_orders_completed.order_dt is 'UTC day of order_ts';
comment on column vw_orders_completed.fx_to_reporting is 'Rate from the order currency to USD';
comment on column vw_orders_completed.gross_usd is 'Gross amount (Σ list × qty) in USD: GMV';
comment on column vw_orders_completed.net_revenue_usd is 'Net revenue: gross − discount, excluding tax, in USD';

-- The calendar of the daily views ------------------------------------------
create view vw_kpi_calendar as
with bounds as (
    select min(lo) as lo, max(hi) as hi
    from (
        select min(order_ts) as lo, max(order_ts) as hi from fact_orders
        union all
        select min(event_ts), max(event_ts) from fact_funnel_events
        union all
        select min(shipped_ts), max(shipped_ts) from fact_shipments
        union all
        select min(return_ts), max(return_ts) from fact_returns
        union all
        select min(coalesce(authorized_ts, captured_ts)), max(coalesce(authorized_ts, captured_ts))
        from fact_payments
    ) s
)
select d::date as kpi_dt,
       to_char(d, 'YYYYMMDD')::integer as date_id,
       extract(year from d)::smallint as year,
       extract(quarter from d)::smallint as quarter,
       extract(month from d)::smallint as month,
       extract(isodow from d)::smallint as day_of_week,
       extract(isodow from d) >= 6 as is_weekend
from bounds b,
     generate_series((b.lo at time zone 'UTC')::date::timestamp,
                     (b.hi at time zone 'UTC')::date::timestamp,
                     interval '1 day') d;
comment on view vw_kpi_calendar is 'Every UTC day from the first to the last day with any order, funnel, shipment, return or payment activity, gaps included (empty when there is no data)';
comment on column vw_kpi_calendar.kpi_dt is 'The day';
comment on column vw_kpi_calendar.date_id is 'Day as yyyymmdd (joins dim_date)';
comment on column vw_kpi_calendar.day_of_week is 'ISO day of week, 1 = Monday … 7 = Sunday';

-- Operational facts, converted and flagged with the scope ------------------
create view vw_shipments_enriched as
select s.shipment_id,
       s.order_id,
       s.fc_id,
       f.fc_name,
       f.country as fc_country,
       s.carrier,
       k.carrier_name,
       s.shipment_status,
       s.shipped_ts,
       coalesce((s.shipped_ts at time zone 'UTC')::date, o.order_dt) as ship_dt,
       s.promised_delivery_dt,
       s.delivered_dt,
       s.delivered_dt - (s.shipped_ts at time zone 'UTC')::date as transit_days,
       s.sla_breached_flag,
       s.currency,
       s.shipping_cost,
       s.shipping_cost * c.fx_to_reporting as shipping_cost_usd,
       o.order_status,
       oc.order_id is not null as is_completed_order
from fact_shipments s
left join dim_currency c on c.currency = s.currency
left join dim_fc f on f.fc_id = s.fc_id
left join dim_carrier k on k.carrier = s.carrier
left join vw_orders_core o on o.order_id = s.order_id
left join vw_orders_completed oc on oc.order_id = s.order_id;
comment on view vw_shipments_enriched is 'Every shipment with its centre, carrier, ship day, cost in USD and whether its order is in the completed scope';
comment on column vw_shipments_enriched.fc_country is 'Country of the fulfilment centre';
comment on column vw_shipments_enriched.ship_dt is 'UTC day it shipped; the order day while not shipped yet';
comment on column vw_shipments_enriched.transit_days is 'Days from shipping to delivery (null until delivered)';
comment on column vw_shipments_enriched.sla_breached_flag is 'Delivered (or still undelivered) after the promised date';
comment on column vw_shipments_enriched.shipping_cost_usd is 'What the shipment cost us, in USD';
comment on column vw_shipments_enriched.order_status is 'Latest status of the order (null if the order has not arrived)';
comment on column vw_shipments_enriched.is_completed_order is 'The order is in the completed scope (vw_orders_completed)';

create view vw_payments_enriched as
select p.payment_id,
       p.order_id,
       p.payment_method,
       m.description as payment_method_description,
       p.payment_status,
       p.payment_status in ('FAILED', 'DECLINED') as is_failed,
       p.payment_provider,
       coalesce(o.order_dt,
                (p.authorized_ts at time zone 'UTC')::date,
                (p.captured_ts at time zone 'UTC')::date) as payment_dt,
       p.authorized_ts,
       p.captured_ts,
       p.failure_reason,
       p.chargeback_flag,
       p.currency,
       p.amount,
       p.amount * c.fx_to_reporting as amount_usd,
       case when p.payment_status in ('FAILED', 'DECLINED') then 0
            else p.gateway_fee_amount * c.fx_to_reporting end as gateway_fee_usd,
       p.refund_amount * c.fx_to_reporting as refund_amount_usd,
       o.order_status,
       oc.order_id is not null as is_completed_order
from fact_payments p
left join dim_currency c on c.currency = p.currency
left join dim_payment_method m on m.payment_method = p.payment_method
left join vw_orders_core o on o.order_id = p.order_id
left join vw_orders_completed oc on oc.order_id = p.order_id;
comment on view vw_payments_enriched is 'Every payment attempt with amounts in USD, its failure flag, its day and whether its order is in the completed scope';
comment on column vw_payments_enriched.is_failed is 'FAILED or DECLINED: the one definition of a failed payment';
comment on column vw_payments_enriched.payment_dt is 'UTC day of its order; else of authorisation or capture';
comment on column vw_payments_enriched.amount_usd is 'Amount charged (including tax) in USD';
comment on column vw_payments_enriched.gateway_fee_usd is 'Fee the gateway kept, in USD; 0 for failed payments, which carry no fee';
comment on column vw_payments_enriched.refund_amount_usd is 'Amount refunded on this payment so far, in USD';
comment on column vw_payments_enriched.order_status is 'Latest status of the order (null if the order has not arrived)';
comment on column vw_payments_enriched.is_completed_order is 'The order is in the completed scope (vw_orders_completed)';

create view vw_returns_enriched as
select r.return_id,
       r.order_id,
       r.order_item_id,
       r.product_id,
       p.product_name,
       p.category_l1,
       p.category_l2,
       p.brand,
       r.return_ts,
       (r.return_ts at time zone 'UTC')::date as return_dt,
       r.return_reason,
       r.return_status,
       r.restocked_flag,
       r.currency,
       r.refund_amount,
       r.refund_amount * c.fx_to_reporting as refund_usd,
       r.refund_amount * c.fx_to_reporting
           * coalesce(o.net_amount / nullif(o.net_amount + o.tax_amount, 0), 1) as refund_ex_tax_usd,
       o.order_status,
       oc.order_id is not null as is_completed_order
from fact_returns r
left join dim_currency c on c.currency = r.currency
left join dim_product p on p.product_id = r.product_id
left join fact_orders o on o.order_id = r.order_id
left join vw_orders_completed oc on oc.order_id = r.order_id;
comment on view vw_returns_enriched is 'Every return with its product, UTC day, refund in USD (with and without tax) and whether its order is in the completed scope';
comment on column vw_returns_enriched.return_dt is 'UTC day the return was requested';
comment on column vw_returns_enriched.refund_amount is 'Amount refunded including tax, refund currency';
comment on column vw_returns_enriched.refund_usd is 'Amount refunded including tax, in USD (cash out)';
comment on column vw_returns_enriched.refund_ex_tax_usd is 'Refund without its tax, in USD: refund × net/(net + tax) of the order (what profit subtracts)';
comment on column vw_returns_enriched.order_status is 'Latest status of the order (null if the order has not arrived)';
comment on column vw_returns_enriched.is_completed_order is 'The order is in the completed scope (vw_orders_completed)';

create view vw_sla as
select carrier,
       carrier_name,
       fc_id,
       fc_name,
       fc_country,
       count(*) as shipments,
       count(*) filter (where delivered_dt is not null) as delivered_shipments,
       count(*) filter (where sla_breached_flag) as sla_breached_shipments,
       globalcart.kpi_sla_breach_rate(count(*) filter (where sla_breached_flag), count(*)) as sla_breach_rate,
       avg(transit_days)::numeric as avg_transit_days,
       coalesce(sum(shipping_cost_usd), 0) as shipping_cost_usd,
       avg(shipping_cost_usd) as avg_shipping_cost_usd
from vw_shipments_enriched
where is_completed_order
group by carrier, carrier_name, fc_id, fc_name, fc_country;
comment on view vw_sla is 'SLA breach rate by carrier and fulfilment centre, over the shipments of completed orders (all time)';
comment on column vw_sla.shipments is 'Shipments of completed orders';
comment on column vw_sla.sla_breached_shipments is 'Of which delivered (or still undelivered) after the promised date';
comment on column vw_sla.sla_breach_rate is 'sla_breached_shipments / shipments, ratio 0–1';
comment on column vw_sla.avg_transit_days is 'Mean days from shipping to delivery, delivered shipments';
comment on column vw_sla.shipping_cost_usd is 'Σ shipping cost in USD';
comment on column vw_sla.avg_shipping_cost_usd is 'Mean shipping cost per shipment in USD';

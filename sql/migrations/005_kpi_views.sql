-- 005 — the KPI layer: one definition of every KPI, in views that every surface
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
       count(*) filter (where sla_breached_flag)::numeric / nullif(count(*), 0) as sla_breach_rate,
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

-- Costs pre-aggregated per order and per order line (no fan-out) -----------

create view vw_order_costs as
with ship as (
    select order_id,
           count(*) as shipments,
           sum(shipping_cost_usd) as shipping_cost_usd,
           bool_or(sla_breached_flag) as sla_breached
    from vw_shipments_enriched
    group by order_id
), pay as (
    select order_id,
           count(*) as payments,
           count(*) filter (where is_failed) as failed_payments,
           sum(gateway_fee_usd) as gateway_fee_usd
    from vw_payments_enriched
    group by order_id
)
select o.order_id,
       coalesce(s.shipments, 0) as shipments,
       coalesce(s.shipping_cost_usd, 0) as shipping_cost_usd,
       coalesce(s.sla_breached, false) as sla_breached,
       coalesce(p.payments, 0) as payments,
       coalesce(p.failed_payments, 0) as failed_payments,
       coalesce(p.gateway_fee_usd, 0) as gateway_fee_usd
from fact_orders o
left join ship s on s.order_id = o.order_id
left join pay p on p.order_id = o.order_id;
comment on view vw_order_costs is 'Per order: shipments and payments each aggregated on their own before the join, so nothing fans out';
comment on column vw_order_costs.shipping_cost_usd is 'Σ shipping cost of its shipments, USD';
comment on column vw_order_costs.sla_breached is 'Any of its shipments breached the SLA';
comment on column vw_order_costs.payments is 'Payment attempts';
comment on column vw_order_costs.failed_payments is 'FAILED or DECLINED attempts';
comment on column vw_order_costs.gateway_fee_usd is 'Σ gateway fees of its non-failed payments, USD';

create view vw_order_item_returns as
select r.order_item_id,
       count(*) as returns,
       sum(r.refund_usd) as refund_usd,
       sum(r.refund_ex_tax_usd) as refund_ex_tax_usd,
       -- share of the line given back to stock, estimated from the refunded share of its price with tax
       least(1, coalesce(sum(r.refund_usd) filter (where r.restocked_flag), 0)
                / nullif((i.line_net_revenue + i.line_tax) * c.fx_to_reporting, 0)) as restocked_share
from vw_returns_enriched r
join fact_order_items i on i.order_item_id = r.order_item_id
join fact_orders o on o.order_id = i.order_id
left join dim_currency c on c.currency = o.currency
group by r.order_item_id, i.line_net_revenue, i.line_tax, c.fx_to_reporting;
comment on view vw_order_item_returns is 'Per order line: its returns aggregated on their own (matched by order_item_id), so several returns never multiply a line';
comment on column vw_order_item_returns.returns is 'Return rows of the line';
comment on column vw_order_item_returns.refund_usd is 'Σ refunds including tax, USD';
comment on column vw_order_item_returns.refund_ex_tax_usd is 'Σ refunds without tax, USD (refund × net/(net + tax) of the order)';
comment on column vw_order_item_returns.restocked_share is 'Share 0–1 of the line back in stock: restocked refunds / (line net + tax), capped at 1; null if the line is worth 0';

-- Finance P&L -------------------------------------------------------------

create view vw_finance_item_pnl as
with order_lines as (
    select order_id,
           sum(line_net_revenue) as order_lines_net,
           count(*) as order_lines
    from fact_order_items
    group by order_id
), items as (
    select i.*,
           o.order_dt,
           o.order_status,
           o.customer_id,
           o.channel,
           o.region,
           o.currency,
           o.fx_to_reporting,
           ol.order_lines_net,
           ol.order_lines
    from fact_order_items i
    join vw_orders_completed o on o.order_id = i.order_id
    join order_lines ol on ol.order_id = i.order_id
), lines as (
    select it.*,
           coalesce(it.line_net_revenue / nullif(it.order_lines_net, 0), 1.0 / it.order_lines) as revenue_share,
           it.unit_list_price * it.qty * it.fx_to_reporting as line_gross_usd,
           it.line_discount * it.fx_to_reporting as line_discount_usd,
           it.line_tax * it.fx_to_reporting as line_tax_usd,
           it.line_net_revenue * it.fx_to_reporting as line_net_revenue_usd,
           it.unit_cost * it.qty * it.fx_to_reporting as line_cogs_usd
    from items it
)
select l.order_item_id,
       l.order_id,
       l.order_dt,
       l.order_status,
       l.customer_id,
       l.channel,
       l.region,
       l.product_id,
       p.product_name,
       p.category_l1,
       p.category_l2,
       p.brand,
       l.currency,
       l.fx_to_reporting,
       l.qty,
       l.unit_list_price,
       l.unit_sell_price,
       l.unit_cost,
       l.line_gross_usd,
       l.line_discount_usd,
       l.line_tax_usd,
       l.line_net_revenue_usd,
       l.line_cogs_usd,
       l.line_net_revenue_usd - l.line_cogs_usd as line_gross_profit_usd,
       l.revenue_share,
       k.shipping_cost_usd * l.revenue_share as alloc_shipping_cost_usd,
       k.gateway_fee_usd * l.revenue_share as alloc_gateway_fee_usd,
       coalesce(r.returns, 0) as returns,
       coalesce(r.refund_usd, 0) as line_refund_usd,
       coalesce(r.refund_ex_tax_usd, 0) as line_refund_ex_tax_usd,
       l.line_cogs_usd * coalesce(r.restocked_share, 0) as restocked_cogs_usd,
       l.line_net_revenue_usd - l.line_cogs_usd
           - k.shipping_cost_usd * l.revenue_share
           - k.gateway_fee_usd * l.revenue_share
           - coalesce(r.refund_ex_tax_usd, 0)
           + l.line_cogs_usd * coalesce(r.restocked_share, 0) as line_net_profit_usd,
       r.order_item_id is not null as has_return,
       coalesce(l.line_discount_usd / nullif(l.line_gross_usd, 0) > 0.30, false) as discount_heavy
from lines l
join vw_order_costs k on k.order_id = l.order_id
left join vw_order_item_returns r on r.order_item_id = l.order_item_id
left join dim_product p on p.product_id = l.product_id;
comment on view vw_finance_item_pnl is 'P&L per line of completed orders in USD: order shipping and gateway fees allocated by the line''s share of the order revenue, refunds matched by order_item_id';
comment on column vw_finance_item_pnl.order_dt is 'UTC day of the order';
comment on column vw_finance_item_pnl.fx_to_reporting is 'Rate from the order currency to USD';
comment on column vw_finance_item_pnl.unit_list_price is 'List price per unit, order currency';
comment on column vw_finance_item_pnl.unit_sell_price is 'Price charged per unit before tax, order currency';
comment on column vw_finance_item_pnl.unit_cost is 'Cost per unit at the time of sale, order currency';
comment on column vw_finance_item_pnl.line_gross_usd is 'list × qty in USD';
comment on column vw_finance_item_pnl.line_discount_usd is '(list − sell) × qty in USD';
comment on column vw_finance_item_pnl.line_tax_usd is 'Tax of the line in USD';
comment on column vw_finance_item_pnl.line_net_revenue_usd is 'Net revenue of the line: sell × qty excluding tax, USD';
comment on column vw_finance_item_pnl.line_cogs_usd is 'COGS: unit cost × qty, USD';
comment on column vw_finance_item_pnl.line_gross_profit_usd is 'line net revenue − line COGS, USD';
comment on column vw_finance_item_pnl.revenue_share is 'Line net revenue / order net revenue (1/lines when the order is worth 0): the allocation key';
comment on column vw_finance_item_pnl.alloc_shipping_cost_usd is 'Order shipping cost × revenue_share, USD';
comment on column vw_finance_item_pnl.alloc_gateway_fee_usd is 'Order gateway fees (non-failed payments) × revenue_share, USD';
comment on column vw_finance_item_pnl.returns is 'Returns of this line';
comment on column vw_finance_item_pnl.line_refund_usd is 'Refunds of this line including tax, USD';
comment on column vw_finance_item_pnl.line_refund_ex_tax_usd is 'Refunds of this line without tax, USD';
comment on column vw_finance_item_pnl.restocked_cogs_usd is 'COGS given back by restocked returns: line COGS × restocked share, USD';
comment on column vw_finance_item_pnl.line_net_profit_usd is 'gross profit − allocated shipping − allocated fees − refunds ex tax + restocked COGS, USD';
comment on column vw_finance_item_pnl.has_return is 'The line has at least one return (the reference''s return_leakage_flag)';
comment on column vw_finance_item_pnl.discount_heavy is 'line discount / line gross > 0.30';

create view vw_finance_order_pnl as
with items as (
    select order_id,
           count(*) as item_lines,
           sum(qty) as units,
           sum(line_cogs_usd) as cogs_usd,
           count(*) filter (where has_return) as returned_lines,
           sum(line_refund_usd) as refund_amount_usd,
           sum(line_refund_ex_tax_usd) as refund_ex_tax_usd,
           sum(restocked_cogs_usd) as restocked_cogs_usd
    from vw_finance_item_pnl
    group by order_id
), pnl as (
    select o.order_id,
           o.customer_id,
           o.geo_id,
           o.region,
           o.country,
           o.order_ts,
           o.order_dt,
           o.order_status,
           o.channel,
           o.device,
           o.currency,
           o.fx_to_reporting,
           coalesce(i.item_lines, 0) as item_lines,
           coalesce(i.units, 0) as units,
           o.gross_usd,
           o.discount_usd,
           o.tax_usd,
           o.net_revenue_usd,
           coalesce(i.cogs_usd, 0) as cogs_usd,
           o.net_revenue_usd - coalesce(i.cogs_usd, 0) as gross_profit_usd,
           k.shipments,
           k.shipping_cost_usd,
           k.gateway_fee_usd,
           coalesce(i.returned_lines, 0) as returned_lines,
           coalesce(i.refund_amount_usd, 0) as refund_amount_usd,
           coalesce(i.refund_ex_tax_usd, 0) as refund_ex_tax_usd,
           coalesce(i.restocked_cogs_usd, 0) as restocked_cogs_usd,
           k.sla_breached
    from vw_orders_completed o
    join vw_order_costs k on k.order_id = o.order_id
    left join items i on i.order_id = o.order_id
)
select pnl.*,
       gross_profit_usd - shipping_cost_usd - gateway_fee_usd - refund_ex_tax_usd + restocked_cogs_usd as net_profit_usd,
       gross_profit_usd / nullif(net_revenue_usd, 0) as gross_margin,
       (gross_profit_usd - shipping_cost_usd - gateway_fee_usd - refund_ex_tax_usd + restocked_cogs_usd)
           / nullif(net_revenue_usd, 0) as net_margin,
       coalesce(discount_usd / nullif(gross_usd, 0) > 0.30, false) as discount_heavy,
       returned_lines > 0 as has_return,
       gross_profit_usd - shipping_cost_usd - gateway_fee_usd - refund_ex_tax_usd + restocked_cogs_usd < 0 as loss_order
from pnl;
comment on view vw_finance_order_pnl is 'P&L per completed order in USD: revenue from the order header (= Σ lines), COGS and refunds from its lines, shipping and fees pre-aggregated per order';
comment on column vw_finance_order_pnl.order_dt is 'UTC day of the order: the day the whole P&L of the order is reported on';
comment on column vw_finance_order_pnl.fx_to_reporting is 'Rate from the order currency to USD';
comment on column vw_finance_order_pnl.item_lines is 'Order lines';
comment on column vw_finance_order_pnl.units is 'Units sold (Σ qty)';
comment on column vw_finance_order_pnl.gross_usd is 'Gross amount Σ list × qty, USD (GMV)';
comment on column vw_finance_order_pnl.discount_usd is 'Discount, USD';
comment on column vw_finance_order_pnl.tax_usd is 'Tax, USD';
comment on column vw_finance_order_pnl.net_revenue_usd is 'Net revenue excluding tax, USD';
comment on column vw_finance_order_pnl.cogs_usd is 'Σ unit cost × qty, USD';
comment on column vw_finance_order_pnl.gross_profit_usd is 'net revenue − COGS, USD';
comment on column vw_finance_order_pnl.shipments is 'Shipments of the order';
comment on column vw_finance_order_pnl.shipping_cost_usd is 'Σ shipping cost, USD';
comment on column vw_finance_order_pnl.gateway_fee_usd is 'Σ gateway fees of non-failed payments, USD';
comment on column vw_finance_order_pnl.returned_lines is 'Lines with at least one return';
comment on column vw_finance_order_pnl.refund_amount_usd is 'Σ refunds including tax, USD (cash refunded)';
comment on column vw_finance_order_pnl.refund_ex_tax_usd is 'Σ refunds without tax, USD (what profit subtracts)';
comment on column vw_finance_order_pnl.restocked_cogs_usd is 'COGS given back by restocked returns, USD';
comment on column vw_finance_order_pnl.sla_breached is 'Any shipment breached its SLA';
comment on column vw_finance_order_pnl.net_profit_usd is 'gross profit − shipping − gateway fees − refunds ex tax + restocked COGS, USD';
comment on column vw_finance_order_pnl.gross_margin is 'gross profit / net revenue, ratio (null when revenue is 0)';
comment on column vw_finance_order_pnl.net_margin is 'net profit / net revenue, ratio (null when revenue is 0)';
comment on column vw_finance_order_pnl.discount_heavy is 'discount / gross > 0.30';
comment on column vw_finance_order_pnl.has_return is 'At least one line returned';
comment on column vw_finance_order_pnl.loss_order is 'net profit < 0';

create view vw_finance_product_pnl as
select i.product_id,
       i.product_name,
       i.category_l1,
       i.category_l2,
       i.brand,
       count(distinct i.order_id) as orders,
       count(*) as item_lines,
       sum(i.qty) as units,
       sum(i.line_gross_usd) as gross_usd,
       sum(i.line_discount_usd) as discount_usd,
       sum(i.line_net_revenue_usd) as net_revenue_usd,
       sum(i.line_cogs_usd) as cogs_usd,
       sum(i.line_gross_profit_usd) as gross_profit_usd,
       sum(i.alloc_shipping_cost_usd) as shipping_cost_usd,
       sum(i.alloc_gateway_fee_usd) as gateway_fee_usd,
       count(*) filter (where i.has_return) as returned_lines,
       sum(i.line_refund_usd) as refund_amount_usd,
       sum(i.line_refund_ex_tax_usd) as refund_ex_tax_usd,
       sum(i.restocked_cogs_usd) as restocked_cogs_usd,
       sum(i.line_net_profit_usd) as net_profit_usd,
       sum(i.line_gross_profit_usd) / nullif(sum(i.line_net_revenue_usd), 0) as gross_margin,
       sum(i.line_net_profit_usd) / nullif(sum(i.line_net_revenue_usd), 0) as net_margin,
       count(*) filter (where i.has_return)::numeric / count(*) as return_rate,
       sum(i.line_net_profit_usd) < 0 as loss_product
from vw_finance_item_pnl i
group by i.product_id, i.product_name, i.category_l1, i.category_l2, i.brand;
comment on view vw_finance_product_pnl is 'P&L per product over the lines of completed orders (vw_finance_item_pnl), USD';
comment on column vw_finance_product_pnl.orders is 'Completed orders containing the product';
comment on column vw_finance_product_pnl.gross_usd is 'Σ list × qty, USD';
comment on column vw_finance_product_pnl.net_revenue_usd is 'Net revenue excluding tax, USD';
comment on column vw_finance_product_pnl.shipping_cost_usd is 'Allocated shipping cost, USD';
comment on column vw_finance_product_pnl.gateway_fee_usd is 'Allocated gateway fees, USD';
comment on column vw_finance_product_pnl.returned_lines is 'Lines with at least one return';
comment on column vw_finance_product_pnl.refund_amount_usd is 'Refunds including tax, USD';
comment on column vw_finance_product_pnl.refund_ex_tax_usd is 'Refunds without tax, USD';
comment on column vw_finance_product_pnl.restocked_cogs_usd is 'COGS given back by restocked returns, USD';
comment on column vw_finance_product_pnl.net_profit_usd is 'Σ line net profit, USD';
comment on column vw_finance_product_pnl.gross_margin is 'gross profit / net revenue, ratio';
comment on column vw_finance_product_pnl.net_margin is 'net profit / net revenue, ratio';
comment on column vw_finance_product_pnl.return_rate is 'returned lines / lines sold, ratio';
comment on column vw_finance_product_pnl.loss_product is 'net profit < 0';

create view vw_finance_customer_pnl as
select o.customer_id,
       c.acquisition_channel,
       g.region,
       g.country,
       count(*) as orders,
       min(o.order_dt) as first_order_dt,
       max(o.order_dt) as last_order_dt,
       sum(o.units)::bigint as units,
       sum(o.gross_usd) as gross_usd,
       sum(o.net_revenue_usd) as net_revenue_usd,
       sum(o.cogs_usd) as cogs_usd,
       sum(o.gross_profit_usd) as gross_profit_usd,
       sum(o.shipping_cost_usd) as shipping_cost_usd,
       sum(o.gateway_fee_usd) as gateway_fee_usd,
       sum(o.refund_amount_usd) as refund_amount_usd,
       sum(o.refund_ex_tax_usd) as refund_ex_tax_usd,
       sum(o.restocked_cogs_usd) as restocked_cogs_usd,
       sum(o.net_profit_usd) as net_profit_usd,
       sum(o.net_revenue_usd) / count(*) as aov_usd,
       sum(o.gross_profit_usd) / nullif(sum(o.net_revenue_usd), 0) as gross_margin,
       sum(o.net_profit_usd) / nullif(sum(o.net_revenue_usd), 0) as net_margin,
       count(*) >= 2 as repeat_customer,
       sum(o.net_profit_usd) < 0 as loss_customer
from vw_finance_order_pnl o
left join dim_customer c on c.customer_id = o.customer_id
left join dim_geo g on g.geo_id = c.geo_id
group by o.customer_id, c.acquisition_channel, g.region, g.country;
comment on view vw_finance_customer_pnl is 'P&L per customer with at least one completed order (vw_finance_order_pnl), USD, with the home region of the customer';
comment on column vw_finance_customer_pnl.acquisition_channel is 'Marketing channel that acquired the customer';
comment on column vw_finance_customer_pnl.region is 'Home region of the customer';
comment on column vw_finance_customer_pnl.country is 'Home country of the customer';
comment on column vw_finance_customer_pnl.orders is 'Completed orders';
comment on column vw_finance_customer_pnl.first_order_dt is 'Day of the first completed order';
comment on column vw_finance_customer_pnl.last_order_dt is 'Day of the last completed order';
comment on column vw_finance_customer_pnl.net_revenue_usd is 'Net revenue excluding tax, USD';
comment on column vw_finance_customer_pnl.refund_amount_usd is 'Refunds including tax, USD';
comment on column vw_finance_customer_pnl.refund_ex_tax_usd is 'Refunds without tax, USD';
comment on column vw_finance_customer_pnl.net_profit_usd is 'Σ order net profit, USD';
comment on column vw_finance_customer_pnl.aov_usd is 'net revenue / orders, USD';
comment on column vw_finance_customer_pnl.gross_margin is 'gross profit / net revenue, ratio';
comment on column vw_finance_customer_pnl.net_margin is 'net profit / net revenue, ratio';
comment on column vw_finance_customer_pnl.repeat_customer is 'At least 2 completed orders';
comment on column vw_finance_customer_pnl.loss_customer is 'net profit < 0';

-- Funnel --------------------------------------------------------------------

create view vw_sell_to_list_ratio as
select coalesce(sum(i.line_net_revenue * o.fx_to_reporting)
                / nullif(sum(i.unit_list_price * i.qty * o.fx_to_reporting), 0), 0.88) as sell_to_list_ratio,
       count(*) as item_lines
from fact_order_items i
join vw_orders_completed o on o.order_id = i.order_id;
comment on view vw_sell_to_list_ratio is 'One row: the average price actually charged per unit of list price, over the lines of completed orders (weighted by list value), 0.88 when there is no sale yet';
comment on column vw_sell_to_list_ratio.sell_to_list_ratio is 'Σ line net revenue / Σ line list value (USD), ratio; 0.88 without data';
comment on column vw_sell_to_list_ratio.item_lines is 'Lines the ratio is measured on';

create view vw_product_expected_sell_price as
select p.product_id,
       p.list_price * c.fx_to_reporting as list_price_usd,
       r.sell_to_list_ratio,
       p.list_price * c.fx_to_reporting * r.sell_to_list_ratio as expected_sell_price_usd
from dim_product p
left join dim_currency c on c.currency = p.currency
cross join vw_sell_to_list_ratio r;
comment on view vw_product_expected_sell_price is 'Per product: the net revenue one more unit would bring, estimated as current list price × the sell/list ratio (USD); values an abandoned cart line';
comment on column vw_product_expected_sell_price.list_price_usd is 'Current catalog list price in USD';
comment on column vw_product_expected_sell_price.sell_to_list_ratio is 'vw_sell_to_list_ratio';
comment on column vw_product_expected_sell_price.expected_sell_price_usd is 'list price × sell/list ratio, USD';

create view vw_funnel_sessions as
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
from fact_funnel_events
group by session_id;
comment on view vw_funnel_sessions is 'One row per shopping session with a flag per funnel stage reached; a session counts on the UTC day it started';
comment on column vw_funnel_sessions.session_dt is 'UTC day of the first event of the session';
comment on column vw_funnel_sessions.channel is 'Channel of the session (WEB or APP; the smallest if it changed)';
comment on column vw_funnel_sessions.device is 'Device of the session (the smallest if it changed)';
comment on column vw_funnel_sessions.customer_id is 'Signed-in customer, null for guests';
comment on column vw_funnel_sessions.abandoned_cart is 'Added to cart but never reached payment (no PAYMENT_ATTEMPTED, PAYMENT_FAILED or ORDER_PLACED): the one definition of an abandoned cart';
comment on column vw_funnel_sessions.added_products is 'Products added to the cart, one entry per ADD_TO_CART (repeats kept)';

create view vw_funnel_abandoned_cart_lines as
select a.session_id,
       a.session_dt,
       a.product_id,
       e.list_price_usd,
       e.sell_to_list_ratio,
       e.expected_sell_price_usd as est_revenue_lost_usd
from (select distinct s.session_id, s.session_dt, p.product_id
      from vw_funnel_sessions s
      cross join lateral unnest(s.added_products) as p(product_id)
      where s.abandoned_cart) a
left join vw_product_expected_sell_price e on e.product_id = a.product_id;
comment on view vw_funnel_abandoned_cart_lines is 'One row per distinct (session, product) added to the cart in an abandoned session, with the net revenue it would have brought (one unit at list price × sell/list ratio), USD';
comment on column vw_funnel_abandoned_cart_lines.session_dt is 'UTC day the session started';
comment on column vw_funnel_abandoned_cart_lines.list_price_usd is 'Current catalog list price in USD (null if the product is unknown)';
comment on column vw_funnel_abandoned_cart_lines.sell_to_list_ratio is 'vw_sell_to_list_ratio';
comment on column vw_funnel_abandoned_cart_lines.est_revenue_lost_usd is 'Estimated net revenue lost: list price × sell/list ratio, USD';

create view vw_funnel_daily_metrics as
with sessions as (
    select * from vw_funnel_sessions
), s as (
    select session_dt,
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
    -- the same lines as vw_funnel_abandoned_cart_lines, from the sessions read once
    select l.session_dt,
           count(*) as abandoned_cart_lines,
           sum(e.expected_sell_price_usd) as revenue_lost_cart_abandonment_usd
    from (select distinct x.session_id, x.session_dt, p.product_id
          from sessions x
          cross join lateral unnest(x.added_products) as p(product_id)
          where x.abandoned_cart) l
    left join vw_product_expected_sell_price e on e.product_id = l.product_id
    group by l.session_dt
)
select c.kpi_dt,
       coalesce(s.sessions, 0) as sessions,
       coalesce(s.product_views, 0) as product_views,
       coalesce(s.add_to_cart, 0) as add_to_cart,
       coalesce(s.view_cart, 0) as view_cart,
       coalesce(s.checkout_started, 0) as checkout_started,
       coalesce(s.payment_attempts, 0) as payment_attempts,
       coalesce(s.payment_failed, 0) as payment_failed,
       coalesce(s.orders_placed, 0) as orders_placed,
       coalesce(s.abandoned_carts, 0) as abandoned_carts,
       coalesce(a.abandoned_cart_lines, 0) as abandoned_cart_lines,
       coalesce(a.revenue_lost_cart_abandonment_usd, 0) as revenue_lost_cart_abandonment_usd,
       s.orders_placed::numeric / nullif(s.product_views, 0) as conversion_rate,
       s.abandoned_carts::numeric / nullif(s.add_to_cart, 0) as cart_abandonment_rate,
       s.payment_failed::numeric / nullif(s.payment_attempts, 0) as payment_failure_rate
from vw_kpi_calendar c
left join s on s.session_dt = c.kpi_dt
left join a on a.session_dt = c.kpi_dt;
comment on view vw_funnel_daily_metrics is 'Funnel per UTC day in distinct sessions (session-level stage flags, then counts), every day of the calendar, with the revenue estimated lost to abandoned carts';
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

create view vw_failed_payment_orders as
select o.order_id,
       o.order_dt,
       o.order_status,
       o.customer_id,
       o.channel,
       k.failed_payments,
       o.net_revenue_usd
from vw_orders_core o
join vw_order_costs k on k.order_id = o.order_id
where k.failed_payments > 0
  and not exists (select 1 from vw_orders_completed c where c.order_id = o.order_id);
comment on view vw_failed_payment_orders is 'Orders with a FAILED or DECLINED payment that never became completed: the baskets lost to payment failures';
comment on column vw_failed_payment_orders.order_dt is 'UTC day of the order';
comment on column vw_failed_payment_orders.failed_payments is 'FAILED or DECLINED attempts';
comment on column vw_failed_payment_orders.net_revenue_usd is 'Net revenue of the basket excluding tax, USD: the revenue lost';

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

-- Daily KPIs, totals and breakdowns ------------------------------------------

create view vw_kpi_daily as
with o as (
    select order_dt,
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
    from vw_finance_order_pnl
    group by order_dt
), s as (
    select ship_dt,
           count(*) as shipments,
           count(*) filter (where sla_breached_flag) as sla_breached_shipments
    from vw_shipments_enriched
    where is_completed_order
    group by ship_dt
), r as (
    select return_dt,
           count(*) as returns,
           sum(refund_usd) as refunds_issued_usd
    from vw_returns_enriched
    where is_completed_order
    group by return_dt
), p as (
    select payment_dt,
           count(*) as payments,
           count(*) filter (where is_failed) as failed_payments,
           count(*) filter (where chargeback_flag) as chargebacks
    from vw_payments_enriched
    group by payment_dt
), fp as (
    select order_dt,
           count(*) as failed_payment_orders,
           sum(net_revenue_usd) as revenue_lost_payment_failures_usd
    from vw_failed_payment_orders
    group by order_dt
), d as (
    select c.kpi_dt,
           c.date_id,
           coalesce(o.orders, 0) as orders,
           coalesce(o.active_customers, 0) as active_customers,
           coalesce(o.item_lines, 0) as item_lines,
           coalesce(o.units, 0) as units,
           coalesce(o.gmv_usd, 0) as gmv_usd,
           coalesce(o.discount_usd, 0) as discount_usd,
           coalesce(o.tax_usd, 0) as tax_usd,
           coalesce(o.net_revenue_usd, 0) as net_revenue_usd,
           coalesce(o.cogs_usd, 0) as cogs_usd,
           coalesce(o.gross_profit_usd, 0) as gross_profit_usd,
           coalesce(o.shipping_cost_usd, 0) as shipping_cost_usd,
           coalesce(o.gateway_fee_usd, 0) as gateway_fee_usd,
           coalesce(o.refund_amount_usd, 0) as refund_amount_usd,
           coalesce(o.refund_ex_tax_usd, 0) as refund_ex_tax_usd,
           coalesce(o.restocked_cogs_usd, 0) as restocked_cogs_usd,
           coalesce(o.net_profit_usd, 0) as net_profit_usd,
           coalesce(o.returned_lines, 0) as returned_lines,
           coalesce(o.returned_orders, 0) as returned_orders,
           coalesce(o.loss_orders, 0) as loss_orders,
           coalesce(o.discount_heavy_orders, 0) as discount_heavy_orders,
           coalesce(s.shipments, 0) as shipments,
           coalesce(s.sla_breached_shipments, 0) as sla_breached_shipments,
           coalesce(r.returns, 0) as returns,
           coalesce(r.refunds_issued_usd, 0) as refunds_issued_usd,
           coalesce(p.payments, 0) as payments,
           coalesce(p.failed_payments, 0) as failed_payments,
           coalesce(p.chargebacks, 0) as chargebacks,
           f.sessions,
           f.product_views,
           f.add_to_cart,
           f.view_cart,
           f.checkout_started,
           f.payment_attempts,
           f.payment_failed,
           f.orders_placed,
           f.abandoned_carts,
           f.abandoned_cart_lines,
           f.revenue_lost_cart_abandonment_usd,
           coalesce(fp.failed_payment_orders, 0) as failed_payment_orders,
           coalesce(fp.revenue_lost_payment_failures_usd, 0) as revenue_lost_payment_failures_usd
    from vw_kpi_calendar c
    join vw_funnel_daily_metrics f on f.kpi_dt = c.kpi_dt
    left join o on o.order_dt = c.kpi_dt
    left join s on s.ship_dt = c.kpi_dt
    left join r on r.return_dt = c.kpi_dt
    left join p on p.payment_dt = c.kpi_dt
    left join fp on fp.order_dt = c.kpi_dt
)
select d.*,
       net_revenue_usd / nullif(orders, 0) as aov_usd,
       gross_profit_usd / nullif(net_revenue_usd, 0) as gross_margin,
       net_profit_usd / nullif(net_revenue_usd, 0) as net_margin,
       discount_usd / nullif(gmv_usd, 0) as discount_rate,
       shipping_cost_usd / nullif(net_revenue_usd, 0) as shipping_cost_ratio,
       refund_ex_tax_usd / nullif(net_revenue_usd, 0) as refund_rate,
       returned_lines::numeric / nullif(item_lines, 0) as return_rate,
       sla_breached_shipments::numeric / nullif(shipments, 0) as sla_breach_rate,
       failed_payments::numeric / nullif(payments, 0) as failed_payment_rate,
       chargebacks::numeric / nullif(payments, 0) as chargeback_rate,
       orders_placed::numeric / nullif(product_views, 0) as conversion_rate,
       abandoned_carts::numeric / nullif(add_to_cart, 0) as cart_abandonment_rate,
       payment_failed::numeric / nullif(payment_attempts, 0) as payment_failure_rate
from d;
comment on view vw_kpi_daily is 'Every KPI per UTC day of the calendar (days without activity show 0): order and P&L measures on the order day (completed orders), shipments on the ship day, returns issued on the return day, payments on the order day, funnel on the session day; ratios recomputed from the day''s sums, null when the denominator is 0';
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

create view vw_kpi_totals as
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
    from vw_kpi_daily
), cust as (
    -- the customers of vw_finance_customer_pnl (completed orders), counted without its P&L
    select (now() at time zone 'UTC')::date as churn_as_of_dt,
           count(*) as active_customers,
           count(*) filter (where orders >= 2) as repeat_customers,
           count(*) filter (where last_order_dt < (now() at time zone 'UTC')::date - 90) as churned_customers
    from (select customer_id, count(*) as orders, max(order_dt) as last_order_dt
          from vw_orders_completed
          group by customer_id) c
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
from t cross join cust;
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
       f.net_revenue_usd / nullif(f.orders, 0) as aov_usd,
       f.gross_profit_usd / nullif(f.net_revenue_usd, 0) as gross_margin,
       f.net_profit_usd / nullif(f.net_revenue_usd, 0) as net_margin
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
       net_revenue_usd / nullif(orders, 0) as aov_usd,
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

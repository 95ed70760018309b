-- 008 — the order and line P&L of any time window, without a second definition.
--
-- The P&L views of 005 aggregate costs and returns per order over the whole
-- history before joining, so even "the orders of the last minute" made Postgres
-- aggregate every shipment, payment and return (seconds on a medium history):
-- too slow for the live KPI cache, which refreshes on every commit.
--
-- Here the five views of the P&L and of the orders lost to failed payments
-- become thin wrappers of set-returning SQL functions that take the window of
-- order times `[from_ts, to_ts)` and restrict every aggregation to the orders
-- of that window. The views call them with (-infinity, infinity), so each
-- definition stays in one place. The functions are plain single-SELECT SQL
-- functions (no SET clause, not strict), which Postgres inlines into the
-- calling query, so the views plan as before. Their row types are copied from
-- the views of 005, so the columns (names, types, comments) do not change.
-- Every fact is reached through an index for a short window: orders by
-- order_ts, their lines, shipments, payments and returns by
-- `order_id = any(<the window's order ids>)`, whatever the planner believes
-- about the window's size (its statistics always lag the newest minutes). For
-- (-infinity, infinity) that condition folds away to true.

set local search_path = globalcart;

do $$
declare
    v text;
begin
    foreach v in array array['vw_order_costs', 'vw_order_item_returns', 'vw_finance_item_pnl',
                             'vw_finance_order_pnl', 'vw_failed_payment_orders'] loop
        execute format('create type %I as (%s)',
                       substr(v, 4) || '_row',
                       (select string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)),
                                          ', ' order by attnum)
                        from pg_attribute
                        where attrelid = ('globalcart.' || v)::regclass and attnum > 0
                          and not attisdropped));
    end loop;
end
$$;
comment on type order_costs_row is 'Row of vw_order_costs and order_costs_between()';
comment on type order_item_returns_row is 'Row of vw_order_item_returns and order_item_returns_between()';
comment on type finance_item_pnl_row is 'Row of vw_finance_item_pnl and finance_item_pnl_between()';
comment on type finance_order_pnl_row is 'Row of vw_finance_order_pnl and finance_order_pnl_between()';
comment on type failed_payment_orders_row is 'Row of vw_failed_payment_orders and failed_payment_orders_between()';

create function order_costs_between(from_ts timestamptz, to_ts timestamptz)
returns setof order_costs_row
language sql stable as $$
with ship as (
    select s.order_id,
           count(*) as shipments,
           sum(s.shipping_cost_usd) as shipping_cost_usd,
           bool_or(s.sla_breached_flag) as sla_breached
    from globalcart.vw_shipments_enriched s
    where ((from_ts = '-infinity' and to_ts = 'infinity')
           or s.order_id = any (array(select w.order_id from globalcart.fact_orders w
                               where w.order_ts >= from_ts and w.order_ts < to_ts)))
    group by s.order_id
), pay as (
    select p.order_id,
           count(*) as payments,
           count(*) filter (where p.is_failed) as failed_payments,
           sum(p.gateway_fee_usd) as gateway_fee_usd
    from globalcart.vw_payments_enriched p
    where ((from_ts = '-infinity' and to_ts = 'infinity')
           or p.order_id = any (array(select w.order_id from globalcart.fact_orders w
                               where w.order_ts >= from_ts and w.order_ts < to_ts)))
    group by p.order_id
)
select o.order_id,
       coalesce(s.shipments, 0) as shipments,
       coalesce(s.shipping_cost_usd, 0) as shipping_cost_usd,
       coalesce(s.sla_breached, false) as sla_breached,
       coalesce(p.payments, 0) as payments,
       coalesce(p.failed_payments, 0) as failed_payments,
       coalesce(p.gateway_fee_usd, 0) as gateway_fee_usd
from globalcart.fact_orders o
left join ship s on s.order_id = o.order_id
left join pay p on p.order_id = o.order_id
where o.order_ts >= from_ts and o.order_ts < to_ts
$$;
comment on function order_costs_between(timestamptz, timestamptz) is 'vw_order_costs of the orders placed in [from_ts, to_ts)';

create function order_item_returns_between(from_ts timestamptz, to_ts timestamptz)
returns setof order_item_returns_row
language sql stable as $$
select r.order_item_id,
       count(*) as returns,
       sum(r.refund_usd) as refund_usd,
       sum(r.refund_ex_tax_usd) as refund_ex_tax_usd,
       -- share of the line given back to stock, estimated from the refunded share of its price with tax
       least(1, coalesce(sum(r.refund_usd) filter (where r.restocked_flag), 0)
                / nullif((i.line_net_revenue + i.line_tax) * c.fx_to_reporting, 0)) as restocked_share
from globalcart.vw_returns_enriched r
join globalcart.fact_order_items i on i.order_item_id = r.order_item_id
join globalcart.fact_orders o on o.order_id = i.order_id
left join globalcart.dim_currency c on c.currency = o.currency
where o.order_ts >= from_ts and o.order_ts < to_ts
  and ((from_ts = '-infinity' and to_ts = 'infinity')
           or r.order_id = any (array(select w.order_id from globalcart.fact_orders w
                               where w.order_ts >= from_ts and w.order_ts < to_ts)))
  and ((from_ts = '-infinity' and to_ts = 'infinity')
           or i.order_id = any (array(select w.order_id from globalcart.fact_orders w
                               where w.order_ts >= from_ts and w.order_ts < to_ts)))
group by r.order_item_id, i.line_net_revenue, i.line_tax, c.fx_to_reporting
$$;
comment on function order_item_returns_between(timestamptz, timestamptz) is 'vw_order_item_returns of the lines of orders placed in [from_ts, to_ts)';

create function finance_item_pnl_between(from_ts timestamptz, to_ts timestamptz)
returns setof finance_item_pnl_row
language sql stable as $$
with order_lines as (
    select i.order_id,
           sum(i.line_net_revenue) as order_lines_net,
           count(*) as order_lines
    from globalcart.fact_order_items i
    where ((from_ts = '-infinity' and to_ts = 'infinity')
           or i.order_id = any (array(select w.order_id from globalcart.fact_orders w
                               where w.order_ts >= from_ts and w.order_ts < to_ts)))
    group by i.order_id
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
    from globalcart.fact_order_items i
    join globalcart.vw_orders_completed o on o.order_id = i.order_id
    join order_lines ol on ol.order_id = i.order_id
    where o.order_ts >= from_ts and o.order_ts < to_ts
      and ((from_ts = '-infinity' and to_ts = 'infinity')
           or i.order_id = any (array(select w.order_id from globalcart.fact_orders w
                               where w.order_ts >= from_ts and w.order_ts < to_ts)))
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
join globalcart.order_costs_between(from_ts, to_ts) k on k.order_id = l.order_id
left join globalcart.order_item_returns_between(from_ts, to_ts) r on r.order_item_id = l.order_item_id
left join globalcart.dim_product p on p.product_id = l.product_id
$$;
comment on function finance_item_pnl_between(timestamptz, timestamptz) is 'vw_finance_item_pnl of the completed orders placed in [from_ts, to_ts)';

create function finance_order_pnl_between(from_ts timestamptz, to_ts timestamptz)
returns setof finance_order_pnl_row
language sql stable as $$
with items as (
    select order_id,
           count(*) as item_lines,
           sum(qty) as units,
           sum(line_cogs_usd) as cogs_usd,
           count(*) filter (where has_return) as returned_lines,
           sum(line_refund_usd) as refund_amount_usd,
           sum(line_refund_ex_tax_usd) as refund_ex_tax_usd,
           sum(restocked_cogs_usd) as restocked_cogs_usd
    from globalcart.finance_item_pnl_between(from_ts, to_ts)
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
    from globalcart.vw_orders_completed o
    join globalcart.order_costs_between(from_ts, to_ts) k on k.order_id = o.order_id
    left join items i on i.order_id = o.order_id
    where o.order_ts >= from_ts and o.order_ts < to_ts
)
select pnl.*,
       gross_profit_usd - shipping_cost_usd - gateway_fee_usd - refund_ex_tax_usd + restocked_cogs_usd as net_profit_usd,
       gross_profit_usd / nullif(net_revenue_usd, 0) as gross_margin,
       (gross_profit_usd - shipping_cost_usd - gateway_fee_usd - refund_ex_tax_usd + restocked_cogs_usd)
           / nullif(net_revenue_usd, 0) as net_margin,
       coalesce(discount_usd / nullif(gross_usd, 0) > 0.30, false) as discount_heavy,
       returned_lines > 0 as has_return,
       gross_profit_usd - shipping_cost_usd - gateway_fee_usd - refund_ex_tax_usd + restocked_cogs_usd < 0 as loss_order
from pnl
$$;
comment on function finance_order_pnl_between(timestamptz, timestamptz) is 'vw_finance_order_pnl of the completed orders placed in [from_ts, to_ts)';

create function failed_payment_orders_between(from_ts timestamptz, to_ts timestamptz)
returns setof failed_payment_orders_row
language sql stable as $$
select o.order_id,
       o.order_dt,
       o.order_status,
       o.customer_id,
       o.channel,
       k.failed_payments,
       o.net_revenue_usd
from globalcart.vw_orders_core o
join globalcart.order_costs_between(from_ts, to_ts) k on k.order_id = o.order_id
where o.order_ts >= from_ts and o.order_ts < to_ts
  and k.failed_payments > 0
  and not exists (select 1 from globalcart.vw_orders_completed c
                  where c.order_id = o.order_id
                    and c.order_ts >= from_ts and c.order_ts < to_ts)
$$;
comment on function failed_payment_orders_between(timestamptz, timestamptz) is 'vw_failed_payment_orders of the orders placed in [from_ts, to_ts)';

-- The views of 005, now over all time through the functions (same columns).
create or replace view vw_order_costs as
select * from order_costs_between('-infinity', 'infinity');
create or replace view vw_order_item_returns as
select * from order_item_returns_between('-infinity', 'infinity');
create or replace view vw_finance_item_pnl as
select * from finance_item_pnl_between('-infinity', 'infinity');
create or replace view vw_finance_order_pnl as
select * from finance_order_pnl_between('-infinity', 'infinity');
create or replace view vw_failed_payment_orders as
select * from failed_payment_orders_between('-infinity', 'infinity');

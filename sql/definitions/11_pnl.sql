-- P&L: the cost, return and profit of every order and line, for any window of
-- order times (the *_between functions) and over all time (the vw_ views call
-- them with -infinity, infinity, so each definition exists once). The row types
-- list the views' columns.
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

create type order_costs_row as (
    order_id bigint,
    shipments bigint,
    shipping_cost_usd numeric,
    sla_breached boolean,
    payments bigint,
    failed_payments bigint,
    gateway_fee_usd numeric
);
comment on type order_costs_row is 'Row of vw_order_costs and order_costs_between()';

create type order_item_returns_row as (
    order_item_id bigint,
    returns bigint,
    refund_usd numeric,
    refund_ex_tax_usd numeric,
    restocked_share numeric
);
comment on type order_item_returns_row is 'Row of vw_order_item_returns and order_item_returns_between()';

create type finance_item_pnl_row as (
    order_item_id bigint,
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
comment on type finance_item_pnl_row is 'Row of vw_finance_item_pnl and finance_item_pnl_between()';

create type finance_order_pnl_row as (
    order_id bigint,
    customer_id bigint,
    geo_id bigint,
    region text,
    country text,
    order_ts timestamp with time zone,
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
comment on type finance_order_pnl_row is 'Row of vw_finance_order_pnl and finance_order_pnl_between()';

create type failed_payment_orders_row as (
    order_id bigint,
    order_dt date,
    order_status text,
    customer_id bigint,
    channel text,
    failed_payments bigint,
    net_revenue_usd numeric
);
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
       globalcart.kpi_margin(gross_profit_usd, net_revenue_usd) as gross_margin,
       globalcart.kpi_margin(gross_profit_usd - shipping_cost_usd - gateway_fee_usd - refund_ex_tax_usd + restocked_cogs_usd,
                  net_revenue_usd) as net_margin,
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
comment on view vw_order_costs is 'Per order: shipments and payments each aggregated on their own before the join, so nothing fans out';
comment on column vw_order_costs.shipping_cost_usd is 'Σ shipping cost of its shipments, USD';
comment on column vw_order_costs.sla_breached is 'Any of its shipments breached the SLA';
comment on column vw_order_costs.payments is 'Payment attempts';
comment on column vw_order_costs.failed_payments is 'FAILED or DECLINED attempts';
comment on column vw_order_costs.gateway_fee_usd is 'Σ gateway fees of its non-failed payments, USD';

create or replace view vw_order_item_returns as
select * from order_item_returns_between('-infinity', 'infinity');
comment on view vw_order_item_returns is 'Per order line: its returns aggregated on their own (matched by order_item_id), so several returns never multiply a line';
comment on column vw_order_item_returns.returns is 'Return rows of the line';
comment on column vw_order_item_returns.refund_usd is 'Σ refunds including tax, USD';
comment on column vw_order_item_returns.refund_ex_tax_usd is 'Σ refunds without tax, USD (refund × net/(net + tax) of the order)';
comment on column vw_order_item_returns.restocked_share is 'Share 0–1 of the line back in stock: restocked refunds / (line net + tax), capped at 1; null if the line is worth 0';

create or replace view vw_finance_item_pnl as
select * from finance_item_pnl_between('-infinity', 'infinity');
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

create or replace view vw_finance_order_pnl as
select * from finance_order_pnl_between('-infinity', 'infinity');
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
       globalcart.kpi_margin(sum(i.line_gross_profit_usd), sum(i.line_net_revenue_usd)) as gross_margin,
       globalcart.kpi_margin(sum(i.line_net_profit_usd), sum(i.line_net_revenue_usd)) as net_margin,
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

create type finance_customer_pnl_row as (
    customer_id bigint,
    acquisition_channel text,
    region text,
    country text,
    orders bigint,
    first_order_dt date,
    last_order_dt date,
    units bigint,
    gross_usd numeric,
    net_revenue_usd numeric,
    cogs_usd numeric,
    gross_profit_usd numeric,
    shipping_cost_usd numeric,
    gateway_fee_usd numeric,
    refund_amount_usd numeric,
    refund_ex_tax_usd numeric,
    restocked_cogs_usd numeric,
    net_profit_usd numeric,
    aov_usd numeric,
    gross_margin numeric,
    net_margin numeric,
    repeat_customer boolean,
    loss_customer boolean
);
comment on type finance_customer_pnl_row is 'Row of vw_finance_customer_pnl and finance_customer_pnl()';

-- The customer P&L from the order P&L of the views (the facts now) or of
-- mart_finance_profitability (the same rows as of the last mart refresh: what
-- the customer mart reads, without recomputing every order).
create function finance_customer_pnl(from_mart boolean)
returns setof finance_customer_pnl_row
language sql stable as $$
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
       globalcart.kpi_aov(sum(o.net_revenue_usd), count(*)) as aov_usd,
       globalcart.kpi_margin(sum(o.gross_profit_usd), sum(o.net_revenue_usd)) as gross_margin,
       globalcart.kpi_margin(sum(o.net_profit_usd), sum(o.net_revenue_usd)) as net_margin,
       count(*) >= 2 as repeat_customer,
       sum(o.net_profit_usd) < 0 as loss_customer
from (select customer_id, order_dt, units, gross_usd, net_revenue_usd, cogs_usd, gross_profit_usd,
             shipping_cost_usd, gateway_fee_usd, refund_amount_usd, refund_ex_tax_usd,
             restocked_cogs_usd, net_profit_usd
      from globalcart.vw_finance_order_pnl
      where not from_mart
      union all
      select customer_id, order_dt, units, gross_usd, net_revenue_usd, cogs_usd, gross_profit_usd,
             shipping_cost_usd, gateway_fee_usd, refund_amount_usd, refund_ex_tax_usd,
             restocked_cogs_usd, net_profit_usd
      from globalcart.mart_finance_profitability
      where from_mart) o
left join globalcart.dim_customer c on c.customer_id = o.customer_id
left join globalcart.dim_geo g on g.geo_id = c.geo_id
group by o.customer_id, c.acquisition_channel, g.region, g.country
$$;
comment on function finance_customer_pnl(boolean) is 'vw_finance_customer_pnl from the views (false) or from mart_finance_profitability (true)';

create view vw_finance_customer_pnl as
select * from finance_customer_pnl(false);
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
-- The two sums of the sell/list ratio (and the lines they cover) per order day.
create function kpi_sold_lines_between(from_dt date, to_dt date)
returns table (dt date, sold_lines bigint, sold_lines_net_usd numeric, sold_lines_list_usd numeric)
language sql stable as $$
select c.order_dt,
       count(*),
       sum(i.line_net_revenue * c.fx_to_reporting),
       sum(i.unit_list_price * i.qty * c.fx_to_reporting)
from globalcart.vw_orders_completed c
join globalcart.fact_order_items i on i.order_id = c.order_id
where globalcart.in_days(c.order_ts, from_dt, to_dt)
group by c.order_dt
$$;
comment on function kpi_sold_lines_between(date, date) is 'Per UTC order day from_dt … to_dt (null = unbounded): the lines of completed orders, Σ their net revenue and Σ their list value (list × qty), USD';

create view vw_sell_to_list_ratio as
-- the sums kept per order day by the daily rollup (migration 022), the days
-- marked since its refresh computed afresh: not every line read again
with sums as (
    select k.item_lines as lines, k.sold_lines_net_usd as net, k.sold_lines_list_usd as list
    from kpi_daily_rollup k
    where not mart_all_dirty()
      and not exists (select 1 from mart_dirty_days m where m.day = k.kpi_dt)
    union all
    select s.sold_lines, s.sold_lines_net_usd, s.sold_lines_list_usd
    from mart_dirty_runs(null, null) r
    cross join lateral kpi_sold_lines_between(r.lo, r.hi) s
    where not mart_all_dirty()
    union all
    select s.sold_lines, s.sold_lines_net_usd, s.sold_lines_list_usd
    from kpi_sold_lines_between(null, null) s
    where mart_all_dirty()
)
select coalesce(sum(net) / nullif(sum(list), 0), 0.88) as sell_to_list_ratio,
       coalesce(sum(lines), 0)::bigint as item_lines
from sums;
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

create or replace view vw_failed_payment_orders as
select * from failed_payment_orders_between('-infinity', 'infinity');
comment on view vw_failed_payment_orders is 'Orders with a FAILED or DECLINED payment that never became completed: the baskets lost to payment failures';
comment on column vw_failed_payment_orders.order_dt is 'UTC day of the order';
comment on column vw_failed_payment_orders.failed_payments is 'FAILED or DECLINED attempts';
comment on column vw_failed_payment_orders.net_revenue_usd is 'Net revenue of the basket excluding tax, USD: the revenue lost';

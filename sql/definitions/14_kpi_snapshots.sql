-- Point-in-time snapshots of the KPI totals (snapshot_kpis).
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

create function snapshot_kpis(label text) returns integer
language plpgsql
set search_path = globalcart, pg_temp
as $$
declare
    sid integer;
    taken timestamptz := clock_timestamp();
begin
    if snapshot_kpis.label is null or btrim(snapshot_kpis.label) = '' then
        raise exception 'snapshot_kpis: the label must not be empty';
    end if;
    sid := nextval('kpi_snapshot_id_seq');
    insert into kpi_snapshots (snapshot_id, snapshot_ts, label, metric_name, metric_value)
    select sid, taken, snapshot_kpis.label, m.metric_name, round(coalesce(m.metric_value, 0), 4)
    from vw_kpi_totals t
    cross join lateral (values
        ('net_revenue_total', t.net_revenue_usd),
        ('orders_total', t.orders::numeric),
        ('refund_amount_total', t.refund_amount_usd),
        ('shipping_cost_total', t.shipping_cost_usd),
        ('cogs_total', t.cogs_usd),
        ('gateway_fee_total', t.gateway_fee_usd),
        ('gross_profit_total', t.gross_profit_usd),
        ('net_profit_total', t.net_profit_usd),
        ('gross_margin_pct', t.gross_margin),
        ('net_margin_pct', t.net_margin),
        ('loss_orders_total', t.loss_orders::numeric),
        ('conversion_rate', t.conversion_rate),
        ('cart_abandonment_rate', t.cart_abandonment_rate),
        ('payment_failure_rate', t.payment_failure_rate),
        ('revenue_lost_due_to_failures', t.revenue_lost_payment_failures_usd),
        ('revenue_lost_due_to_abandonment', t.revenue_lost_cart_abandonment_usd)
    ) as m(metric_name, metric_value);
    return sid;
end
$$;
comment on function snapshot_kpis(text) is 'Stores the 16 headline metrics of vw_kpi_totals under the given label and returns the new snapshot_id';

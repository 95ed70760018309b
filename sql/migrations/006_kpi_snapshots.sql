-- 006 — KPI snapshots: `snapshot_kpis(label)` freezes the 16 headline metrics
-- of the reference (same names) into `kpi_snapshots`, one row per metric, so a
-- run can be compared before and after (sql/queries/kpi_before_after.sql).
--
-- Every metric is read from the one-row `vw_kpi_totals`, so the snapshot shows
-- exactly what the live views show, in one scope: revenue, COGS, fees, shipping
-- and refunds all cover completed orders only (the reference mixed completed-
-- order revenue with the refunds and shipping of every order). Money is USD,
-- ratios are 0–1 (the `_pct` names are kept for continuity but hold ratios),
-- and a ratio that is undefined (no revenue, no session) is stored as 0.

set local search_path = globalcart;

create sequence kpi_snapshot_id_seq as integer;
comment on sequence kpi_snapshot_id_seq is 'Numbers the snapshots of kpi_snapshots';

create table kpi_snapshots (
    snapshot_id integer not null,
    snapshot_ts timestamptz not null,
    label text not null,
    metric_name text not null,
    metric_value numeric(20,4) not null,
    primary key (snapshot_id, metric_name)
);
create index kpi_snapshots_label on kpi_snapshots (label, snapshot_id);
comment on table kpi_snapshots is 'Frozen KPI values, long format: one row per (snapshot, metric); written by snapshot_kpis()';
comment on column kpi_snapshots.snapshot_id is 'Snapshot the row belongs to; increases with every snapshot, so the latest of a label is its greatest id';
comment on column kpi_snapshots.snapshot_ts is 'When the snapshot was taken (shared by its rows)';
comment on column kpi_snapshots.label is 'Free label given by the caller, e.g. before / after';
comment on column kpi_snapshots.metric_name is 'One of the 16 metric names (docs/kpi_definitions.md)';
comment on column kpi_snapshots.metric_value is 'Value: USD for amounts, count for *_total counts, ratio 0–1 for rates and *_pct';

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

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

-- Its views, functions and triggers are in sql/definitions/ (current form only).

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

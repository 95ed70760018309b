-- 014 — BI marts: the five marts of the reference (exec daily, finance
-- profitability, funnel conversion, product performance, customer segments),
-- with its grains, as materialized views over the KPI views of 005/008, so no
-- KPI gets a second definition. Money is USD, ratios are 0–1 (the reference's
-- `_pct` columns are the ratios here; docs/kpi_definitions.md).
--
-- Fixes of the reference (feature catalog §1.9, §10):
-- * refreshed by the pipeline itself (`refresh_bi_marts()`: after every
--   backfill, on a schedule in `globalcart up`, from the CLI), CONCURRENTLY so
--   BI tools keep reading the previous version during a refresh;
-- * no inner join to a date table that ends: every mart derives `date_id` from
--   its own day, and the refresh first adds any missing day to `dim_date`;
-- * the reference's `mart_customer_segments` (lifecycle, value quartile) and
--   the analytics RFM table meet in one mart: the RFM table written by
--   `globalcart analytics run` is renamed `analytics_rfm` and joined in.
--
-- Also: `kpi_period(from, to)`, every KPI over a range of days, which the API
-- (`/api/kpis/summary`), the Excel report and `vw_kpi_totals` share.

-- Its views, functions and triggers are in sql/definitions/ (current form only).

set local search_path = globalcart;

-- The analytics RFM table gives its name to the mart --------------------------

alter table mart_customer_segments rename to analytics_rfm;
alter index mart_customer_segments_pkey rename to analytics_rfm_pkey;
comment on table analytics_rfm is 'RFM per customer with a completed order before the as-of day of the latest analytics run: quintile scores, the 5 named segments of the reference and the k-means cluster (read it through mart_customer_segments)';

-- Refresh log ------------------------------------------------------------------

create table bi_mart_refreshes (
    refresh_id bigserial primary key,
    mart text not null,
    trigger text not null,
    started_at timestamptz not null,
    duration_ms double precision not null,
    rows bigint not null
);
create index bi_mart_refreshes_mart on bi_mart_refreshes (mart, started_at desc);
comment on table bi_mart_refreshes is 'One row per mart refreshed by refresh_bi_marts(): when, why and how long (the freshness of each mart)';
comment on column bi_mart_refreshes.refresh_id is 'Surrogate key';
comment on column bi_mart_refreshes.mart is 'Materialized view refreshed';
comment on column bi_mart_refreshes.trigger is 'What asked for it: schedule, backfill, cli, api or a BI tool (manual)';
comment on column bi_mart_refreshes.started_at is 'Start of the refresh';
comment on column bi_mart_refreshes.duration_ms is 'Wall time of the refresh, milliseconds';
comment on column bi_mart_refreshes.rows is 'Rows in the mart after the refresh';

-- 020 — reconcile runs (issue 16). `globalcart reconcile`, and every
-- `globalcart replay` at its end, reads the topics, applies the loader's
-- newer-wins rule per entity and compares the result with the star schema,
-- entity by entity. Each run records its outcome here: the command exits, the
-- API's /metrics reads the latest run from these tables (the gauges
-- globalcart_reconcile_differences{table} and
-- globalcart_reconcile_last_run_timestamp_seconds /
-- globalcart_reconcile_last_success_timestamp_seconds).

set local search_path = globalcart;

create table etl_reconcile_runs (
    run_id bigserial primary key,
    run_at timestamptz not null,
    topic_prefix text not null,
    scope text not null,
    partial boolean not null,
    messages bigint not null,
    duration_seconds double precision not null,
    differences bigint not null,
    error text
);
create index etl_reconcile_runs_run_at on etl_reconcile_runs (run_at);
comment on table etl_reconcile_runs is 'One row per run of globalcart reconcile (also run at the end of every replay): the warehouse compared with the stream';
comment on column etl_reconcile_runs.run_id is 'Run key';
comment on column etl_reconcile_runs.run_at is 'When the run started';
comment on column etl_reconcile_runs.topic_prefix is 'Prefix of the topics read';
comment on column etl_reconcile_runs.scope is 'What was compared: the topics and the offset or time window, as the command line gave it';
comment on column etl_reconcile_runs.partial is 'A window (time or offset bounds) rather than the whole topics: keys outside it were not compared and newer warehouse versions were not differences';
comment on column etl_reconcile_runs.messages is 'Messages read from the topics';
comment on column etl_reconcile_runs.duration_seconds is 'Wall time of the run';
comment on column etl_reconcile_runs.differences is 'Keys that differ, are missing or are extra, over every table, plus rejected messages the warehouse did not record; 0 with no error = the warehouse agrees with the stream';
comment on column etl_reconcile_runs.error is 'Why the run could not finish (broker or database unreachable…; no table rows then); null when it finished';

create table etl_reconcile_tables (
    run_id bigint not null references etl_reconcile_runs on delete cascade,
    table_name text not null,
    stream_rows bigint not null,
    warehouse_rows bigint not null,
    matching bigint not null,
    differing bigint not null,
    missing bigint not null,
    extra bigint not null,
    primary key (run_id, table_name)
);
comment on table etl_reconcile_tables is 'Per table of a reconcile run: keys on each side and how many agree, differ, are missing or extra (etl_ingest_rejects: rejected messages on the stream and how many the warehouse recorded)';
comment on column etl_reconcile_tables.run_id is 'The run (etl_reconcile_runs)';
comment on column etl_reconcile_tables.table_name is 'Warehouse table (fact_funnel_events is compared per session); etl_ingest_rejects for the messages the loader must reject';
comment on column etl_reconcile_tables.stream_rows is 'Keys (sessions, rejected messages) the stream holds, newest version each';
comment on column etl_reconcile_tables.warehouse_rows is 'Warehouse rows compared';
comment on column etl_reconcile_tables.matching is 'Keys equal on both sides, every column';
comment on column etl_reconcile_tables.differing is 'Keys on both sides with a differing column';
comment on column etl_reconcile_tables.missing is 'Keys on the stream that the warehouse lacks';
comment on column etl_reconcile_tables.extra is 'Keys in the warehouse that the stream lacks';

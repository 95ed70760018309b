-- 004 — audit history: before an upsert overwrites a row with a newer version,
-- a trigger copies the previous version here (as JSON, so adding a column to a
-- fact never breaks the audit, a weakness of the reference's column-copying
-- audit tables).

-- Its views, functions and triggers are in sql/definitions/ (current form only).

set local search_path = globalcart;

create table audit_history (
    audit_id bigserial primary key,
    table_name text not null,
    row_key text not null,
    audit_action text not null,
    old_row jsonb not null,
    audit_ts timestamptz not null default now()
);
create index audit_history_row on audit_history (table_name, row_key);
comment on table audit_history is 'Previous versions of rows, saved just before an update overwrote them';
comment on column audit_history.audit_id is 'Audit entry key';
comment on column audit_history.table_name is 'Table of the row';
comment on column audit_history.row_key is 'Primary key of the row, as text';
comment on column audit_history.audit_action is 'UPDATE';
comment on column audit_history.old_row is 'The row as it was before the update';
comment on column audit_history.audit_ts is 'When it was overwritten';

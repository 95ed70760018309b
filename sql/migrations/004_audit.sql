-- 004 — audit history: before an upsert overwrites a row with a newer version,
-- a trigger copies the previous version here (as JSON, so adding a column to a
-- fact never breaks the audit, a weakness of the reference's column-copying
-- audit tables).

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

create function audit_previous_version() returns trigger
language plpgsql as $$
begin
    insert into globalcart.audit_history (table_name, row_key, audit_action, old_row)
    values (tg_table_name, (to_jsonb(old) ->> tg_argv[0]), tg_op, to_jsonb(old));
    return new;
end
$$;
comment on function audit_previous_version() is 'Trigger: saves the old row into audit_history';

create trigger audit_fact_orders before update on fact_orders
    for each row execute function audit_previous_version('order_id');
create trigger audit_fact_payments before update on fact_payments
    for each row execute function audit_previous_version('payment_id');
create trigger audit_fact_shipments before update on fact_shipments
    for each row execute function audit_previous_version('shipment_id');
create trigger audit_fact_returns before update on fact_returns
    for each row execute function audit_previous_version('return_id');
create trigger audit_dim_customer before update on dim_customer
    for each row execute function audit_previous_version('customer_id');
create trigger audit_dim_product before update on dim_product
    for each row execute function audit_previous_version('product_id');

-- The audit history: one statement-level trigger per audited table writes the
-- previous version of every row whose tracked columns changed (016).
--
-- sql/definitions/ holds every view, materialized view, function, trigger and
-- row type of the schema, each in its current form only. `globalcart migrate`
-- applies sql/migrations/ (tables, indexes, data) and then, whenever any file
-- here changed, drops every definition and re-creates them all from these
-- files, in file order, in the same transaction.

set local search_path = globalcart;

create function audit_changed_versions() returns trigger
language plpgsql
-- the transition tables have no statistics: a nested loop planned for a few
-- rows re-ran to_jsonb over every new version for every old one (seconds for a
-- batch of a few thousand updates); a hash join is linear
set enable_nestloop to off as $$
begin
    -- tg_argv[0]: the key column. Untracked: the version columns and load time.
    insert into globalcart.audit_history (table_name, row_key, audit_action, old_row)
    with o as materialized (
        select to_jsonb(r) as j from old_versions r
    ), n as materialized (
        select to_jsonb(r) as j from new_versions r
    )
    select tg_table_name, o.j ->> tg_argv[0], tg_op, o.j
    from o
    join n on n.j ->> tg_argv[0] = o.j ->> tg_argv[0]
    where o.j - '{event_id,updated_at,loaded_at}'::text[]
          is distinct from n.j - '{event_id,updated_at,loaded_at}'::text[]
    order by o.j ->> tg_argv[0];
    return null;
end
$$;
comment on function audit_changed_versions() is 'Statement trigger: saves into audit_history the previous version of every updated row whose tracked columns changed';

create trigger audit_fact_orders after update on fact_orders
    referencing old table as old_versions new table as new_versions
    for each statement execute function audit_changed_versions('order_id');

create trigger audit_fact_payments after update on fact_payments
    referencing old table as old_versions new table as new_versions
    for each statement execute function audit_changed_versions('payment_id');

create trigger audit_fact_shipments after update on fact_shipments
    referencing old table as old_versions new table as new_versions
    for each statement execute function audit_changed_versions('shipment_id');

create trigger audit_fact_returns after update on fact_returns
    referencing old table as old_versions new table as new_versions
    for each statement execute function audit_changed_versions('return_id');

create trigger audit_dim_customer after update on dim_customer
    referencing old table as old_versions new table as new_versions
    for each statement execute function audit_changed_versions('customer_id');

create trigger audit_dim_product after update on dim_product
    referencing old table as old_versions new table as new_versions
    for each statement execute function audit_changed_versions('product_id');

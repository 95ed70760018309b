-- reconcile: one run's outcome ($8: why it could not finish, null when it
-- did); returns its id for reconcile_run_tables_insert.
insert into globalcart.etl_reconcile_runs
    (run_at, topic_prefix, scope, partial, messages, duration_seconds, differences, error)
values ($1, $2, $3, $4, $5, $6, $7, $8)
returning run_id

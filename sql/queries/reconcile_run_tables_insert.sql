-- reconcile: the per-table counts of run $1, one array element per table.
insert into globalcart.etl_reconcile_tables
    (run_id, table_name, stream_rows, warehouse_rows, matching, differing, missing, extra)
select $1, * from unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
                        $7::bigint[], $8::bigint[])

-- /metrics: the latest reconcile run's time, the time of the latest run that
-- finished and found no difference (Unix seconds), and the run's tables with
-- their differences (none when it could not finish).
select extract(epoch from r.run_at)::float8 as last_run_epoch,
       (select extract(epoch from max(run_at))::float8
        from globalcart.etl_reconcile_runs where differences = 0 and error is null) as last_success_epoch,
       t.table_name, t.differing + t.missing + t.extra as differences
from (select run_id, run_at from globalcart.etl_reconcile_runs
      order by run_at desc, run_id desc limit 1) r
left join globalcart.etl_reconcile_tables t using (run_id)

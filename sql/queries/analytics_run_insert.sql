-- Records a run; its id tags every row the run writes.
insert into globalcart.analytics_runs (as_of, started_at, duration_ms, params, summary)
values ($1, $2, $3, $4, $5)
returning run_id

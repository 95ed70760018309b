-- The latest analytics run (the one the analytics_* tables hold): id, as-of day, when it finished.
select run_id, as_of, finished_at from globalcart.analytics_runs order by run_id desc limit 1

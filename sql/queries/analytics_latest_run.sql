-- The latest analytics run: id and as-of day.
select run_id, as_of from globalcart.analytics_runs order by run_id desc limit 1

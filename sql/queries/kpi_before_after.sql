with latest as (
    select label, max(snapshot_id) as snapshot_id
    from globalcart.kpi_snapshots
    where label in ($1::text, $2::text)
    group by label
), before as (
    select s.metric_name, s.metric_value, s.snapshot_id, s.snapshot_ts
    from globalcart.kpi_snapshots s
    join latest l on l.snapshot_id = s.snapshot_id and l.label = $1::text
), after as (
    select s.metric_name, s.metric_value, s.snapshot_id, s.snapshot_ts
    from globalcart.kpi_snapshots s
    join latest l on l.snapshot_id = s.snapshot_id and l.label = $2::text
)
select coalesce(a.metric_name, b.metric_name) as metric_name,
       b.metric_value as before_value,
       a.metric_value as after_value,
       a.metric_value - b.metric_value as delta,
       (a.metric_value - b.metric_value) / nullif(abs(b.metric_value), 0) as delta_ratio,
       b.snapshot_id as before_snapshot_id,
       a.snapshot_id as after_snapshot_id,
       b.snapshot_ts as before_ts,
       a.snapshot_ts as after_ts
from before b
full join after a on a.metric_name = b.metric_name
order by 1

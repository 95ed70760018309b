-- Sessions active since $1 (of customer $2 unless null), newest first, at most $3:
-- id, customer, first and last event, events, channel, device, furthest stage.
select session_id, max(customer_id), min(event_ts), max(event_ts), count(*), min(channel), min(device),
       max(stage)::text
from globalcart.fact_funnel_events
where event_ts >= $1 and ($2::bigint is null or customer_id = $2)
group by session_id
order by max(event_ts) desc
limit $3

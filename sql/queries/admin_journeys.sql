-- Sessions active since $1 (of customer $2 unless null), newest first, at most $3:
-- id, customer, first and last event, events, channel, device, furthest stage.
select session_id, max(customer_id) as customer_id, min(event_ts) as first_event,
       max(event_ts) as last_event, count(*) as events, min(channel) as channel,
       min(device) as device, max(stage)::text as reached
from globalcart.fact_funnel_events
where event_ts >= $1 and ($2::bigint is null or customer_id = $2)
group by session_id
order by max(event_ts) desc
limit $3

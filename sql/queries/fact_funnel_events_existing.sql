-- Which of the offered clickstream events ($1 times, $2 ids) are already stored:
-- the clickstream handler COPYs only the others. One index probe per event on
-- the time-ordered key, whatever the plan cache believes about the table.
select u.e
from unnest($1::timestamptz[], $2::uuid[]) as u(ts, e)
where (select true from globalcart.fact_funnel_events f where f.event_ts = u.ts and f.event_id = u.e)

-- Sessions that reached each of the 7 funnel stages since $1, in funnel order.
select s.stage::text as stage, count(distinct e.session_id) as sessions
from unnest(enum_range(null::globalcart.funnel_stage)) as s(stage)
left join globalcart.fact_funnel_events e on e.stage = s.stage and e.event_ts >= $1
group by s.stage
order by s.stage

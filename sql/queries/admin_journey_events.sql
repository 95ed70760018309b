-- The events of session $1 in order, with the product names.
select e.event_ts, e.stage::text as stage, e.product_id, p.product_name, e.order_id, e.failure_reason
from globalcart.fact_funnel_events e
left join globalcart.dim_product p using (product_id)
where e.session_id = $1
order by e.event_ts, e.event_id

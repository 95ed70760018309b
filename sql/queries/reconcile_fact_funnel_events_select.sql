-- reconcile: every clickstream event as loaded, compared per session
-- (consumers/src/reconcile/sessions.rs reads the columns by name).
select session_id, event_id, event_ts, stage::text as stage, channel, device, customer_id,
       product_id, order_id, failure_reason
from globalcart.fact_funnel_events

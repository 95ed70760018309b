-- reconcile: every clickstream event as loaded, compared per session
-- (consumers/src/reconcile/sessions.rs reads the columns in this order).
select session_id, event_id, event_ts, stage::text, channel, device, customer_id, product_id,
       order_id, failure_reason
from globalcart.fact_funnel_events

copy globalcart.fact_funnel_events
    (event_id, event_ts, session_id, customer_id, product_id, order_id, stage, channel, device,
     failure_reason)
from stdin (format binary)

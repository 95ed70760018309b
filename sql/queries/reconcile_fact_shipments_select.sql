-- reconcile: every shipment as loaded; the key, then the columns in the order
-- of consumers/src/reconcile/rows.rs (money × 100 as bigint: minor units).
select shipment_id, order_id, fc_id, carrier, shipment_status, currency,
       (shipping_cost * 100)::bigint, shipped_ts, promised_delivery_dt, delivered_dt,
       sla_breached_flag, event_id, updated_at
from globalcart.fact_shipments

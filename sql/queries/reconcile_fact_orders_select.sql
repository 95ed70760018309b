-- reconcile: every order as loaded; the key, then the columns in the order of
-- consumers/src/reconcile/rows.rs (money × 100 as bigint: minor units).
select order_id, customer_id, geo_id, order_ts, order_status, channel, device, currency,
       (gross_amount * 100)::bigint, (discount_amount * 100)::bigint,
       (tax_amount * 100)::bigint, (net_amount * 100)::bigint, event_id, updated_at
from globalcart.fact_orders

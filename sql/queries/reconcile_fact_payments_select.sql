-- reconcile: every payment as loaded; the key, then the columns in the order
-- of consumers/src/reconcile/rows.rs (money × 100 as bigint: minor units).
select payment_id, order_id, payment_method, payment_status, payment_provider, currency,
       (amount * 100)::bigint, (gateway_fee_amount * 100)::bigint,
       (refund_amount * 100)::bigint, authorized_ts, captured_ts, failure_reason,
       chargeback_flag, event_id, updated_at
from globalcart.fact_payments

-- reconcile: every return as loaded; the key, then the columns in the order of
-- consumers/src/reconcile/rows.rs (money × 100 as bigint: minor units).
select return_id, order_id, order_item_id, product_id, return_ts, return_reason,
       return_status, currency, (refund_amount * 100)::bigint, restocked_flag, event_id,
       updated_at
from globalcart.fact_returns

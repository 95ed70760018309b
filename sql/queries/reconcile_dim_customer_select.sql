-- reconcile: every customer as loaded; the key, then the columns in the order
-- of consumers/src/reconcile/rows.rs.
select customer_id, customer_created_ts, geo_id, acquisition_channel, event_id, updated_at
from globalcart.dim_customer

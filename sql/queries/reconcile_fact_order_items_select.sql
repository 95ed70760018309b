-- reconcile: every order line as loaded; the key, then the columns in the
-- order of consumers/src/reconcile/rows.rs (money × 100 as bigint: minor units).
select order_item_id, order_id, product_id, qty, (unit_list_price * 100)::bigint,
       (unit_sell_price * 100)::bigint, (unit_cost * 100)::bigint,
       (line_discount * 100)::bigint, (line_tax * 100)::bigint,
       (line_net_revenue * 100)::bigint, event_id, updated_at
from globalcart.fact_order_items

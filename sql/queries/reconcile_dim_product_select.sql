-- reconcile: every product as loaded; the key, then the columns in the order
-- of consumers/src/reconcile/rows.rs (money × 100 as bigint: minor units).
select product_id, sku, product_name, category_l1, category_l2, brand, currency,
       (unit_cost * 100)::bigint, (list_price * 100)::bigint, event_id, updated_at
from globalcart.dim_product

-- Locks the stock of products $1 in id order: product, units available.
select product_id, (on_hand - reserved)::bigint as available
from globalcart.shop_inventory where product_id = any($1)
order by product_id
for update

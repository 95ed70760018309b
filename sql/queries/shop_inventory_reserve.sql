-- Holds $2 units of each product $1.
update globalcart.shop_inventory i set reserved = i.reserved + u.qty, updated_at = now()
from unnest($1::bigint[], $2::int[]) as u(product_id, qty)
where i.product_id = u.product_id

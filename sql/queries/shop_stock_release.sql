-- Order $1 will not be paid: its reserved units become available again.
with r as (
    update globalcart.shop_reservations set status = 'RELEASED', updated_at = now()
    where order_id = $1 and status = 'RESERVED'
    returning product_id, qty
)
update globalcart.shop_inventory i
set reserved = greatest(0, i.reserved - r.qty), updated_at = now()
from r where i.product_id = r.product_id

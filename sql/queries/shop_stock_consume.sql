-- Payment captured for order $1: its reserved units leave the warehouse.
with r as (
    update globalcart.shop_reservations set status = 'CONSUMED', updated_at = now()
    where order_id = $1 and status = 'RESERVED'
    returning product_id, qty
)
update globalcart.shop_inventory i
set on_hand = i.on_hand - r.qty, reserved = i.reserved - r.qty, updated_at = now()
from r where i.product_id = r.product_id

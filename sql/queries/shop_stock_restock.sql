-- Paid order $1 was cancelled before shipping: its units go back on the shelf.
with r as (
    update globalcart.shop_reservations set status = 'RELEASED', updated_at = now()
    where order_id = $1 and status = 'CONSUMED'
    returning product_id, qty
)
update globalcart.shop_inventory i
set on_hand = i.on_hand + r.qty, updated_at = now()
from r where i.product_id = r.product_id

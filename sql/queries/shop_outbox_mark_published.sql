-- Marks events $1 as acknowledged by the broker.
update globalcart.shop_event_outbox set published_at = now() where outbox_id = any($1)

-- Up to $1 unpublished events in order, locked so a second relay skips them.
select outbox_id, topic, event_key, payload
from globalcart.shop_event_outbox
where published_at is null
order by outbox_id
limit $1
for update skip locked

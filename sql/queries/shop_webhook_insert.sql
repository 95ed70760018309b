-- Records provider $1's event $2 (type $3, body $4, signature $5); no row when seen before.
insert into globalcart.shop_webhook_events (provider, event_id, event_type, payload, signature)
values ($1, $2, $3, $4, $5)
on conflict (provider, event_id) do nothing

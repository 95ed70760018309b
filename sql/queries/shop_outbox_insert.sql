-- Queues an event for the relay: topic base name $1, key $2, Avro payload $3.
insert into globalcart.shop_event_outbox (topic, event_key, payload) values ($1, $2, $3)

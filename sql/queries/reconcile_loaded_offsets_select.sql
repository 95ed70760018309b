-- reconcile: per partition of the topics $1, the furthest next offset any
-- loader group (the live loader or a replay) has stored.
select topic, partition, max(next_offset) as next_offset
from globalcart.etl_consumer_offsets
where topic = any ($1::text[])
group by topic, partition

select topic, partition, next_offset
from globalcart.etl_consumer_offsets
where consumer_group = $1 and topic = any($2::text[])

-- reconcile: the messages of the topics $1 the loader rejected (they are not
-- expected in the tables).
select topic, partition, "offset"
from globalcart.etl_ingest_rejects
where topic = any ($1::text[])

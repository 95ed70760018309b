insert into globalcart.etl_ingest_rejects (topic, partition, "offset", message_key, payload, reason)
select * from unnest($1::text[], $2::integer[], $3::bigint[], $4::bytea[], $5::bytea[], $6::text[])
on conflict (topic, partition, "offset") do nothing

insert into globalcart.etl_consumer_offsets as t (consumer_group, topic, partition, next_offset)
select $1::text, tp, p, n from unnest($2::text[], $3::integer[], $4::bigint[]) as s(tp, p, n)
on conflict (consumer_group, topic, partition) do update set
    next_offset = greatest(t.next_offset, excluded.next_offset), updated_at = now()

-- The batch's first statement: advances each of its partitions to the batch's
-- next offset, only where the stored offset is not past the batch's first
-- message, and holds those rows locked until the batch commits. A partition
-- left out of the result was loaded past this batch's start by another group
-- member (two members briefly owning one partition during a rebalance), so the
-- batch must be rolled back and its already-loaded messages dropped.
-- $2..$5: topic, partition, first offset, next offset, sorted by (topic, partition)
-- so two batches lock their partitions in the same order.
with batch as (
    select tp, p, first_offset, next_offset
    from unnest($2::text[], $3::integer[], $4::bigint[], $5::bigint[]) as s(tp, p, first_offset, next_offset)
)
insert into globalcart.etl_consumer_offsets as t (consumer_group, topic, partition, next_offset)
select $1::text, tp, p, next_offset from batch
on conflict (consumer_group, topic, partition) do update set
    next_offset = excluded.next_offset, updated_at = now()
    where t.next_offset <= (
        select b.first_offset from batch b where b.tp = t.topic and b.p = t.partition
    )
returning t.topic, t.partition

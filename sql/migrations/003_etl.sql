-- 003 — ETL bookkeeping: consumed offsets, per-source watermarks and rejects.
--
-- Exactly-once in effect: the consumer writes the next offset of every partition
-- of a batch in the same transaction as the batch's rows, and on partition
-- assignment seeks to the offsets stored here. Kafka's own committed offsets are
-- informative only (for lag dashboards).

set local search_path = globalcart;

create table etl_consumer_offsets (
    consumer_group text not null,
    topic text not null,
    partition integer not null,
    next_offset bigint not null,
    updated_at timestamptz not null default now(),
    primary key (consumer_group, topic, partition)
);
comment on table etl_consumer_offsets is 'Next offset to consume per (consumer group, topic, partition), written with the rows';
comment on column etl_consumer_offsets.consumer_group is 'Kafka consumer group';
comment on column etl_consumer_offsets.topic is 'Topic name';
comment on column etl_consumer_offsets.partition is 'Partition number';
comment on column etl_consumer_offsets.next_offset is 'Offset of the next message to load';
comment on column etl_consumer_offsets.updated_at is 'When the batch that advanced it committed';

create table etl_watermarks (
    source_name text primary key,
    last_event_ts timestamptz not null,
    events_loaded bigint not null default 0,
    updated_at timestamptz not null default now()
);
comment on table etl_watermarks is 'Per-source watermark: the latest event time loaded from each topic';
comment on column etl_watermarks.source_name is 'Source (topic base name)';
comment on column etl_watermarks.last_event_ts is 'Greatest event time loaded so far';
comment on column etl_watermarks.events_loaded is 'Messages consumed from the source (including duplicates and stale versions)';
comment on column etl_watermarks.updated_at is 'When the watermark last moved';

create table etl_ingest_rejects (
    reject_id bigserial primary key,
    topic text not null,
    partition integer not null,
    "offset" bigint not null,
    message_key bytea,
    payload bytea,
    reason text not null,
    rejected_at timestamptz not null default now(),
    unique (topic, partition, "offset")
);
comment on table etl_ingest_rejects is 'Messages that could not be loaded (also sent to the dead-letter topic), with the reason';
comment on column etl_ingest_rejects.reject_id is 'Reject key';
comment on column etl_ingest_rejects.topic is 'Topic the message came from';
comment on column etl_ingest_rejects.partition is 'Partition it came from';
comment on column etl_ingest_rejects."offset" is 'Its offset';
comment on column etl_ingest_rejects.message_key is 'Raw message key';
comment on column etl_ingest_rejects.payload is 'Raw message bytes';
comment on column etl_ingest_rejects.reason is 'Why it was rejected';
comment on column etl_ingest_rejects.rejected_at is 'When it was rejected';

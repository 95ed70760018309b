//! The broker's read ceiling, for `bench e2e`: every message of the run's event
//! topics fetched again from the beginning with the consumer's own fetch
//! settings, counted and dropped (nothing decoded, nothing loaded). End to end
//! cannot be faster than this on the same broker.

use std::time::{Duration, Instant};

use globalcart_common::{kafka, KafkaSettings};
use globalcart_consumers::consumer::{PREFETCH_KBYTES, PREFETCH_MESSAGES};
use globalcart_schemas::Topic;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};

/// What one fetch-only pass read.
pub struct Fetched {
    pub messages: u64,
    pub bytes: u64,
    pub elapsed: Duration,
}

/// Reads every event topic of `kafka.topic_prefix` from its beginning until
/// `expected` messages arrived (or nothing arrived for 10 s).
pub fn measure(kafka: &KafkaSettings, expected: u64) -> anyhow::Result<Fetched> {
    let consumer: BaseConsumer = kafka::client_config(kafka)
        .set(
            "group.id",
            format!("fetch-ceiling-{}", uuid::Uuid::new_v4()),
        )
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .set("queued.max.messages.kbytes", PREFETCH_KBYTES.to_string())
        .set("queued.min.messages", PREFETCH_MESSAGES)
        .create()?;
    let metadata = consumer.fetch_metadata(None, Duration::from_secs(30))?;
    let mut tpl = TopicPartitionList::new();
    for topic in Topic::EVENTS {
        let name = topic.name(&kafka.topic_prefix);
        if let Some(t) = metadata.topics().iter().find(|t| t.name() == name) {
            for p in t.partitions() {
                tpl.add_partition_offset(&name, p.id(), Offset::Beginning)?;
            }
        }
    }
    consumer.assign(&tpl)?;
    let started = Instant::now();
    let mut last = Instant::now();
    let (mut messages, mut bytes) = (0u64, 0u64);
    while messages < expected && last.elapsed() < Duration::from_secs(10) {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                messages += 1;
                bytes += m.payload().map_or(0, <[u8]>::len) as u64;
                last = Instant::now();
            }
            Some(Err(e)) => tracing::warn!(error = %e, "fetch error"),
            None => {}
        }
    }
    Ok(Fetched {
        messages,
        bytes,
        elapsed: started.elapsed(),
    })
}

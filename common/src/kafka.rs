//! Kafka client configuration and topic administration.

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;

use crate::error::{Error, Result};
use crate::settings::KafkaSettings;

/// The base client configuration for `settings` (brokers, timeouts, and the
/// murmur2 partitioner so keys land where a Java client would put them).
pub fn client_config(settings: &KafkaSettings) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &settings.brokers)
        .set("socket.keepalive.enable", "true")
        .set("reconnect.backoff.ms", "100")
        .set("reconnect.backoff.max.ms", "5000");
    c
}

fn admin(settings: &KafkaSettings) -> Result<AdminClient<DefaultClientContext>> {
    Ok(client_config(settings).create()?)
}

/// Creates `names` with `partitions` partitions; existing topics are left as they are.
pub async fn create_topics(
    settings: &KafkaSettings,
    names: &[String],
    partitions: i32,
) -> Result<()> {
    let admin = admin(settings)?;
    let new: Vec<NewTopic<'_>> = names
        .iter()
        .map(|n| NewTopic::new(n, partitions, TopicReplication::Fixed(1)))
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    for result in admin.create_topics(new.iter(), &opts).await? {
        match result {
            Ok(name) => tracing::info!(topic = %name, partitions, "topic created"),
            Err((name, RDKafkaErrorCode::TopicAlreadyExists)) => {
                tracing::debug!(topic = %name, "topic exists")
            }
            Err((name, code)) => {
                return Err(Error::Topic {
                    topic: name,
                    reason: code.to_string(),
                })
            }
        }
    }
    Ok(())
}

/// Deletes `names`; missing topics are ignored.
pub async fn delete_topics(settings: &KafkaSettings, names: &[String]) -> Result<()> {
    let admin = admin(settings)?;
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    for result in admin.delete_topics(&refs, &opts).await? {
        match result {
            Ok(name) => tracing::info!(topic = %name, "topic deleted"),
            Err((_, RDKafkaErrorCode::UnknownTopicOrPartition)) => {}
            Err((name, code)) => {
                return Err(Error::Topic {
                    topic: name,
                    reason: code.to_string(),
                })
            }
        }
    }
    Ok(())
}

/// Topic names and partition counts known to the broker, optionally under a prefix.
pub fn list_topics(settings: &KafkaSettings, prefix: Option<&str>) -> Result<Vec<(String, usize)>> {
    let consumer: BaseConsumer = client_config(settings).create()?;
    let md = consumer.fetch_metadata(None, Duration::from_secs(10))?;
    let mut out: Vec<(String, usize)> = md
        .topics()
        .iter()
        .filter(|t| prefix.is_none_or(|p| t.name().starts_with(&format!("{p}."))))
        .map(|t| (t.name().to_string(), t.partitions().len()))
        .collect();
    out.sort();
    Ok(out)
}

/// The partition count of each of `names`, or [`Error::UnknownTopics`] naming
/// every one the broker does not have.
pub fn require_topics(settings: &KafkaSettings, names: &[String]) -> Result<Vec<usize>> {
    let known: std::collections::HashMap<String, usize> =
        list_topics(settings, None)?.into_iter().collect();
    let missing: Vec<String> = names
        .iter()
        .filter(|n| known.get(*n).is_none_or(|p| *p == 0))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(Error::UnknownTopics {
            topics: missing,
            brokers: settings.brokers.clone(),
        });
    }
    Ok(names.iter().map(|n| known[n]).collect())
}

/// Whether a topic holds no message at all (every partition's high watermark
/// equals its low one). Only emptiness is reliable: Tansu 0.6 reports the base
/// offset of the last record batch + 1 as the high watermark, not a record count.
pub fn topic_is_empty(settings: &KafkaSettings, topic: &str) -> Result<bool> {
    let consumer: BaseConsumer = client_config(settings).create()?;
    let md = consumer.fetch_metadata(Some(topic), Duration::from_secs(10))?;
    for t in md.topics() {
        for p in t.partitions() {
            let (lo, hi) = consumer.fetch_watermarks(topic, p.id(), Duration::from_secs(10))?;
            if hi > lo {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

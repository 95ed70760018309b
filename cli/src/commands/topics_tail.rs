//! `globalcart topics tail <topic>`: what is on a topic, one JSON line per
//! message (topic, partition, offset, key, timestamp, schema fingerprint, the
//! event), following new messages until Ctrl-C unless `--limit` is reached.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use globalcart_common::{kafka, KafkaSettings};
use globalcart_schemas::codec::decode_any;
use globalcart_schemas::Topic;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use serde_json::json;
use tokio::sync::watch;

#[derive(Debug, Args)]
pub struct TailArgs {
    /// A topic name, or the base name of one of the prefix's topics (`orders`,
    /// `clickstream`, `dead_letter`...).
    pub topic: String,
    /// Start at each partition's first message (the default starts at the end:
    /// new messages only).
    #[arg(long, group = "start")]
    pub from_beginning: bool,
    /// Start at this offset in every partition.
    #[arg(long, group = "start", value_parser = clap::value_parser!(i64).range(0..))]
    pub from_offset: Option<i64>,
    /// Start at the first message stamped at or after this time (RFC 3339, such
    /// as 2026-12-04T10:00:00Z, or Unix milliseconds).
    #[arg(long, group = "start", value_parser = parse_time)]
    pub from_timestamp: Option<i64>,
    /// Only messages with this key.
    #[arg(long)]
    pub key: Option<String>,
    /// Stop after printing this many messages.
    #[arg(long)]
    pub limit: Option<u64>,
}

/// RFC 3339 or Unix milliseconds, as Unix milliseconds.
fn parse_time(s: &str) -> Result<i64, String> {
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|e| format!("not RFC 3339 (2026-12-04T10:00:00Z) nor Unix milliseconds: {e}"))
}

/// The topic's full name: a base name of the prefix's topics gets the prefix.
fn full_name(settings: &KafkaSettings, topic: &str) -> String {
    let is_base = Topic::ALL.iter().any(|t| t.base() == topic);
    if is_base {
        format!("{}.{topic}", settings.topic_prefix)
    } else {
        topic.to_string()
    }
}

/// One message as the JSON line `tail` prints.
pub fn line(m: &rdkafka::message::BorrowedMessage<'_>) -> serde_json::Value {
    let key = m.key().map(|k| String::from_utf8_lossy(k).into_owned());
    let timestamp = m
        .timestamp()
        .to_millis()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let mut out = json!({
        "topic": m.topic(),
        "partition": m.partition(),
        "offset": m.offset(),
        "key": key,
        "timestamp": timestamp,
    });
    match m.payload().map(decode_any) {
        Some(Ok(d)) => {
            out["fingerprint"] = json!(format!("{:016x}", d.fingerprint));
            out["schema"] = json!(d.schema);
            out["event"] = d.value;
        }
        Some(Err(e)) => {
            out["error"] = json!(e.to_string());
            out["payload_bytes"] = json!(m.payload().map_or(0, <[u8]>::len));
        }
        None => out["event"] = serde_json::Value::Null,
    }
    out
}

pub async fn run(settings: &KafkaSettings, args: TailArgs) -> anyhow::Result<()> {
    let shutdown = crate::shutdown::on_signal();
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || tail(&settings, &args, shutdown)).await?
}

fn tail(
    settings: &KafkaSettings,
    args: &TailArgs,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let topic = full_name(settings, &args.topic);
    let partitions = kafka::require_topics(settings, std::slice::from_ref(&topic))?[0];
    let consumer: BaseConsumer = kafka::client_config(settings)
        .set(
            "group.id",
            format!("globalcart-tail-{}", uuid::Uuid::new_v4()),
        )
        .set("enable.auto.commit", "false")
        .create()
        .context("creating the consumer")?;
    let start = match (args.from_beginning, args.from_offset) {
        (true, _) => Offset::Beginning,
        (_, Some(o)) => Offset::Offset(o),
        _ => Offset::End,
    };
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions as i32 {
        let at = match args.from_timestamp {
            Some(ms) => Offset::Offset(ms),
            None => start,
        };
        tpl.add_partition_offset(&topic, p, at)?;
    }
    if args.from_timestamp.is_some() {
        tpl = consumer
            .offsets_for_times(tpl, Duration::from_secs(30))
            .context("looking up offsets by time")?;
    }
    consumer.assign(&tpl)?;
    let mut printed = 0u64;
    let stdout = std::io::stdout();
    while !*shutdown.borrow() && args.limit.is_none_or(|l| printed < l) {
        let Some(r) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let m = match r {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "broker error; librdkafka retries");
                continue;
            }
        };
        if let Some(k) = &args.key {
            if m.key() != Some(k.as_bytes()) {
                continue;
            }
        }
        let mut out = stdout.lock();
        if writeln!(out, "{}", line(&m))
            .and_then(|()| out.flush())
            .is_err()
        {
            break; // stdout closed (piped into head)
        }
        printed += 1;
    }
    Ok(())
}

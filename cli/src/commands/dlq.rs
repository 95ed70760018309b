//! `globalcart dlq list|replay`: what the dead-letter topic holds, one JSON
//! object per line; and re-ingesting it after a fix, by publishing each dead
//! letter's original key and bytes back to its source topic (the loader's
//! upserts are idempotent, so replaying a letter twice changes nothing; a
//! letter that is still invalid is rejected again, with its reason).

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use globalcart_common::{kafka, KafkaSettings};
use globalcart_schemas::codec::decode_dead_letter;
use globalcart_schemas::DeadLetter;
use globalcart_schemas::Topic;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::BorrowedMessage;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Message, Offset, TopicPartitionList};

#[derive(Debug, Args)]
pub struct DlqArgs {
    #[command(subcommand)]
    pub action: DlqAction,
}

#[derive(Debug, Subcommand)]
pub enum DlqAction {
    /// Print every dead letter (source, offset, reason, payload size) as JSON lines.
    List {
        /// Stop after this many seconds without a new dead letter.
        #[arg(long, default_value_t = 3)]
        idle_secs: u64,
    },
    /// Publish every dead letter (or those whose reason contains a text) back to
    /// its source topic, for the loader to ingest again.
    Replay {
        /// Only the dead letters whose reason contains this text.
        #[arg(long)]
        reason_contains: Option<String>,
        /// Stop after this many seconds without a new dead letter.
        #[arg(long, default_value_t = 3)]
        idle_secs: u64,
    },
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Calls `f` with every record of the dead-letter topic (and its decoding)
/// until none arrived for `idle_secs`; returns how many there were.
fn read(
    settings: &KafkaSettings,
    idle_secs: u64,
    mut f: impl FnMut(
        &BorrowedMessage<'_>,
        globalcart_schemas::Result<DeadLetter>,
    ) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let topic = Topic::DeadLetter.name(&settings.topic_prefix);
    let consumer: BaseConsumer = kafka::client_config(settings)
        .set("group.id", format!("{}-dlq-reader", settings.topic_prefix))
        .set("enable.auto.commit", "false")
        .create()?;
    let md = consumer
        .fetch_metadata(Some(&topic), Duration::from_secs(10))
        .with_context(|| format!("reading the metadata of {topic}"))?;
    let mut tpl = TopicPartitionList::new();
    for t in md.topics() {
        for p in t.partitions() {
            tpl.add_partition_offset(&topic, p.id(), Offset::Beginning)?;
        }
    }
    consumer.assign(&tpl)?;
    let mut last = Instant::now();
    let mut n = 0;
    while last.elapsed() < Duration::from_secs(idle_secs) {
        let Some(m) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let m = m?;
        last = Instant::now();
        n += 1;
        let dl = decode_dead_letter(m.payload().unwrap_or_default());
        f(&m, dl)?;
    }
    Ok(n)
}

fn list(settings: &KafkaSettings, idle_secs: u64) -> anyhow::Result<usize> {
    read(settings, idle_secs, |m, dl| {
        let line = match dl {
            Ok(dl) => serde_json::json!({
                "partition": m.partition(),
                "offset": m.offset(),
                "source_topic": dl.source_topic,
                "source_partition": dl.source_partition,
                "source_offset": dl.source_offset,
                "reason": dl.reason,
                "rejected_at": dl.rejected_at,
                "payload_hex": dl.payload.as_deref().map(hex),
            }),
            Err(e) => serde_json::json!({
                "partition": m.partition(),
                "offset": m.offset(),
                "error": format!("not a dead letter: {e}"),
            }),
        };
        println!("{line}");
        Ok(())
    })
}

/// What `dlq replay` did.
#[derive(Debug, Default)]
struct Replayed {
    republished: usize,
    skipped: usize,
}

fn replay(
    settings: &KafkaSettings,
    reason_contains: Option<&str>,
    idle_secs: u64,
) -> anyhow::Result<Replayed> {
    let producer: BaseProducer = kafka::client_config(settings)
        .set("message.timeout.ms", "30000")
        .set("partitioner", "murmur2_random")
        .create()?;
    let sources: Vec<String> = Topic::EVENTS
        .iter()
        .map(|t| t.name(&settings.topic_prefix))
        .collect();
    let mut done = Replayed::default();
    read(settings, idle_secs, |m, dl| {
        let dl = match dl {
            Ok(dl) => dl,
            Err(e) => {
                tracing::warn!(offset = m.offset(), error = %e, "not a dead letter; skipped");
                done.skipped += 1;
                return Ok(());
            }
        };
        let wanted = reason_contains.is_none_or(|r| dl.reason.contains(r));
        let Some(payload) = dl.payload.as_deref().filter(|_| wanted) else {
            done.skipped += 1;
            return Ok(());
        };
        if !sources.contains(&dl.source_topic) {
            anyhow::bail!(
                "dead letter at offset {} comes from {}, not a topic of prefix {}",
                m.offset(),
                dl.source_topic,
                settings.topic_prefix
            );
        }
        let mut record = BaseRecord::<[u8], [u8]>::to(&dl.source_topic).payload(payload);
        if let Some(k) = dl.key.as_deref() {
            record = record.key(k);
        }
        producer
            .send(record)
            .map_err(|(e, _)| anyhow::anyhow!("republishing to {}: {e}", dl.source_topic))?;
        producer.poll(Duration::ZERO);
        done.republished += 1;
        Ok(())
    })?;
    producer
        .flush(Duration::from_secs(30))
        .context("waiting for the broker to acknowledge the republished records")?;
    Ok(done)
}

pub async fn run(settings: &KafkaSettings, args: DlqArgs) -> anyhow::Result<()> {
    match args.action {
        DlqAction::List { idle_secs } => {
            let s = settings.clone();
            let n = tokio::task::spawn_blocking(move || list(&s, idle_secs)).await??;
            eprintln!("{n} dead letters");
        }
        DlqAction::Replay {
            reason_contains,
            idle_secs,
        } => {
            let s = settings.clone();
            let done = tokio::task::spawn_blocking(move || {
                replay(&s, reason_contains.as_deref(), idle_secs)
            })
            .await??;
            eprintln!(
                "{} dead letters republished to their source topics, {} skipped",
                done.republished, done.skipped
            );
        }
    }
    Ok(())
}

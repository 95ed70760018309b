//! `globalcart dlq list`: what the dead-letter topic holds, one JSON object per line.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use globalcart_common::{kafka, KafkaSettings};
use globalcart_schemas::codec::decode_dead_letter;
use globalcart_schemas::Topic;
use rdkafka::consumer::{BaseConsumer, Consumer};
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
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn list(settings: &KafkaSettings, idle_secs: u64) -> anyhow::Result<usize> {
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
        let line = match decode_dead_letter(m.payload().unwrap_or_default()) {
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
    }
    Ok(n)
}

pub async fn run(settings: &KafkaSettings, args: DlqArgs) -> anyhow::Result<()> {
    match args.action {
        DlqAction::List { idle_secs } => {
            let s = settings.clone();
            let n = tokio::task::spawn_blocking(move || list(&s, idle_secs)).await??;
            eprintln!("{n} dead letters");
        }
    }
    Ok(())
}

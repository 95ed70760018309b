//! `globalcart replay`: re-consume event topics for a backfill, into the live
//! database (idempotent: newer-wins upserts change nothing already loaded) or
//! into a fresh one rebuilt from the topics alone.
//!
//! A replay is a consumer group of its own (`<prefix>-replay-<time>` unless
//! `--replay-group`), so the live loader's offsets are untouched; its offsets are
//! stored in the target database like any loader's, so an interrupted replay
//! run again with the same `--replay-group` resumes where it stopped. It ends when no
//! record arrived for `--until-idle` seconds; then `globalcart reconcile` runs
//! over the same topics and window against the target database (unless
//! `--no-reconcile`), and the replay fails if they differ.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Args;
use globalcart_common::{db, kafka, KafkaSettings, PgSettings};
use globalcart_consumers::{run_until_stopped, ConsumerSettings, StartAt};
use globalcart_schemas::Topic;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// Topics to replay (base names, comma-separated); default every event topic.
    #[arg(long, value_delimiter = ',', value_parser = parse_topic)]
    pub topics: Vec<Topic>,
    /// Start every partition at this offset.
    #[arg(long, conflicts_with = "from_timestamp")]
    pub from_offset: Option<i64>,
    /// Start every partition at its first record stamped at or after this time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub from_timestamp: Option<DateTime<Utc>>,
    /// Skip records stamped after this time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub to_timestamp: Option<DateTime<Utc>>,
    /// Load into this database (created and migrated if missing) instead of `--database-url`.
    #[arg(long)]
    pub into_database: Option<String>,
    /// Consumer group of the replay (reuse one to resume an interrupted replay). Its own
    /// flag: the global `--group` / `CONSUMER_GROUP` names the live loader, which a replay
    /// must never join.
    #[arg(long = "replay-group", id = "replay_group")]
    pub group: Option<String>,
    /// Stop after this many seconds without a new record.
    #[arg(long, default_value_t = 5)]
    pub until_idle: u64,
    /// Most records per transaction.
    #[arg(long, default_value_t = 5000)]
    pub batch_size: usize,
    /// Do not refresh the BI marts when the replay ends.
    #[arg(long)]
    pub no_refresh_marts: bool,
    /// Do not reconcile the target database with the replayed topics at the end.
    #[arg(long)]
    pub no_reconcile: bool,
}

pub(crate) fn parse_topic(s: &str) -> Result<Topic, String> {
    Topic::from_base(s)
        .filter(|t| *t != Topic::DeadLetter)
        .ok_or_else(|| {
            let names: Vec<&str> = Topic::EVENTS.iter().map(|t| t.base()).collect();
            format!("{s:?} is not an event topic ({})", names.join(", "))
        })
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?} is not an RFC 3339 time such as 2026-11-26T10:00:00Z ({e})"))
}

/// Σ of the high watermarks of the replayed topics: the bar's length.
fn total_records(kafka: &KafkaSettings, topics: &[Topic]) -> anyhow::Result<u64> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = kafka::client_config(kafka).create()?;
    let mut total = 0u64;
    for t in topics {
        let name = t.name(&kafka.topic_prefix);
        let md = consumer
            .fetch_metadata(Some(&name), Duration::from_secs(10))
            .with_context(|| format!("reading the metadata of {name}"))?;
        for p in md.topics().iter().flat_map(|t| t.partitions()) {
            let (low, high) = consumer.fetch_watermarks(&name, p.id(), Duration::from_secs(10))?;
            total += (high - low).max(0) as u64;
        }
    }
    Ok(total)
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: ReplayArgs) -> anyhow::Result<()> {
    let target = args
        .into_database
        .clone()
        .unwrap_or_else(|| pg.database_url.clone());
    db::migrate(&target)
        .await
        .with_context(|| format!("preparing the target database {target}"))?;
    let group = args.group.clone().unwrap_or_else(|| {
        format!(
            "{}-replay-{}",
            kafka.topic_prefix,
            Utc::now().format("%Y%m%d%H%M%S")
        )
    });
    let settings = KafkaSettings {
        group: Some(group.clone()),
        ..kafka.clone()
    };
    let topics = if args.topics.is_empty() {
        Topic::EVENTS.to_vec()
    } else {
        args.topics.clone()
    };
    let consumer = ConsumerSettings {
        batch_size: args.batch_size,
        until_idle: Some(args.until_idle),
        start: match (args.from_offset, args.from_timestamp) {
            (Some(o), _) => StartAt::Offset(o),
            (None, Some(t)) => StartAt::Timestamp(t.timestamp_millis()),
            (None, None) => StartAt::Beginning,
        },
        until_timestamp: args.to_timestamp.map(|t| t.timestamp_millis()),
        topics: topics.clone(),
        ..ConsumerSettings::default()
    };
    let (k, t) = (settings.clone(), topics.clone());
    let total = tokio::task::spawn_blocking(move || total_records(&k, &t)).await??;
    eprintln!(
        "replaying {} topic(s) of {} into {} as group {group}",
        topics.len(),
        kafka.topic_prefix,
        target.rsplit('/').next().unwrap_or(&target)
    );

    let pool = db::pool(&target, consumer.connections() + 1)?;
    let (_stop, shutdown) = watch::channel(false);
    let started = Instant::now();
    let mut task = tokio::spawn(run_until_stopped(
        settings,
        pool.clone(),
        consumer,
        shutdown,
    ));
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} records ({per_sec}, ETA {eta})",
        )?
        .progress_chars("=> "),
    );
    let client = pool.get().await?;
    let (mut seen, mut last_progress) = (0i64, started);
    let report = loop {
        tokio::select! {
            r = &mut task => break r??,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {
                let done: i64 = client
                    .query_one(
                        "select coalesce(sum(next_offset), 0)::int8 from globalcart.etl_consumer_offsets where consumer_group = $1",
                        &[&group],
                    )
                    .await?
                    .get(0);
                bar.set_position(done.max(0) as u64);
                if done != seen {
                    (seen, last_progress) = (done, Instant::now());
                }
            }
        }
    };
    bar.finish_and_clear();
    // the run ends after --until-idle seconds without a record: the work itself
    // ended at the last progress seen (polled every 0.5 s)
    let secs = (last_progress - started).as_secs_f64();
    println!(
        "replayed {} records in {:.1} s ({:.0} records/s; {:.1} s with the final idle wait): {} rows written, {} rejected; group {group}",
        report.messages,
        secs,
        report.messages as f64 / secs.max(1e-9),
        started.elapsed().as_secs_f64(),
        report.rows_written,
        report.rejected
    );
    if !args.no_refresh_marts {
        super::marts::refresh_after_backfill(&target).await;
    }
    if args.no_reconcile {
        return Ok(());
    }
    // the same topics and window, against what the replay wrote
    let opts = globalcart_consumers::reconcile::Options {
        window: globalcart_consumers::reconcile::Window {
            topics: args.topics.clone(),
            from_offset: args.from_offset,
            from_timestamp: args.from_timestamp,
            to_timestamp: args.to_timestamp,
        },
        ..Default::default()
    };
    let report = globalcart_consumers::reconcile::reconcile(kafka, &target, &opts)
        .await
        .context("reconciling the target database with the topics")?;
    println!("{report}");
    super::reconcile::record_and_judge(&target, &report).await
}

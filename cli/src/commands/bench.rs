//! `globalcart bench e2e|upsert|replay|freshness|soak`: rerunnable benchmarks of
//! the streaming spine, backfills and the live KPIs (freshness and soak live in
//! their own files).
//! Each run uses a fresh database (dropped afterwards unless `--keep`) and, for
//! e2e, the topics of the given prefix (use a fresh prefix per run).

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use globalcart_common::{db, KafkaSettings, PgSettings};
use globalcart_consumers::decode::{Batch, RawMessage};
use globalcart_consumers::load::load;
use globalcart_consumers::{run_until_stopped, ConsumerSettings};
use globalcart_producers::generator;
use globalcart_producers::publish::Faults;
use globalcart_producers::run::produce_history;
use tokio::sync::watch;

use super::produce::GenerateArgs;

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub which: Which,
}

#[derive(Debug, Subcommand)]
pub enum Which {
    /// Producer → broker → consumer → committed rows, all on this machine.
    E2e {
        #[command(flatten)]
        generate: GenerateArgs,
        #[arg(long, default_value_t = 6)]
        partitions: i32,
        #[arg(long, default_value_t = 5000)]
        batch_size: usize,
        /// Consumer group members (`consume --members`).
        #[arg(long, env = "CONSUMER_MEMBERS", default_value_t = 3)]
        members: u16,
        /// Then read the same topics again with one fetch-only consumer: what the
        /// broker serves one member (minutes on the medium preset).
        #[arg(long)]
        fetch_ceiling: bool,
        /// Keep the benchmark database.
        #[arg(long)]
        keep: bool,
    },
    /// The upsert stage alone: decoded batches into Postgres, no broker.
    Upsert {
        #[command(flatten)]
        generate: GenerateArgs,
        #[arg(long, default_value_t = 5000)]
        batch_size: usize,
        /// Loads at once, as the consumer's `--lanes` (messages get the partition
        /// of their key among `--partitions`, as the producer's partitioner would).
        #[arg(long, default_value_t = 2)]
        lanes: u16,
        #[arg(long, default_value_t = 6)]
        partitions: i32,
        #[arg(long)]
        keep: bool,
    },
    /// Time from an event being produced to its effect in /api/kpis/live, under load.
    Freshness(super::freshness::FreshnessArgs),
    /// The live pipeline for minutes under load: memory, lag and rejects sampled.
    Soak(super::soak::SoakArgs),
    /// Replay of a preset's topics into a fresh database (produced first if empty).
    Replay {
        #[command(flatten)]
        generate: GenerateArgs,
        #[arg(long, default_value_t = 6)]
        partitions: i32,
    },
}

/// A fresh database next to the one in `url`; returns its URL and name.
pub(crate) async fn fresh_database(url: &str) -> anyhow::Result<(String, String)> {
    let cfg = db::parse_url(url)?;
    let base = cfg.get_dbname().unwrap_or("globalcart");
    let name = format!("{base}_bench_{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let new_url = match url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => anyhow::bail!("cannot derive a database URL from {url}"),
    };
    db::migrate(&new_url).await?;
    Ok((new_url, name))
}

pub(crate) async fn drop_database(url: &str, name: &str) -> anyhow::Result<()> {
    let mut cfg = db::parse_url(url)?;
    cfg.dbname("postgres");
    let (client, conn) = cfg.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    client
        .batch_execute(&format!("drop database if exists \"{name}\" with (force)"))
        .await?;
    Ok(())
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown cpu".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {cpu}")
}

/// The partition of `key` among `n`, as a hash partitioner spreads keys: every
/// version of a key in one partition.
fn partition_of(key: &str, n: i32) -> i32 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    (h.finish() % n.max(1) as u64) as i32
}

/// Where the upsert time went: total seconds per SQL file, from the
/// `globalcart_upsert_duration_seconds` histogram.
fn print_query_profile() {
    use prometheus::core::Collector;
    let mut rows: Vec<(String, f64, u64)> = globalcart_common::metrics::QUERY_SECONDS
        .collect()
        .iter()
        .flat_map(|f| f.get_metric().to_vec())
        .map(|m| {
            let name = m
                .get_label()
                .iter()
                .find(|l| l.name() == "query")
                .map_or(String::new(), |l| l.value().to_string());
            let h = m.get_histogram();
            (name, h.get_sample_sum(), h.get_sample_count())
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!();
    println!("| statement (sql/queries) | total s | calls |");
    println!("|---|---|---|");
    for (name, secs, calls) in rows {
        println!("| {name} | {secs:.1} | {calls} |");
    }
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: BenchArgs) -> anyhow::Result<()> {
    match args.which {
        Which::E2e {
            generate,
            partitions,
            batch_size,
            members,
            fetch_ceiling,
            keep,
        } => {
            let (url, name) = fresh_database(&pg.database_url).await?;
            super::topics::create(kafka, partitions).await?;
            let settings = ConsumerSettings {
                batch_size,
                members,
                ..ConsumerSettings::default()
            };
            let pool = db::pool(&url, settings.connections() + 2)?;
            let (stop, shutdown) = watch::channel(false);
            let started = Instant::now();
            let consumer = tokio::spawn(run_until_stopped(
                kafka.clone(),
                pool.clone(),
                settings,
                shutdown,
            ));
            let (k, cfg) = (kafka.clone(), generate.config());
            let (report, _) = tokio::task::spawn_blocking(move || {
                produce_history(&k, &cfg, Faults::default(), None)
            })
            .await??;
            let produced_in = started.elapsed();
            let client = pool.get().await?;
            loop {
                let loaded: i64 = client
                    .query_one("select coalesce(sum(events_loaded), 0)::bigint from globalcart.etl_watermarks", &[])
                    .await?
                    .get(0);
                if loaded as u64 >= report.messages {
                    break;
                }
                if consumer.is_finished() {
                    anyhow::bail!(
                        "the consumer stopped after {loaded} of {} messages",
                        report.messages
                    );
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let total = started.elapsed();
            let _ = stop.send(true);
            let run = consumer.await??;
            let events = report.messages as f64;
            println!("| machine | {} |", machine());
            println!("| preset | {:?}, seed {} |", generate.scale, generate.seed);
            println!("| events | {} |", report.messages);
            println!(
                "| producer → broker | {:.1} s, {:.0} events/s |",
                produced_in.as_secs_f64(),
                events / produced_in.as_secs_f64()
            );
            println!(
                "| end to end (producer start → last row committed) | {:.1} s, {:.0} events/s |",
                total.as_secs_f64(),
                events / total.as_secs_f64()
            );
            println!(
                "| consumer batches | {} (rows written {}) |",
                run.batches, run.rows_written
            );
            if fetch_ceiling {
                let (k, expected) = (kafka.clone(), report.messages);
                let fetched = tokio::task::spawn_blocking(move || {
                    super::fetch_ceiling::measure(&k, expected)
                })
                .await??;
                println!(
                    "| broker read ceiling (the same topics fetched again, nothing decoded or loaded) | {} messages, {:.1} MiB in {:.1} s, {:.0} events/s |",
                    fetched.messages,
                    fetched.bytes as f64 / 1048576.0,
                    fetched.elapsed.as_secs_f64(),
                    fetched.messages as f64 / fetched.elapsed.as_secs_f64()
                );
            }
            drop(client);
            if !keep {
                drop(pool);
                drop_database(&pg.database_url, &name).await?;
            }
        }
        Which::Freshness(a) => super::freshness::run(pg, kafka, a).await?,
        Which::Soak(a) => super::soak::run(pg, kafka, a).await?,
        Which::Replay {
            generate,
            partitions,
        } => replay(pg, kafka, &generate, partitions).await?,
        Which::Upsert {
            generate,
            batch_size,
            lanes,
            partitions,
            keep,
        } => {
            let (url, name) = fresh_database(&pg.database_url).await?;
            let pool = db::pool(&url, usize::from(lanes).max(2))?;
            let prefix = "bench";
            let t = Instant::now();
            let messages: Vec<RawMessage> = generator::history(&generate.config())
                .enumerate()
                .map(|(i, e)| -> anyhow::Result<RawMessage> {
                    let key = e.key();
                    Ok(RawMessage {
                        topic: e.topic().name(prefix),
                        partition: partition_of(&key, partitions),
                        offset: i as i64,
                        key: Some(key.into_bytes()),
                        payload: Some(e.encode().context("encoding")?),
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            let generated = t.elapsed();
            let (mut decode_time, mut load_time, mut rows) = (Duration::ZERO, Duration::ZERO, 0u64);
            for chunk in messages.chunks(batch_size) {
                let t = Instant::now();
                let batches: Vec<Batch> =
                    globalcart_consumers::consumer::lanes(chunk.to_vec(), lanes)
                        .iter()
                        .map(|m| Batch::decode(prefix, m))
                        .collect();
                decode_time += t.elapsed();
                let t = Instant::now();
                let reports =
                    futures::future::try_join_all(batches.iter().map(|b| load(&pool, "bench", b)))
                        .await?;
                load_time += t.elapsed();
                rows += reports.iter().map(|r| r.rows_written()).sum::<u64>();
            }
            let n = messages.len() as f64;
            println!("| machine | {} |", machine());
            println!(
                "| preset | {:?}, seed {}, batch {batch_size}, {lanes} lane(s) over {partitions} partitions |",
                generate.scale, generate.seed
            );
            println!(
                "| events | {} (generated and encoded in {:.1} s) |",
                messages.len(),
                generated.as_secs_f64()
            );
            println!(
                "| decode + dedupe | {:.1} s, {:.0} events/s |",
                decode_time.as_secs_f64(),
                n / decode_time.as_secs_f64()
            );
            let rate = rows as f64 / load_time.as_secs_f64();
            println!(
                "| upsert stage (one transaction per batch) | {:.1} s, {} rows, {:.0} rows/s |",
                load_time.as_secs_f64(),
                rows,
                rate
            );
            let client = pool.get().await?;
            let copies = super::copy_ceiling::measure(&client).await?;
            drop(client);
            let (crows, csecs) = copies.iter().fold((0u64, 0f64), |(r, s), c| {
                (r + c.rows, s + c.elapsed.as_secs_f64())
            });
            let ceiling = crows as f64 / csecs;
            println!(
                "| ceiling: binary COPY of the loaded rows into unindexed copies | {csecs:.1} s, {crows} rows, {ceiling:.0} rows/s |"
            );
            println!(
                "| upsert stage / ceiling | **{:.1} %** (goal ≥ 25 %) |",
                100.0 * rate / ceiling
            );
            println!();
            println!("| table | rows | binary COPY rows/s |");
            println!("|---|---|---|");
            for c in &copies {
                println!(
                    "| {} | {} | {:.0} |",
                    c.table,
                    c.rows,
                    c.rows as f64 / c.elapsed.as_secs_f64().max(1e-9)
                );
            }
            print_query_profile();
            if !keep {
                drop(pool);
                drop_database(&pg.database_url, &name).await?;
            }
        }
    }
    Ok(())
}

/// `bench replay`: the preset's history in the topics of the prefix (produced
/// first when the orders topic is empty), then `globalcart replay` of all of it
/// into a fresh database, timed.
async fn replay(
    pg: &PgSettings,
    kafka: &KafkaSettings,
    generate: &GenerateArgs,
    partitions: i32,
) -> anyhow::Result<()> {
    super::topics::create(kafka, partitions).await?;
    let orders = globalcart_schemas::Topic::Orders.name(&kafka.topic_prefix);
    let k = kafka.clone();
    let empty =
        tokio::task::spawn_blocking(move || globalcart_common::kafka::topic_is_empty(&k, &orders))
            .await??;
    if empty {
        let (k, cfg) = (kafka.clone(), generate.config());
        let (report, _) =
            tokio::task::spawn_blocking(move || produce_history(&k, &cfg, Faults::default(), None))
                .await??;
        println!(
            "| produced | {} events ({:?}, seed {}) |",
            report.messages, generate.scale, generate.seed
        );
    }
    let (url, name) = fresh_database(&pg.database_url).await?;
    let args = super::replay::ReplayArgs {
        topics: Vec::new(),
        from_offset: None,
        from_timestamp: None,
        to_timestamp: None,
        into_database: Some(url),
        group: None,
        until_idle: 5,
        batch_size: 5000,
        no_refresh_marts: true,
        no_reconcile: true,
    };
    println!("| machine | {} |", machine());
    super::replay::run(pg, kafka, args).await?;
    drop_database(&pg.database_url, &name).await?;
    Ok(())
}

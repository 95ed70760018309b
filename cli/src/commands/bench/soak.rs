//! `globalcart bench soak`: the live pipeline ([`super::pipeline`]) under a
//! sustained load for minutes, sampled at a fixed interval: resident memory of
//! the process (producer, consumer, KPI cache and API all live in it), events
//! loaded and the ingest rate, how far the loaded data trails the clock
//! (now − newest loaded order and click: the consumer lag in seconds), and the
//! rejects (none are injected, so any is a defect).

use std::time::{Duration, Instant};

use clap::Args;
use globalcart_common::{KafkaSettings, PgSettings};
use globalcart_consumers::ConsumerSettings;

use super::pipeline::Pipeline;
use crate::commands::produce::GenerateArgs;

#[derive(Debug, Args)]
pub struct SoakArgs {
    #[command(flatten)]
    pub generate: GenerateArgs,
    /// Live events per second.
    #[arg(long, default_value_t = 5000.0)]
    pub rate: f64,
    /// Length of the run.
    #[arg(long, default_value_t = 10)]
    pub minutes: u64,
    /// Seconds between samples.
    #[arg(long, default_value_t = 60)]
    pub sample_secs: u64,
    #[arg(long, default_value_t = 6)]
    pub partitions: i32,
    #[command(flatten)]
    pub consumer: ConsumerSettings,
    /// Keep the benchmark database.
    #[arg(long)]
    pub keep: bool,
}

/// Resident set size of this process, MiB (Linux).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// One sample.
struct Sample {
    at: f64,
    rss: f64,
    loaded: i64,
    lag: f64,
    rejects: i64,
}

async fn sample(pool: &deadpool_postgres::Pool, started: Instant) -> anyhow::Result<Sample> {
    let client = pool.get().await?;
    let row = client
        .query_one(
            "select (select coalesce(sum(events_loaded), 0)::int8 from globalcart.etl_watermarks) as loaded,
                    (select coalesce(extract(epoch from now() - min(last_event_ts)), 0)::float8
                     from globalcart.etl_watermarks where source_name in ('orders', 'clickstream')) as lag,
                    (select count(*)::int8 from globalcart.etl_ingest_rejects) as rejects",
            &[],
        )
        .await?;
    Ok(Sample {
        at: started.elapsed().as_secs_f64(),
        rss: rss_mib(),
        loaded: row.get("loaded"),
        lag: row.get("lag"),
        rejects: row.get("rejects"),
    })
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: SoakArgs) -> anyhow::Result<()> {
    let pipeline = Pipeline::start(
        pg,
        kafka,
        &args.generate.config(),
        args.rate,
        args.consumer.clone(),
        args.partitions,
    )
    .await?;
    let started = Instant::now();
    let end = Duration::from_secs(args.minutes * 60);
    println!("| machine | {} |", super::machine());
    println!(
        "| load | {:.0} live events/s for {} min |",
        args.rate, args.minutes
    );
    println!();
    println!("| t (s) | RSS (MiB) | events loaded | ingest (events/s) | lag (s) | rejects |");
    println!("|---|---|---|---|---|---|");
    let mut samples: Vec<Sample> = Vec::new();
    loop {
        tokio::time::sleep(Duration::from_secs(args.sample_secs)).await;
        let s = sample(&pipeline.pool, started).await?;
        let rate = match samples.last() {
            Some(p) => (s.loaded - p.loaded) as f64 / (s.at - p.at),
            None => s.loaded as f64 / s.at,
        };
        println!(
            "| {:.0} | {:.0} | {} | {:.0} | {:.1} | {} |",
            s.at, s.rss, s.loaded, rate, s.lag, s.rejects
        );
        samples.push(s);
        if started.elapsed() >= end {
            break;
        }
    }
    let ran = pipeline.stop(args.keep).await?;
    let rss: Vec<f64> = samples.iter().map(|s| s.rss).collect();
    let (first, last) = (rss.first().copied(), rss.last().copied());
    let max_lag = samples.iter().map(|s| s.lag).fold(0.0, f64::max);
    println!();
    println!(
        "| summary | RSS first {:.0} MiB, last {:.0} MiB, max {:.0} MiB; max lag {:.1} s; rejects {}; produced {} events, loaded {} messages |",
        first.unwrap_or(f64::NAN),
        last.unwrap_or(f64::NAN),
        rss.iter().copied().fold(f64::NAN, f64::max),
        max_lag,
        samples.last().map_or(0, |s| s.rejects),
        ran.produced.events,
        ran.consumed.messages
    );
    Ok(())
}

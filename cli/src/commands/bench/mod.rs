//! `globalcart bench …`: one file per benchmark. Each prints a Markdown table
//! for docs/benchmarks.md; none asserts a time (the figures are measured, not
//! tested).

pub mod copy_ceiling;
pub mod e2e;
pub mod fetch_ceiling;
pub mod freshness;
pub mod pipeline;
pub mod replay;
pub mod soak;
pub mod upsert;

use clap::{Args, Subcommand};
use globalcart_common::{KafkaSettings, PgSettings};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub which: Which,
}

#[derive(Debug, Subcommand)]
pub enum Which {
    /// Producer → broker → consumer → committed rows, all on this machine.
    E2e(e2e::E2eArgs),
    /// The upsert stage alone: decoded batches into Postgres, no broker.
    Upsert(upsert::UpsertArgs),
    /// Time from an event being produced to its effect in /api/kpis/live, under load.
    Freshness(freshness::FreshnessArgs),
    /// The live pipeline for minutes under load: memory, lag and rejects sampled.
    Soak(soak::SoakArgs),
    /// Replay of a preset's topics into a fresh database (produced first if empty).
    Replay(replay::ReplayBenchArgs),
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: BenchArgs) -> anyhow::Result<()> {
    match args.which {
        Which::E2e(a) => e2e::run(pg, kafka, a).await,
        Which::Upsert(a) => upsert::run(pg, kafka, a).await,
        Which::Freshness(a) => freshness::run(pg, kafka, a).await,
        Which::Soak(a) => soak::run(pg, kafka, a).await,
        Which::Replay(a) => replay::run(pg, kafka, a).await,
    }
}

/// The machine a benchmark ran on, for its table.
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

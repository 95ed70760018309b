//! The `globalcart` command line: one binary, one subcommand per job.
//!
//! # Layout
//! - [`commands`]: one file per subcommand (`migrate`, `topics`, `produce`,
//!   `consume`, `replay`, `reconcile`, `up`, `serve`, `bench`, `dlq`, `analytics`, `marts`, `report`).
//! - [`shutdown`]: Ctrl-C / SIGTERM → a watch channel every task listens to.
//! - [`telemetry`]: tracing set-up.

pub mod commands;
pub mod shutdown;
pub mod telemetry;

use clap::{Parser, Subcommand};
use globalcart_common::{KafkaSettings, PgSettings};

/// GlobalCart 360: streaming e-commerce analytics on Kafka and PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "globalcart", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub pg: PgSettings,
    #[command(flatten)]
    pub kafka: KafkaSettings,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database if missing and apply the migrations.
    Migrate,
    /// Create, list or delete the topics of the prefix.
    Topics(commands::topics::TopicsArgs),
    /// Stream a synthetic history (and optionally live events) to the topics.
    Produce(commands::produce::ProduceArgs),
    /// Load the topics into the star schema.
    Consume(commands::consume::ConsumeArgs),
    /// Re-consume topics for a backfill, into the live database or a fresh one.
    Replay(commands::replay::ReplayArgs),
    /// Compare the warehouse with the stream, entity by entity; exit 1 unless they agree.
    Reconcile(commands::reconcile::ReconcileArgs),
    /// Everything in one process: migrate, topics, history, consumers, live events, API.
    Up(commands::up::UpArgs),
    /// The HTTP API alone.
    Serve(commands::serve::ServeArgs),
    /// Rerunnable benchmarks.
    Bench(commands::bench::BenchArgs),
    /// Inspect the dead-letter topic.
    Dlq(commands::dlq::DlqArgs),
    /// RFM, churn, cohorts, leakage, outliers and forecasts on the star schema.
    Analytics(commands::analytics::AnalyticsArgs),
    /// Refresh, export or inspect the BI marts.
    Marts(commands::marts::MartsArgs),
    /// Render the data dictionary from the database comments.
    DataDictionary(commands::data_dictionary::DataDictionaryArgs),
    /// The Excel management report.
    Report(commands::report::ReportArgs),
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate => commands::migrate::run(&cli.pg).await,
        Command::Topics(a) => commands::topics::run(&cli.kafka, a).await,
        Command::Produce(a) => commands::produce::run(&cli.kafka, a).await,
        Command::Consume(a) => commands::consume::run(&cli.pg, &cli.kafka, a).await,
        Command::Replay(a) => commands::replay::run(&cli.pg, &cli.kafka, a).await,
        Command::Reconcile(a) => commands::reconcile::run(&cli.pg, &cli.kafka, a).await,
        Command::Up(a) => commands::up::run(&cli.pg, &cli.kafka, a).await,
        Command::Serve(a) => commands::serve::run(&cli.pg, &cli.kafka, a).await,
        Command::Bench(a) => commands::bench::run(&cli.pg, &cli.kafka, a).await,
        Command::Dlq(a) => commands::dlq::run(&cli.kafka, a).await,
        Command::Analytics(a) => commands::analytics::run(&cli.pg, a).await,
        Command::Report(a) => commands::report::run(&cli.pg, a).await,
        Command::Marts(a) => commands::marts::run(&cli.pg, a).await,
        Command::DataDictionary(a) => commands::data_dictionary::run(&cli.pg, a).await,
    }
}

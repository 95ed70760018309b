//! `globalcart bench replay`: a preset's topics replayed into a fresh database.

use clap::Args;
use globalcart_common::{db, KafkaSettings, PgSettings};
use globalcart_producers::publish::Faults;
use globalcart_producers::run::produce_history;

use super::machine;
use crate::commands::produce::GenerateArgs;

#[derive(Debug, Args)]
pub struct ReplayBenchArgs {
    #[command(flatten)]
    pub generate: GenerateArgs,
    #[arg(long, default_value_t = 6)]
    pub partitions: i32,
}

/// `bench replay`: the preset's history in the topics of the prefix (produced
/// first when the orders topic is empty), then `globalcart replay` of all of it
/// into a fresh database, timed.
pub async fn run(
    pg: &PgSettings,
    kafka: &KafkaSettings,
    args: ReplayBenchArgs,
) -> anyhow::Result<()> {
    let ReplayBenchArgs {
        generate,
        partitions,
    } = args;
    crate::commands::topics::create(kafka, partitions).await?;
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
    let (url, name) = db::scratch_database(&pg.database_url, "bench").await?;
    let args = crate::commands::replay::ReplayArgs {
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
    crate::commands::replay::run(pg, kafka, args).await?;
    db::drop_database(&pg.database_url, &name).await?;
    Ok(())
}

//! `globalcart consume`: load the topics into the star schema.

use anyhow::Context;
use clap::Args;
use globalcart_common::{db, KafkaSettings, PgSettings};
use globalcart_consumers::{run_until_stopped, ConsumerSettings};

#[derive(Debug, Args)]
pub struct ConsumeArgs {
    #[command(flatten)]
    pub consumer: ConsumerSettings,
    /// Postgres connections of the consumer.
    #[arg(long, env = "PG_POOL_SIZE", default_value_t = 4)]
    pub pool_size: usize,
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: ConsumeArgs) -> anyhow::Result<()> {
    db::migrate(&pg.database_url)
        .await
        .context("applying migrations")?;
    let pool = db::pool(&pg.database_url, args.pool_size)?;
    let shutdown = crate::shutdown::on_signal();
    let report = run_until_stopped(kafka.clone(), pool, args.consumer, shutdown)
        .await
        .context("consuming")?;
    println!(
        "consumed {} messages in {} batches: {} rows written, {} rejected",
        report.messages, report.batches, report.rows_written, report.rejected
    );
    Ok(())
}

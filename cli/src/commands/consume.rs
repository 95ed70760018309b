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
    /// Do not refresh the BI marts when an `--until-idle` run ends.
    #[arg(long)]
    pub no_refresh_marts: bool,
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: ConsumeArgs) -> anyhow::Result<()> {
    db::migrate(&pg.database_url)
        .await
        .context("applying migrations")?;
    let pool = db::pool(
        &pg.database_url,
        args.pool_size.max(args.consumer.connections()),
    )?;
    let until_idle = args.consumer.until_idle.is_some();
    let shutdown = crate::shutdown::on_signal();
    let report = run_until_stopped(kafka.clone(), pool, args.consumer, shutdown)
        .await
        .context("consuming")?;
    println!(
        "consumed {} messages in {} batches: {} rows written, {} rejected",
        report.messages, report.batches, report.rows_written, report.rejected
    );
    if until_idle && !args.no_refresh_marts {
        // a bounded run is a backfill: the marts follow it
        super::marts::refresh_after_backfill(&pg.database_url).await;
    }
    Ok(())
}

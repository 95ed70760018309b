//! `globalcart bench e2e`: producer → broker → consumer → committed rows, all
//! on this machine, timed from the producer's start to the last row committed.

use std::time::{Duration, Instant};

use clap::Args;
use globalcart_common::{db, KafkaSettings, PgSettings};
use globalcart_consumers::{run_until_stopped, ConsumerSettings};
use globalcart_producers::publish::Faults;
use globalcart_producers::run::produce_history;
use tokio::sync::watch;

use super::machine;
use crate::commands::produce::GenerateArgs;

#[derive(Debug, Args)]
pub struct E2eArgs {
    #[command(flatten)]
    pub generate: GenerateArgs,
    #[arg(long, default_value_t = 6)]
    pub partitions: i32,
    #[arg(long, default_value_t = 5000)]
    pub batch_size: usize,
    /// Consumer group members (`consume --members`).
    #[arg(long, env = "CONSUMER_MEMBERS", default_value_t = 3)]
    pub members: u16,
    /// Then read the same topics again with one fetch-only consumer: what the
    /// broker serves one member (minutes on the medium preset).
    #[arg(long)]
    pub fetch_ceiling: bool,
    /// Keep the benchmark database.
    #[arg(long)]
    pub keep: bool,
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: E2eArgs) -> anyhow::Result<()> {
    let E2eArgs {
        generate,
        partitions,
        batch_size,
        members,
        fetch_ceiling,
        keep,
    } = args;
    let (url, name) = db::scratch_database(&pg.database_url, "bench").await?;
    crate::commands::topics::create(kafka, partitions).await?;
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
    let (report, _) =
        tokio::task::spawn_blocking(move || produce_history(&k, &cfg, Faults::default(), None))
            .await??;
    let produced_in = started.elapsed();
    let client = pool.get().await?;
    loop {
        let loaded: i64 = client
            .query_one(
                "select coalesce(sum(events_loaded), 0)::bigint from globalcart.etl_watermarks",
                &[],
            )
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
        let fetched =
            tokio::task::spawn_blocking(move || super::fetch_ceiling::measure(&k, expected))
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
        db::drop_database(&pg.database_url, &name).await?;
    }
    Ok(())
}

//! `globalcart up`: migrate, create topics, then run the consumers, the producer
//! (the preset's history unless the topics already hold it, then live events)
//! and the API in one process until Ctrl-C/SIGTERM.

use std::time::Duration;

use anyhow::Context;
use clap::Args;
use globalcart_common::{db, kafka, KafkaSettings, PgSettings};
use globalcart_consumers::{run_until_stopped, ConsumerSettings};
use globalcart_producers::generator;
use globalcart_producers::publish::Faults;
use globalcart_producers::run::{produce_history, produce_live};
use globalcart_schemas::Topic;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::produce::GenerateArgs;
use super::serve::ServeArgs;

#[derive(Debug, Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub generate: GenerateArgs,
    /// Live events per second after the history.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// Simulated seconds per wall-clock second for live order lifecycles.
    #[arg(long, default_value_t = 8640.0)]
    pub speedup: f64,
    /// Partitions per topic when creating them.
    #[arg(long, env = "TOPIC_PARTITIONS", default_value_t = 6)]
    pub partitions: i32,
    /// Seconds after start of the first analytics run (RFM, churn, cohorts,
    /// leakage, outliers, forecasts); 0 turns the schedule off.
    #[arg(long, env = "ANALYTICS_FIRST_RUN_SECS", default_value_t = 120)]
    pub analytics_first_run_secs: u64,
    /// Seconds between analytics runs.
    #[arg(long, env = "ANALYTICS_INTERVAL_SECS", default_value_t = 3600)]
    pub analytics_interval_secs: u64,
    /// Seconds after start of the first BI mart refresh; 0 turns the schedule off.
    #[arg(long, env = "MARTS_FIRST_REFRESH_SECS", default_value_t = 60)]
    pub marts_first_refresh_secs: u64,
    /// Seconds between BI mart refreshes (refresh_bi_marts: the days touched since the last one).
    #[arg(long, env = "MARTS_REFRESH_SECS", default_value_t = 300)]
    pub marts_refresh_secs: u64,
    /// Seconds between refreshes of the daily KPI rollup (the days the loads
    /// touched since the last one); 0 turns them off (readers stay exact, and
    /// slower as touched days pile up).
    #[arg(long, env = "KPI_ROLLUP_REFRESH_SECS", default_value_t = 10)]
    pub rollup_refresh_secs: u64,
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(flatten)]
    pub consumer: ConsumerSettings,
}

async fn producer(
    kafka: KafkaSettings,
    args_generate: GenerateArgs,
    rate: f64,
    speedup: f64,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let cfg = args_generate.config();
    let faults = Faults::default();
    let orders = Topic::Orders.name(&kafka.topic_prefix);
    let k = kafka.clone();
    let empty = tokio::task::spawn_blocking(move || kafka::topic_is_empty(&k, &orders)).await??;
    let live = if !empty {
        tracing::info!("the topics already hold a history; streaming live events only");
        generator::live(&cfg, rate, speedup, chrono::Utc::now().timestamp_micros())
    } else {
        let k = kafka.clone();
        let (_, history) =
            tokio::task::spawn_blocking(move || produce_history(&k, &cfg, faults, None))
                .await?
                .context("producing the history")?;
        history.into_live(rate, speedup)
    };
    produce_live(&kafka, live, faults, shutdown).await?;
    Ok(())
}

/// Runs the analytics `first` seconds after start, then every `every` seconds,
/// until shutdown; a failed run (e.g. no completed order yet) is logged and
/// retried at the next tick.
async fn analytics_schedule(
    url: String,
    first: u64,
    every: u64,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut wait = Duration::from_secs(first);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        // CPU-bound: its own thread and runtime, off the API's workers
        let u = url.clone();
        let run = tokio::task::spawn_blocking(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(globalcart_analytics::run(&u, None))
                .map_err(|e| e.to_string())
        })
        .await;
        match run {
            Ok(Ok(r)) => tracing::info!(run = ?r, "analytics run finished"),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "analytics run failed; retrying at the next tick")
            }
            Err(e) => {
                tracing::warn!(error = %e, "analytics run panicked; retrying at the next tick")
            }
        }
        wait = Duration::from_secs(every);
    }
}

/// Runs `job` `first` seconds after start, then every `every` seconds, until
/// shutdown; a failed run is logged and retried at the next tick.
async fn schedule<F, Fut, T>(
    pool: deadpool_postgres::Pool,
    what: &'static str,
    (first, every): (u64, u64),
    mut shutdown: watch::Receiver<bool>,
    job: F,
) where
    F: Fn(deadpool_postgres::Object) -> Fut,
    Fut: std::future::Future<Output = globalcart_common::Result<T>>,
    T: std::fmt::Debug,
{
    let mut wait = Duration::from_secs(first);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        let run = async { job(pool.get().await?).await };
        match run.await {
            // the rollup runs every few seconds: its result is for debugging
            Ok(done) => tracing::debug!(result = ?done, "{what} refreshed"),
            Err(e) => {
                tracing::warn!(error = %e, "{what} refresh failed; retrying at the next tick")
            }
        }
        wait = Duration::from_secs(every);
    }
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: UpArgs) -> anyhow::Result<()> {
    db::migrate(&pg.database_url)
        .await
        .context("applying migrations")?;
    super::topics::create(kafka, args.partitions).await?;
    // the loads, the cache refreshers, the API, the shop and the marts
    let pool = db::pool(&pg.database_url, args.consumer.connections() + 8)?;
    let (stop, shutdown) = crate::shutdown::on_signal_or_request();
    let app = args.serve.build(&pool, &pg.database_url, kafka).await?;
    println!(
        "GlobalCart 360 is up: http://localhost:{}/healthz (Ctrl-C to stop)",
        app.port()
    );

    let mut tasks: JoinSet<(&'static str, anyhow::Result<()>)> = JoinSet::new();
    let (k, c, sd) = (kafka.clone(), args.consumer.clone(), shutdown.clone());
    let p = pool.clone();
    tasks.spawn(async move {
        let r = run_until_stopped(k, p, c, sd).await;
        ("consumer", r.map(|_| ()).map_err(Into::into))
    });
    if args.marts_first_refresh_secs > 0 {
        let (p, sd) = (pool.clone(), shutdown.clone());
        let (first, every) = (
            args.marts_first_refresh_secs,
            args.marts_refresh_secs.max(10),
        );
        tasks.spawn(async move {
            schedule(p, "BI marts", (first, every), sd, |c| async move {
                let done = globalcart_common::marts::refresh(&c, "schedule", None, false).await;
                if let Ok(done) = &done {
                    tracing::info!(marts = ?done, "BI marts refreshed");
                }
                done
            })
            .await;
            ("marts", Ok(()))
        });
    }
    if args.rollup_refresh_secs > 0 {
        let (p, sd) = (pool.clone(), shutdown.clone());
        let every = args.rollup_refresh_secs;
        tasks.spawn(async move {
            schedule(p, "daily KPI rollup", (every, every), sd, |c| async move {
                globalcart_common::marts::refresh_rollup(&c).await
            })
            .await;
            ("rollup", Ok(()))
        });
    }
    let sd = shutdown.clone();
    tasks.spawn(async move { ("api", app.run_until_stopped(sd).await.map_err(Into::into)) });
    let (k, g, sd) = (kafka.clone(), args.generate.clone(), shutdown.clone());
    tasks.spawn(async move {
        (
            "producer",
            producer(k, g, args.rate, args.speedup, sd).await,
        )
    });

    if args.analytics_first_run_secs > 0 {
        let (url, sd) = (pg.database_url.clone(), shutdown.clone());
        let (first, every) = (
            args.analytics_first_run_secs,
            args.analytics_interval_secs.max(60),
        );
        tasks.spawn(async move {
            analytics_schedule(url, first, every, sd).await;
            ("analytics", Ok(()))
        });
    }

    let mut result = Ok(());
    if let Some(Ok((name, r))) = tasks.join_next().await {
        match &r {
            Ok(()) if *shutdown.borrow() => tracing::info!(task = name, "stopped"),
            Ok(()) => tracing::warn!(task = name, "stopped on its own; stopping the others"),
            Err(e) => tracing::error!(
                task = name,
                error = format!("{e:#}"),
                "failed; stopping the others"
            ),
        }
        result = r.with_context(|| format!("{name} failed"));
    }
    let _ = stop.send(true);
    let drain = async {
        while let Some(joined) = tasks.join_next().await {
            if let Ok((name, Err(e))) = joined {
                tracing::error!(
                    task = name,
                    error = format!("{e:#}"),
                    "failed while stopping"
                );
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(60), drain)
        .await
        .is_err()
    {
        tracing::warn!("tasks still running after 60 s; exiting");
    }
    result
}

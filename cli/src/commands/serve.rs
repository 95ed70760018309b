//! `globalcart serve`: the HTTP API alone.

use anyhow::Context;
use clap::Args;
use globalcart_api::kpis::{self, KpiCache};
use globalcart_api::AppState;
use globalcart_common::{db, KafkaSettings, PgSettings};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HOST", default_value = "0.0.0.0")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8000)]
    pub port: u16,
}

/// Binds the listener of `args`.
pub async fn bind(args: &ServeArgs) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .with_context(|| format!("binding {}:{}", args.host, args.port))
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: ServeArgs) -> anyhow::Result<()> {
    db::migrate(&pg.database_url)
        .await
        .context("applying migrations")?;
    let pool = db::pool(&pg.database_url, 8)?;
    let state = AppState {
        pool: pool.clone(),
        kafka: kafka.clone(),
        kpis: KpiCache::default(),
    };
    let listener = bind(&args).await?;
    let shutdown = crate::shutdown::on_signal();
    tokio::spawn(kpis::listener::run(
        state.kpis.clone(),
        pool,
        pg.database_url.clone(),
        shutdown.clone(),
    ));
    globalcart_api::serve(listener, state, crate::shutdown::wait(shutdown)).await?;
    Ok(())
}

//! `globalcart analytics run [--as-of DATE]` and `globalcart analytics plots --out DIR`.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use globalcart_common::PgSettings;

#[derive(Debug, Args)]
pub struct AnalyticsArgs {
    #[command(subcommand)]
    pub which: Which,
}

#[derive(Debug, Subcommand)]
pub enum Which {
    /// Recompute RFM, churn, cohorts, leakage, outliers and forecasts; replace the result tables.
    Run {
        /// Analysis day (YYYY-MM-DD): orders placed before it are used. Default: the day after the last completed order.
        #[arg(long)]
        as_of: Option<NaiveDate>,
    },
    /// Render the latest run's charts to SVG files in a directory.
    Plots {
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// The customer mart joins the RFM and churn results: refreshed after a run
/// (a failure is logged; the next scheduled refresh catches up).
pub async fn refresh_customer_mart(database_url: &str, trigger: &str) {
    let run = async {
        let pool = globalcart_common::db::pool(database_url, 1)?;
        let client = pool.get().await?;
        globalcart_common::marts::refresh(&client, trigger, Some(&["mart_customer_segments"])).await
    };
    if let Err(e) = run.await {
        tracing::warn!(error = %e, "refreshing mart_customer_segments failed");
    }
}

pub async fn run(pg: &PgSettings, args: AnalyticsArgs) -> anyhow::Result<()> {
    match args.which {
        Which::Run { as_of } => {
            globalcart_common::db::migrate(&pg.database_url).await?;
            let report = globalcart_analytics::run(&pg.database_url, as_of)
                .await
                .context("analytics run")?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            refresh_customer_mart(&pg.database_url, "analytics").await;
        }
        Which::Plots { out } => {
            let files = globalcart_analytics::plots::render(&pg.database_url, &out)
                .await
                .context("analytics plots")?;
            for f in files {
                println!("{}", f.display());
            }
        }
    }
    Ok(())
}

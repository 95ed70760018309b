//! `globalcart analytics run [--as-of DATE] [--read-views]` and `globalcart analytics plots --out DIR`.

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
        /// Read the KPI views even when the BI marts are fresh (slower; by default a run reads the marts when they were refreshed after the last load or at most 15 minutes ago).
        #[arg(long)]
        read_views: bool,
    },
    /// Render the latest run's charts to SVG files in a directory.
    Plots {
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(pg: &PgSettings, args: AnalyticsArgs) -> anyhow::Result<()> {
    match args.which {
        Which::Run { as_of, read_views } => {
            globalcart_common::db::migrate(&pg.database_url).await?;
            let report = globalcart_analytics::run_with(&pg.database_url, as_of, read_views)
                .await
                .context("analytics run")?;
            println!("{}", serde_json::to_string_pretty(&report)?);
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

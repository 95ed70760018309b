//! `globalcart marts refresh|export|status`: the BI marts by hand (the
//! pipeline refreshes them by itself: `globalcart up` on a schedule, every
//! backfill, the Excel report).

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use futures::TryStreamExt;
use globalcart_common::{db, marts, PgSettings};
use tokio::io::AsyncWriteExt;

#[derive(Debug, Args)]
pub struct MartsArgs {
    #[command(subcommand)]
    pub which: Which,
}

#[derive(Debug, Subcommand)]
pub enum Which {
    /// Refresh the marts now: the days touched since their last refresh
    /// (readers keep the previous version meanwhile).
    Refresh {
        /// Only these marts (comma-separated); default all seven.
        #[arg(long, value_delimiter = ',', value_parser = parse_mart)]
        only: Vec<String>,
        /// Rebuild every day, not only the days touched since the last refresh.
        #[arg(long)]
        full: bool,
    },
    /// Write marts as CSV files (with a header), in the order of their natural key.
    Export {
        /// Marts to export (comma-separated); default all seven.
        #[arg(long, value_delimiter = ',', value_parser = parse_mart)]
        only: Vec<String>,
        /// Directory for `<mart>.csv` (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// First day (YYYY-MM-DD) of the dated marts.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD, inclusive) of the dated marts.
        #[arg(long)]
        to: Option<NaiveDate>,
    },
    /// When each mart was last refreshed, how long it took and its rows.
    Status,
}

fn parse_mart(s: &str) -> Result<String, String> {
    marts::find(s)
        .map(|m| m.name.to_string())
        .ok_or_else(|| format!("{s:?} is not a mart ({})", marts::names()))
}

/// Refreshes the marts after a backfill; a failure is logged, not fatal (the
/// data is loaded; the next refresh catches up).
pub async fn refresh_after_backfill(database_url: &str) {
    let run = async {
        let pool = db::pool(database_url, 1)?;
        let client = pool.get().await?;
        marts::refresh(&client, "backfill", None, false).await
    };
    match run.await {
        Ok(done) => tracing::info!(marts = ?done, "BI marts refreshed after the backfill"),
        Err(e) => tracing::warn!(error = %e, "refreshing the BI marts after the backfill failed"),
    }
}

pub async fn run(pg: &PgSettings, args: MartsArgs) -> anyhow::Result<()> {
    db::migrate(&pg.database_url)
        .await
        .context("applying migrations")?;
    let pool = db::pool(&pg.database_url, 1)?;
    let client = pool.get().await?;
    match args.which {
        Which::Refresh { only, full } => {
            let only: Vec<&str> = only.iter().map(String::as_str).collect();
            let filter = (!only.is_empty()).then_some(only.as_slice());
            for r in marts::refresh(&client, "cli", filter, full).await? {
                println!(
                    "{:<28} {:>10} rows {:>10.1} ms",
                    r.mart, r.rows, r.duration_ms
                );
            }
        }
        Which::Export {
            only,
            out,
            from,
            to,
        } => {
            if let (Some(f), Some(t)) = (from, to) {
                anyhow::ensure!(f <= t, "--from {f} is after --to {t}");
            }
            tokio::fs::create_dir_all(&out)
                .await
                .with_context(|| format!("creating {}", out.display()))?;
            for mart in marts::MARTS {
                if !only.is_empty() && !only.iter().any(|o| o == mart.name) {
                    continue;
                }
                let path = out.join(format!("{}.csv", mart.name));
                let mut file = tokio::fs::File::create(&path)
                    .await
                    .with_context(|| format!("creating {}", path.display()))?;
                let stream = marts::export_csv(&client, mart, from, to).await?;
                futures::pin_mut!(stream);
                let mut bytes = 0usize;
                while let Some(chunk) = stream.try_next().await? {
                    bytes += chunk.len();
                    file.write_all(&chunk).await?;
                }
                file.flush().await?;
                println!("{} ({bytes} bytes)", path.display());
            }
        }
        Which::Status => {
            let fresh = marts::freshness(&client).await?;
            for m in marts::MARTS {
                match fresh.iter().find(|f| f.mart == m.name) {
                    Some(f) => println!(
                        "{:<28} refreshed {} ({}) in {:.1} ms, {} rows",
                        m.name, f.last_refreshed_at, f.trigger, f.duration_ms, f.rows
                    ),
                    None => println!("{:<28} never refreshed", m.name),
                }
            }
        }
    }
    Ok(())
}

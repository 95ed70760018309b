//! `globalcart report --out FILE [--from DAY] [--to DAY]`: the Excel
//! management report (crate `globalcart-reports`) of a range of UTC days.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::error::ErrorKind;
use clap::Args;
use globalcart_common::PgSettings;
use globalcart_reports::Period;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where to write the workbook (.xlsx); replaced if it exists.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// First UTC day of the period, inclusive (default: the first day with data).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub from: Option<NaiveDate>,
    /// Last UTC day of the period, inclusive (default: the last day with data).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub to: Option<NaiveDate>,
}

/// A day as YYYY-MM-DD (clap turns the error into a usage error).
fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

pub async fn run(pg: &PgSettings, args: ReportArgs) -> anyhow::Result<()> {
    let period = Period {
        from: args.from,
        to: args.to,
    };
    if let (Some(from), Some(to)) = (period.from, period.to) {
        if from > to {
            ReportArgs::augment_args(clap::Command::new("globalcart report"))
                .error(
                    ErrorKind::ArgumentConflict,
                    format!("--from {from} is after --to {to}"),
                )
                .exit();
        }
    }
    let client = globalcart_analytics::connect(&pg.database_url)
        .await
        .context("connecting to PostgreSQL")?;
    let bytes = globalcart_reports::build(&client, &period)
        .await
        .context("building the report")?;
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    println!("{} ({} bytes)", args.out.display(), bytes.len());
    Ok(())
}

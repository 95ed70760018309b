//! The Excel management report of GlobalCart 360 (`globalcart report`, and
//! the admin download `GET /api/admin/report.xlsx`), written with
//! rust_xlsxwriter. Every number comes from the SQL layer (`kpi_period`, the
//! KPI views, the analytics tables); Rust only lays it out. Totals in the
//! cross-tabs are Excel `SUM` formulas whose stored result is SQL's total.
//!
//! # Layout
//! - [`build`]: the entry point; [`Period`] ([`period`]) its days.
//! - `report`: reads every sheet's data in one read-only snapshot, then writes
//!   the workbook.
//! - One module per sheet: [`summary`] ("KPI summary"), [`trend`] ("Monthly
//!   trend"), [`crosstab`] ("Category x Region", "Category x Region profit"),
//!   [`channel`] ("Channel x Month"), [`funnel`] ("Funnel"), [`leakage`]
//!   ("Profit leakage"), [`rfm`] ("RFM segments"), [`forecast`] ("Forecast"),
//!   [`definitions`] ("Definitions").
//! - [`format`]: number formats and the rows every sheet shares.
//! - `sql`: the statements of `sql/queries/report_*.sql`.
//! - [`error`]: the crate's [`Error`].
//!
//! Every table sheet has its title, period and as-of lines on rows 1–3 and
//! its header on row 5 ([`HEADER_ROW`] = 4, 0-based), frozen, with an
//! autofilter.

pub mod channel;
pub mod crosstab;
pub mod definitions;
pub mod error;
pub mod forecast;
pub mod format;
pub mod funnel;
pub mod leakage;
pub mod period;
mod report;
pub mod rfm;
pub mod summary;
pub mod trend;

pub use error::{Error, Result};
pub use format::HEADER_ROW;
pub use period::Period;

/// The report of `period` as .xlsx bytes. Reads in its own read-only
/// transaction on `client` (which must not be in one); writes the workbook on
/// a blocking thread.
pub async fn build(client: &tokio_postgres::Client, period: &Period) -> Result<Vec<u8>> {
    period.check()?;
    let report = report::Report::load(client, period).await?;
    tokio::task::spawn_blocking(move || report.write()).await?
}

//! The crate's one error type.

use chrono::NaiveDate;

/// Why a report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `from` is after `to`.
    #[error("the period starts on {from} after it ends on {to}")]
    Period { from: NaiveDate, to: NaiveDate },
    /// A statement of `sql/queries/` failed (the error names its file).
    #[error(transparent)]
    Sql(#[from] globalcart_common::Error),
    /// A control statement of the report's transaction failed.
    #[error("query {query}: {source}")]
    Query {
        query: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A statement that always returns a row returned none.
    #[error("query {0} returned no row")]
    NoRow(&'static str),
    /// The workbook could not be written.
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The blocking task that writes the workbook panicked or was cancelled.
    #[error("the workbook task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

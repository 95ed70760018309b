//! Reconcile: the warehouse against the stream. Reads the event topics (or a
//! window of them), applies the loader's newer-wins rule per entity, and
//! compares the result with the star schema entity by entity: counts and
//! totals per table, and the first differing keys with their columns.
//!
//! # Layout
//! - [`window`]: which records are compared, and how ([`Options`]).
//! - [`run`]: one run, [`reconcile`], from the stream to the [`Report`].
//! - [`stream`]: the topics' partitions read by parallel fetch-only consumers.
//! - [`collect`]: their messages decoded, the newest version per entity.
//! - [`rows`], [`cells`]: what is compared, per table and per value.
//! - [`sessions`]: the clickstream, compared per session.
//! - [`compare`]: entity by entity; counts, totals, the first differing keys.
//! - [`warehouse`]: the tables read in one snapshot; the runs stored.
//! - [`report`]: the outcome and its text form.
//! - [`record`]: a run's outcome kept for `/metrics`: in the warehouse and the gauges.
//!
//! Errors: [`Error`] (the crate's own, plus what only a run can meet).

pub mod cells;
pub mod collect;
pub mod compare;
pub mod record;
pub mod report;
pub mod rows;
pub mod run;
pub mod sessions;
pub mod stream;
pub mod warehouse;
pub mod window;

#[cfg(test)]
mod tests;

pub use record::{record, record_failure};
pub use report::Report;
pub use run::reconcile;
pub use window::{Options, Window};

/// What can stop a run (differences are its result, not an error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Load(#[from] crate::Error),
    #[error("{topic} partition {partition} stopped at offset {at}, short of its end {end}: nothing arrived for {secs} s")]
    Stalled {
        topic: String,
        partition: i32,
        at: i64,
        end: i64,
        secs: u64,
    },
    #[error("a stream reader stopped unexpectedly")]
    Reader,
}

macro_rules! via_crate_error {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::Load(e.into())
            }
        }
    )*};
}
via_crate_error!(
    tokio_postgres::Error,
    deadpool_postgres::PoolError,
    rdkafka::error::KafkaError,
    globalcart_common::Error
);

pub type Result<T, E = Error> = std::result::Result<T, E>;

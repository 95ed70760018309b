//! Plumbing shared by every GlobalCart 360 crate: settings, Postgres and Kafka.
//!
//! # Layout
//! - [`settings`]: the Postgres and Kafka settings every command shares (clap + env).
//! - [`db`]: connection pools, database creation and the migration runner.
//! - [`dictionary`]: the data dictionary, rendered from the database comments.
//! - [`kafka`]: client configuration and topic administration.
//! - [`marts`]: refresh and CSV export of the BI marts.
//! - [`metrics`]: every Prometheus metric of the process, in one registry.
//! - [`error`]: the crate's `Error`.

pub mod db;
pub mod dictionary;
pub mod error;
pub mod kafka;
pub mod marts;
pub mod metrics;
pub mod settings;

pub use error::{Error, Result};

/// `sql!("name")`: the statement of `sql/queries/name.sql` (one statement per
/// file), included at compile time by whichever workspace crate expands it.
#[macro_export]
macro_rules! sql {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../sql/queries/",
            $name,
            ".sql"
        ))
    };
}
pub use settings::{KafkaSettings, PgSettings};

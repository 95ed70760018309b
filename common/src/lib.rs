//! Plumbing shared by every GlobalCart 360 crate: settings, Postgres and Kafka.
//!
//! # Layout
//! - [`settings`]: the Postgres and Kafka settings every command shares (clap + env).
//! - [`db`]: connection pools, database creation and the migration runner.
//! - [`definitions`]: the views, functions and triggers, re-created when they change.
//! - [`dictionary`]: the data dictionary, rendered from the database comments.
//! - [`kafka`]: client configuration and topic administration.
//! - [`live`]: the time spans of the live KPIs (window, horizon, cache TTL).
//! - [`marts`]: refresh and CSV export of the BI marts.
//! - [`metrics`]: every Prometheus metric of the process, in one registry.
//! - [`query`]: the one runner of the statements of `sql/queries/` (`query!`).
//! - [`error`]: the crate's `Error`.

pub mod db;
pub mod definitions;
pub mod dictionary;
pub mod error;
pub mod kafka;
pub mod live;
pub mod marts;
pub mod metrics;
pub mod query;
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

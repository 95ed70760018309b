//! One file per subcommand.

pub mod analytics;
pub mod bench;
pub mod consume;
pub mod copy_ceiling;
pub mod data_dictionary;
pub mod dlq;
pub mod fetch_ceiling;
pub mod freshness;
pub mod marts;
pub mod migrate;
pub mod pipeline;
pub mod produce;
pub mod reconcile;
pub mod replay;
pub mod report;
pub mod serve;
pub mod soak;
pub mod topics;
pub mod topics_tail;
pub mod up;

//! One file per subcommand (`bench/`: one file per benchmark).

pub mod analytics;
pub mod bench;
pub mod consume;
pub mod data_dictionary;
pub mod dlq;
pub mod marts;
pub mod migrate;
pub mod produce;
pub mod reconcile;
pub mod replay;
pub mod report;
pub mod serve;
pub mod topics;
pub mod topics_tail;
pub mod up;

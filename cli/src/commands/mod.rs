//! One file per subcommand.

pub mod bench;
pub mod consume;
pub mod dlq;
pub mod freshness;
pub mod migrate;
pub mod produce;
pub mod replay;
pub mod serve;
pub mod topics;
pub mod up;

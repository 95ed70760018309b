//! The consumers of GlobalCart 360: a consumer group over every event topic that
//! loads the star schema exactly-once in effect.
//!
//! # Layout
//! - [`consumer`]: the loop — poll a batch, [`consumer::process_batch`], repeat;
//!   seeks to the offsets stored in Postgres on partition assignment.
//! - [`decode`]: raw messages → typed events per table, poison messages set aside,
//!   keys deduplicated within the batch (newest version wins).
//! - [`load`]: one transaction per batch: every table's upsert, rejects, offsets,
//!   watermarks.
//! - [`handlers`]: one file per topic building its tables' column arrays.
//! - [`query`]: the SQL files of `sql/queries/` and the helper that runs them.
//! - [`dlq`]: the dead-letter topic.
//! - [`reconcile`]: the warehouse compared with the stream, entity by entity.
//! - [`settings`], [`error`].

pub mod consumer;
pub mod decode;
pub mod dlq;
pub mod error;
pub mod handlers;
pub mod load;
pub mod query;
pub mod reconcile;
pub mod settings;

pub use consumer::{process_batch, run_until_stopped};
pub use decode::RawMessage;
pub use error::{Error, Result};
pub use settings::{ConsumerSettings, StartAt};

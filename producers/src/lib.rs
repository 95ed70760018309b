//! The producers of GlobalCart 360: a deterministic synthetic business and the
//! Kafka publisher that streams it.
//!
//! # Layout
//! - [`generator`]: the synthetic business (customers, catalog, orders with their
//!   payments, shipments, returns and funnel sessions), history and live modes,
//!   and the manifest of what a history must load into.
//! - [`publish`]: the Kafka publisher with duplicate and reorder injection.
//! - [`run`]: the `produce` command's two modes (history, live).
//! - [`error`]: the crate's `Error`.

pub mod error;
pub mod generator;
pub mod publish;
pub mod run;

pub use error::{Error, Result};

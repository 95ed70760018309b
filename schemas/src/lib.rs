//! The event contract of GlobalCart 360.
//!
//! # Layout
//! - [`topics`]: the topic names and which event each carries.
//! - [`events`]: one typed Rust event per Avro schema (`schemas/avro/*.avsc`).
//! - [`contract`]: the semantic rules every event keeps (ids, money, currencies,
//!   times); each event's `validate` applies them.
//! - [`codec`]: Avro single-object encoding (marker + writer-schema fingerprint),
//!   with writer schemas resolved by fingerprint from the schemas compiled in.
//! - [`fingerprint`]: the specification's schema fingerprint (CRC-64-AVRO of the
//!   Parsing Canonical Form) and the legacy one still read.
//! - [`status`]: the order, payment, shipment and return statuses as enums.
//! - [`error`]: the crate's `Error`.
//!
//! Money is carried as `long` minor units (hundredths of the currency unit) so that
//! sums are exact end to end; timestamps are `timestamp-micros`, dates `date`.

pub mod codec;
pub mod contract;
pub mod error;
pub mod events;
pub mod fingerprint;
pub mod status;
pub mod topics;

pub use codec::{decode, encode, Registry};
pub use error::{Error, Result};
pub use events::*;
pub use status::{OrderStatus, PaymentStatus, ReturnStatus, ShipmentStatus};
pub use topics::Topic;

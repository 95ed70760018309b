//! The GlobalCart 360 HTTP API.
//!
//! # Layout
//! - [`http`]: the router, its shared state and the server; one file per area
//!   (`health.rs` today; KPIs, shop, admin and reports follow).
//! - [`error`]: the API's one `Error`, rendered as a JSON error response.

pub mod error;
pub mod http;

pub use error::{Error, Result};
pub use http::{router, serve, AppState};

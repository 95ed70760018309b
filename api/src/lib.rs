//! The GlobalCart 360 HTTP API.
//!
//! # Layout
//! - [`http`]: the router, its shared state and the server; one file per area
//!   (`health.rs` today; KPIs, shop, admin and reports follow).
//! - [`kpis`]: the rolling live-KPI cache and the listener that keeps it current.
//! - [`auth`]: passwords, signed session cookies, CSRF, the admin account.
//! - [`error`]: the API's one `Error`, rendered as a JSON error response.

pub mod auth;
pub mod error;
pub mod http;
pub mod kpis;

pub use error::{Error, Result};
pub use http::{router, serve, AppState};

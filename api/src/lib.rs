//! The GlobalCart 360 HTTP API.
//!
//! # Layout
//! - [`app`]: [`App::build`], the one place the API and its background tasks
//!   are assembled (serve, up, the benchmarks and the tests call it).
//! - [`http`]: the router, its shared state and the server; one file per area
//!   (health, KPIs, admin sign-in, admin views, OpenAPI, metrics, web pages).
//! - [`kpis`]: the rolling live-KPI cache and the listener that keeps it current.
//! - [`auth`]: the admin account, its session and the readers of the KPIs and
//!   metrics (sessions, passwords and limits themselves are in
//!   `globalcart_httpkit`, shared with the shop).
//! - The customer shop is its own crate, `globalcart_shop`, merged into the
//!   router with its state ([`http::router`]) and run beside it.
//! - [`monitor`]: what the API measures every 10 s for the alerts: whether
//!   Postgres and the broker answer, the loader group's lag, the marts' ages.
//! - [`error`]: the HTTP `Error` (`globalcart_httpkit::error`, shared with the
//!   shop), rendered as a JSON error response.

pub mod app;
pub mod auth;
pub mod http;
pub mod kpis;
pub mod monitor;

pub use globalcart_httpkit::error;

pub use app::{App, AppSettings};
pub use error::{Error, Result};
pub use http::{router, serve, AppState};

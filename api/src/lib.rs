//! The GlobalCart 360 HTTP API.
//!
//! # Layout
//! - [`app`]: [`App::build`], the one place the API and its background tasks
//!   are assembled (serve, up, the benchmarks and the tests call it).
//! - [`http`]: the router, its shared state and the server; one file per area
//!   (health, KPIs, admin sign-in, admin views, OpenAPI, metrics, web pages).
//! - [`kpis`]: the rolling live-KPI cache and the listener that keeps it current.
//! - [`auth`]: passwords, signed session cookies, CSRF, the admin account.
//! - [`shop`]: the customer shop: accounts, catalog, cart, checkout, payments,
//!   orders, and the outbox that publishes every shop event to Kafka.
//! - [`monitor`]: what the API measures every 10 s for the alerts: whether
//!   Postgres and the broker answer, the loader group's lag, the marts' ages.
//! - [`error`]: the API's one `Error`, rendered as a JSON error response.

pub mod app;
pub mod auth;
pub mod error;
pub mod http;
pub mod kpis;
pub mod monitor;
pub mod shop;

pub use app::{App, AppSettings};
pub use error::{Error, Result};
pub use http::{router, serve, AppState};

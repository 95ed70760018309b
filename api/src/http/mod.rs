//! The router, its state, and the server.

mod admin;
mod admin_views;
mod analytics;
mod days;
mod errors;
mod health;
mod inputs;
mod kpis;
mod marts;
mod metrics;
mod openapi;
mod report;
pub mod server;
pub mod web;

use std::future::Future;

use axum::Router;
use deadpool_postgres::Pool;
use globalcart_common::KafkaSettings;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::Auth;
use crate::kpis::KpiCache;
use crate::shop::{self, Shop};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub kafka: KafkaSettings,
    /// The live KPI cache (kept current by [`crate::kpis::listener`]).
    pub kpis: KpiCache,
    /// Cookie signing key ([`Auth::bootstrap`]).
    pub auth: Auth,
    /// The shop: its producer, outbox relay and catalog snapshot.
    pub shop: Shop,
}

/// Every route of the API.
pub fn router(state: AppState) -> Router {
    globalcart_common::metrics::init();
    let shop = shop::router().route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        shop::visitor::layer,
    ));
    Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(kpis::router())
        .merge(openapi::router())
        .merge(admin::router())
        .merge(admin_views::router())
        .merge(analytics::router())
        .merge(report::router())
        .merge(marts::router())
        .merge(shop)
        .merge(web::router())
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn(inputs::reject_control_chars))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            server::Limits::default().body_read,
        ))
        .layer(axum::middleware::from_fn(errors::json_errors))
        .layer(axum::middleware::from_fn(web::security_headers))
        .with_state(state)
}

/// Serves the API on an already-bound `listener` until `shutdown` completes,
/// with the shop's outbox relay and clock and the [`crate::monitor`] running
/// beside it (the relay publishes what is left before this returns).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(addr = %listener.local_addr()?, "api listening");
    let (stop, stopped) = watch::channel(false);
    let relay = tokio::spawn(shop::outbox::run(state.clone(), stopped.clone()));
    let clock = tokio::spawn(shop::fulfilment::run(state.clone(), stopped.clone()));
    let monitor = tokio::spawn(crate::monitor::run(state.clone(), stopped));
    let served = server::run(listener, router(state), server::Limits::default(), shutdown).await;
    let _ = stop.send(true);
    let _ = tokio::join!(relay, clock, monitor);
    served
}

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
use axum::extract::FromRef;
use globalcart_shop::{Shop, ShopState};

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
    let shop = globalcart_shop::router(ShopState::from_ref(&state));
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
        .merge(web::router())
        .with_state(state)
        .merge(shop)
        .route_layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn(inputs::reject_control_chars))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            server::Limits::default().body_read,
        ))
        .layer(axum::middleware::from_fn(errors::json_errors))
        .layer(axum::middleware::from_fn(web::security_headers))
}

impl FromRef<AppState> for ShopState {
    fn from_ref(state: &AppState) -> ShopState {
        ShopState {
            pool: state.pool.clone(),
            shop: state.shop.clone(),
            key: state.auth.key.clone(),
            proxies: state.auth.proxies.clone(),
        }
    }
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
    let shop = tokio::spawn(globalcart_shop::run(
        ShopState::from_ref(&state),
        stopped.clone(),
    ));
    let monitor = tokio::spawn(crate::monitor::run(state.clone(), stopped));
    let served = server::run(listener, router(state), server::Limits::default(), shutdown).await;
    let _ = stop.send(true);
    let _ = tokio::join!(shop, monitor);
    served
}

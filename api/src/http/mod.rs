//! The router, its state, and the server.

mod admin;
mod health;
mod kpis;
mod metrics;
mod openapi;

use std::future::Future;

use axum::Router;
use deadpool_postgres::Pool;
use globalcart_common::KafkaSettings;
use tokio::net::TcpListener;

use crate::auth::Auth;
use crate::kpis::KpiCache;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub kafka: KafkaSettings,
    /// The live KPI cache (kept current by [`crate::kpis::listener`]).
    pub kpis: KpiCache,
    /// Cookie signing key ([`Auth::bootstrap`]).
    pub auth: Auth,
}

/// Every route of the API.
pub fn router(state: AppState) -> Router {
    globalcart_common::metrics::init();
    Router::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(kpis::router())
        .merge(openapi::router())
        .merge(admin::router())
        .route_layer(axum::middleware::from_fn(metrics::track))
        .with_state(state)
}

/// Serves the API on an already-bound `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(addr = %listener.local_addr()?, "api listening");
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

//! `/healthz` (the process is up) and `/readyz` (Postgres and the broker answer,
//! by the checks [`crate::monitor`] also runs every 10 s for the alerts).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::AppState;
use crate::error::{Error, Result};
use crate::monitor;

/// Total consumer lag over the partitions this process consumes (0 when the
/// process runs no consumer, as `globalcart serve` alone).
fn consumer_lag() -> i64 {
    use prometheus::core::Collector;
    globalcart_common::metrics::CONSUMER_LAG
        .collect()
        .iter()
        .flat_map(|f| f.get_metric())
        .map(|m| m.get_gauge().get_value() as i64)
        .sum()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Result<Json<Value>> {
    let deps = monitor::check_dependencies(&state).await;
    deps.postgres
        .map_err(|e| Error::Unavailable(format!("postgres: {e}")))?;
    let topics = deps
        .kafka
        .map_err(|e| Error::Unavailable(format!("broker: {e}")))?;
    let lag = consumer_lag();
    let bound = monitor::max_lag();
    if lag > bound {
        return Err(Error::Unavailable(format!(
            "consumer lag {lag} messages is over the bound of {bound} (READY_MAX_LAG)"
        )));
    }
    Ok(Json(json!({
        "status": "ready", "postgres": "ok", "broker": "ok",
        "topics": topics.len(), "consumer_lag": lag, "max_lag": bound
    })))
}

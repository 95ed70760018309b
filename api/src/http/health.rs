//! `/healthz` (the process is up) and `/readyz` (Postgres and the broker answer).

use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::AppState;
use crate::error::{Error, Result};

/// The lag bound of `/readyz` (READY_MAX_LAG, default 100 000 messages).
fn max_lag() -> i64 {
    std::env::var("READY_MAX_LAG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

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
    let db = async {
        let client = state.pool.get().await.map_err(|e| e.to_string())?;
        client
            .query_one("select 1", &[])
            .await
            .map_err(|e| e.to_string())
    };
    tokio::time::timeout(Duration::from_secs(3), db)
        .await
        .map_err(|_| Error::Unavailable("postgres: no answer within 3 s".into()))?
        .map_err(|e| Error::Unavailable(format!("postgres: {e}")))?;
    let kafka = state.kafka.clone();
    let topics = tokio::task::spawn_blocking(move || {
        globalcart_common::kafka::list_topics(&kafka, Some(&kafka.topic_prefix))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
    .map_err(|e| Error::Unavailable(format!("broker: {e}")))?;
    let lag = consumer_lag();
    let bound = max_lag();
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

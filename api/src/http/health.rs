//! `/healthz` (the process is up) and `/readyz` (Postgres and the broker answer).

use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::AppState;
use crate::error::{Error, Result};

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
    Ok(Json(
        json!({"status": "ready", "postgres": "ok", "broker": "ok", "topics": topics.len()}),
    ))
}

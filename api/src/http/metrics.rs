//! `/metrics` in the Prometheus text format, and the middleware that counts and
//! times every request by route template (never the raw path: bounded labels).
//! The gauges of the latest `globalcart reconcile` are read from the warehouse
//! at each scrape (the command exits; its result stays in `etl_reconcile_runs`).

use globalcart_common::query;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use globalcart_common::metrics::{
    render, HTTP_REQUESTS, HTTP_SECONDS, RECONCILE_DIFFERENCES, RECONCILE_LAST_RUN,
    RECONCILE_LAST_SUCCESS,
};

use super::AppState;
use crate::auth::session::MetricsReader;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>, _: MetricsReader) -> impl IntoResponse {
    publish_reconcile(&state.pool).await;
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        render(),
    )
}

/// Sets the reconcile gauges from the latest run recorded in the warehouse
/// (left as they are when the database does not answer within a second).
async fn publish_reconcile(pool: &deadpool_postgres::Pool) {
    let read = async {
        let client = pool.get().await.ok()?;
        query!("reconcile_last_select")
            .rows(&client, &[])
            .await
            .map_err(|e| tracing::debug!(error = %e, "reading the latest reconcile run"))
            .ok()
    };
    let Ok(Some(rows)) = tokio::time::timeout(Duration::from_secs(1), read).await else {
        return;
    };
    if let Some(first) = rows.first() {
        RECONCILE_DIFFERENCES.reset();
        RECONCILE_LAST_RUN.set(first.get("last_run_epoch"));
        RECONCILE_LAST_SUCCESS.set(
            first
                .get::<_, Option<f64>>("last_success_epoch")
                .unwrap_or(0.0),
        );
    }
    for r in &rows {
        if let Some(table) = r.get::<_, Option<&str>>("table_name") {
            RECONCILE_DIFFERENCES
                .with_label_values(&[table])
                .set(r.get::<_, Option<i64>>("differences").unwrap_or(0));
        }
    }
}

/// Counts and times the request under its route template.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    HTTP_SECONDS
        .with_label_values(&[route.as_str(), method.as_str()])
        .observe(started.elapsed().as_secs_f64());
    HTTP_REQUESTS
        .with_label_values(&[route.as_str(), method.as_str(), status.as_str()])
        .inc();
    response
}

//! The BI marts for the admin: their freshness (`GET /api/admin/marts`), a
//! refresh on demand (`POST /api/admin/marts/refresh`, CSRF-checked) and each
//! mart as CSV (`GET /api/admin/marts/{mart}.csv?from=&to=`, streamed from
//! `COPY`, limited to the days given when the mart is dated).

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use globalcart_common::marts;
use serde_json::{json, Value};

use super::days::Days;
use super::AppState;
use crate::auth::session::AdminSession;
use crate::error::{Error, Result};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/marts", get(list))
        .route("/api/admin/marts/refresh", post(refresh))
        .route("/api/admin/marts/{file}", get(export))
}

async fn list(State(state): State<AppState>, _: AdminSession) -> Result<Json<Value>> {
    let client = state.pool.get().await?;
    let fresh = marts::freshness(&client).await?;
    let items: Vec<Value> = marts::MARTS
        .iter()
        .map(|m| {
            let f = fresh.iter().find(|f| f.mart == m.name);
            json!({
                "mart": m.name,
                "grain": m.grain,
                "csv": format!("/api/admin/marts/{}.csv", m.name),
                "last_refreshed_at": f.map(|f| f.last_refreshed_at),
                "duration_ms": f.map(|f| f.duration_ms),
                "rows": f.map(|f| f.rows),
                "trigger": f.map(|f| f.trigger.clone()),
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn refresh(State(state): State<AppState>, admin: AdminSession) -> Result<Json<Value>> {
    admin.check_csrf()?;
    let client = state.pool.get().await?;
    let done = marts::refresh(&client, "api", None, false).await?;
    Ok(Json(json!({ "refreshed": done })))
}

async fn export(
    State(state): State<AppState>,
    _: AdminSession,
    Path(file): Path<String>,
    Query(q): Query<Days>,
) -> Result<Response> {
    let mart = file
        .strip_suffix(".csv")
        .and_then(marts::find)
        .ok_or_else(|| {
            Error::NotFound(format!("mart: one of {} (as <mart>.csv)", marts::names()))
        })?;
    let (from, to) = q.parse()?;
    let client = state.pool.get().await?;
    let stream = marts::export_csv(&client, mart, from, to).await?;
    // the pooled connection stays checked out until the body is sent
    let body = stream.map(move |chunk| {
        let _keep = &client;
        chunk
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", mart.name),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

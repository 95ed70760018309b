//! The Excel management report for the admin: `GET
//! /api/admin/report.xlsx?from=&to=` (UTC days, inclusive, either optional),
//! built by `globalcart-reports`, the same workbook as `globalcart report`.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use globalcart_reports::Period;

use super::days::Days;
use super::AppState;
use crate::auth::session::AdminSession;
use crate::error::{Error, Result};

/// Content type of an .xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn router() -> Router<AppState> {
    Router::new().route("/api/admin/report.xlsx", get(download))
}

async fn download(
    State(state): State<AppState>,
    _: AdminSession,
    Query(q): Query<Days>,
) -> Result<Response> {
    let (from, to) = q.parse()?;
    let period = Period { from, to };
    let client = state.pool.get().await?;
    // its own task: a client that goes away does not cut the report's
    // transaction short on a pooled connection
    let bytes = tokio::spawn(async move { globalcart_reports::build(&client, &period).await })
        .await
        .map_err(|e| Error::internal("the report task", e))?
        .map_err(|e| Error::internal("building the report", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"globalcart-report.xlsx\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response())
}

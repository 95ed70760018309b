//! Every 4xx answer under `/api/` is the JSON error envelope, including the
//! ones axum writes itself (a malformed JSON body or query string, an unknown
//! path, a wrong method), which come as plain text.

use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Largest plain-text rejection rewritten (axum's are one line).
const MAX_BODY: usize = 16 * 1024;

pub async fn json_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let json = res
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !api || !status.is_client_error() || json {
        return res;
    }
    let body = axum::body::to_bytes(res.into_body(), MAX_BODY)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body).trim().to_string();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text
    };
    let kind = match status.as_u16() {
        404 => "not_found",
        405 => "method_not_allowed",
        415 => "unsupported_media_type",
        422 => "invalid",
        _ => "bad_request",
    };
    let error = json!({"error": {"type": kind, "status": status.as_u16(), "message": message}});
    (status, Json(error)).into_response()
}

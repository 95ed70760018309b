//! The web pages (`web/`): `/shop/` and `/admin/` with their assets, served
//! from disk, plus the security headers every response carries.

use std::path::PathBuf;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;

use super::AppState;

/// The Content-Security-Policy: everything from this origin only, no inline
/// script, no framing.
pub const CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; \
frame-ancestors 'none'";

/// Where the pages live: `WEB_DIR`, else `web/` under the current directory.
pub fn web_dir() -> PathBuf {
    std::env::var_os("WEB_DIR").map_or_else(|| PathBuf::from("web"), PathBuf::from)
}

pub fn router() -> Router<AppState> {
    let dir = web_dir();
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/shop/") }))
        .route("/shop", get(|| async { Redirect::permanent("/shop/") }))
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .nest_service("/shop/", ServeDir::new(dir.join("shop")))
        .nest_service("/admin/", ServeDir::new(dir.join("admin")))
        .nest_service("/assets/", ServeDir::new(dir.join("assets")))
        .nest_service("/vendor/", ServeDir::new(dir.join("vendor")))
}

/// Adds the security headers; pages and API answers are never cached by
/// shared caches (they carry per-user data), static assets briefly.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("geolocation=(), camera=(), microphone=(self)"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        let policy = if path.starts_with("/vendor/") || path.starts_with("/assets/") {
            "public, max-age=300"
        } else {
            "no-store"
        };
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

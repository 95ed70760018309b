//! The admin's session and the readers of the KPI and metrics endpoints, on
//! top of the shared sessions of [`globalcart_httpkit::session`].

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Key, SignedCookieJar};
use globalcart_common::query;
use uuid::Uuid;

pub use globalcart_httpkit::session::*;

use crate::error::{Error, Result};
use crate::http::AppState;

/// Name of the admin session cookie.
pub const ADMIN_COOKIE: &str = "gc_admin";
/// Lifetime of an admin session.
pub const ADMIN_SESSION_SECS: f64 = 12.0 * 3600.0;

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.auth.key.clone()
    }
}

/// A signed-in admin (extractor: 401 without a live admin session).
#[derive(Debug, Clone)]
pub struct AdminSession {
    pub id: Uuid,
    pub csrf_token: String,
    /// The CSRF header of the request, if any.
    sent_csrf: Option<String>,
}

impl AdminSession {
    /// 403 unless the request echoed the session's CSRF token.
    pub fn check_csrf(&self) -> Result<()> {
        match &self.sent_csrf {
            Some(t) if constant_time_eq(t.as_bytes(), self.csrf_token.as_bytes()) => Ok(()),
            Some(_) => Err(Error::Forbidden("header X-CSRF-Token: wrong token".into())),
            None => Err(Error::Forbidden(
                "header X-CSRF-Token: missing (state-changing requests must echo the session's token)"
                    .into(),
            )),
        }
    }
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let jar = SignedCookieJar::from_headers(&parts.headers, state.auth.key.clone());
        let id = jar
            .get(ADMIN_COOKIE)
            .and_then(|c| Uuid::parse_str(c.value()).ok())
            .ok_or_else(|| Error::Unauthorized("sign in as admin first".into()))?;
        let row = query!("app_session_select")
            .opt(&client(&state.pool).await?, &[&id, &"admin"])
            .await
            .map_err(db)?
            .ok_or_else(|| Error::Unauthorized("the admin session expired or ended".into()))?;
        Ok(AdminSession {
            id,
            csrf_token: row.get("csrf_token"),
            sent_csrf: parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        })
    }
}

/// May read the KPI API: an admin session, or anyone when the KPIs are
/// public ([`crate::auth::AuthSettings::public_kpis`]).
#[derive(Debug, Clone, Copy)]
pub struct KpiReader;

impl FromRequestParts<AppState> for KpiReader {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if state.auth.public_kpis {
            return Ok(KpiReader);
        }
        AdminSession::from_request_parts(parts, state)
            .await
            .map(|_| KpiReader)
    }
}

/// May scrape `/metrics` (business gauges: revenue, orders, AOV): Prometheus
/// with `Authorization: Bearer <METRICS_TOKEN>` when a token is configured;
/// without one, only a direct loopback request (no proxy or tunnel headers,
/// so a Cloudflare tunnel's visitors are refused).
#[derive(Debug, Clone, Copy)]
pub struct MetricsReader;

impl FromRequestParts<AppState> for MetricsReader {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(token) = &state.auth.metrics_token {
            let given = parts
                .headers
                .get(axum::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            return if constant_time_eq(given.as_bytes(), token.as_bytes()) {
                Ok(MetricsReader)
            } else {
                Err(Error::Unauthorized(
                    "/metrics needs the header Authorization: Bearer <METRICS_TOKEN>".into(),
                ))
            };
        }
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        let proxied = [
            "forwarded",
            "x-forwarded-for",
            "x-real-ip",
            "cf-connecting-ip",
        ]
        .iter()
        .any(|h| parts.headers.contains_key(*h));
        if peer.is_some_and(|p| p.ip().is_loopback()) && !proxied {
            Ok(MetricsReader)
        } else {
            Err(Error::Forbidden(
                "/metrics answers only local requests; set METRICS_TOKEN to scrape it from elsewhere (Authorization: Bearer)".into(),
            ))
        }
    }
}

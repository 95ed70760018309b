//! Signed session cookies backed by `app_sessions`, and the CSRF check.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};
use globalcart_common::query;
use rand::RngCore;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::http::AppState;

/// Name of the admin session cookie.
pub const ADMIN_COOKIE: &str = "gc_admin";
/// Lifetime of an admin session.
pub const ADMIN_SESSION_SECS: f64 = 12.0 * 3600.0;
/// Header that carries the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.auth.key.clone()
    }
}

/// True when the client reached us over TLS (directly or through a proxy
/// such as a Cloudflare tunnel that sets `X-Forwarded-Proto`).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .next()
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
        })
}

fn token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The cookie of a session: signed, HttpOnly, SameSite=Lax, Secure over TLS.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

async fn client(state: &AppState) -> Result<deadpool_postgres::Object> {
    state
        .pool
        .get()
        .await
        .map_err(|e| Error::Unavailable(format!("postgres: {e}")))
}

fn db(e: globalcart_common::Error) -> Error {
    Error::Unavailable(format!("postgres: {e}"))
}

/// Opens a session of `kind`; returns its id and CSRF token.
pub async fn open(
    state: &AppState,
    kind: &str,
    customer_id: Option<i64>,
    lifetime_secs: f64,
) -> Result<(Uuid, String)> {
    let (id, csrf) = (Uuid::new_v4(), token());
    query!("app_session_insert")
        .execute(
            &client(state).await?,
            &[&id, &kind, &customer_id, &csrf, &lifetime_secs],
        )
        .await
        .map_err(db)?;
    Ok((id, csrf))
}

/// Ends session `id`.
pub async fn revoke(state: &AppState, id: Uuid) -> Result<()> {
    query!("app_session_revoke")
        .execute(&client(state).await?, &[&id])
        .await
        .map_err(db)?;
    Ok(())
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

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
            .opt(&client(state).await?, &[&id, &"admin"])
            .await
            .map_err(db)?
            .ok_or_else(|| Error::Unauthorized("the admin session expired or ended".into()))?;
        Ok(AdminSession {
            id,
            csrf_token: row.get(1),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_recognised_behind_a_proxy() {
        let mut h = HeaderMap::new();
        assert!(!is_https(&h));
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(is_https(&h));
        h.insert("x-forwarded-proto", "http".parse().unwrap());
        assert!(!is_https(&h));
        h.insert("x-forwarded-proto", "HTTPS, http".parse().unwrap());
        assert!(is_https(&h));
    }

    #[test]
    fn cookies_are_http_only_and_lax_and_secure_only_over_tls() {
        let c = cookie(ADMIN_COOKIE, "x".into(), false).to_string();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(cookie(ADMIN_COOKIE, "x".into(), true)
            .to_string()
            .contains("Secure"));
    }
}

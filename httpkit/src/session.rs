//! Server-side sessions behind signed cookies (`app_sessions`), shared by the
//! admin and the shop: the cookie, opening and ending a session, the CSRF
//! header, and the checks around them.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, SameSite};
use deadpool_postgres::Pool;
use globalcart_common::query;
use rand::RngCore;
use uuid::Uuid;

use crate::error::{Error, Result};

/// Header that carries the session's CSRF token on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

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

/// A connection for a session lookup (503 when Postgres is away).
pub async fn client(pool: &Pool) -> Result<deadpool_postgres::Object> {
    pool.get()
        .await
        .map_err(|e| Error::Unavailable(format!("postgres: {e}")))
}

/// A failed session statement: the sessions are unavailable, not broken.
pub fn db(e: globalcart_common::Error) -> Error {
    Error::Unavailable(format!("postgres: {e}"))
}

/// Opens a session of `kind`; returns its id and CSRF token.
pub async fn open(
    pool: &Pool,
    kind: &str,
    customer_id: Option<i64>,
    lifetime_secs: f64,
) -> Result<(Uuid, String)> {
    let (id, csrf) = (Uuid::new_v4(), token());
    query!("app_session_insert")
        .execute(
            &client(pool).await?,
            &[&id, &kind, &customer_id, &csrf, &lifetime_secs],
        )
        .await
        .map_err(db)?;
    Ok((id, csrf))
}

/// Ends session `id`.
pub async fn revoke(pool: &Pool, id: Uuid) -> Result<()> {
    query!("app_session_revoke")
        .execute(&client(pool).await?, &[&id])
        .await
        .map_err(db)?;
    Ok(())
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
        let c = cookie("gc_test", "x".into(), false).to_string();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(cookie("gc_test", "x".into(), true)
            .to_string()
            .contains("Secure"));
    }
}

//! Admin sign-in: `POST /api/admin/login` (JSON `{"password": …}`; sets the
//! signed session cookie and returns the CSRF token), `GET /api/admin/session`
//! and `POST /api/admin/logout` (needs the session and its CSRF token).
//! The login takes JSON only, so a cross-site form cannot post it.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::{Cookie, SignedCookieJar};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use crate::auth::admin_password_matches;
use crate::auth::session::{self, AdminSession, ADMIN_COOKIE, ADMIN_SESSION_SECS};
use crate::error::{Error, Result};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/login", post(login))
        .route("/api/admin/session", get(current))
        .route("/api/admin/logout", post(logout))
}

#[derive(Debug, Deserialize)]
struct Login {
    password: String,
}

async fn login(
    State(state): State<AppState>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    jar: SignedCookieJar,
    body: std::result::Result<Json<Login>, axum::extract::rejection::JsonRejection>,
) -> Result<impl IntoResponse> {
    let Json(body) = body.map_err(|e| {
        Error::BadRequest(format!(
            "body: expected JSON {{\"password\": \"…\"}} ({})",
            e.body_text()
        ))
    })?;
    // counted before the (slow) check, per client address and overall
    let ip = state
        .auth
        .proxies
        .client_ip(&headers, peer.map(|axum::Extension(c)| c.0));
    let (per_address, overall) = &*state.auth.admin_attempts;
    if !per_address.take(&ip) || !overall.take("admin") {
        return Err(Error::TooManyRequests {
            message: "too many sign-in attempts; try again in 15 minutes".into(),
            details: json!({"retry_after_secs": per_address.window().as_secs()}),
        });
    }
    if !admin_password_matches(&state.pool, &body.password).await? {
        return Err(Error::Unauthorized("password: wrong admin password".into()));
    }
    per_address.forgive(&ip);
    let (id, csrf) = session::open(&state.pool, "admin", None, ADMIN_SESSION_SECS).await?;
    let jar = jar.add(session::cookie(
        ADMIN_COOKIE,
        id.to_string(),
        session::is_https(&headers),
    ));
    Ok((jar, Json(json!({"csrf_token": csrf}))))
}

async fn current(admin: AdminSession) -> Json<serde_json::Value> {
    Json(json!({"authenticated": true, "csrf_token": admin.csrf_token}))
}

async fn logout(
    State(state): State<AppState>,
    admin: AdminSession,
    jar: SignedCookieJar,
) -> Result<impl IntoResponse> {
    admin.check_csrf()?;
    session::revoke(&state.pool, admin.id).await?;
    let jar = jar.remove(Cookie::build(ADMIN_COOKIE).path("/"));
    Ok((jar, StatusCode::NO_CONTENT))
}

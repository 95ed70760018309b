//! Accounts and sessions of the web app (`sql/migrations/010_app_auth.sql`).
//!
//! - Session cookies are signed (HMAC, `axum_extra` signed cookie jar), HttpOnly,
//!   SameSite=Lax, and Secure behind TLS (`X-Forwarded-Proto: https`); each
//!   names a server-side session (`app_sessions`) that can expire and be
//!   revoked, and that carries the CSRF token every state-changing request
//!   must echo in `X-CSRF-Token` ([`session`]).
//! - The cookie key comes from `SESSION_SECRET` or is generated once and kept
//!   in `app_secrets`, so every process and restart shares it.
//! - The admin password comes from `ADMIN_PASSWORD` (stored argon2-hashed) or,
//!   when none is set, is generated at first start and printed once; there is
//!   no default password ([`password`]).

pub mod session;

pub use globalcart_httpkit::{client, limits, password};

use globalcart_common::query;
use std::sync::Arc;
use std::time::Duration;

use axum_extra::extract::cookie::Key;
use deadpool_postgres::Pool;
use rand::RngCore;

use crate::error::{Error, Result};

/// What the operator sets (flags or environment of `serve` / `up`).
#[derive(Debug, Clone, Default)]
pub struct AuthSettings {
    /// The admin password; generated at first start when unset.
    pub admin_password: Option<String>,
    /// Secret for signing session cookies (at least 32 bytes); generated and
    /// kept in the database when unset.
    pub session_secret: Option<String>,
    /// Serve `/api/kpis/*` without an admin session (for a trusted network or an
    /// embedding dashboard); off by default: revenue is not public.
    pub public_kpis: bool,
    /// Bearer token Prometheus sends to scrape `/metrics`; when unset,
    /// `/metrics` answers only direct loopback requests (it shows revenue).
    pub metrics_token: Option<String>,
    /// Proxies whose forwarded headers name the client (rate limits, logs).
    pub trusted_proxies: client::TrustedProxies,
}

/// Admin sign-in attempts per client address in 15 minutes.
pub const ADMIN_ATTEMPTS_PER_ADDRESS: u32 = 10;
/// Admin sign-in attempts from all addresses together in 15 minutes (a
/// distributed guess still meets a limit).
pub const ADMIN_ATTEMPTS_ALL: u32 = 100;

/// The app's signing key.
#[derive(Clone)]
pub struct Auth {
    pub key: Key,
    /// See [`AuthSettings::public_kpis`].
    pub public_kpis: bool,
    /// See [`AuthSettings::metrics_token`].
    pub metrics_token: Option<String>,
    /// See [`AuthSettings::trusted_proxies`].
    pub proxies: client::TrustedProxies,
    /// Admin sign-in attempts, per client address and all together.
    pub admin_attempts: Arc<(limits::Attempts, limits::Attempts)>,
}

fn db(e: impl std::fmt::Display) -> Error {
    Error::Unavailable(format!("postgres: {e}"))
}

impl Auth {
    /// Prepares authentication against the database: the cookie key and the
    /// admin password. Returns the admin password when this call generated it
    /// (the caller prints it, once; it is never stored in clear).
    pub async fn bootstrap(pool: &Pool, settings: &AuthSettings) -> Result<(Auth, Option<String>)> {
        let client = pool.get().await.map_err(db)?;
        let master: Vec<u8> = match &settings.session_secret {
            Some(s) if s.len() >= 32 => s.as_bytes().to_vec(),
            Some(_) => {
                return Err(Error::BadRequest(
                    "SESSION_SECRET must be at least 32 bytes".into(),
                ))
            }
            None => {
                let mut fresh = vec![0u8; 64];
                rand::rngs::OsRng.fill_bytes(&mut fresh);
                query!("app_secret_ensure")
                    .one(&client, &[&"session_key", &fresh])
                    .await
                    .map_err(db)?
                    .get("value")
            }
        };
        let key = Key::derive_from(&master);

        let stored = query!("app_admin_credentials_select")
            .opt(&client, &[])
            .await
            .map_err(db)?
            .map(|r| r.get::<_, String>("password_hash"));
        let generated = match &settings.admin_password {
            Some(p) => {
                if let Err(why) = password::check_policy(p) {
                    tracing::warn!("ADMIN_PASSWORD is weak: {why}");
                }
                if !stored.as_deref().is_some_and(|h| password::verify(p, h)) {
                    query!("app_admin_credentials_upsert")
                        .execute(&client, &[&password::hash(p)?, &"env"])
                        .await
                        .map_err(db)?;
                }
                None
            }
            None if stored.is_some() => None,
            None => {
                let p = password::generate();
                let stored_now = query!("app_admin_credentials_insert_generated")
                    .opt(&client, &[&password::hash(&p)?])
                    .await
                    .map_err(db)?
                    .is_some();
                // another process may have generated one first: then it printed it
                stored_now.then_some(p)
            }
        };
        Ok((
            Auth {
                key,
                public_kpis: settings.public_kpis,
                metrics_token: settings.metrics_token.clone().filter(|t| !t.is_empty()),
                proxies: settings.trusted_proxies.clone(),
                admin_attempts: Arc::new((
                    limits::Attempts::new(ADMIN_ATTEMPTS_PER_ADDRESS, Duration::from_secs(15 * 60)),
                    limits::Attempts::new(ADMIN_ATTEMPTS_ALL, Duration::from_secs(15 * 60)),
                )),
            },
            generated,
        ))
    }
}

/// Checks `password` against the stored admin password.
pub async fn admin_password_matches(pool: &Pool, password: &str) -> Result<bool> {
    let client = pool.get().await.map_err(db)?;
    let stored = query!("app_admin_credentials_select")
        .opt(&client, &[])
        .await
        .map_err(db)?;
    let Some(row) = stored else {
        return Ok(false);
    };
    let hash: String = row.get("password_hash");
    let password = password.to_string();
    // argon2 is deliberately slow: keep it off the async workers
    tokio::task::spawn_blocking(move || password::verify(&password, &hash))
        .await
        .map_err(|e| Error::internal("verifying a password", e))
}

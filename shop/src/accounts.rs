//! Accounts: sign-up with a one-time code (name, address, password), sign-in
//! with a password or a one-time code, sign-out, and the session the pages read.
//!
//! Codes are 6 digits, stored only as an HMAC under the app's secret, live 10
//! minutes, allow 5 wrong attempts (the 6th is refused), are rate-limited per
//! address and per client address, and are never returned in a response: they
//! go to the email outbox (the demo inbox shows them only in demo mode). The
//! answers never reveal whether an address has an account.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::SignedCookieJar;
use globalcart_common::query;
use globalcart_schemas::{AnyEvent, CustomerEvent};
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Sha256;

use super::visitor::{
    customer_cookie, Customer, MaybeCustomer, Visitor, CUSTOMER_COOKIE, CUSTOMER_SESSION_SECS,
};
use super::{now_micros, outbox, Shop};
use crate::ShopState;
use globalcart_httpkit::password;
use globalcart_httpkit::session::{self, is_https};
use globalcart_httpkit::{Error, Result};

/// Lifetime of a code.
pub const OTP_TTL_SECS: f64 = 600.0;
/// Wrong attempts allowed per code.
pub const OTP_MAX_ATTEMPTS: i32 = 5;
/// Codes per address per hour.
pub const OTP_PER_ADDRESS_PER_HOUR: i64 = 5;
/// Codes per client address per hour.
pub const OTP_PER_IP_PER_HOUR: i64 = 20;
/// Password sign-in attempts per address per 15 minutes (a success resets).
pub const LOGIN_ATTEMPTS_ALLOWED: u32 = 10;

pub fn router() -> Router<ShopState> {
    Router::new()
        .route("/api/shop/session", get(current))
        .route("/api/shop/auth/otp", post(request_otp))
        .route("/api/shop/auth/verify", post(verify))
        .route("/api/shop/auth/login", post(login))
        .route("/api/shop/auth/logout", post(logout))
        .route("/api/shop/demo/inbox", get(demo_inbox))
}

async fn current(
    State(state): State<ShopState>,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
) -> Result<Json<Value>> {
    let owner = customer
        .as_ref()
        .map_or_else(|| visitor.cart_owner(), Customer::cart_owner);
    let row = query!("shop_session_counts")
        .one(
            &state.pool.get().await?,
            &[&owner, &customer.as_ref().map(|c| c.customer_id)],
        )
        .await?;
    Ok(Json(json!({
        "customer": customer.as_ref().map(Customer::json),
        "csrf_token": visitor.csrf_token(customer.as_ref()),
        "demo_mode": state.shop.settings().demo_mode,
        "cart_count": row.get::<_, i64>("cart_count"),
        "wishlist_count": row.get::<_, i64>("wishlist_count"),
    })))
}

/// A normalised email address, or a 422.
pub fn email(raw: &str) -> Result<String> {
    let e = raw.trim().to_lowercase();
    let ok = e.len() <= 254
        && !e.chars().any(char::is_whitespace)
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(e)
    } else {
        Err(Error::Unprocessable("email: not a valid address".into()))
    }
}

fn otp_hash(shop: &Shop, email: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&shop.0.otp_key).expect("any key length");
    mac.update(email.as_bytes());
    mac.update(b"|");
    mac.update(code.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Deserialize)]
struct OtpRequest {
    email: String,
    purpose: String,
    display_name: Option<String>,
    password: Option<String>,
}

async fn request_otp(
    State(state): State<ShopState>,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
    Json(body): Json<OtpRequest>,
) -> Result<impl IntoResponse> {
    visitor.check_csrf(customer.as_ref())?;
    let email = email(&body.email)?;
    let (name, hash) = match body.purpose.as_str() {
        "signup" => {
            let name = body.display_name.as_deref().map(str::trim).unwrap_or("");
            if name.is_empty() || name.chars().count() > 120 {
                return Err(Error::Unprocessable(
                    "display_name: 1 to 120 characters".into(),
                ));
            }
            let pw = body.password.as_deref().unwrap_or("");
            password::check_policy(pw)
                .map_err(|m| Error::Unprocessable(format!("password: {m}")))?;
            (Some(name.to_string()), Some(password::hash(pw)?))
        }
        "login" => (None, None),
        _ => return Err(Error::Unprocessable("purpose: signup or login".into())),
    };
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let counts = query!("shop_otp_recent_counts")
        .one(&tx, &[&email, &visitor.ip])
        .await?;
    let (by_address, by_ip): (i64, i64) = (counts.get("by_address"), counts.get("by_ip"));
    if by_address >= OTP_PER_ADDRESS_PER_HOUR || by_ip >= OTP_PER_IP_PER_HOUR {
        return Err(Error::TooManyRequests {
            message: "too many codes requested; try again later".into(),
            details: json!({"retry_after_secs": 3600}),
        });
    }
    let exists = query!("shop_customer_by_email")
        .opt(&tx, &[&email])
        .await?
        .is_some();
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let (subject, text) = match (body.purpose.as_str(), exists) {
        ("signup", true) => (
            "You already have a GlobalCart account".to_string(),
            "Someone (hopefully you) tried to sign up with this address, which already has an account. Sign in instead; no code is needed.".to_string(),
        ),
        ("login", false) => (
            "No GlobalCart account".to_string(),
            "Someone tried to sign in with this address, which has no account. Sign up first.".to_string(),
        ),
        _ => (
            format!("Your GlobalCart code: {code}"),
            format!("Your one-time code is {code}. It expires in 10 minutes. Never share it."),
        ),
    };
    let usable = (body.purpose == "signup") != exists;
    if usable {
        query!("shop_otp_insert")
            .execute(
                &tx,
                &[
                    &email,
                    &body.purpose,
                    &otp_hash(&state.shop, &email, &code),
                    &name,
                    &hash,
                    &visitor.ip,
                    &OTP_TTL_SECS,
                ],
            )
            .await?;
    } else {
        // counts toward the rate limit without being usable
        query!("shop_otp_insert_spent")
            .execute(&tx, &[&email, &body.purpose, &visitor.ip])
            .await?;
    }
    // a code is kind OTP (never in the customer's inbox; in demo mode shown by
    // the demo inbox, see shop_email_demo_inbox.sql); a notice that no code
    // was sent is an ordinary email to the address
    let kind = if usable { "OTP" } else { "OTP_NOTICE" };
    query!("shop_email_insert_otp")
        .execute(&tx, &[&email, &kind, &subject, &text, &visitor.visitor_id])
        .await?;
    tx.commit().await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"sent": true, "expires_in_secs": OTP_TTL_SECS as i64})),
    ))
}

#[derive(Debug, Deserialize)]
struct VerifyRequest {
    email: String,
    otp: String,
}

async fn verify(
    State(state): State<ShopState>,
    headers: HeaderMap,
    jar: SignedCookieJar,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
    Json(body): Json<VerifyRequest>,
) -> Result<impl IntoResponse> {
    visitor.check_csrf(customer.as_ref())?;
    let email = email(&body.email)?;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    // One answer for every failure (no code pending, used up, expired, wrong):
    // a different answer would tell accounts from non-accounts (ASVS 2.2.1).
    let refused = || {
        Error::Unauthorized(format!(
            "the code is wrong or no longer valid (codes expire after 10 minutes and {OTP_MAX_ATTEMPTS} wrong tries); request a new one if needed"
        ))
    };
    let otp = query!("shop_otp_latest")
        .opt(&tx, &[&email])
        .await?
        .ok_or_else(refused)?;
    let otp_id: i64 = otp.get("otp_id");
    let purpose: String = otp.get("purpose");
    let stored: String = otp.get("otp_hash");
    let attempts: i32 = otp.get("attempts");
    let expired: bool = otp.get("expired");
    if attempts >= OTP_MAX_ATTEMPTS || expired {
        return Err(refused());
    }
    let given = otp_hash(&state.shop, &email, body.otp.trim());
    if !session::constant_time_eq(given.as_bytes(), stored.as_bytes()) {
        query!("shop_otp_attempt").execute(&tx, &[&otp_id]).await?;
        tx.commit().await?;
        return Err(refused());
    }
    query!("shop_otp_consume").execute(&tx, &[&otp_id]).await?;
    let row = if purpose == "signup" {
        let created = query!("shop_customer_insert_from_otp")
            .one(&tx, &[&otp_id, &visitor.visitor_id])
            .await?;
        let customer_id: i64 = created.get("customer_id");
        customer_event(&tx, customer_id).await?;
        query!("shop_email_insert")
            .execute(
                &tx,
                &[
                    &Some(customer_id),
                    &email,
                    &"WELCOME",
                    &"Welcome to GlobalCart",
                    &"Your account is ready. Happy shopping!",
                    &None::<i64>,
                ],
            )
            .await?;
        created
    } else {
        query!("shop_customer_by_email")
            .opt(&tx, &[&email])
            .await?
            .ok_or_else(|| Error::Unauthorized("wrong email or code".into()))?
    };
    let customer_id: i64 = row.get("customer_id");
    sign_in(state, tx, headers, jar, visitor, customer_id).await
}

/// Publishes the customer (dimension) event of a new or changed account.
pub async fn customer_event(
    tx: &deadpool_postgres::Transaction<'_>,
    customer_id: i64,
) -> Result<()> {
    let r = query!("shop_customer_event_fields")
        .opt(&tx, &[&customer_id])
        .await?;
    let Some(r) = r else {
        return Err(Error::Unavailable(
            "no geography is loaded yet; try again in a moment".into(),
        ));
    };
    let now = now_micros();
    let event = CustomerEvent {
        event_id: uuid::Uuid::new_v4().to_string(),
        customer_id,
        event_time: now,
        updated_at: now,
        customer_created_at: r.get("created_micros"),
        geo_id: r.get("geo_id"),
        country: r.get("country"),
        region: r.get("region"),
        city: r.get("city"),
        currency: r.get("currency"),
        acquisition_channel: "SHOP".into(),
    };
    outbox::enqueue(tx, &AnyEvent::Customer(event)).await
}

/// Opens the customer's session, moves the visitor's cart into theirs, commits
/// `tx` and answers with the customer and the session's CSRF token.
async fn sign_in(
    state: ShopState,
    tx: deadpool_postgres::Transaction<'_>,
    headers: HeaderMap,
    jar: SignedCookieJar,
    visitor: Visitor,
    customer_id: i64,
) -> Result<(SignedCookieJar, Json<Value>)> {
    let owner = format!("c:{customer_id}");
    query!("shop_cart_merge")
        .execute(&tx, &[&visitor.cart_owner(), &owner])
        .await?;
    query!("shop_cart_delete_owner")
        .execute(&tx, &[&visitor.cart_owner()])
        .await?;
    tx.commit().await?;
    state.shop.nudge();
    let (session_id, csrf) = session::open(
        &state.pool,
        "customer",
        Some(customer_id),
        CUSTOMER_SESSION_SECS,
    )
    .await?;
    let row = query!("shop_customer_by_id")
        .one(&state.pool.get().await?, &[&customer_id])
        .await?;
    let jar = jar.add(customer_cookie(session_id, is_https(&headers)));
    Ok((
        jar,
        Json(json!({
            "customer": {"customer_id": customer_id, "email": row.get::<_, String>("email"), "display_name": row.get::<_, String>("display_name")},
            "csrf_token": csrf,
        })),
    ))
}

#[derive(Debug, Deserialize)]
struct LoginRequest {
    email: String,
    password: String,
}

async fn login(
    State(state): State<ShopState>,
    headers: HeaderMap,
    jar: SignedCookieJar,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
    Json(body): Json<LoginRequest>,
) -> Result<impl IntoResponse> {
    visitor.check_csrf(customer.as_ref())?;
    let email = email(&body.email)?;
    // counted before the argon2 check, atomically: parallel guesses cannot
    // all pass the limit (a success forgives the address)
    let attempts = &state.shop.0.login_attempts;
    if !attempts.take(&email) {
        return Err(Error::TooManyRequests {
            message: "too many failed sign-ins; try again in 15 minutes or use a code".into(),
            details: json!({"retry_after_secs": 900}),
        });
    }
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let row = query!("shop_customer_by_email").opt(&tx, &[&email]).await?;
    let hash: Option<String> = row.as_ref().and_then(|r| r.get("password_hash"));
    let pw = body.password.clone();
    // verify even without an account, so timing does not reveal one
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => password::verify(&pw, &h),
        None => {
            password::verify(&pw, password::dummy_hash());
            false
        }
    })
    .await
    .map_err(|e| Error::internal("verifying a password", e))?;
    match (ok, row) {
        (true, Some(r)) => {
            attempts.forgive(&email);
            sign_in(state, tx, headers, jar, visitor, r.get("customer_id")).await
        }
        _ => Err(Error::Unauthorized("wrong email or password".into())),
    }
}

async fn logout(
    State(state): State<ShopState>,
    jar: SignedCookieJar,
    visitor: Visitor,
    customer: Customer,
) -> Result<impl IntoResponse> {
    visitor.check_csrf(Some(&customer))?;
    session::revoke(&state.pool, customer.session_id).await?;
    Ok((
        jar.remove(axum_extra::extract::cookie::Cookie::build(CUSTOMER_COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

#[derive(Debug, Deserialize)]
struct InboxQuery {
    email: String,
}

/// Demo mode only: the code emails of an address that this browser requested,
/// so a visitor can sign up without a mail server. Another browser sees
/// nothing, whether the address has an account or not.
async fn demo_inbox(
    State(state): State<ShopState>,
    visitor: Visitor,
    Query(q): Query<InboxQuery>,
) -> Result<Json<Value>> {
    if !state.shop.settings().demo_mode {
        return Err(Error::not_found("page"));
    }
    let email = email(&q.email)?;
    let rows = query!("shop_email_demo_inbox")
        .rows(&state.pool.get().await?, &[&email, &visitor.visitor_id])
        .await?;
    Ok(Json(
        json!({"items": rows.iter().map(super::inbox::email_json).collect::<Vec<_>>()}),
    ))
}

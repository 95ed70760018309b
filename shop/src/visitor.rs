//! Who is calling the shop: the visitor (an anonymous browser, cookie
//! `gc_visitor`, which holds its cart and CSRF token), the visit (the funnel
//! session, cookie `gc_visit`: a new one after 30 idle minutes and after an
//! order) and, when signed in, the customer (cookie `gc_shop` naming a
//! server-side session). All three cookies are signed, HttpOnly, SameSite=Lax
//! and Secure behind TLS.

use globalcart_common::query;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SignedCookieJar};
use rand::RngCore;
use uuid::Uuid;

use crate::ShopState;
use globalcart_httpkit::session::{cookie, is_https, CSRF_HEADER};
use globalcart_httpkit::{Error, Result};

pub const VISITOR_COOKIE: &str = "gc_visitor";
pub const VISIT_COOKIE: &str = "gc_visit";
pub const CUSTOMER_COOKIE: &str = "gc_shop";
/// A visit ends after this many idle seconds.
pub const VISIT_IDLE_SECS: i64 = 30 * 60;
/// Lifetime of a customer session.
pub const CUSTOMER_SESSION_SECS: f64 = 30.0 * 24.0 * 3600.0;

/// The caller of a shop request (put in the request by [`layer`]).
#[derive(Debug, Clone)]
pub struct Visitor {
    pub visitor_id: Uuid,
    csrf: String,
    /// The funnel session id of this visit.
    pub visit_id: String,
    pub device: &'static str,
    /// Client address (from the socket; from the proxy's header only when the
    /// socket is loopback, i.e. a local tunnel such as cloudflared).
    pub ip: String,
    sent_csrf: Option<String>,
    /// The customer session cookie, if any (checked by [`Customer`]).
    session: Option<Uuid>,
}

/// Set by a handler on its response to start a new visit (after an order).
#[derive(Debug, Clone, Copy)]
pub struct NewVisit;

fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Mobile if the user agent says so.
pub fn device(headers: &HeaderMap) -> &'static str {
    let ua = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ua.contains("Mobi") {
        "MOBILE"
    } else {
        "DESKTOP"
    }
}

/// Middleware of every shop route: reads or issues the visitor and visit
/// cookies and puts the [`Visitor`] in the request.
pub async fn layer(State(state): State<ShopState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let jar = SignedCookieJar::from_headers(&headers, state.key.clone());
    let now = chrono::Utc::now().timestamp();
    let known = jar.get(VISITOR_COOKIE).and_then(|c| {
        let (id, csrf) = c.value().split_once('.')?;
        Some((Uuid::parse_str(id).ok()?, csrf.to_string()))
    });
    let new_visitor = known.is_none();
    let (visitor_id, csrf) = known.unwrap_or_else(|| (Uuid::new_v4(), random_hex(32)));
    let visit_id = jar
        .get(VISIT_COOKIE)
        .and_then(|c| {
            let (id, seen) = c.value().rsplit_once('.')?;
            let seen: i64 = seen.parse().ok()?;
            (now - seen < VISIT_IDLE_SECS).then(|| id.to_string())
        })
        .unwrap_or_else(|| format!("w-{}", random_hex(12)));
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let visitor = Visitor {
        visitor_id,
        csrf: csrf.clone(),
        visit_id: visit_id.clone(),
        device: device(&headers),
        ip: state.proxies.client_ip(&headers, peer),
        sent_csrf: headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        session: jar
            .get(CUSTOMER_COOKIE)
            .and_then(|c| Uuid::parse_str(c.value()).ok()),
    };
    req.extensions_mut().insert(visitor);
    let response = next.run(req).await;
    let secure = is_https(&headers);
    let visit = if response.extensions().get::<NewVisit>().is_some() {
        format!("w-{}", random_hex(12))
    } else {
        visit_id
    };
    let mut out = SignedCookieJar::new(state.key.clone());
    if new_visitor {
        let mut c = cookie(VISITOR_COOKIE, format!("{visitor_id}.{csrf}"), secure);
        c.set_max_age(time_days(365));
        out = out.add(c);
    }
    let mut c = cookie(VISIT_COOKIE, format!("{visit}.{now}"), secure);
    c.set_max_age(time_days(1));
    out = out.add(c);
    (out, response).into_response()
}

fn time_days(d: i64) -> time::Duration {
    time::Duration::days(d)
}

impl Visitor {
    /// Cart owner key of an anonymous visitor.
    pub fn cart_owner(&self) -> String {
        format!("v:{}", self.visitor_id)
    }

    /// The CSRF token the pages must echo: the signed-in session's, else the visitor's.
    pub fn csrf_token<'a>(&'a self, customer: Option<&'a Customer>) -> &'a str {
        customer.map_or(self.csrf.as_str(), |c| c.csrf.as_str())
    }

    /// 403 unless the request echoed the right CSRF token.
    pub fn check_csrf(&self, customer: Option<&Customer>) -> Result<()> {
        let want = self.csrf_token(customer);
        match &self.sent_csrf {
            Some(t)
                if globalcart_httpkit::session::constant_time_eq(t.as_bytes(), want.as_bytes()) =>
            {
                Ok(())
            }
            Some(_) => Err(Error::Forbidden("header X-CSRF-Token: wrong token".into())),
            None => Err(Error::Forbidden(
                "header X-CSRF-Token: missing (read it from GET /api/shop/session)".into(),
            )),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .ok_or_else(|| Error::internal("a shop route", "the visitor layer is missing"))
    }
}

/// A signed-in customer (extractor: 401 without a live customer session).
#[derive(Debug, Clone)]
pub struct Customer {
    pub customer_id: i64,
    pub email: String,
    pub display_name: String,
    pub session_id: Uuid,
    csrf: String,
}

impl Customer {
    /// Cart owner key of the customer.
    pub fn cart_owner(&self) -> String {
        format!("c:{}", self.customer_id)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "customer_id": self.customer_id,
            "email": self.email,
            "display_name": self.display_name,
        })
    }
}

/// The signed-in customer, if any (never fails for lack of a session).
#[derive(Debug, Clone)]
pub struct MaybeCustomer(pub Option<Customer>);

async fn lookup(state: &ShopState, session: Uuid) -> Result<Option<Customer>> {
    let row = query!("shop_session_customer")
        .opt(&state.pool.get().await?, &[&session])
        .await?;
    Ok(row.map(|r| Customer {
        customer_id: r.get("customer_id"),
        email: r.get("email"),
        display_name: r.get("display_name"),
        csrf: r.get("csrf_token"),
        session_id: session,
    }))
}

impl FromRequestParts<ShopState> for MaybeCustomer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &ShopState) -> Result<Self> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match visitor.session {
            Some(s) => Ok(MaybeCustomer(lookup(state, s).await?)),
            None => Ok(MaybeCustomer(None)),
        }
    }
}

impl FromRequestParts<ShopState> for Customer {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &ShopState) -> Result<Self> {
        MaybeCustomer::from_request_parts(parts, state)
            .await?
            .0
            .ok_or_else(|| Error::Unauthorized("sign in first".into()))
    }
}

/// The session cookie of a newly signed-in customer.
pub fn customer_cookie(session: Uuid, secure: bool) -> Cookie<'static> {
    let mut c = cookie(CUSTOMER_COOKIE, session.to_string(), secure);
    c.set_max_age(time_days(30));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_user_agents_are_recognised() {
        let mut h = HeaderMap::new();
        assert_eq!(device(&h), "DESKTOP");
        h.insert(
            "user-agent",
            "Mozilla/5.0 (iPhone) Mobile/15E148".parse().unwrap(),
        );
        assert_eq!(device(&h), "MOBILE");
    }
}

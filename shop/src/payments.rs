//! Payments through a simulated provider that behaves like a real one: the
//! checkout creates a payment (a provider reference), the page confirms it
//! (`/pay`, with a success or failure switch), and the provider reports the
//! outcome with a webhook signed by HMAC-SHA256 over the body, which we verify
//! and process once per provider event id. A real provider plugs in by sending
//! its webhooks to `/api/payments/webhook`.
//!
//! Transitions are checked: a late `payment.failed` cannot cancel a captured
//! order, and a capture of an order cancelled meanwhile changes nothing.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use globalcart_common::query;
use globalcart_schemas::{OrderStatus, PaymentStatus};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Sha256;
use uuid::Uuid;

use super::events::click;
use super::lifecycle;
use super::visitor::{Customer, NewVisit, Visitor};
use super::{orders, outbox};
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

/// The provider name on payments.
pub const PROVIDER: &str = "SIMULATED";
/// The header carrying the webhook signature.
pub const SIGNATURE_HEADER: &str = "x-signature";

pub fn router() -> Router<ShopState> {
    Router::new()
        .route("/api/shop/orders/{id}/pay", post(pay))
        .route("/api/payments/webhook", post(webhook))
}

/// The provider's side of "create payment": its reference.
pub fn create_payment() -> String {
    format!("pay_{}", Uuid::new_v4().simple())
}

/// hex(HMAC-SHA256(body, secret)).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Deserialize)]
struct WebhookEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: WebhookData,
}

#[derive(Debug, Deserialize)]
struct WebhookData {
    provider_payment_id: String,
    /// What the provider captured, in minor units, and its currency: a
    /// capture confirms the order only when both equal the order's.
    amount: Option<i64>,
    currency: Option<String>,
    failure_reason: Option<String>,
}

/// Verifies and applies one provider event; false when it was seen before.
pub async fn handle_webhook(state: &ShopState, body: &[u8], signature: &str) -> Result<bool> {
    let expected = sign(&state.shop.0.webhook_key, body);
    if !globalcart_httpkit::session::constant_time_eq(
        expected.as_bytes(),
        signature.trim().as_bytes(),
    ) {
        return Err(Error::Unauthorized("bad webhook signature".into()));
    }
    let event: WebhookEvent = serde_json::from_slice(body)
        .map_err(|e| Error::BadRequest(format!("webhook body: {e}")))?;
    let payload: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let fresh = query!("shop_webhook_insert")
        .execute(
            &tx,
            &[&PROVIDER, &event.id, &event.kind, &payload, &signature],
        )
        .await?
        == 1;
    if !fresh {
        return Ok(false);
    }
    let order_id: Option<i64> = query!("shop_payment_order")
        .opt(&tx, &[&event.data.provider_payment_id])
        .await?
        .map(|r| r.get("order_id"));
    if let Some(order_id) = order_id {
        let mut o = lifecycle::lock(&tx, order_id, None).await?;
        let pending =
            OrderStatus::Created.is(&o.status) && PaymentStatus::Pending.is(&o.payment_status);
        match (event.kind.as_str(), pending) {
            ("payment.captured", true) => {
                let (want, currency) = (o.payment.amount, o.payment.currency.as_str());
                if event.data.amount != Some(want)
                    || event.data.currency.as_deref() != Some(currency)
                {
                    return Err(Error::Unprocessable(format!(
                        "webhook data: captured {} {} does not match order #{order_id}'s {want} {currency} (minor units); the order stays unpaid",
                        event.data.amount.map_or("no amount".into(), |a| a.to_string()),
                        event.data.currency.as_deref().unwrap_or("no currency"),
                    )));
                }
                lifecycle::capture(&tx, &mut o).await?
            }
            ("payment.failed", true) => {
                let reason = event
                    .data
                    .failure_reason
                    .as_deref()
                    .unwrap_or(PaymentStatus::Declined.as_str());
                lifecycle::fail(&tx, &mut o, reason).await?
            }
            // stored; nothing to change (late, repeated or unknown kinds)
            _ => {
                tracing::info!(order_id, kind = %event.kind, status = %o.status, "webhook without effect")
            }
        }
    }
    tx.commit().await?;
    state.shop.nudge();
    state.shop.catalog().invalidate();
    Ok(true)
}

async fn webhook(
    State(state): State<ShopState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>> {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Error::Unauthorized("header X-Signature: missing".into()))?;
    let processed = handle_webhook(&state, &body, signature).await?;
    Ok(Json(json!({ "processed": processed })))
}

#[derive(Debug, Deserialize)]
struct Pay {
    outcome: String,
    failure_reason: Option<String>,
}

/// Reasons a simulated payment can fail with.
pub const FAILURES: [&str; 5] = [
    "BANK_DECLINED",
    "INSUFFICIENT_FUNDS",
    "CARD_EXPIRED",
    "OTP_TIMEOUT",
    "RISK_REJECTED",
];

async fn pay(
    State(state): State<ShopState>,
    visitor: Visitor,
    customer: Customer,
    Path(order_id): Path<i64>,
    Json(body): Json<Pay>,
) -> Result<Response> {
    visitor.check_csrf(Some(&customer))?;
    let success = match body.outcome.as_str() {
        "success" => true,
        "failure" => false,
        _ => return Err(Error::Unprocessable("outcome: success or failure".into())),
    };
    let reason = body
        .failure_reason
        .unwrap_or_else(|| "BANK_DECLINED".into());
    if !success && !FAILURES.contains(&reason.as_str()) {
        return Err(Error::Unprocessable(format!(
            "failure_reason: one of {}",
            FAILURES.join(", ")
        )));
    }
    // the attempt, in the funnel, once the order is known to be the caller's and payable
    let (provider_ref, amount, currency) = {
        let mut client = state.pool.get().await?;
        let tx = client.transaction().await?;
        let o = lifecycle::lock(&tx, order_id, Some(customer.customer_id)).await?;
        if !OrderStatus::Created.is(&o.status) || !PaymentStatus::Pending.is(&o.payment_status) {
            return Err(Error::Conflict {
                message: format!("order #{order_id} is {} and cannot be paid", o.status),
                details: json!({"status": o.status}),
            });
        }
        let attempt = click(
            &visitor,
            "PAYMENT_ATTEMPTED",
            Some(customer.customer_id),
            None,
            Some(order_id),
            None,
        );
        outbox::enqueue(&tx, &attempt).await?;
        let r: String = query!("shop_payment_ref")
            .one(&tx, &[&order_id])
            .await?
            .get("provider_payment_id");
        tx.commit().await?;
        (r, o.payment.amount, o.payment.currency.clone())
    };
    // the provider confirms and calls us back, signed
    let event = json!({
        "id": format!("evt_{}", Uuid::new_v4().simple()),
        "type": if success { "payment.captured" } else { "payment.failed" },
        "data": {
            "provider_payment_id": provider_ref,
            "order_id": order_id,
            "amount": amount,
            "currency": currency,
            "failure_reason": (!success).then_some(reason),
        },
    });
    let body =
        serde_json::to_vec(&event).map_err(|e| Error::internal("encoding a payment webhook", e))?;
    handle_webhook(&state, &body, &sign(&state.shop.0.webhook_key, &body)).await?;
    let detail = orders::detail_json(&state, order_id, customer.customer_id).await?;
    let mut response = Json(detail).into_response();
    if success {
        // one visit, one order: the next order starts a new funnel session
        response.extensions_mut().insert(NewVisit);
    }
    Ok(response)
}

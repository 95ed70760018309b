//! Funnel events. The pages report what only they see (a product viewed, the
//! cart viewed, the checkout page opened), each with an event id made once per
//! page view, so a repeated report is one event; the server publishes the
//! rest itself when it happens (ADD_TO_CART, PAYMENT_ATTEMPTED,
//! PAYMENT_FAILED, ORDER_PLACED), so nothing fires twice or too early.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use globalcart_schemas::{AnyEvent, ClickEvent};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::visitor::{MaybeCustomer, Visitor};
use super::{now_micros, outbox};
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

pub fn router() -> Router<ShopState> {
    Router::new().route("/api/shop/events", post(report))
}

/// A funnel event of this visit.
pub fn click(
    visitor: &Visitor,
    stage: &str,
    customer_id: Option<i64>,
    product_id: Option<i64>,
    order_id: Option<i64>,
    failure_reason: Option<String>,
) -> AnyEvent {
    click_with_id(
        Uuid::new_v4(),
        &visitor.visit_id,
        visitor.device,
        stage,
        (customer_id, product_id, order_id),
        failure_reason,
    )
}

/// A funnel event with a given id and session.
pub fn click_with_id(
    event_id: Uuid,
    session_id: &str,
    device: &str,
    stage: &str,
    (customer_id, product_id, order_id): (Option<i64>, Option<i64>, Option<i64>),
    failure_reason: Option<String>,
) -> AnyEvent {
    let now = now_micros();
    AnyEvent::Click(ClickEvent {
        event_id: event_id.to_string(),
        session_id: session_id.to_string(),
        event_time: now,
        updated_at: now,
        stage: stage.to_string(),
        channel: "WEB".into(),
        device: device.to_string(),
        customer_id,
        product_id,
        order_id,
        failure_reason,
    })
}

#[derive(Debug, Deserialize)]
struct Report {
    event_id: Uuid,
    stage: String,
    product_id: Option<i64>,
}

/// The stages a page may report.
pub const PAGE_STAGES: [&str; 3] = ["VIEW_PRODUCT", "VIEW_CART", "CHECKOUT_STARTED"];
/// Page events one visit may report per minute.
pub const EVENTS_PER_VISIT_PER_MINUTE: u32 = 60;
/// Page events one client address may report per minute (all its visits: a
/// script minting new visitor cookies cannot inflate the funnel's sessions).
pub const EVENTS_PER_IP_PER_MINUTE: u32 = 300;

async fn report(
    State(state): State<ShopState>,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
    Json(body): Json<Report>,
) -> Result<StatusCode> {
    visitor.check_csrf(customer.as_ref())?;
    let (per_visit, per_ip) = &state.shop.0.funnel_limits;
    if !per_visit.take(&visitor.visit_id) || !per_ip.take(&visitor.ip) {
        return Err(Error::TooManyRequests {
            message: "too many page events; slow down".into(),
            details: json!({"retry_after_secs": 60}),
        });
    }
    if !PAGE_STAGES.contains(&body.stage.as_str()) {
        return Err(Error::Unprocessable(format!(
            "stage: one of {} (the server reports the others itself)",
            PAGE_STAGES.join(", ")
        )));
    }
    let product_id = match (body.stage.as_str(), body.product_id) {
        ("VIEW_PRODUCT", Some(id)) => {
            let snap = state.shop.catalog().get(&state.pool).await?;
            if !snap.products.contains_key(&id) {
                return Err(Error::Unprocessable("product_id: no such product".into()));
            }
            Some(id)
        }
        ("VIEW_PRODUCT", None) => {
            return Err(Error::Unprocessable(
                "product_id: required for VIEW_PRODUCT".into(),
            ))
        }
        _ => None,
    };
    let event = click_with_id(
        body.event_id,
        &visitor.visit_id,
        visitor.device,
        &body.stage,
        (customer.map(|c| c.customer_id), product_id, None),
        None,
    );
    let client = state.pool.get().await?;
    outbox::enqueue(&client, &event).await?;
    state.shop.nudge();
    Ok(StatusCode::ACCEPTED)
}

//! The customer's orders: list, detail with the tracking timeline (built from
//! the shipment events loaded from the stream), cancel before shipping, and
//! reorder. Another customer's order answers 404, like a missing one.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use globalcart_common::query;
use globalcart_schemas::OrderStatus;
use serde::Deserialize;
use serde_json::{json, Value};

use super::visitor::{Customer, Visitor};
use super::{cart, lifecycle};
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

pub fn router() -> Router<ShopState> {
    Router::new()
        .route("/api/shop/orders", get(list))
        .route("/api/shop/orders/{id}", get(detail))
        .route("/api/shop/orders/{id}/cancel", post(cancel))
        .route("/api/shop/orders/{id}/reorder", post(reorder))
}

/// Statuses a customer may still cancel.
pub const CANCELLABLE: [&str; 2] = [
    OrderStatus::Created.as_str(),
    OrderStatus::Confirmed.as_str(),
];

fn num(r: &tokio_postgres::Row, column: &str) -> f64 {
    r.get::<_, f64>(column)
}

/// `OrderSummary` from a `shop_orders_list` / `shop_order_detail` row.
fn summary(r: &tokio_postgres::Row) -> Value {
    json!({
        "order_id": r.get::<_, i64>("order_id"),
        "created_at": r.get::<_, DateTime<Utc>>("created_at"),
        "status": r.get::<_, String>("status"),
        "payment_status": r.get::<_, String>("payment_status"),
        "total": num(r, "total"),
        "currency": r.get::<_, String>("currency"),
        "item_count": r.get::<_, i64>("item_count"),
        "first_items": r.get::<_, Vec<String>>("first_items"),
    })
}

async fn list(State(state): State<ShopState>, customer: Customer) -> Result<Json<Value>> {
    let rows = query!("shop_orders_list")
        .rows(&state.pool.get().await?, &[&customer.customer_id])
        .await?;
    Ok(Json(
        json!({"items": rows.iter().map(summary).collect::<Vec<_>>()}),
    ))
}

/// `OrderDetail` of order `order_id` if it is `customer_id`'s.
pub async fn detail_json(state: &ShopState, order_id: i64, customer_id: i64) -> Result<Value> {
    let client = state.pool.get().await?;
    let r = query!("shop_order_detail")
        .opt(&client, &[&order_id, &customer_id])
        .await?
        .ok_or_else(|| Error::not_found("order"))?;
    let mut out = summary(&r);
    let status: String = r.get("status");
    let items = query!("shop_order_lines")
        .rows(&client, &[&order_id])
        .await?;
    out["items"] = json!(items
        .iter()
        .map(|i| json!({
            "product_id": i.get::<_, i64>("product_id"),
            "name": i.get::<_, String>("product_name"),
            "qty": i.get::<_, i32>("qty"),
            "unit_list_price": num(i, "unit_list_price"),
            "unit_sell_price": num(i, "unit_sell_price"),
            "line_total": num(i, "line_total"),
        }))
        .collect::<Vec<_>>());
    out["subtotal"] = json!(num(&r, "subtotal"));
    out["discount"] = json!(num(&r, "discount"));
    out["promo_code"] = json!(r.get::<_, Option<String>>("promo_code"));
    out["promo_discount"] = json!(num(&r, "promo_discount"));
    out["tax"] = json!(num(&r, "tax"));
    out["address"] = r.get::<_, Value>("address");
    out["cancel_reason"] = json!(r.get::<_, Option<String>>("cancel_reason"));
    out["can_cancel"] = json!(CANCELLABLE.contains(&status.as_str()));
    // the timeline: placed and paid from the order, shipped and delivered from
    // the shipment events as loaded from the stream
    let ship = query!("shop_order_shipment")
        .opt(&client, &[&order_id])
        .await?;
    let shipped: Option<DateTime<Utc>> = ship.as_ref().and_then(|s| s.get("shipped_ts"));
    let delivered: Option<NaiveDate> = ship.as_ref().and_then(|s| s.get("delivered_dt"));
    let paid: Option<DateTime<Utc>> = r.get("paid_at");
    let cancelled: Option<DateTime<Utc>> = r.get("cancelled_at");
    let mut timeline = vec![
        json!({"stage": "PLACED", "at": r.get::<_, DateTime<Utc>>("created_at")}),
        json!({"stage": "PAID", "at": paid}),
    ];
    if let Some(at) = cancelled {
        timeline.push(json!({"stage": "CANCELLED", "at": at}));
    } else {
        timeline.push(json!({"stage": "SHIPPED", "at": shipped}));
        timeline.push(json!({"stage": "DELIVERED", "at": delivered.map(|d| d.to_string())}));
    }
    out["timeline"] = json!(timeline);
    Ok(out)
}

async fn detail(
    State(state): State<ShopState>,
    customer: Customer,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    Ok(Json(detail_json(&state, id, customer.customer_id).await?))
}

#[derive(Debug, Deserialize)]
struct Cancel {
    reason: String,
}

async fn cancel(
    State(state): State<ShopState>,
    visitor: Visitor,
    customer: Customer,
    Path(id): Path<i64>,
    Json(body): Json<Cancel>,
) -> Result<Json<Value>> {
    visitor.check_csrf(Some(&customer))?;
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(Error::Unprocessable("reason: 1 to 200 characters".into()));
    }
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let mut o = lifecycle::lock(&tx, id, Some(customer.customer_id)).await?;
    if !CANCELLABLE.contains(&o.status.as_str()) {
        return Err(Error::Conflict {
            message: format!("order #{id} is {} and can no longer be cancelled", o.status),
            details: json!({"status": o.status}),
        });
    }
    lifecycle::cancel(&tx, &mut o, reason).await?;
    tx.commit().await?;
    state.shop.nudge();
    state.shop.catalog().invalidate();
    Ok(Json(detail_json(&state, id, customer.customer_id).await?))
}

async fn reorder(
    State(state): State<ShopState>,
    visitor: Visitor,
    customer: Customer,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    visitor.check_csrf(Some(&customer))?;
    let n = query!("shop_cart_reorder")
        .execute(
            &state.pool.get().await?,
            &[&id, &customer.customer_id, &customer.cart_owner()],
        )
        .await?;
    if n == 0 {
        // nothing added: not theirs (or empty)
        detail_json(&state, id, customer.customer_id).await?;
    }
    Ok(Json(cart::cart_json(&state, &customer.cart_owner()).await?))
}

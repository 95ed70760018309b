//! The customer's inbox: the emails the shop queued for them.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use globalcart_common::query;
use serde_json::{json, Value};

use super::visitor::Customer;
use crate::ShopState;
use globalcart_httpkit::Result;

pub fn router() -> Router<ShopState> {
    Router::new().route("/api/shop/inbox", get(inbox))
}

/// `Email` of docs/shop-api.md, from a row (id, kind, subject, body, status, created).
pub fn email_json(r: &tokio_postgres::Row) -> Value {
    json!({
        "email_id": r.get::<_, i64>("email_id"),
        "kind": r.get::<_, String>("kind"),
        "subject": r.get::<_, String>("subject"),
        "body": r.get::<_, String>("body"),
        "status": r.get::<_, String>("status"),
        "created_at": r.get::<_, DateTime<Utc>>("created_at"),
    })
}

async fn inbox(State(state): State<ShopState>, customer: Customer) -> Result<Json<Value>> {
    let client = state.pool.get().await?;
    // the in-app inbox is this deployment's mail delivery
    query!("shop_email_deliver")
        .execute(&client, &[&customer.customer_id, &customer.email])
        .await?;
    let rows = query!("shop_email_inbox")
        .rows(&client, &[&customer.customer_id, &customer.email])
        .await?;
    Ok(Json(
        json!({"items": rows.iter().map(email_json).collect::<Vec<_>>()}),
    ))
}

//! Saved delivery addresses of the signed-in customer; at most one default.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use globalcart_common::query;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::visitor::{Customer, Visitor};
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

pub fn router() -> Router<ShopState> {
    Router::new()
        .route("/api/shop/addresses", get(list).post(create))
        .route("/api/shop/addresses/{id}", put(update).delete(remove))
}

/// An address as the pages send it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Address {
    #[serde(default)]
    pub label: String,
    pub recipient_name: String,
    pub phone: String,
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    #[serde(default)]
    pub state: String,
    pub postal_code: String,
    pub country: String,
    #[serde(default)]
    pub is_default: bool,
}

impl Address {
    /// Trims every field and checks lengths; a 422 names the first bad field.
    pub fn validated(mut self) -> Result<Address> {
        let fields: [(&str, &mut String, usize, usize); 9] = [
            ("label", &mut self.label, 0, 40),
            ("recipient_name", &mut self.recipient_name, 1, 120),
            ("phone", &mut self.phone, 5, 20),
            ("line1", &mut self.line1, 1, 200),
            ("line2", &mut self.line2, 0, 200),
            ("city", &mut self.city, 1, 100),
            ("state", &mut self.state, 0, 100),
            ("postal_code", &mut self.postal_code, 2, 12),
            ("country", &mut self.country, 2, 60),
        ];
        for (name, value, min, max) in fields {
            *value = value.trim().to_string();
            let n = value.chars().count();
            if n < min || n > max {
                return Err(Error::Unprocessable(format!(
                    "{name}: {min} to {max} characters"
                )));
            }
        }
        if !self
            .phone
            .chars()
            .all(|c| c.is_ascii_digit() || "+-() ".contains(c))
        {
            return Err(Error::Unprocessable(
                "phone: digits, spaces, + - ( ) only".into(),
            ));
        }
        Ok(self)
    }
}

/// `Address` of docs/shop-api.md from a row of `shop_address_*` queries.
pub fn address_json(r: &tokio_postgres::Row) -> Value {
    json!({
        "address_id": r.get::<_, i64>("address_id"), "label": r.get::<_, String>("label"),
        "recipient_name": r.get::<_, String>("recipient_name"), "phone": r.get::<_, String>("phone"),
        "line1": r.get::<_, String>("line1"), "line2": r.get::<_, String>("line2"),
        "city": r.get::<_, String>("city"), "state": r.get::<_, String>("state"),
        "postal_code": r.get::<_, String>("postal_code"), "country": r.get::<_, String>("country"),
        "is_default": r.get::<_, bool>("is_default"),
    })
}

async fn list(State(state): State<ShopState>, customer: Customer) -> Result<Json<Value>> {
    let rows = query!("shop_address_list")
        .rows(&state.pool.get().await?, &[&customer.customer_id])
        .await?;
    Ok(Json(
        json!({"items": rows.iter().map(address_json).collect::<Vec<_>>()}),
    ))
}

/// Saves `a` for `customer_id` inside `tx`; returns the stored row.
pub async fn insert(
    tx: &deadpool_postgres::Transaction<'_>,
    customer_id: i64,
    a: &Address,
) -> Result<tokio_postgres::Row> {
    if a.is_default {
        query!("shop_address_clear_default")
            .execute(&tx, &[&customer_id, &0i64])
            .await?;
    }
    Ok(query!("shop_address_insert")
        .one(
            &tx,
            &[
                &customer_id,
                &a.label,
                &a.recipient_name,
                &a.phone,
                &a.line1,
                &a.line2,
                &a.city,
                &a.state,
                &a.postal_code,
                &a.country,
                &a.is_default,
            ],
        )
        .await?)
}

async fn create(
    State(state): State<ShopState>,
    visitor: Visitor,
    customer: Customer,
    Json(body): Json<Address>,
) -> Result<(StatusCode, Json<Value>)> {
    visitor.check_csrf(Some(&customer))?;
    let a = body.validated()?;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let row = insert(&tx, customer.customer_id, &a).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(address_json(&row))))
}

async fn update(
    State(state): State<ShopState>,
    visitor: Visitor,
    customer: Customer,
    Path(id): Path<i64>,
    Json(body): Json<Address>,
) -> Result<Json<Value>> {
    visitor.check_csrf(Some(&customer))?;
    let a = body.validated()?;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    if a.is_default {
        query!("shop_address_clear_default")
            .execute(&tx, &[&customer.customer_id, &id])
            .await?;
    }
    let row = query!("shop_address_update")
        .opt(
            &tx,
            &[
                &id,
                &customer.customer_id,
                &a.label,
                &a.recipient_name,
                &a.phone,
                &a.line1,
                &a.line2,
                &a.city,
                &a.state,
                &a.postal_code,
                &a.country,
                &a.is_default,
            ],
        )
        .await?
        .ok_or_else(|| Error::not_found("address"))?;
    tx.commit().await?;
    Ok(Json(address_json(&row)))
}

async fn remove(
    State(state): State<ShopState>,
    visitor: Visitor,
    customer: Customer,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    visitor.check_csrf(Some(&customer))?;
    let n = query!("shop_address_delete")
        .execute(&state.pool.get().await?, &[&id, &customer.customer_id])
        .await?;
    if n == 0 {
        return Err(Error::not_found("address"));
    }
    Ok(StatusCode::NO_CONTENT)
}

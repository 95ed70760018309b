//! Product reviews: anyone reads them; a customer writes one per product, and
//! only after an order holding it was delivered.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use globalcart_common::query;
use serde::Deserialize;
use serde_json::{json, Value};

use super::visitor::{Customer, MaybeCustomer, Visitor};
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

pub fn router() -> Router<ShopState> {
    Router::new()
        .route("/api/shop/products/{id}/reviews", get(list).post(write))
        .route(
            "/api/shop/products/{id}/reviews/eligibility",
            get(eligibility),
        )
}

#[derive(Debug, Deserialize)]
struct Page {
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn list(
    State(state): State<ShopState>,
    Path(id): Path<i64>,
    Query(p): Query<Page>,
) -> Result<Json<Value>> {
    let limit = p.limit.unwrap_or(25);
    let offset = p.offset.unwrap_or(0);
    if !(1..=100).contains(&limit) || offset < 0 {
        return Err(Error::BadRequest("limit: 1 to 100; offset ≥ 0".into()));
    }
    let client = state.pool.get().await?;
    let rows = query!("shop_reviews_list")
        .rows(&client, &[&id, &limit, &offset])
        .await?;
    let stats = query!("shop_reviews_stats").one(&client, &[&id]).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "rating": r.get::<_, i16>("rating"), "title": r.get::<_, String>("title"),
                "body": r.get::<_, String>("body"), "author": r.get::<_, String>("author"),
                "created_at": r.get::<_, DateTime<Utc>>("created_at"),
            })
        })
        .collect();
    Ok(Json(json!({
        "items": items,
        "rating_avg": stats.get::<_, Option<f64>>("rating_avg").map(|r| (r * 100.0).round() / 100.0),
        "rating_count": stats.get::<_, i64>("rating_count"),
    })))
}

/// Why `customer_id` may not review `product_id` (None: they may).
pub async fn refusal(
    state: &ShopState,
    customer_id: i64,
    product_id: i64,
) -> Result<Option<&'static str>> {
    let r = query!("shop_review_eligibility")
        .one(&state.pool.get().await?, &[&customer_id, &product_id])
        .await?;
    let (bought, delivered): (bool, bool) = (r.get("bought"), r.get("delivered"));
    Ok(match (bought, delivered) {
        (_, true) => None,
        (true, false) => Some("NOT_DELIVERED"),
        (false, _) => Some("NOT_PURCHASED"),
    })
}

async fn eligibility(
    State(state): State<ShopState>,
    MaybeCustomer(customer): MaybeCustomer,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let reason = match customer {
        None => Some("NOT_SIGNED_IN"),
        Some(c) => refusal(&state, c.customer_id, id).await?,
    };
    Ok(Json(
        json!({"eligible": reason.is_none(), "reason": reason}),
    ))
}

#[derive(Debug, Deserialize)]
struct Review {
    rating: i16,
    title: String,
    body: String,
}

async fn write(
    State(state): State<ShopState>,
    visitor: Visitor,
    customer: Customer,
    Path(id): Path<i64>,
    Json(r): Json<Review>,
) -> Result<(StatusCode, Json<Value>)> {
    visitor.check_csrf(Some(&customer))?;
    if !(1..=5).contains(&r.rating) {
        return Err(Error::Unprocessable("rating: 1 to 5".into()));
    }
    let (title, body) = (r.title.trim(), r.body.trim());
    if title.chars().count() > 120 || body.chars().count() > 4000 {
        return Err(Error::Unprocessable(
            "title: up to 120 characters; body: up to 4000".into(),
        ));
    }
    if let Some(reason) = refusal(&state, customer.customer_id, id).await? {
        return Err(Error::Forbidden(format!(
            "only customers whose order with this product was delivered can review it ({reason})"
        )));
    }
    let row = query!("shop_review_upsert")
        .one(
            &state.pool.get().await?,
            &[&id, &customer.customer_id, &r.rating, &title, &body],
        )
        .await?;
    state.shop.catalog().invalidate();
    let created: bool = row.get(0);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({"rating": r.rating, "title": title, "body": body})),
    ))
}

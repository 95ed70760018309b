//! The wishlist of the signed-in customer.

use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use globalcart_common::query;
use serde_json::{json, Value};

use super::visitor::{Customer, Visitor};
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

pub fn router() -> Router<ShopState> {
    Router::new()
        .route("/api/shop/wishlist", get(list))
        .route("/api/shop/wishlist/{product_id}", put(add).delete(remove))
}

async fn items(state: &ShopState, customer_id: i64) -> Result<Value> {
    let rows = query!("shop_wishlist_select")
        .rows(&state.pool.get().await?, &[&customer_id])
        .await?;
    let snap = state.shop.catalog().get(&state.pool).await?;
    let items: Vec<Value> = rows
        .iter()
        .filter_map(|r| {
            snap.products
                .get(&r.get::<_, i64>("product_id"))
                .map(|p| p.json())
        })
        .collect();
    Ok(json!({ "items": items }))
}

async fn list(State(state): State<ShopState>, customer: Customer) -> Result<Json<Value>> {
    Ok(Json(items(&state, customer.customer_id).await?))
}

async fn add(
    State(state): State<ShopState>,
    visitor: Visitor,
    customer: Customer,
    Path(product_id): Path<i64>,
) -> Result<Json<Value>> {
    visitor.check_csrf(Some(&customer))?;
    if !state
        .shop
        .catalog()
        .get(&state.pool)
        .await?
        .products
        .contains_key(&product_id)
    {
        return Err(Error::not_found("product"));
    }
    query!("shop_wishlist_insert")
        .execute(
            &state.pool.get().await?,
            &[&customer.customer_id, &product_id],
        )
        .await?;
    Ok(Json(items(&state, customer.customer_id).await?))
}

async fn remove(
    State(state): State<ShopState>,
    visitor: Visitor,
    customer: Customer,
    Path(product_id): Path<i64>,
) -> Result<Json<Value>> {
    visitor.check_csrf(Some(&customer))?;
    query!("shop_wishlist_delete")
        .execute(
            &state.pool.get().await?,
            &[&customer.customer_id, &product_id],
        )
        .await?;
    Ok(Json(items(&state, customer.customer_id).await?))
}

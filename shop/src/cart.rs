//! The cart: the visitor's until sign-in, then the customer's (sign-in merges
//! them). It is found only through the caller's cookies, so nobody can reach
//! another's cart.

use axum::extract::{Path, State};
use axum::routing::{delete, post, put};
use axum::{Json, Router};
use globalcart_common::query;
use serde::Deserialize;
use serde_json::{json, Value};

use super::events::click;
use super::visitor::{Customer, MaybeCustomer, Visitor};
use super::{money, outbox, pricing};
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

/// Units allowed on one cart line.
pub const MAX_QTY: i32 = 20;

pub fn router() -> Router<ShopState> {
    Router::new()
        .route("/api/shop/cart", axum::routing::get(get_cart).delete(clear))
        .route("/api/shop/cart/items", post(add))
        .route("/api/shop/cart/items/{product_id}", put(set_qty))
        .route("/api/shop/cart/items/{product_id}", delete(remove))
}

/// The cart owner of the caller.
pub fn owner(visitor: &Visitor, customer: Option<&Customer>) -> String {
    customer.map_or_else(|| visitor.cart_owner(), Customer::cart_owner)
}

/// `Cart` of docs/shop-api.md for `owner`.
pub async fn cart_json(state: &ShopState, owner: &str) -> Result<Value> {
    let rows = query!("shop_cart_lines")
        .rows(&state.pool.get().await?, &[&owner])
        .await?;
    let snap = state.shop.catalog().get(&state.pool).await?;
    let mut items = Vec::new();
    let (mut subtotal, mut tax, mut count) = (0i64, 0i64, 0i64);
    let mut currency = "INR".to_string();
    for r in rows {
        let (id, qty): (i64, i32) = (r.get("product_id"), r.get("qty"));
        let Some(p) = snap.products.get(&id) else {
            continue;
        };
        let line = p.sell() * qty as i64;
        let line_tax = pricing::tax(line);
        subtotal += line;
        tax += line_tax;
        count += qty as i64;
        currency = p.currency.clone();
        items.push(json!({
            "product": p.json(), "qty": qty, "line_subtotal": money(line),
            "line_tax": money(line_tax), "line_total": money(line + line_tax),
        }));
    }
    Ok(json!({
        "items": items, "subtotal": money(subtotal), "tax": money(tax),
        "total": money(subtotal + tax), "currency": currency, "count": count,
    }))
}

async fn get_cart(
    State(state): State<ShopState>,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
) -> Result<Json<Value>> {
    Ok(Json(
        cart_json(&state, &owner(&visitor, customer.as_ref())).await?,
    ))
}

#[derive(Debug, Deserialize)]
struct Add {
    product_id: i64,
    qty: i32,
}

fn check_qty(qty: i32) -> Result<()> {
    if (1..=MAX_QTY).contains(&qty) {
        Ok(())
    } else {
        Err(Error::Unprocessable(format!("qty: 1 to {MAX_QTY}")))
    }
}

async fn check_product(state: &ShopState, id: i64) -> Result<()> {
    let snap = state.shop.catalog().get(&state.pool).await?;
    if snap.products.contains_key(&id) {
        Ok(())
    } else {
        Err(Error::Unprocessable("product_id: no such product".into()))
    }
}

async fn add(
    State(state): State<ShopState>,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
    Json(body): Json<Add>,
) -> Result<Json<Value>> {
    visitor.check_csrf(customer.as_ref())?;
    check_qty(body.qty)?;
    check_product(&state, body.product_id).await?;
    let owner = owner(&visitor, customer.as_ref());
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    query!("shop_cart_add")
        .execute(&tx, &[&owner, &body.product_id, &body.qty])
        .await?;
    let event = click(
        &visitor,
        "ADD_TO_CART",
        customer.as_ref().map(|c| c.customer_id),
        Some(body.product_id),
        None,
        None,
    );
    outbox::enqueue(&tx, &event).await?;
    tx.commit().await?;
    state.shop.nudge();
    Ok(Json(cart_json(&state, &owner).await?))
}

#[derive(Debug, Deserialize)]
struct SetQty {
    qty: i32,
}

async fn set_qty(
    State(state): State<ShopState>,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
    Path(product_id): Path<i64>,
    Json(body): Json<SetQty>,
) -> Result<Json<Value>> {
    visitor.check_csrf(customer.as_ref())?;
    check_qty(body.qty)?;
    let owner = owner(&visitor, customer.as_ref());
    let n = query!("shop_cart_set")
        .execute(&state.pool.get().await?, &[&owner, &product_id, &body.qty])
        .await?;
    if n == 0 {
        return Err(Error::not_found("cart line"));
    }
    Ok(Json(cart_json(&state, &owner).await?))
}

async fn remove(
    State(state): State<ShopState>,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
    Path(product_id): Path<i64>,
) -> Result<Json<Value>> {
    visitor.check_csrf(customer.as_ref())?;
    let owner = owner(&visitor, customer.as_ref());
    query!("shop_cart_remove")
        .execute(&state.pool.get().await?, &[&owner, &product_id])
        .await?;
    Ok(Json(cart_json(&state, &owner).await?))
}

async fn clear(
    State(state): State<ShopState>,
    visitor: Visitor,
    MaybeCustomer(customer): MaybeCustomer,
) -> Result<Json<Value>> {
    visitor.check_csrf(customer.as_ref())?;
    let owner = owner(&visitor, customer.as_ref());
    query!("shop_cart_delete_owner")
        .execute(&state.pool.get().await?, &[&owner])
        .await?;
    Ok(Json(cart_json(&state, &owner).await?))
}

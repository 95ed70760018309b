//! Checkout, in one transaction: price the cart from the catalog, apply the
//! promo code (it is charged, not just shown), reserve stock (409 with the
//! items short), create the order and its pending payment, queue their events,
//! empty the cart. The page's idempotency key makes a repeated checkout (a
//! double click, a retry) return the same order.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use globalcart_schemas::{AnyEvent, OrderEvent, OrderItem, PaymentEvent};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::addresses::{self, Address};
use super::pricing::{self, LineIn, Promo};
use super::visitor::{Customer, Visitor};
use super::{accounts, money, now_micros, outbox};
use crate::auth::sql;
use crate::error::{Error, Result};
use crate::http::AppState;

/// Payment methods the simulated provider takes.
pub const METHODS: [&str; 4] = ["CARD", "UPI", "NETBANKING", "WALLET"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/shop/checkout", post(checkout))
        .route("/api/shop/promos/{code}", get(check_promo))
}

/// The promo code `code`, if it exists.
pub async fn promo(
    client: &impl deadpool_postgres::GenericClient,
    code: &str,
) -> Result<Option<Promo>> {
    let code = code.trim().to_uppercase();
    let r = client.query_opt(sql!("shop_promo_get"), &[&code]).await?;
    Ok(r.map(|r| {
        let (kind, value): (String, i64) = (r.get(1), r.get(2));
        Promo {
            code: r.get(0),
            percent: (kind == "PERCENT").then_some(value / 100),
            flat: (kind == "FLAT").then_some(value),
            max_discount: r.get(3),
            min_order: r.get(4),
            active: r.get(5),
            expired: r.get(6),
            once_per_customer: r.get(7),
        }
    }))
}

#[derive(Debug, Deserialize)]
struct PromoQuery {
    subtotal: f64,
}

async fn check_promo(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<PromoQuery>,
) -> Result<Json<Value>> {
    if !q.subtotal.is_finite() || q.subtotal < 0.0 {
        return Err(Error::BadRequest("subtotal must be a number ≥ 0".into()));
    }
    let client = state.pool.get().await?;
    let result = match promo(&client, &code).await? {
        Some(p) => p.discount((q.subtotal * 100.0).round() as i64),
        None => Err(format!(
            "{} is not a valid code",
            code.trim().to_uppercase()
        )),
    };
    Ok(Json(pricing::promo_json(
        &code.trim().to_uppercase(),
        &result,
    )))
}

#[derive(Debug, Deserialize)]
struct Checkout {
    idempotency_key: Uuid,
    payment_method: String,
    promo_code: Option<String>,
    address_id: Option<i64>,
    address: Option<Address>,
    #[serde(default)]
    save_address: bool,
}

fn created(
    order_id: i64,
    payment_id: i64,
    status: &str,
    total: i64,
    currency: &str,
) -> Json<Value> {
    Json(json!({
        "order_id": order_id, "payment_id": payment_id, "status": status,
        "amount": money(total), "currency": currency,
    }))
}

/// The public address the request reached, honouring a proxy's
/// X-Forwarded-Proto and X-Forwarded-Host (a Cloudflare tunnel sets both);
/// anything but a plain host name is ignored.
pub fn site_url(headers: &HeaderMap) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
    };
    let scheme = if crate::auth::session::is_https(headers) {
        "https"
    } else {
        "http"
    };
    let host = header("x-forwarded-host")
        .or_else(|| header("host"))
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or_else(|| "localhost:8000".into());
    format!("{scheme}://{host}")
}

async fn checkout(
    State(state): State<AppState>,
    headers: HeaderMap,
    visitor: Visitor,
    customer: Customer,
    Json(body): Json<Checkout>,
) -> Result<(StatusCode, Json<Value>)> {
    visitor.check_csrf(Some(&customer))?;
    if !METHODS.contains(&body.payment_method.as_str()) {
        return Err(Error::Unprocessable(format!(
            "payment_method: one of {}",
            METHODS.join(", ")
        )));
    }
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    // one checkout of this cart at a time: a parallel request with the same
    // key then finds the order, one with another key finds the cart empty
    tx.execute(sql!("shop_checkout_lock"), &[&customer.cart_owner()])
        .await?;
    // the same key again: the same order
    if let Some(r) = tx
        .query_opt(sql!("shop_order_by_key"), &[&body.idempotency_key])
        .await?
    {
        let (order_id, owner, payment_id, status, total, currency): (
            i64,
            i64,
            i64,
            String,
            i64,
            String,
        ) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
        if owner != customer.customer_id {
            return Err(Error::Conflict {
                message: "idempotency_key already used".into(),
                details: json!({}),
            });
        }
        return Ok((
            StatusCode::OK,
            created(order_id, payment_id, &status, total, &currency),
        ));
    }
    // the delivery address
    let address = match (body.address_id, body.address) {
        (Some(id), _) => {
            let r = tx
                .query_opt(sql!("shop_address_get"), &[&id, &customer.customer_id])
                .await?
                .ok_or_else(|| Error::not_found("address"))?;
            addresses::address_json(&r)
        }
        (None, Some(a)) => {
            let a = a.validated()?;
            if body.save_address {
                addresses::address_json(&addresses::insert(&tx, customer.customer_id, &a).await?)
            } else {
                serde_json::to_value(&a).unwrap_or(Value::Null)
            }
        }
        (None, None) => {
            return Err(Error::Unprocessable(
                "address_id or address: a delivery address is required".into(),
            ))
        }
    };
    let country = address["country"].as_str().unwrap_or("").to_string();
    // the cart, priced from the catalog as it is now
    let owner = customer.cart_owner();
    let cart = tx.query(sql!("shop_cart_lines"), &[&owner]).await?;
    if cart.is_empty() {
        return Err(Error::Unprocessable("the cart is empty".into()));
    }
    let ids: Vec<i64> = cart.iter().map(|r| r.get(0)).collect();
    let qty: Vec<i32> = cart.iter().map(|r| r.get(1)).collect();
    let products = tx.query(sql!("shop_checkout_products"), &[&ids]).await?;
    let mut lines = Vec::with_capacity(ids.len());
    let mut currency = String::from("INR");
    for (id, q) in ids.iter().zip(&qty) {
        let p = products
            .iter()
            .find(|p| p.get::<_, i64>(0) == *id)
            .ok_or_else(|| {
                Error::Unprocessable(format!(
                    "product {id} is no longer sold; remove it from the cart"
                ))
            })?;
        currency = p.get(4);
        lines.push(LineIn {
            product_id: *id,
            name: p.get(1),
            qty: *q as i64,
            list: p.get(2),
            cost: p.get(3),
        });
    }
    let subtotal = pricing::price(&lines, 0).subtotal;
    let (promo_code, promo_discount) = match body
        .promo_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => {
            let p = promo(&tx, code).await?.ok_or_else(|| {
                Error::Unprocessable(format!(
                    "promo_code: {} is not a valid code",
                    code.to_uppercase()
                ))
            })?;
            let d = p
                .discount(subtotal)
                .map_err(|m| Error::Unprocessable(format!("promo_code: {m}")))?;
            // serialized by the checkout lock: two parallel orders cannot both use it
            if p.once_per_customer
                && tx
                    .query_one(sql!("shop_promo_used"), &[&customer.customer_id, &p.code])
                    .await?
                    .get::<_, bool>(0)
            {
                return Err(Error::Unprocessable(format!(
                    "promo_code: {} is once per customer and you have used it already",
                    p.code
                )));
            }
            (Some(p.code), d)
        }
        None => (None, 0),
    };
    let totals = pricing::price(&lines, promo_discount);
    // stock: lock the rows in id order (no deadlocks), refuse what is short
    tx.execute(sql!("shop_inventory_ensure"), &[&ids]).await?;
    let stock = tx.query(sql!("shop_inventory_lock"), &[&ids]).await?;
    let short: Vec<Value> = lines
        .iter()
        .filter_map(|l| {
            let available: i64 = stock.iter().find(|s| s.get::<_, i64>(0) == l.product_id).map_or(0, |s| s.get(1));
            (available < l.qty).then(|| json!({"product_id": l.product_id, "name": l.name, "requested": l.qty, "available": available}))
        })
        .collect();
    if !short.is_empty() {
        return Err(Error::Conflict {
            message: format!("not enough stock for {} item(s)", short.len()),
            details: json!({ "items": short }),
        });
    }
    tx.execute(sql!("shop_inventory_reserve"), &[&ids, &qty])
        .await?;
    // geography of the delivery address (and the customer's home, when it moved)
    let geo: i64 = tx
        .query_one(
            sql!("shop_geo_for_country"),
            &[&country, &customer.customer_id],
        )
        .await?
        .get(0);
    if tx
        .execute(
            sql!("shop_customer_set_geo"),
            &[&customer.customer_id, &geo],
        )
        .await?
        > 0
    {
        accounts::customer_event(&tx, customer.customer_id).await?;
    }
    let new_ids: Vec<i64> = tx
        .query(sql!("shop_next_ids"), &[&(lines.len() as i64 + 2)])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let (order_id, payment_id) = (new_ids[0], new_ids[1]);
    let now = now_micros();
    let items: Vec<OrderItem> = totals
        .lines
        .iter()
        .zip(&new_ids[2..])
        .map(|(l, id)| OrderItem {
            order_item_id: *id,
            product_id: l.product_id,
            qty: l.qty as i32,
            unit_list_price: l.unit_list,
            unit_sell_price: l.unit_sell,
            unit_cost: l.unit_cost,
            line_discount: l.discount,
            line_tax: l.tax,
            line_net_revenue: l.net,
        })
        .collect();
    let net: i64 = totals.lines.iter().map(|l| l.net).sum();
    let order = OrderEvent {
        event_id: Uuid::new_v4().to_string(),
        order_id,
        event_time: now,
        updated_at: now,
        customer_id: customer.customer_id,
        geo_id: geo,
        order_ts: now,
        order_status: "CREATED".into(),
        channel: "WEB".into(),
        device: visitor.device.into(),
        currency: currency.clone(),
        gross_amount: totals.gross,
        discount_amount: totals.discount,
        tax_amount: totals.tax,
        net_amount: net,
        items: items.clone(),
    };
    let payment = PaymentEvent {
        event_id: Uuid::new_v4().to_string(),
        payment_id,
        order_id,
        event_time: now,
        updated_at: now,
        payment_method: body.payment_method.clone(),
        payment_status: "PENDING".into(),
        payment_provider: super::payments::PROVIDER.into(),
        currency: currency.clone(),
        amount: totals.total,
        gateway_fee_amount: 0,
        refund_amount: 0,
        authorized_ts: None,
        captured_ts: None,
        failure_reason: None,
        chargeback_flag: false,
    };
    let json_of = |v: &dyn erased::Json| v.json();
    tx.execute(
        sql!("shop_order_insert"),
        &[
            &order_id,
            &customer.customer_id,
            &body.idempotency_key,
            &geo,
            &body.payment_method,
            &visitor.device,
            &currency,
            &totals.gross,
            &totals.discount,
            &promo_code,
            &totals.promo_discount,
            &totals.tax,
            &totals.total,
            &address,
            &visitor.visit_id,
            &json_of(&order),
            &json_of(&payment),
            &site_url(&headers),
        ],
    )
    .await?;
    let item_ids: Vec<i64> = items.iter().map(|i| i.order_item_id).collect();
    let names: Vec<String> = totals.lines.iter().map(|l| l.name.clone()).collect();
    let col = |f: fn(&pricing::Line) -> i64| totals.lines.iter().map(f).collect::<Vec<i64>>();
    tx.execute(
        sql!("shop_order_items_insert"),
        &[
            &order_id,
            &item_ids,
            &ids,
            &names,
            &qty,
            &col(|l| l.unit_list),
            &col(|l| l.unit_sell),
            &col(|l| l.unit_cost),
            &col(|l| l.discount),
            &col(|l| l.tax),
            &col(|l| l.net),
        ],
    )
    .await?;
    tx.execute(sql!("shop_reservations_insert"), &[&order_id, &ids, &qty])
        .await?;
    let provider_ref = super::payments::create_payment();
    tx.execute(
        sql!("shop_payment_insert"),
        &[
            &payment_id,
            &order_id,
            &super::payments::PROVIDER,
            &provider_ref,
            &totals.total,
            &currency,
            &body.payment_method,
        ],
    )
    .await?;
    outbox::enqueue(&tx, &AnyEvent::Order(order)).await?;
    outbox::enqueue(&tx, &AnyEvent::Payment(payment)).await?;
    tx.execute(sql!("shop_cart_delete_owner"), &[&owner])
        .await?;
    tx.commit().await?;
    state.shop.nudge();
    state.shop.catalog().invalidate();
    Ok((
        StatusCode::CREATED,
        created(order_id, payment_id, "CREATED", totals.total, &currency),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_the_proxy_and_refuse_odd_hosts() {
        let mut h = HeaderMap::new();
        h.insert("host", "localhost:8000".parse().unwrap());
        assert_eq!(site_url(&h), "http://localhost:8000");
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        h.insert(
            "x-forwarded-host",
            "shop-demo.trycloudflare.com".parse().unwrap(),
        );
        assert_eq!(site_url(&h), "https://shop-demo.trycloudflare.com");
        h.insert("x-forwarded-host", "evil.com/<script>".parse().unwrap());
        assert_eq!(site_url(&h), "https://localhost:8000");
    }
}

mod erased {
    /// Serialises an event to the JSON stored beside the order.
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

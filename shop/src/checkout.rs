//! Checkout, in one transaction: price the cart from the catalog, apply the
//! promo code (it is charged, not just shown), reserve stock (409 with the
//! items short), create the order and its pending payment, queue their events,
//! empty the cart. The page's idempotency key makes a repeated checkout (a
//! double click, a retry) return the same order.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use deadpool_postgres::Transaction;
use globalcart_common::query;
use globalcart_schemas::{AnyEvent, OrderEvent, OrderItem, PaymentEvent};
use globalcart_schemas::{OrderStatus, PaymentStatus};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::addresses::{self, Address};
use super::pricing::{self, LineIn, Promo};
use super::visitor::{Customer, Visitor};
use super::{accounts, money, now_micros, outbox};
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

/// Payment methods the simulated provider takes.
pub const METHODS: [&str; 4] = ["CARD", "UPI", "NETBANKING", "WALLET"];

pub fn router() -> Router<ShopState> {
    Router::new()
        .route("/api/shop/checkout", post(checkout))
        .route("/api/shop/promos/{code}", get(check_promo))
}

/// The promo code `code`, if it exists.
pub async fn promo(
    client: &impl globalcart_common::query::Connection,
    code: &str,
) -> Result<Option<Promo>> {
    let code = code.trim().to_uppercase();
    let r = query!("shop_promo_get").opt(&client, &[&code]).await?;
    Ok(r.map(|r| {
        let (kind, value): (String, i64) = (r.get("discount_type"), r.get("discount_value"));
        Promo {
            code: r.get("code"),
            percent: (kind == "PERCENT").then_some(value / 100),
            flat: (kind == "FLAT").then_some(value),
            max_discount: r.get("max_discount"),
            min_order: r.get("min_order"),
            active: r.get("active"),
            expired: r.get("expired"),
            once_per_customer: r.get("once_per_customer"),
        }
    }))
}

#[derive(Debug, Deserialize)]
struct PromoQuery {
    subtotal: f64,
}

async fn check_promo(
    State(state): State<ShopState>,
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
    let scheme = if globalcart_httpkit::session::is_https(headers) {
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
    State(state): State<ShopState>,
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
    query!("shop_checkout_lock")
        .execute(&tx, &[&customer.cart_owner()])
        .await?;
    if let Some(done) = replayed(&tx, &body, &customer).await? {
        return Ok((StatusCode::OK, done));
    }
    let address = delivery_address(&tx, &body, &customer).await?;
    let cart = priced_cart(&tx, &customer.cart_owner()).await?;
    let subtotal = pricing::price(&cart.lines, 0).subtotal;
    let (promo_code, promo_discount) =
        promo_discount(&tx, &customer, body.promo_code.as_deref(), subtotal).await?;
    let totals = pricing::price(&cart.lines, promo_discount);
    reserve_stock(&tx, &cart).await?;
    let country = address["country"].as_str().unwrap_or("");
    let geo = geography(&tx, &customer, country).await?;
    let new_ids: Vec<i64> = query!("shop_next_ids")
        .rows(&tx, &[&(cart.lines.len() as i64 + 2)])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let (order, payment) = events(&new_ids, &totals, &cart, &body, &customer, &visitor, geo);
    let stored = Stored {
        body: &body,
        customer: &customer,
        visitor: &visitor,
        cart: &cart,
        totals: &totals,
        promo_code: &promo_code,
        address: &address,
        geo,
        site: site_url(&headers),
    };
    store(&tx, &stored, &order, &payment).await?;
    let (order_id, payment_id) = (order.order_id, payment.payment_id);
    outbox::enqueue(&tx, &AnyEvent::Order(order)).await?;
    outbox::enqueue(&tx, &AnyEvent::Payment(payment)).await?;
    query!("shop_cart_delete_owner")
        .execute(&tx, &[&customer.cart_owner()])
        .await?;
    tx.commit().await?;
    state.shop.nudge();
    state.shop.catalog().invalidate();
    Ok((
        StatusCode::CREATED,
        created(
            order_id,
            payment_id,
            OrderStatus::Created.as_str(),
            totals.total,
            &cart.currency,
        ),
    ))
}

/// The order an earlier checkout with the same idempotency key created (the
/// same key again: the same order), or none.
async fn replayed(
    tx: &Transaction<'_>,
    body: &Checkout,
    customer: &Customer,
) -> Result<Option<Json<Value>>> {
    let Some(r) = query!("shop_order_by_key")
        .opt(tx, &[&body.idempotency_key])
        .await?
    else {
        return Ok(None);
    };
    let order_id: i64 = r.get("order_id");
    let owner: i64 = r.get("customer_id");
    let payment_id: i64 = r.get("payment_id");
    let status: String = r.get("status");
    let total: i64 = r.get("total_cents");
    let currency: String = r.get("currency");
    if owner != customer.customer_id {
        return Err(Error::Conflict {
            message: "idempotency_key already used".into(),
            details: json!({}),
        });
    }
    Ok(Some(created(
        order_id, payment_id, &status, total, &currency,
    )))
}

/// The delivery address: a saved one by id, or a new one (saved when asked).
async fn delivery_address(
    tx: &Transaction<'_>,
    body: &Checkout,
    customer: &Customer,
) -> Result<Value> {
    match (body.address_id, &body.address) {
        (Some(id), _) => {
            let r = query!("shop_address_get")
                .opt(tx, &[&id, &customer.customer_id])
                .await?
                .ok_or_else(|| Error::not_found("address"))?;
            Ok(addresses::address_json(&r))
        }
        (None, Some(a)) => {
            let a = a.clone().validated()?;
            if body.save_address {
                Ok(addresses::address_json(
                    &addresses::insert(tx, customer.customer_id, &a).await?,
                ))
            } else {
                Ok(serde_json::to_value(&a).unwrap_or(Value::Null))
            }
        }
        (None, None) => Err(Error::Unprocessable(
            "address_id or address: a delivery address is required".into(),
        )),
    }
}

/// The cart's lines, priced from the catalog as it is now.
struct Cart {
    ids: Vec<i64>,
    qty: Vec<i32>,
    lines: Vec<LineIn>,
    currency: String,
}

async fn priced_cart(tx: &Transaction<'_>, owner: &str) -> Result<Cart> {
    let rows = query!("shop_cart_lines").rows(tx, &[&owner]).await?;
    if rows.is_empty() {
        return Err(Error::Unprocessable("the cart is empty".into()));
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.get("product_id")).collect();
    let qty: Vec<i32> = rows.iter().map(|r| r.get("qty")).collect();
    let products = query!("shop_checkout_products").rows(tx, &[&ids]).await?;
    let mut lines = Vec::with_capacity(ids.len());
    let mut currency = String::from("INR");
    for (id, q) in ids.iter().zip(&qty) {
        let p = products
            .iter()
            .find(|p| p.get::<_, i64>("product_id") == *id)
            .ok_or_else(|| {
                Error::Unprocessable(format!(
                    "product {id} is no longer sold; remove it from the cart"
                ))
            })?;
        currency = p.get("currency");
        lines.push(LineIn {
            product_id: *id,
            name: p.get("product_name"),
            qty: *q as i64,
            list: p.get("list_cents"),
            cost: p.get("cost_cents"),
        });
    }
    Ok(Cart {
        ids,
        qty,
        lines,
        currency,
    })
}

/// The promo code's discount on `subtotal` (it is charged, not just shown),
/// refused when it is invalid or already used by a once-per-customer code.
async fn promo_discount(
    tx: &Transaction<'_>,
    customer: &Customer,
    code: Option<&str>,
    subtotal: i64,
) -> Result<(Option<String>, i64)> {
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok((None, 0));
    };
    let p = promo(tx, code).await?.ok_or_else(|| {
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
        && query!("shop_promo_used")
            .one(tx, &[&customer.customer_id, &p.code])
            .await?
            .get::<_, bool>(0)
    {
        return Err(Error::Unprocessable(format!(
            "promo_code: {} is once per customer and you have used it already",
            p.code
        )));
    }
    Ok((Some(p.code), d))
}

/// Locks the stock rows in id order (no deadlocks) and reserves the cart's
/// quantities; 409 with the items short.
async fn reserve_stock(tx: &Transaction<'_>, cart: &Cart) -> Result<()> {
    query!("shop_inventory_ensure")
        .execute(tx, &[&cart.ids])
        .await?;
    let stock = query!("shop_inventory_lock").rows(tx, &[&cart.ids]).await?;
    let short: Vec<Value> = cart
        .lines
        .iter()
        .filter_map(|l| {
            let available: i64 = stock
                .iter()
                .find(|s| s.get::<_, i64>("product_id") == l.product_id)
                .map_or(0, |s| s.get("available"));
            (available < l.qty).then(|| {
                json!({"product_id": l.product_id, "name": l.name, "requested": l.qty, "available": available})
            })
        })
        .collect();
    if !short.is_empty() {
        return Err(Error::Conflict {
            message: format!("not enough stock for {} item(s)", short.len()),
            details: json!({ "items": short }),
        });
    }
    query!("shop_inventory_reserve")
        .execute(tx, &[&cart.ids, &cart.qty])
        .await?;
    Ok(())
}

/// The geography of the delivery address; the customer's home moves with it
/// (and a customer event says so).
async fn geography(tx: &Transaction<'_>, customer: &Customer, country: &str) -> Result<i64> {
    let geo: i64 = query!("shop_geo_for_country")
        .one(tx, &[&country, &customer.customer_id])
        .await?
        .get(0);
    if query!("shop_customer_set_geo")
        .execute(tx, &[&customer.customer_id, &geo])
        .await?
        > 0
    {
        accounts::customer_event(tx, customer.customer_id).await?;
    }
    Ok(geo)
}

/// The order (`CREATED`) and its pending payment, with the ids of `new_ids`
/// (order, payment, then one per line).
fn events(
    new_ids: &[i64],
    totals: &pricing::Totals,
    cart: &Cart,
    body: &Checkout,
    customer: &Customer,
    visitor: &Visitor,
    geo: i64,
) -> (OrderEvent, PaymentEvent) {
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
        order_status: OrderStatus::Created.into(),
        channel: "WEB".into(),
        device: visitor.device.into(),
        currency: cart.currency.clone(),
        gross_amount: totals.gross,
        discount_amount: totals.discount,
        tax_amount: totals.tax,
        net_amount: net,
        items,
    };
    let payment = PaymentEvent {
        event_id: Uuid::new_v4().to_string(),
        payment_id,
        order_id,
        event_time: now,
        updated_at: now,
        payment_method: body.payment_method.clone(),
        payment_status: PaymentStatus::Pending.into(),
        payment_provider: super::payments::PROVIDER.into(),
        currency: cart.currency.clone(),
        amount: totals.total,
        gateway_fee_amount: 0,
        refund_amount: 0,
        authorized_ts: None,
        captured_ts: None,
        failure_reason: None,
        chargeback_flag: false,
    };
    (order, payment)
}

/// What the shop's own tables keep of a checkout besides the events.
struct Stored<'a> {
    body: &'a Checkout,
    customer: &'a Customer,
    visitor: &'a Visitor,
    cart: &'a Cart,
    totals: &'a pricing::Totals,
    promo_code: &'a Option<String>,
    address: &'a Value,
    geo: i64,
    site: String,
}

/// Writes the order, its lines, its reservations and the provider's payment.
async fn store(
    tx: &Transaction<'_>,
    s: &Stored<'_>,
    order: &OrderEvent,
    payment: &PaymentEvent,
) -> Result<()> {
    let (order_id, totals, cart) = (order.order_id, s.totals, s.cart);
    let json_of = |v: &dyn erased::Json| v.json();
    query!("shop_order_insert")
        .execute(
            tx,
            &[
                &order_id,
                &s.customer.customer_id,
                &s.body.idempotency_key,
                &s.geo,
                &s.body.payment_method,
                &s.visitor.device,
                &cart.currency,
                &totals.gross,
                &totals.discount,
                s.promo_code,
                &totals.promo_discount,
                &totals.tax,
                &totals.total,
                s.address,
                &s.visitor.visit_id,
                &json_of(order),
                &json_of(payment),
                &s.site,
            ],
        )
        .await?;
    let item_ids: Vec<i64> = order.items.iter().map(|i| i.order_item_id).collect();
    let names: Vec<String> = totals.lines.iter().map(|l| l.name.clone()).collect();
    let col = |f: fn(&pricing::Line) -> i64| totals.lines.iter().map(f).collect::<Vec<i64>>();
    query!("shop_order_items_insert")
        .execute(
            tx,
            &[
                &order_id,
                &item_ids,
                &cart.ids,
                &names,
                &cart.qty,
                &col(|l| l.unit_list),
                &col(|l| l.unit_sell),
                &col(|l| l.unit_cost),
                &col(|l| l.discount),
                &col(|l| l.tax),
                &col(|l| l.net),
            ],
        )
        .await?;
    query!("shop_reservations_insert")
        .execute(tx, &[&order_id, &cart.ids, &cart.qty])
        .await?;
    let provider_ref = super::payments::create_payment();
    query!("shop_payment_insert")
        .execute(
            tx,
            &[
                &payment.payment_id,
                &order_id,
                &super::payments::PROVIDER,
                &provider_ref,
                &totals.total,
                &cart.currency,
                &s.body.payment_method,
            ],
        )
        .await?;
    Ok(())
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

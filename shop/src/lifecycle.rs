//! The life of a shop order, one transition per function, each inside the
//! caller's transaction with the order row locked: it updates the operational
//! rows, moves stock, queues the customer's email and writes the events the
//! change causes to the outbox (the next version of the order, payment and
//! shipment events, and the funnel event).
//!
//! CREATED ─capture→ CONFIRMED ─ship→ SHIPPED ─deliver→ DELIVERED
//!    │                  │
//!    └─fail/expire─→ CANCELLED ←─cancel (refund, restock)

use deadpool_postgres::Transaction;
use globalcart_common::query;
use globalcart_schemas::{AnyEvent, OrderEvent, PaymentEvent, ShipmentEvent};
use globalcart_schemas::{OrderStatus, PaymentStatus, ShipmentStatus};
use serde_json::Value;
use uuid::Uuid;

use super::events::click_with_id;
use super::{now_micros, outbox};
use globalcart_httpkit::{Error, Result};

/// A shop order as the transitions see it.
#[derive(Debug, Clone)]
pub struct Order {
    pub order_id: i64,
    pub customer_id: i64,
    pub status: String,
    pub payment_status: String,
    pub order: OrderEvent,
    pub payment: PaymentEvent,
    pub shipment: Option<ShipmentEvent>,
    pub session_id: String,
    pub email: String,
    pub country: String,
    /// Public address of the shop, for links in emails.
    pub site_url: String,
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| Error::internal("reading a stored event", e))
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Loads and locks order `order_id` (of `customer_id` when given: another
/// customer's order reads as missing).
pub async fn lock(tx: &Transaction<'_>, order_id: i64, customer_id: Option<i64>) -> Result<Order> {
    let r = query!("shop_order_lock")
        .opt(&tx, &[&order_id, &customer_id])
        .await?
        .ok_or_else(|| Error::not_found("order"))?;
    let shipment: Option<Value> = r.get("shipment_event");
    Ok(Order {
        order_id,
        customer_id: r.get("customer_id"),
        status: r.get("status"),
        payment_status: r.get("payment_status"),
        order: from_json(r.get("order_event"))?,
        payment: from_json(r.get("payment_event"))?,
        shipment: shipment.map(from_json).transpose()?,
        session_id: r.get("session_id"),
        email: r.get("email"),
        country: r.get("country"),
        site_url: r.get("site_url"),
    })
}

fn stamp() -> (String, i64) {
    (Uuid::new_v4().to_string(), now_micros())
}

/// Stores `o` and queues its events (the ones `changed` names).
async fn save(
    tx: &Transaction<'_>,
    o: &mut Order,
    changed: [bool; 3],
    reason: Option<&str>,
) -> Result<()> {
    let (_, now) = stamp();
    if changed[0] {
        let (id, _) = stamp();
        o.order.event_id = id;
        o.order.event_time = now;
        o.order.updated_at = now;
        o.order.order_status = o.status.clone();
        outbox::enqueue(tx, &AnyEvent::Order(o.order.clone())).await?;
    }
    if changed[1] {
        let (id, _) = stamp();
        o.payment.event_id = id;
        o.payment.event_time = now;
        o.payment.updated_at = now;
        outbox::enqueue(tx, &AnyEvent::Payment(o.payment.clone())).await?;
    }
    if let (true, Some(s)) = (changed[2], o.shipment.as_mut()) {
        let (id, _) = stamp();
        s.event_id = id;
        s.event_time = now;
        s.updated_at = now;
        outbox::enqueue(tx, &AnyEvent::Shipment(s.clone())).await?;
    }
    query!("shop_order_save")
        .execute(
            &tx,
            &[
                &o.order_id,
                &o.status,
                &o.payment_status,
                &to_json(&o.order),
                &to_json(&o.payment),
                &o.shipment.as_ref().map(to_json),
                &reason,
                &o.payment.failure_reason,
                &(o.payment.gateway_fee_amount),
            ],
        )
        .await?;
    Ok(())
}

async fn email(
    tx: &Transaction<'_>,
    o: &Order,
    kind: &str,
    subject: String,
    body: String,
) -> Result<()> {
    query!("shop_email_insert")
        .execute(
            &tx,
            &[
                &Some(o.customer_id),
                &o.email,
                &kind,
                &subject,
                &body,
                &Some(o.order_id),
            ],
        )
        .await?;
    Ok(())
}

async fn funnel(
    tx: &Transaction<'_>,
    o: &Order,
    stage: &str,
    reason: Option<String>,
) -> Result<()> {
    let e = click_with_id(
        Uuid::new_v4(),
        &o.session_id,
        &o.order.device,
        stage,
        (Some(o.customer_id), None, Some(o.order_id)),
        reason,
    );
    outbox::enqueue(tx, &e).await
}

fn amount(o: &Order) -> String {
    format!(
        "{} {:.2}",
        o.payment.currency,
        o.payment.amount as f64 / 100.0
    )
}

/// The payment was captured: stock consumed, order confirmed, a shipping label
/// made, ORDER_PLACED in the funnel.
pub async fn capture(tx: &Transaction<'_>, o: &mut Order) -> Result<()> {
    let now = now_micros();
    query!("shop_stock_consume")
        .execute(&tx, &[&o.order_id])
        .await?;
    o.status = OrderStatus::Confirmed.into();
    o.payment_status = PaymentStatus::Captured.into();
    o.payment.payment_status = PaymentStatus::Captured.into();
    o.payment.authorized_ts = Some(now);
    o.payment.captured_ts = Some(now);
    // the simulated provider's fee: 2 % plus 3.00
    o.payment.gateway_fee_amount = (o.payment.amount * 2 + 50) / 100 + 300;
    let fc = query!("shop_fc_for_country")
        .one(&tx, &[&o.country])
        .await?;
    let india = o.country.eq_ignore_ascii_case("india");
    let shipment_id: i64 = query!("shop_next_id").one(&tx, &[]).await?.get(0);
    let promised = (now / 86_400_000_000 + 3) as i32;
    o.shipment = Some(ShipmentEvent {
        event_id: String::new(),
        shipment_id,
        order_id: o.order_id,
        event_time: now,
        updated_at: now,
        fc_id: fc.get("fc_id"),
        fc_name: fc.get("fc_name"),
        fc_country: fc.get("country"),
        fc_timezone: fc.get("timezone"),
        carrier: if india { "Delhivery" } else { "DHL Express" }.into(),
        shipment_status: ShipmentStatus::LabelCreated.into(),
        currency: o.payment.currency.clone(),
        shipping_cost: 4900 + o.payment.amount / 100, // 49.00 plus 1 %
        shipped_ts: None,
        promised_delivery_dt: promised,
        delivered_dt: None,
        sla_breached_flag: false,
    });
    save(tx, o, [true, true, true], None).await?;
    funnel(tx, o, "ORDER_PLACED", None).await?;
    email(
        tx,
        o,
        "ORDER_CONFIRMED",
        format!("Order #{} confirmed", o.order_id),
        format!(
            "We received your payment of {} for order #{}. We will tell you when it ships.",
            amount(o),
            o.order_id
        ),
    )
    .await
}

/// The payment failed: stock released, order cancelled, PAYMENT_FAILED in the funnel.
pub async fn fail(tx: &Transaction<'_>, o: &mut Order, reason: &str) -> Result<()> {
    query!("shop_stock_release")
        .execute(&tx, &[&o.order_id])
        .await?;
    o.status = OrderStatus::Cancelled.into();
    o.payment_status = PaymentStatus::Failed.into();
    o.payment.payment_status = PaymentStatus::Failed.into();
    o.payment.failure_reason = Some(reason.to_string());
    save(
        tx,
        o,
        [true, true, false],
        Some(&format!("payment failed: {reason}")),
    )
    .await?;
    funnel(tx, o, "PAYMENT_FAILED", Some(reason.to_string())).await?;
    email(
        tx,
        o,
        "PAYMENT_FAILED",
        format!("Payment for order #{} failed", o.order_id),
        format!("Your payment of {} failed ({reason}). Nothing was charged; your cart items are still in stock for a new try.", amount(o)),
    )
    .await
}

/// Cancelled by the customer (before shipping): unpaid → stock released;
/// paid → refunded in full and restocked, label voided.
pub async fn cancel(tx: &Transaction<'_>, o: &mut Order, reason: &str) -> Result<()> {
    let paid = PaymentStatus::Captured.is(&o.payment_status);
    if paid {
        query!("shop_stock_restock")
            .execute(&tx, &[&o.order_id])
            .await?;
        o.payment.payment_status = PaymentStatus::Refunded.into();
        o.payment_status = PaymentStatus::Refunded.into();
        o.payment.refund_amount = o.payment.amount;
        if let Some(s) = o.shipment.as_mut() {
            s.shipment_status = ShipmentStatus::Cancelled.into();
            s.shipping_cost = 0;
        }
    } else {
        query!("shop_stock_release")
            .execute(&tx, &[&o.order_id])
            .await?;
        o.payment.payment_status = PaymentStatus::Failed.into();
        o.payment.failure_reason = Some("CANCELLED_BY_CUSTOMER".into());
        o.payment_status = PaymentStatus::Failed.into();
    }
    o.status = OrderStatus::Cancelled.into();
    save(tx, o, [true, true, paid], Some(reason)).await?;
    let refund = if paid {
        format!(" {} will be refunded to you.", amount(o))
    } else {
        String::new()
    };
    email(
        tx,
        o,
        "ORDER_CANCELLED",
        format!("Order #{} cancelled", o.order_id),
        format!(
            "Your order #{} was cancelled (reason: {reason}).{refund}",
            o.order_id
        ),
    )
    .await
}

/// An unpaid order whose reservation ran out.
pub async fn expire(tx: &Transaction<'_>, o: &mut Order) -> Result<()> {
    query!("shop_stock_release")
        .execute(&tx, &[&o.order_id])
        .await?;
    o.status = OrderStatus::Cancelled.into();
    o.payment_status = PaymentStatus::Failed.into();
    o.payment.payment_status = PaymentStatus::Failed.into();
    o.payment.failure_reason = Some("PAYMENT_TIMEOUT".into());
    save(tx, o, [true, true, false], Some("not paid in time")).await
}

/// Handed to the carrier.
pub async fn ship(tx: &Transaction<'_>, o: &mut Order) -> Result<()> {
    let now = now_micros();
    o.status = OrderStatus::Shipped.into();
    if let Some(s) = o.shipment.as_mut() {
        s.shipment_status = ShipmentStatus::Shipped.into();
        s.shipped_ts = Some(now);
    }
    save(tx, o, [true, false, true], None).await?;
    let carrier = o
        .shipment
        .as_ref()
        .map_or("the carrier", |s| s.carrier.as_str())
        .to_string();
    email(
        tx,
        o,
        "ORDER_SHIPPED",
        format!("Order #{} shipped", o.order_id),
        format!("Your order #{} is on its way with {carrier}.", o.order_id),
    )
    .await
}

/// Delivered.
pub async fn deliver(tx: &Transaction<'_>, o: &mut Order) -> Result<()> {
    let today = (now_micros() / 86_400_000_000) as i32;
    o.status = OrderStatus::Delivered.into();
    if let Some(s) = o.shipment.as_mut() {
        s.shipment_status = ShipmentStatus::Delivered.into();
        s.delivered_dt = Some(today);
        s.sla_breached_flag = today > s.promised_delivery_dt;
    }
    save(tx, o, [true, false, true], None).await?;
    email(tx, o, "ORDER_DELIVERED", format!("Order #{} delivered", o.order_id), format!("Your order #{} was delivered. Tell others what you think: you can now review its products.", o.order_id)).await
}

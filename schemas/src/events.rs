//! One typed event per Avro schema. Field names and order match the `.avsc` files.
//!
//! Every event carries an `event_id`, its entity key, an `event_time` and the
//! entity version `updated_at` (both microseconds since the Unix epoch).

use serde::{Deserialize, Serialize};

use crate::contract::{
    adds_up, currency, date, id, non_negative, one_of, opt_id, opt_time, product, sum, time,
};
use crate::status::{OrderStatus, PaymentStatus, ReturnStatus, ShipmentStatus};
use crate::topics::Topic;

/// Funnel stages, in funnel order.
pub const FUNNEL_STAGES: [&str; 7] = [
    "VIEW_PRODUCT",
    "ADD_TO_CART",
    "VIEW_CART",
    "CHECKOUT_STARTED",
    "PAYMENT_ATTEMPTED",
    "PAYMENT_FAILED",
    "ORDER_PLACED",
];
/// Order statuses an order event may carry.
pub const ORDER_STATUSES: &[&str] = OrderStatus::NAMES;
/// Payment statuses a payment event may carry.
pub const PAYMENT_STATUSES: &[&str] = PaymentStatus::NAMES;
/// Shipment statuses a shipment event may carry.
pub const SHIPMENT_STATUSES: &[&str] = ShipmentStatus::NAMES;
/// Return statuses a return event may carry.
pub const RETURN_STATUSES: &[&str] = ReturnStatus::NAMES;

/// What every event on a business topic provides.
pub trait Event: Serialize + for<'de> Deserialize<'de> {
    /// The topic this event travels on.
    const TOPIC: Topic;
    /// The Avro schema text this event is written with.
    const SCHEMA: &'static str;
    /// The event's id (a UUID string).
    fn event_id(&self) -> &str;
    /// The entity version: newer wins.
    fn updated_at(&self) -> i64;
    /// The event time (microseconds).
    fn event_time(&self) -> i64;
    /// The message key: every event of one order shares the order's key.
    fn key(&self) -> String;
    /// Business rules the schema cannot express; `Err` names the broken rule.
    fn validate(&self) -> Result<(), String>;
}

fn common(event_id: &str, event_time: i64, updated_at: i64) -> Result<(), String> {
    let is_uuid = event_id.len() == 36
        && event_id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if !is_uuid {
        return Err(format!("event_id {event_id:?} is not a UUID"));
    }
    if updated_at <= 0 {
        return Err("updated_at is not set".into());
    }
    time("event_time", event_time)?;
    time("updated_at", updated_at)
}

macro_rules! event_impl {
    ($ty:ty, $topic:expr, $file:literal, $key:ident, |$s:ident| $validate:block) => {
        impl Event for $ty {
            const TOPIC: Topic = $topic;
            const SCHEMA: &'static str = include_str!(concat!("../avro/", $file));
            fn event_id(&self) -> &str {
                &self.event_id
            }
            fn updated_at(&self) -> i64 {
                self.updated_at
            }
            fn event_time(&self) -> i64 {
                self.event_time
            }
            fn key(&self) -> String {
                self.$key.to_string()
            }
            fn validate(&self) -> Result<(), String> {
                let $s = self;
                common(&$s.event_id, $s.event_time, $s.updated_at)?;
                $validate
            }
        }
    };
}

/// A customer and its home geography.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerEvent {
    pub event_id: String,
    pub customer_id: i64,
    pub event_time: i64,
    pub updated_at: i64,
    pub customer_created_at: i64,
    pub geo_id: i64,
    pub country: String,
    pub region: String,
    pub city: String,
    pub currency: String,
    pub acquisition_channel: String,
}

event_impl!(
    CustomerEvent,
    Topic::Customers,
    "customers.avsc",
    customer_id,
    |e| {
        id("customer_id", e.customer_id)?;
        id("geo_id", e.geo_id)?;
        time("customer_created_at", e.customer_created_at)?;
        currency(&e.currency)
    }
);

/// A catalog product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductEvent {
    pub event_id: String,
    pub product_id: i64,
    pub event_time: i64,
    pub updated_at: i64,
    pub sku: String,
    pub product_name: String,
    pub category_l1: String,
    pub category_l2: String,
    pub brand: String,
    pub currency: String,
    pub unit_cost: i64,
    pub list_price: i64,
}

event_impl!(
    ProductEvent,
    Topic::Products,
    "products.avsc",
    product_id,
    |e| {
        id("product_id", e.product_id)?;
        currency(&e.currency)?;
        non_negative("unit_cost", e.unit_cost)?;
        non_negative("list_price", e.list_price)
    }
);

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub order_item_id: i64,
    pub product_id: i64,
    pub qty: i32,
    pub unit_list_price: i64,
    pub unit_sell_price: i64,
    pub unit_cost: i64,
    pub line_discount: i64,
    pub line_tax: i64,
    pub line_net_revenue: i64,
}

/// An order with its lines, at creation and at each status change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub event_id: String,
    pub order_id: i64,
    pub event_time: i64,
    pub updated_at: i64,
    pub customer_id: i64,
    pub geo_id: i64,
    pub order_ts: i64,
    pub order_status: String,
    pub channel: String,
    pub device: String,
    pub currency: String,
    pub gross_amount: i64,
    pub discount_amount: i64,
    pub tax_amount: i64,
    pub net_amount: i64,
    pub items: Vec<OrderItem>,
}

event_impl!(OrderEvent, Topic::Orders, "orders.avsc", order_id, |e| {
    id("order_id", e.order_id)?;
    id("customer_id", e.customer_id)?;
    id("geo_id", e.geo_id)?;
    time("order_ts", e.order_ts)?;
    one_of("order_status", &e.order_status, ORDER_STATUSES)?;
    currency(&e.currency)?;
    if e.items.is_empty() {
        return Err("order has no items".into());
    }
    let mut item_ids: Vec<i64> = e.items.iter().map(|i| i.order_item_id).collect();
    item_ids.sort_unstable();
    if let Some(w) = item_ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("order_item_id {} appears twice in the order", w[0]));
    }
    let mut list_total = Vec::with_capacity(e.items.len());
    for i in &e.items {
        i.validate()?;
        list_total.push(product(
            "unit_list_price × qty",
            i.unit_list_price,
            i.qty.into(),
        )?);
    }
    adds_up(
        "gross_amount",
        e.gross_amount,
        "unit_list_price × qty",
        sum("gross", list_total)?,
    )?;
    let lines = |f: fn(&OrderItem) -> i64| sum("lines", e.items.iter().map(f));
    adds_up(
        "discount_amount",
        e.discount_amount,
        "line_discount",
        lines(|i| i.line_discount)?,
    )?;
    adds_up(
        "tax_amount",
        e.tax_amount,
        "line_tax",
        lines(|i| i.line_tax)?,
    )?;
    adds_up(
        "net_amount",
        e.net_amount,
        "line_net_revenue",
        lines(|i| i.line_net_revenue)?,
    )
});

impl OrderItem {
    /// The rules of one line: positive ids, a quantity of 1–1000, no negative
    /// money, and net = list × qty − discount.
    pub fn validate(&self) -> Result<(), String> {
        let line = |rule: String| format!("line {}: {rule}", self.order_item_id);
        id("order_item_id", self.order_item_id)?;
        id("product_id", self.product_id).map_err(line)?;
        if !(1..=1000).contains(&self.qty) {
            return Err(line(format!("qty {} is outside 1–1000", self.qty)));
        }
        for (field, v) in [
            ("unit_list_price", self.unit_list_price),
            ("unit_sell_price", self.unit_sell_price),
            ("unit_cost", self.unit_cost),
            ("line_discount", self.line_discount),
            ("line_tax", self.line_tax),
            ("line_net_revenue", self.line_net_revenue),
        ] {
            non_negative(field, v).map_err(line)?;
        }
        let list = product(
            "unit_list_price × qty",
            self.unit_list_price,
            self.qty.into(),
        )
        .map_err(line)?;
        if list - self.line_discount != self.line_net_revenue {
            return Err(line(format!(
                "line_net_revenue {} differs from unit_list_price × qty − line_discount ({list} − {} = {})",
                self.line_net_revenue,
                self.line_discount,
                list - self.line_discount
            )));
        }
        Ok(())
    }
}

/// A payment attempt and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentEvent {
    pub event_id: String,
    pub payment_id: i64,
    pub order_id: i64,
    pub event_time: i64,
    pub updated_at: i64,
    pub payment_method: String,
    pub payment_status: String,
    pub payment_provider: String,
    pub currency: String,
    pub amount: i64,
    pub gateway_fee_amount: i64,
    pub refund_amount: i64,
    pub authorized_ts: Option<i64>,
    pub captured_ts: Option<i64>,
    pub failure_reason: Option<String>,
    pub chargeback_flag: bool,
}

event_impl!(
    PaymentEvent,
    Topic::Payments,
    "payments.avsc",
    order_id,
    |e| {
        id("payment_id", e.payment_id)?;
        id("order_id", e.order_id)?;
        one_of("payment_status", &e.payment_status, PAYMENT_STATUSES)?;
        currency(&e.currency)?;
        non_negative("amount", e.amount)?;
        non_negative("gateway_fee_amount", e.gateway_fee_amount)?;
        non_negative("refund_amount", e.refund_amount)?;
        if e.refund_amount > e.amount {
            return Err(format!(
                "refund_amount {} exceeds the amount paid {}",
                e.refund_amount, e.amount
            ));
        }
        opt_time("authorized_ts", e.authorized_ts)?;
        opt_time("captured_ts", e.captured_ts)
    }
);

/// A shipment of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentEvent {
    pub event_id: String,
    pub shipment_id: i64,
    pub order_id: i64,
    pub event_time: i64,
    pub updated_at: i64,
    pub fc_id: i64,
    pub fc_name: String,
    pub fc_country: String,
    pub fc_timezone: String,
    pub carrier: String,
    pub shipment_status: String,
    pub currency: String,
    pub shipping_cost: i64,
    pub shipped_ts: Option<i64>,
    pub promised_delivery_dt: i32,
    pub delivered_dt: Option<i32>,
    pub sla_breached_flag: bool,
}

event_impl!(
    ShipmentEvent,
    Topic::Shipments,
    "shipments.avsc",
    order_id,
    |e| {
        id("shipment_id", e.shipment_id)?;
        id("order_id", e.order_id)?;
        id("fc_id", e.fc_id)?;
        one_of("shipment_status", &e.shipment_status, SHIPMENT_STATUSES)?;
        currency(&e.currency)?;
        non_negative("shipping_cost", e.shipping_cost)?;
        opt_time("shipped_ts", e.shipped_ts)?;
        date("promised_delivery_dt", e.promised_delivery_dt)?;
        e.delivered_dt.map_or(Ok(()), |d| date("delivered_dt", d))
    }
);

/// A return of one order line and its refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReturnEvent {
    pub event_id: String,
    pub return_id: i64,
    pub order_id: i64,
    pub order_item_id: i64,
    pub product_id: i64,
    pub event_time: i64,
    pub updated_at: i64,
    pub return_ts: i64,
    pub return_reason: String,
    pub return_status: String,
    pub currency: String,
    pub refund_amount: i64,
    pub restocked_flag: bool,
}

event_impl!(ReturnEvent, Topic::Returns, "returns.avsc", order_id, |e| {
    id("return_id", e.return_id)?;
    id("order_id", e.order_id)?;
    id("order_item_id", e.order_item_id)?;
    id("product_id", e.product_id)?;
    time("return_ts", e.return_ts)?;
    one_of("return_status", &e.return_status, RETURN_STATUSES)?;
    currency(&e.currency)?;
    non_negative("refund_amount", e.refund_amount)
});

/// One funnel (clickstream) event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClickEvent {
    pub event_id: String,
    pub session_id: String,
    pub event_time: i64,
    pub updated_at: i64,
    pub stage: String,
    pub channel: String,
    pub device: String,
    pub customer_id: Option<i64>,
    pub product_id: Option<i64>,
    pub order_id: Option<i64>,
    pub failure_reason: Option<String>,
}

event_impl!(
    ClickEvent,
    Topic::Clickstream,
    "clickstream.avsc",
    session_id,
    |e| {
        one_of("stage", &e.stage, &FUNNEL_STAGES)?;
        opt_id("customer_id", e.customer_id)?;
        opt_id("product_id", e.product_id)?;
        opt_id("order_id", e.order_id)?;
        if e.session_id.is_empty() || e.session_id.len() > 64 {
            return Err(format!(
                "session_id has {} characters (1-64)",
                e.session_id.len()
            ));
        }
        Ok(())
    }
);

/// A message the consumers could not load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub source_topic: String,
    pub source_partition: i32,
    pub source_offset: i64,
    pub reason: String,
    pub rejected_at: i64,
    #[serde(with = "apache_avro::serde_avro_bytes_opt")]
    pub key: Option<Vec<u8>>,
    #[serde(with = "apache_avro::serde_avro_bytes_opt")]
    pub payload: Option<Vec<u8>>,
}

/// The dead-letter schema text.
pub const DEAD_LETTER_SCHEMA: &str = include_str!("../avro/dead_letter.avsc");

/// Every compiled-in schema text.
pub const ALL_SCHEMAS: [&str; 8] = [
    CustomerEvent::SCHEMA,
    ProductEvent::SCHEMA,
    OrderEvent::SCHEMA,
    PaymentEvent::SCHEMA,
    ShipmentEvent::SCHEMA,
    ReturnEvent::SCHEMA,
    ClickEvent::SCHEMA,
    DEAD_LETTER_SCHEMA,
];

/// Any business event, for code that handles a mixed stream (the generator's output).
#[derive(Debug, Clone, PartialEq)]
pub enum AnyEvent {
    Customer(CustomerEvent),
    Product(ProductEvent),
    Order(OrderEvent),
    Payment(PaymentEvent),
    Shipment(ShipmentEvent),
    Return(ReturnEvent),
    Click(ClickEvent),
}

macro_rules! any_dispatch {
    ($self:ident, $e:ident => $body:expr) => {
        match $self {
            AnyEvent::Customer($e) => $body,
            AnyEvent::Product($e) => $body,
            AnyEvent::Order($e) => $body,
            AnyEvent::Payment($e) => $body,
            AnyEvent::Shipment($e) => $body,
            AnyEvent::Return($e) => $body,
            AnyEvent::Click($e) => $body,
        }
    };
}

fn topic_of<E: Event>(_: &E) -> Topic {
    E::TOPIC
}

impl AnyEvent {
    /// The topic the event travels on.
    pub fn topic(&self) -> Topic {
        any_dispatch!(self, e => topic_of(e))
    }
    /// The message key.
    pub fn key(&self) -> String {
        any_dispatch!(self, e => e.key())
    }
    /// The event id.
    pub fn event_id(&self) -> &str {
        any_dispatch!(self, e => e.event_id())
    }
    /// The event time (microseconds).
    pub fn event_time(&self) -> i64 {
        any_dispatch!(self, e => e.event_time())
    }
    /// The event's semantic contract ([`Event::validate`]).
    pub fn validate(&self) -> Result<(), String> {
        any_dispatch!(self, e => e.validate())
    }
    /// Validates, then encodes with the compiled-in schema (Avro single-object
    /// encoding): whatever publishes through here (the generator, the shop's
    /// outbox) cannot emit an event the consumers would reject. Tests that
    /// need a broken event use [`crate::codec::encode`] directly.
    pub fn encode(&self) -> crate::Result<Vec<u8>> {
        self.validate().map_err(|reason| {
            crate::Error::Invalid(format!("{} {}: {reason}", self.topic(), self.event_id()))
        })?;
        any_dispatch!(self, e => crate::codec::encode(e))
    }
}

//! The stream side: every message decoded and validated as the loader does
//! ([`crate::decode`]), the newest version of each entity kept by the loader's
//! rule (`(updated_at, event_id)`, greater wins), poison messages set aside.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use globalcart_schemas::events::Event;
use globalcart_schemas::{
    decode, ClickEvent, CustomerEvent, OrderEvent, PaymentEvent, ProductEvent, ReturnEvent,
    ShipmentEvent, Topic,
};

use super::rows::{
    CustomerRow, ItemRow, OrderRow, PaymentRow, ProductRow, Record, ReturnRow, ShipmentRow,
};
use super::sessions::{Click, Session};

/// A message the loader rejects (undecodable, or breaking the event contract).
#[derive(Debug, Clone)]
pub struct Poison {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub reason: String,
    /// Recorded in the warehouse's `etl_ingest_rejects`.
    pub recorded: bool,
}

/// Where a message came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub topic: Topic,
    pub name: &'a str,
    pub partition: i32,
    pub offset: i64,
}

/// What the stream says the warehouse should hold.
#[derive(Debug, Default)]
pub struct Collected {
    pub orders: HashMap<i64, OrderRow>,
    pub items: HashMap<i64, ItemRow>,
    pub payments: HashMap<i64, PaymentRow>,
    pub shipments: HashMap<i64, ShipmentRow>,
    pub returns: HashMap<i64, ReturnRow>,
    pub products: HashMap<i64, ProductRow>,
    pub customers: HashMap<i64, CustomerRow>,
    pub sessions: HashMap<String, Session>,
    /// Messages read in the window.
    pub messages: u64,
    /// Versions that lost to a newer one (or were the same event again).
    pub superseded: u64,
    pub poison: Vec<Poison>,
    /// Valid messages the warehouse recorded as rejects (it refused them: an
    /// order line claimed by a second order): not expected in the tables.
    pub refused: u64,
    /// Per partition: the offset after the last record read.
    pub ends: HashMap<(String, i32), i64>,
}

/// Keeps `row` under `key` if it is a newer version than the one held;
/// returns whether one of the two was dropped.
fn offer<R: Record>(map: &mut HashMap<i64, R>, key: i64, row: R) -> bool {
    match map.entry(key) {
        Entry::Vacant(v) => {
            v.insert(row);
            false
        }
        Entry::Occupied(mut o) => {
            if row.version() > o.get().version() {
                o.insert(row);
            }
            true
        }
    }
}

fn event<E: Event>(bytes: &[u8]) -> Result<E, String> {
    let e: E = decode(bytes).map_err(|e| format!("undecodable: {e}"))?;
    e.validate()
        .map_err(|r| format!("invalid {}: {r}", E::TOPIC))?;
    Ok(e)
}

impl Collected {
    /// One message of the window; `recorded`: the warehouse holds it as a reject.
    pub fn accept(&mut self, from: Origin<'_>, payload: Option<&[u8]>, recorded: bool) {
        self.messages += 1;
        let note = |this: &mut Self, reason: String| {
            this.poison.push(Poison {
                topic: from.name.to_string(),
                partition: from.partition,
                offset: from.offset,
                reason,
                recorded,
            })
        };
        let Some(bytes) = payload else {
            return note(self, "empty message (no payload)".into());
        };
        macro_rules! load {
            ($ty:ty, |$e:ident| $body:expr) => {
                match event::<$ty>(bytes) {
                    Err(reason) => note(self, reason),
                    Ok(_) if recorded => self.refused += 1,
                    Ok($e) => {
                        let dropped = $body;
                        self.superseded += u64::from(dropped);
                    }
                }
            };
        }
        match from.topic {
            Topic::Customers => load!(CustomerEvent, |e| offer(
                &mut self.customers,
                e.customer_id,
                e.into()
            )),
            Topic::Products => load!(ProductEvent, |e| offer(
                &mut self.products,
                e.product_id,
                e.into()
            )),
            Topic::Orders => load!(OrderEvent, |e| self.order(e)),
            Topic::Payments => load!(PaymentEvent, |e| offer(
                &mut self.payments,
                e.payment_id,
                e.into()
            )),
            Topic::Shipments => load!(ShipmentEvent, |e| offer(
                &mut self.shipments,
                e.shipment_id,
                e.into()
            )),
            Topic::Returns => load!(ReturnEvent, |e| offer(
                &mut self.returns,
                e.return_id,
                e.into()
            )),
            Topic::Clickstream => load!(ClickEvent, |e| {
                let (session, click) = Click::of(e);
                self.sessions.entry(session).or_default().push(click);
                false
            }),
            Topic::DeadLetter => note(self, "the dead-letter topic is not loaded".into()),
        }
    }

    /// An order and its lines: each line as the newest order version that
    /// carries it writes it (the lines' upsert is newer-wins on the order's version).
    fn order(&mut self, e: OrderEvent) -> bool {
        let order_id = e.order_id;
        let (row, items) = OrderRow::of(e);
        for i in &items {
            offer(
                &mut self.items,
                i.order_item_id,
                ItemRow::of(i, &row, order_id),
            );
        }
        offer(&mut self.orders, order_id, row)
    }

    /// Adds what another reader collected (keys may meet when one entity's
    /// events were published under different message keys).
    pub fn merge(&mut self, other: Collected) {
        fn all<R: Record>(into: &mut HashMap<i64, R>, from: HashMap<i64, R>) -> u64 {
            from.into_iter()
                .map(|(k, r)| u64::from(offer(into, k, r)))
                .sum()
        }
        let mut dropped = all(&mut self.orders, other.orders);
        all(&mut self.items, other.items);
        dropped += all(&mut self.payments, other.payments);
        dropped += all(&mut self.shipments, other.shipments);
        dropped += all(&mut self.returns, other.returns);
        dropped += all(&mut self.products, other.products);
        dropped += all(&mut self.customers, other.customers);
        for (id, s) in other.sessions {
            self.sessions.entry(id).or_default().append(s);
        }
        self.messages += other.messages;
        self.superseded += other.superseded + dropped;
        self.poison.extend(other.poison);
        self.refused += other.refused;
        self.ends.extend(other.ends);
    }

    /// Drops clickstream redeliveries (once every reader is merged).
    pub fn seal(&mut self) {
        let dropped: u64 = self.sessions.values_mut().map(Session::seal).sum();
        self.superseded += dropped;
    }
}

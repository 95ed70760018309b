//! From raw messages to a decoded batch: typed events per topic, poison messages
//! set aside with their reason, and keys deduplicated within the batch (the
//! newest `(updated_at, event_id)` wins, as in the upserts).

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use globalcart_schemas::events::Event;
use globalcart_schemas::{
    decode, ClickEvent, CustomerEvent, OrderEvent, PaymentEvent, ProductEvent, ReturnEvent,
    ShipmentEvent, Topic,
};

/// A message as read from the broker, owned so batches outlive the poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
}

/// A message that cannot be loaded, and why.
#[derive(Debug, Clone)]
pub struct Reject {
    pub message: RawMessage,
    pub reason: String,
}

/// Events keyed by entity, keeping the newest version.
#[derive(Debug)]
pub struct Latest<K, E> {
    map: HashMap<K, E>,
    /// Events dropped because the batch held the very same event.
    pub duplicates: u64,
    /// Events dropped because the batch held a newer version.
    pub stale: u64,
}

impl<K: Hash + Eq, E: Event> Default for Latest<K, E> {
    fn default() -> Self {
        Latest {
            map: HashMap::new(),
            duplicates: 0,
            stale: 0,
        }
    }
}

impl<K: Hash + Eq + Ord + Copy, E: Event> Latest<K, E> {
    /// Keeps `event` if it is newer than what the batch already holds for `key`.
    pub fn offer(&mut self, key: K, event: E) {
        use std::collections::hash_map::Entry;
        match self.map.entry(key) {
            Entry::Vacant(v) => {
                v.insert(event);
            }
            Entry::Occupied(mut o) => {
                let held = o.get();
                if held.event_id() == event.event_id() {
                    self.duplicates += 1;
                } else {
                    self.stale += 1;
                    if (event.updated_at(), event.event_id()) > (held.updated_at(), held.event_id())
                    {
                        o.insert(event);
                    }
                }
            }
        }
    }

    /// The events, newest per key, in key order (a stable lock order for upserts).
    pub fn into_sorted(self) -> Vec<E> {
        self.into_parts().0
    }

    /// The sorted events and the `(duplicates, stale)` dropped on the way.
    pub fn into_parts(self) -> (Vec<E>, (u64, u64)) {
        let dropped = (self.duplicates, self.stale);
        let mut v: Vec<(K, E)> = self.map.into_iter().collect();
        v.sort_by_key(|(k, _)| *k);
        (v.into_iter().map(|(_, e)| e).collect(), dropped)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// A decoded batch, ready to load: the newest event per key, sorted by key.
#[derive(Debug, Default)]
pub struct Batch {
    pub customers: Vec<CustomerEvent>,
    pub products: Vec<ProductEvent>,
    pub orders: Vec<OrderEvent>,
    pub payments: Vec<PaymentEvent>,
    pub shipments: Vec<ShipmentEvent>,
    pub returns: Vec<ReturnEvent>,
    pub clicks: Vec<ClickEvent>,
    pub rejects: Vec<Reject>,
    /// Per (topic, partition): the batch's first offset and the next offset
    /// after its last message.
    pub offsets: BTreeMap<(String, i32), Span>,
    /// Per source: (greatest event time, messages).
    pub watermarks: BTreeMap<Topic, (i64, i64)>,
    /// Per source: events dropped within the batch as (duplicates, stale).
    pub superseded: BTreeMap<Topic, (u64, u64)>,
    /// Messages in the batch.
    pub messages: usize,
}

/// The offsets a batch holds of one partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Offset of the batch's first message of the partition.
    pub first: i64,
    /// Offset after its last message: where the partition resumes.
    pub next: i64,
}

fn note_offset(offsets: &mut BTreeMap<(String, i32), Span>, m: &RawMessage) {
    offsets
        .entry((m.topic.clone(), m.partition))
        .and_modify(|s| {
            s.first = s.first.min(m.offset);
            s.next = s.next.max(m.offset + 1);
        })
        .or_insert(Span {
            first: m.offset,
            next: m.offset + 1,
        });
}

#[derive(Default)]
struct Builder {
    customers: Latest<i64, CustomerEvent>,
    products: Latest<i64, ProductEvent>,
    orders: Latest<i64, OrderEvent>,
    payments: Latest<i64, PaymentEvent>,
    shipments: Latest<i64, ShipmentEvent>,
    returns: Latest<i64, ReturnEvent>,
    clicks: Latest<u128, ClickEvent>,
    watermarks: BTreeMap<Topic, (i64, i64)>,
}

fn decode_into<E: Event>(
    bytes: &[u8],
    watermarks: &mut BTreeMap<Topic, (i64, i64)>,
) -> Result<E, String> {
    let event: E = decode(bytes).map_err(|e| format!("undecodable: {e}"))?;
    event
        .validate()
        .map_err(|e| format!("invalid {}: {e}", E::TOPIC))?;
    let w = watermarks.entry(E::TOPIC).or_insert((i64::MIN, 0));
    w.0 = w.0.max(event.event_time());
    w.1 += 1;
    Ok(event)
}

fn uuid_key(event_id: &str) -> Result<u128, String> {
    uuid::Uuid::parse_str(event_id)
        .map(|u| u.as_u128())
        .map_err(|e| format!("invalid event_id {event_id:?}: {e}"))
}

impl Batch {
    /// Decodes `messages` read from topics under `prefix`.
    pub fn decode(prefix: &str, messages: &[RawMessage]) -> Batch {
        let mut b = Builder::default();
        let mut offsets: BTreeMap<(String, i32), Span> = BTreeMap::new();
        let mut rejects = Vec::new();
        for m in messages {
            note_offset(&mut offsets, m);
            if let Err(reason) = b.accept(prefix, m) {
                rejects.push(Reject {
                    message: m.clone(),
                    reason,
                });
            }
        }
        let mut superseded = BTreeMap::new();
        let (customers, d) = b.customers.into_parts();
        superseded.insert(Topic::Customers, d);
        let (products, d) = b.products.into_parts();
        superseded.insert(Topic::Products, d);
        let (orders, d) = b.orders.into_parts();
        superseded.insert(Topic::Orders, d);
        let (payments, d) = b.payments.into_parts();
        superseded.insert(Topic::Payments, d);
        let (shipments, d) = b.shipments.into_parts();
        superseded.insert(Topic::Shipments, d);
        let (returns, d) = b.returns.into_parts();
        superseded.insert(Topic::Returns, d);
        let (clicks, d) = b.clicks.into_parts();
        superseded.insert(Topic::Clickstream, d);
        Batch {
            customers,
            products,
            orders,
            payments,
            shipments,
            returns,
            clicks,
            rejects,
            offsets,
            watermarks: b.watermarks,
            superseded,
            messages: messages.len(),
        }
    }

    /// A batch that loads nothing but rejects `messages` with `reason` (used when
    /// the database refuses a message the decoder accepted).
    pub fn rejecting(messages: &[RawMessage], reason: &str) -> Batch {
        let mut b = Batch::decode("", &[]);
        for m in messages {
            note_offset(&mut b.offsets, m);
            b.rejects.push(Reject {
                message: m.clone(),
                reason: reason.to_string(),
            });
        }
        b.messages = messages.len();
        b
    }
}

impl Builder {
    fn accept(&mut self, prefix: &str, m: &RawMessage) -> Result<(), String> {
        let topic = Topic::from_name(prefix, &m.topic)
            .ok_or_else(|| format!("topic {} is not one of ours", m.topic))?;
        let bytes = m.payload.as_deref().ok_or("empty message (no payload)")?;
        let w = &mut self.watermarks;
        match topic {
            Topic::Customers => {
                let e: CustomerEvent = decode_into(bytes, w)?;
                self.customers.offer(e.customer_id, e);
            }
            Topic::Products => {
                let e: ProductEvent = decode_into(bytes, w)?;
                self.products.offer(e.product_id, e);
            }
            Topic::Orders => {
                let e: OrderEvent = decode_into(bytes, w)?;
                self.orders.offer(e.order_id, e);
            }
            Topic::Payments => {
                let e: PaymentEvent = decode_into(bytes, w)?;
                self.payments.offer(e.payment_id, e);
            }
            Topic::Shipments => {
                let e: ShipmentEvent = decode_into(bytes, w)?;
                self.shipments.offer(e.shipment_id, e);
            }
            Topic::Returns => {
                let e: ReturnEvent = decode_into(bytes, w)?;
                self.returns.offer(e.return_id, e);
            }
            Topic::Clickstream => {
                let e: ClickEvent = decode_into(bytes, w)?;
                let key = uuid_key(&e.event_id)?;
                self.clicks.offer(key, e);
            }
            Topic::DeadLetter => return Err("the dead-letter topic is not loaded".into()),
        }
        Ok(())
    }
}

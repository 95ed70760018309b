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

/// Every event topic the loader reads, in load order (dimensions first): the
/// batch's field, the event, its topic, the key events are deduplicated by
/// within a batch, and the module under `handlers/` that upserts them. The
/// batch, the decoder, the event-age metrics and the load are derived from it
/// (`$then!` receives the table), so a new topic is a line here, its event in
/// `globalcart_schemas`, and its handler.
macro_rules! event_topics {
    ($then:ident) => {
        $then! {
            customers: CustomerEvent = Customers by i64, |e| Ok(e.customer_id), customers;
            products: ProductEvent = Products by i64, |e| Ok(e.product_id), products;
            orders: OrderEvent = Orders by i64, |e| Ok(e.order_id), orders;
            payments: PaymentEvent = Payments by i64, |e| Ok(e.payment_id), payments;
            shipments: ShipmentEvent = Shipments by i64, |e| Ok(e.shipment_id), shipments;
            returns: ReturnEvent = Returns by i64, |e| Ok(e.return_id), returns;
            clicks: ClickEvent = Clickstream by u128, |e| uuid_key(&e.event_id), clickstream;
        }
    };
}
pub(crate) use event_topics;

/// The batch and its decoder, from [`event_topics`].
macro_rules! batch {
    ($($field:ident: $event:ident = $topic:ident by $key:ty, |$e:ident| $keyf:expr, $handler:ident;)*) => {
        /// A decoded batch, ready to load: the newest event per key, sorted by key.
        #[derive(Debug, Default)]
        pub struct Batch {
            $(pub $field: Vec<$event>,)*
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

        #[derive(Default)]
        struct Builder {
            $($field: Latest<$key, $event>,)*
            watermarks: BTreeMap<Topic, (i64, i64)>,
        }

        impl Builder {
            fn accept(&mut self, prefix: &str, m: &RawMessage) -> Result<(), String> {
                let topic = Topic::from_name(prefix, &m.topic)
                    .ok_or_else(|| format!("topic {} is not one of ours", m.topic))?;
                let bytes = m.payload.as_deref().ok_or("empty message (no payload)")?;
                match topic {
                    $(Topic::$topic => {
                        let $e: $event = decode_into(bytes, &mut self.watermarks)?;
                        let key: Result<$key, String> = $keyf;
                        let key = key?;
                        self.$field.offer(key, $e);
                    })*
                    Topic::DeadLetter => return Err("the dead-letter topic is not loaded".into()),
                }
                Ok(())
            }

            fn build(
                self,
                rejects: Vec<Reject>,
                offsets: BTreeMap<(String, i32), Span>,
                messages: usize,
            ) -> Batch {
                let mut superseded = BTreeMap::new();
                $(
                    let ($field, dropped) = self.$field.into_parts();
                    superseded.insert(Topic::$topic, dropped);
                )*
                Batch {
                    $($field,)*
                    rejects,
                    offsets,
                    watermarks: self.watermarks,
                    superseded,
                    messages,
                }
            }
        }

        impl Batch {
            /// The topics a batch holds, in load order.
            pub const TOPICS: &'static [Topic] = &[$(Topic::$topic),*];

            /// Calls `f` once per topic with the event times of its events.
            pub fn event_times(&self, mut f: impl FnMut(Topic, &mut dyn Iterator<Item = i64>)) {
                $(f(Topic::$topic, &mut self.$field.iter().map(Event::event_time));)*
            }
        }
    };
}
event_topics!(batch);

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
        b.build(rejects, offsets, messages.len())
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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_loader_reads_every_event_topic_in_load_order() {
        assert_eq!(Batch::TOPICS, Topic::EVENTS.as_slice());
    }

    #[test]
    fn each_topic_decodes_into_its_own_field_and_others_are_rejected() {
        let prefix = "t";
        let now = chrono::Utc::now().timestamp_micros();
        let product = globalcart_schemas::ProductEvent {
            event_id: uuid::Uuid::new_v4().to_string(),
            product_id: 7,
            event_time: now,
            updated_at: now,
            sku: "SKU-7".into(),
            product_name: "Kettle".into(),
            category_l1: "Home".into(),
            category_l2: "Kitchen".into(),
            brand: "Acme".into(),
            currency: "INR".into(),
            unit_cost: 1_000,
            list_price: 2_500,
        };
        let raw = |topic: &str, payload: Vec<u8>, offset: i64| RawMessage {
            topic: format!("{prefix}.{topic}"),
            partition: 0,
            offset,
            key: None,
            payload: Some(payload),
        };
        let b = Batch::decode(
            prefix,
            &[
                raw("products", globalcart_schemas::encode(&product).unwrap(), 0),
                raw("products", globalcart_schemas::encode(&product).unwrap(), 1),
                raw(
                    "dead_letter",
                    globalcart_schemas::encode(&product).unwrap(),
                    2,
                ),
                raw(
                    "elsewhere",
                    globalcart_schemas::encode(&product).unwrap(),
                    3,
                ),
            ],
        );
        assert_eq!(b.products, vec![product.clone()]);
        assert_eq!(
            b.superseded[&Topic::Products],
            (1, 0),
            "the same event twice"
        );
        assert_eq!(b.rejects.len(), 2);
        let mut seen = Vec::new();
        b.event_times(|topic, times| seen.push((topic, times.count())));
        assert_eq!(seen.len(), Batch::TOPICS.len());
        assert!(seen.contains(&(Topic::Products, 1)));
        assert_eq!(b.watermarks[&Topic::Products], (now, 2));
    }
}

//! Publishing events to Kafka: history as fast as the broker accepts it, live
//! events at a rate, with optional injected duplicates and reorderings.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use globalcart_common::{kafka, KafkaSettings};
use globalcart_schemas::{AnyEvent, Topic};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::DeliveryResult;
use rdkafka::producer::{BaseRecord, Producer, ProducerContext, ThreadedProducer};
use rdkafka::ClientContext;

use crate::error::{Error, Result};

/// Counts deliveries as the broker acknowledges them.
#[derive(Default)]
pub struct DeliveryCounter {
    pub delivered: AtomicU64,
    pub failed: AtomicU64,
}

/// The producer's context: delivery reports land here.
#[derive(Clone, Default)]
pub struct Deliveries(pub Arc<DeliveryCounter>, Arc<Vec<TopicCounters>>);

/// Per-topic delivery counters, resolved once (no label lookup per message).
struct TopicCounters {
    topic: String,
    sent: prometheus::IntCounter,
    failed: prometheus::IntCounter,
}

impl Deliveries {
    fn for_topics(names: &[String]) -> Deliveries {
        use globalcart_common::metrics::{PRODUCER_ERRORS, PRODUCER_MESSAGES};
        let counters = names
            .iter()
            .map(|n| {
                let base = n.rsplit('.').next().unwrap_or("unknown");
                TopicCounters {
                    topic: n.clone(),
                    sent: PRODUCER_MESSAGES.with_label_values(&[base]),
                    failed: PRODUCER_ERRORS.with_label_values(&[base]),
                }
            })
            .collect();
        Deliveries(Arc::default(), Arc::new(counters))
    }

    fn counters(&self, topic: &str) -> Option<&TopicCounters> {
        self.1.iter().find(|c| c.topic == topic)
    }
}

impl ClientContext for Deliveries {}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        use rdkafka::Message;
        match result {
            Ok(m) => {
                if let Some(c) = self.counters(m.topic()) {
                    c.sent.inc();
                }
                self.0.delivered.fetch_add(1, Ordering::Relaxed)
            }
            Err((e, m)) => {
                tracing::error!(error = %e, "delivery failed");
                if let Some(c) = self.counters(m.topic()) {
                    c.failed.inc();
                }
                self.0.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
    }
}

/// Fault injection for tests of the consumers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Share of events delivered twice (the copy a few messages later).
    pub duplicate_rate: f64,
    /// Share of events held back behind the next event (older after newer).
    pub reorder_rate: f64,
    pub seed: u64,
}

/// What a publish run sent.
#[derive(Debug, Default, Clone, Copy)]
pub struct PublishReport {
    pub events: u64,
    pub messages: u64,
    pub duplicates: u64,
    pub reordered: u64,
    pub delivered: u64,
    pub failed: u64,
}

/// A Kafka producer for every topic under one prefix.
pub struct Publisher {
    producer: ThreadedProducer<Deliveries>,
    deliveries: Deliveries,
    topics: [String; 7],
    faults: Faults,
    rng: ChaCha8Rng,
    held: Option<(Topic, String, Vec<u8>)>,
    delayed: VecDeque<(u32, Topic, String, Vec<u8>)>,
    report: PublishReport,
}

impl Publisher {
    /// A producer for bulk streams (histories): batches linger 20 ms to fill.
    pub fn new(settings: &KafkaSettings, faults: Faults) -> Result<Publisher> {
        Publisher::with_linger(settings, faults, 20)
    }

    /// A producer for live events: batches linger 5 ms, so an event reaches the
    /// broker (and the live tiles) sooner; at live rates batches are small anyway.
    pub fn live(settings: &KafkaSettings, faults: Faults) -> Result<Publisher> {
        Publisher::with_linger(settings, faults, 5)
    }

    fn with_linger(settings: &KafkaSettings, faults: Faults, linger_ms: u32) -> Result<Publisher> {
        let topics = Topic::EVENTS.map(|t| t.name(&settings.topic_prefix));
        let deliveries = Deliveries::for_topics(&topics);
        let producer = kafka::client_config(settings)
            .set("linger.ms", linger_ms.to_string())
            .set("batch.num.messages", "10000")
            .set("batch.size", "1000000")
            .set("queue.buffering.max.messages", "1000000")
            .set("queue.buffering.max.kbytes", "1048576")
            .set("message.timeout.ms", "600000")
            .set("partitioner", "murmur2_random")
            .create_with_context(deliveries.clone())?;
        Ok(Publisher {
            producer,
            deliveries,
            topics,
            faults,
            rng: ChaCha8Rng::seed_from_u64(faults.seed ^ 0x5eed_fa17),
            held: None,
            delayed: VecDeque::new(),
            report: PublishReport::default(),
        })
    }

    fn topic_name(&self, t: Topic) -> &str {
        let i = Topic::EVENTS.iter().position(|x| *x == t).unwrap_or(0);
        &self.topics[i]
    }

    fn send_raw(&mut self, topic: Topic, key: &str, payload: &[u8]) -> Result<()> {
        loop {
            let name = self.topic_name(topic).to_string();
            let record = BaseRecord::to(&name).key(key).payload(payload);
            match self.producer.send(record) {
                Ok(()) => {
                    self.report.messages += 1;
                    return Ok(());
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(e.into()),
            }
        }
    }

    /// Sends one event (and any injected duplicate or reordering).
    pub fn send(&mut self, event: &AnyEvent) -> Result<()> {
        let payload = event.encode().map_err(Error::Encode)?;
        let key = event.key();
        let topic = event.topic();
        self.report.events += 1;
        // release delayed duplicates whose time has come
        for d in self.delayed.iter_mut() {
            d.0 = d.0.saturating_sub(1);
        }
        while self.delayed.front().is_some_and(|d| d.0 == 0) {
            if let Some((_, t, k, p)) = self.delayed.pop_front() {
                self.send_raw(t, &k, &p)?;
            }
        }
        if self.faults.duplicate_rate > 0.0 && self.rng.gen_bool(self.faults.duplicate_rate) {
            let later = self.rng.gen_range(1..20);
            self.delayed
                .push_back((later, topic, key.clone(), payload.clone()));
            self.report.duplicates += 1;
        }
        if let Some((t, k, p)) = self.held.take() {
            // the held event goes out after this newer one
            self.send_raw(topic, &key, &payload)?;
            return self.send_raw(t, &k, &p);
        }
        if self.faults.reorder_rate > 0.0 && self.rng.gen_bool(self.faults.reorder_rate) {
            self.held = Some((topic, key, payload));
            self.report.reordered += 1;
            return Ok(());
        }
        self.send_raw(topic, &key, &payload)
    }

    /// Sends everything still held and waits until the broker acknowledged it all.
    pub fn finish(&mut self) -> Result<PublishReport> {
        if let Some((t, k, p)) = self.held.take() {
            self.send_raw(t, &k, &p)?;
        }
        while let Some((_, t, k, p)) = self.delayed.pop_front() {
            self.send_raw(t, &k, &p)?;
        }
        self.producer.flush(Duration::from_secs(600))?;
        self.report.delivered = self.deliveries.0.delivered.load(Ordering::Relaxed);
        self.report.failed = self.deliveries.0.failed.load(Ordering::Relaxed);
        if self.report.failed > 0 {
            return Err(Error::Undelivered(self.report.failed));
        }
        Ok(self.report)
    }

    /// Messages delivered so far.
    pub fn delivered(&self) -> u64 {
        self.deliveries.0.delivered.load(Ordering::Relaxed)
    }
}

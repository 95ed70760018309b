//! Where each assigned partition starts: the next offset stored in Postgres
//! (read on assignment, after the batch in flight commits), and the floor
//! below which a message is already loaded or already taken.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use globalcart_common::query;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};
use tokio::runtime::Handle;

use super::member::Loaded;
use super::vote::IdleVote;
use crate::error::Error;
use crate::settings::StartAt;

/// Seeks assigned partitions to the offsets stored in Postgres.
pub(super) struct OffsetsContext {
    pub(super) handle: Handle,
    pub(super) pool: Pool,
    pub(super) group: String,
    /// Partitions held now, when the last rebalance event happened, and
    /// whether it was an assignment (a member may be assigned no partition).
    pub(super) assignment: Mutex<(usize, Instant, bool)>,
    /// Per assigned partition, the first offset still to take: the stored
    /// offset at assignment, then past each message taken; messages below it
    /// are dropped (see [`REWIND`] and [`below_floor`]).
    pub(super) floors: Mutex<HashMap<(String, i32), i64>>,
    /// Where a partition without a stored offset starts.
    pub(super) start: StartAt,
    /// Held by the batch being loaded: a rebalance waits for it, so partitions
    /// change hands between loads, never under one.
    pub(super) loading: Arc<tokio::sync::Mutex<()>>,
    /// This member's index and its process's idle vote (a rebalance withdraws
    /// the member's idle vote: its new partitions are not loaded yet).
    pub(super) vote: (usize, Arc<IdleVote>),
}

/// How far before the stored offset the consumer asks the broker to start.
///
/// Tansu 0.6 answers a fetch with the record batches whose *base* offset is at or
/// after the fetch offset, so a fetch that starts inside a batch silently skips
/// the rest of that batch (Kafka returns the whole batch and the client skips
/// the records before the offset). Starting up to `REWIND` records earlier (our
/// producers send at most 10 000 records per batch) and dropping the records
/// below the stored offset makes the resume exact on both brokers.
pub const REWIND: i64 = 10_000;

impl ClientContext for OffsetsContext {}

impl OffsetsContext {
    /// The first offset of a partition without a stored offset, per [`StartAt`]
    /// (None = its beginning).
    fn start_offset(
        &self,
        consumer: &BaseConsumer<Self>,
        topic: &str,
        partition: i32,
    ) -> Option<i64> {
        match self.start {
            StartAt::Beginning => None,
            StartAt::Offset(o) => Some(o.max(0)),
            StartAt::Timestamp(ms) => {
                let mut q = TopicPartitionList::new();
                q.add_partition_offset(topic, partition, Offset::Offset(ms))
                    .ok()?;
                match consumer.offsets_for_times(q, Duration::from_secs(30)) {
                    Ok(found) => match found.find_partition(topic, partition).map(|e| e.offset()) {
                        Some(Offset::Offset(o)) => Some(o),
                        // no record at or after the time: start at the end
                        _ => consumer
                            .fetch_watermarks(topic, partition, Duration::from_secs(30))
                            .ok()
                            .map(|(_, high)| high),
                    },
                    Err(e) => {
                        tracing::error!(error = %e, topic, partition, "cannot look up offsets by time; starting at the beginning");
                        None
                    }
                }
            }
        }
    }

    fn stored_offsets(&self, topics: &[String]) -> Vec<(String, i32, i64)> {
        let mut attempt = 0u32;
        loop {
            let res = self.handle.block_on(async {
                let client = self.pool.get().await?;
                let rows = query!("etl_consumer_offsets_select")
                    .rows(&client, &[&self.group, &topics])
                    .await?;
                Ok::<_, Error>(
                    rows.iter()
                        .map(|r| (r.get("topic"), r.get("partition"), r.get("next_offset")))
                        .collect(),
                )
            });
            match res {
                Ok(v) => return v,
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "cannot read stored offsets; retrying");
                    std::thread::sleep(Duration::from_millis(200u64 << attempt.min(6)));
                    attempt += 1;
                }
            }
        }
    }
}

impl ConsumerContext for OffsetsContext {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                // the stored offsets are read after the batch in flight commits
                let _idle = self.handle.block_on(self.loading.lock());
                let assigned: Vec<(String, i32)> = tpl
                    .elements()
                    .iter()
                    .map(|e| (e.topic().to_string(), e.partition()))
                    .collect();
                let mut topics: Vec<String> = assigned.iter().map(|(t, _)| t.clone()).collect();
                topics.dedup();
                let stored = self.stored_offsets(&topics);
                let mut floors = HashMap::new();
                for (topic, partition) in &assigned {
                    let next = stored
                        .iter()
                        .find(|(t, p, _)| t == topic && p == partition)
                        .map(|(_, _, o)| *o)
                        .or_else(|| self.start_offset(consumer, topic, *partition));
                    let offset = match next {
                        Some(o) if o > REWIND => Offset::Offset(o - REWIND),
                        _ => Offset::Beginning,
                    };
                    floors.insert((topic.clone(), *partition), next.unwrap_or(0));
                    if let Err(e) = tpl.set_partition_offset(topic, *partition, offset) {
                        tracing::error!(error = %e, topic, partition, "cannot set the start offset");
                    }
                }
                if let Ok(mut f) = self.floors.lock() {
                    // a partition still held keeps the messages the batch being
                    // assembled already took: they load with it
                    for (k, floor) in floors.iter_mut() {
                        if let Some(taken) = f.get(k) {
                            *floor = (*floor).max(*taken);
                        }
                    }
                    *f = floors;
                }
                tracing::info!(
                    partitions = assigned.len(),
                    from_postgres = stored.len(),
                    "partitions assigned; starting from the offsets stored in Postgres"
                );
                if let Ok(mut a) = self.assignment.lock() {
                    *a = (assigned.len(), Instant::now(), true);
                }
                self.vote.1.vote(self.vote.0, false);
                if let Err(e) = consumer.assign(tpl) {
                    tracing::error!(error = %e, "assign failed");
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                let _idle = self.handle.block_on(self.loading.lock());
                tracing::info!(partitions = tpl.count(), "partitions revoked");
                if let Ok(mut a) = self.assignment.lock() {
                    *a = (0, Instant::now(), false);
                }
                self.vote.1.vote(self.vote.0, false);
                if let Err(e) = consumer.unassign() {
                    tracing::error!(error = %e, "unassign failed");
                }
            }
            other => {
                tracing::error!(error = ?other, "rebalance error");
                let _ = consumer.unassign();
            }
        }
    }
}

/// Notes a loaded batch's offsets for the informative Kafka commit, and raises
/// the poller's floors where another member was found ahead.
pub(super) fn note_loaded(
    consumer: &BaseConsumer<OffsetsContext>,
    pending: &mut HashMap<(String, i32), i64>,
    loaded: &Loaded,
) {
    if !loaded.fenced.is_empty() {
        if let Ok(mut floors) = consumer.context().floors.lock() {
            for (k, o) in &loaded.fenced {
                let f = floors.entry(k.clone()).or_insert(*o);
                *f = (*f).max(*o);
            }
        }
    }
    for (k, o) in &loaded.offsets {
        let e = pending.entry(k.clone()).or_insert(0);
        *e = (*e).max(*o);
    }
}

/// True for a message this member must skip: before the stored offset of its
/// partition (already loaded), or at or before a message it already took (a
/// redelivery: after a rebalance that re-assigns a partition without revoking
/// it first, as Tansu 0.6 does when members join, the seek fetches again what
/// the batch being assembled already holds). Otherwise the floor moves past it.
pub(super) fn below_floor(
    consumer: &BaseConsumer<OffsetsContext>,
    m: &rdkafka::message::BorrowedMessage<'_>,
) -> bool {
    let Ok(mut floors) = consumer.context().floors.lock() else {
        return false;
    };
    let floor = floors
        .entry((m.topic().to_string(), m.partition()))
        .or_insert(0);
    if m.offset() < *floor {
        return true;
    }
    *floor = m.offset() + 1;
    false
}

/// Commits the loaded offsets to Kafka too, every few seconds, for lag dashboards
/// only (the offsets that count are in Postgres).
pub(super) fn commit_informative(
    consumer: &BaseConsumer<OffsetsContext>,
    next: &HashMap<(String, i32), i64>,
) {
    let mut tpl = TopicPartitionList::new();
    for ((t, p), o) in next {
        let _ = tpl.add_partition_offset(t, *p, Offset::Offset(*o));
    }
    if tpl.count() == 0 {
        return;
    }
    if let Err(e) = consumer.commit(&tpl, CommitMode::Async) {
        tracing::debug!(error = %e, "informative kafka commit failed");
    }
}

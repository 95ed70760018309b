//! Reading the topics: every partition of the window from its start to its
//! end, by several fetch-only consumers (no group, nothing committed) in
//! parallel, each reading one partition at a time (Tansu 0.6 serves a fetch of
//! one partition far faster than a fetch of many).
//!
//! The end of a partition is its high watermark as read when reconcile starts.
//! Tansu 0.6 reports the last record batch's *base* offset + 1 there, so a
//! partition is done once a record at or past `high − 1` arrived and nothing
//! more for [`GRACE`] (librdkafka queues a fetched record batch whole, so the
//! rest of that batch is already waiting when its first record is polled).

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use globalcart_common::{kafka, KafkaSettings};
use globalcart_schemas::Topic;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};

use super::collect::{Collected, Origin};
use super::{Error, Result, Window};
use crate::consumer::REWIND;

/// Quiet time after a partition's last batch arrived before it counts as read.
pub const GRACE: Duration = Duration::from_millis(200);
/// Silence before the end that fails the run (a broker that stopped answering).
pub const STALL: Duration = Duration::from_secs(60);

/// One partition to read.
#[derive(Debug, Clone)]
struct Part {
    topic: Topic,
    name: String,
    partition: i32,
    /// Where the fetch starts (up to [`REWIND`] before `floor`: see there).
    fetch_from: i64,
    /// The first offset of the window.
    floor: i64,
    /// Done once a record at or past this offset arrived (`high − 1`).
    last: i64,
}

/// Messages the warehouse recorded as rejects, by (topic, partition, offset).
pub type Recorded = HashSet<(Topic, i32, i64)>;

fn consumer(settings: &KafkaSettings) -> Result<BaseConsumer> {
    // librdkafka assigns partitions only in a group; this one never joins
    // (partitions are assigned, not subscribed) and never commits
    Ok(kafka::client_config(settings)
        .set("group.id", format!("{}-reconcile", settings.topic_prefix))
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("fetch.wait.max.ms", "100")
        .set("queued.max.messages.kbytes", "16384")
        .set("queued.min.messages", "100000")
        // librdkafka waits a second by default once its queue of a partition is
        // full, and half a second after a fetch error: a reader that drains its
        // queue at once would idle most of the time
        .set("fetch.queue.backoff.ms", "10")
        .set("fetch.error.backoff.ms", "50")
        .create()?)
}

/// The partitions of the window, largest first.
fn plan(settings: &KafkaSettings, window: &Window) -> Result<Vec<Part>> {
    let names: Vec<String> = window
        .topics
        .iter()
        .map(|t| t.name(&settings.topic_prefix))
        .collect();
    let counts = kafka::require_topics(settings, &names).map_err(crate::Error::from)?;
    let c = consumer(settings)?;
    let timeout = Duration::from_secs(30);
    let mut parts = Vec::new();
    for ((topic, name), count) in window.topics.iter().zip(&names).zip(counts) {
        let mut starts = TopicPartitionList::new();
        if let Some(ms) = window.start_ms() {
            for p in 0..count as i32 {
                starts.add_partition_offset(name, p, Offset::Offset(ms))?;
            }
            starts = c.offsets_for_times(starts, timeout)?;
        }
        for p in 0..count as i32 {
            let (low, high) = c.fetch_watermarks(name, p, timeout)?;
            let by_time = match starts.find_partition(name, p).map(|e| e.offset()) {
                Some(Offset::Offset(o)) => Some(o),
                Some(_) => continue, // no record at or after the time
                None => None,
            };
            let floor = by_time.or(window.from_offset).map_or(low, |o| o.max(low));
            let fetch_from = (floor - REWIND).max(low);
            if high <= low || fetch_from > high - 1 {
                continue; // nothing at or after the floor
            }
            parts.push(Part {
                topic: *topic,
                name: name.clone(),
                partition: p,
                fetch_from,
                floor,
                last: high - 1,
            });
        }
    }
    parts.sort_by_key(|p| p.last - p.fetch_from);
    Ok(parts)
}

/// Reads the window with `readers` consumers; `recorded` messages are
/// expected in the warehouse's rejects, not in its tables.
pub fn read(
    settings: &KafkaSettings,
    window: &Window,
    readers: usize,
    recorded: &Recorded,
) -> Result<Collected> {
    let parts = plan(settings, window)?;
    let n = parts.len();
    let queue = Mutex::new(parts);
    let started = Instant::now();
    let results: Vec<Result<Collected>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..readers.clamp(1, n.max(1)))
            .map(|_| s.spawn(|| reader(settings, window, &queue, recorded)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(Error::Reader)))
            .collect()
    });
    let mut all = Collected::default();
    for r in results {
        all.merge(r?);
    }
    all.seal();
    tracing::info!(
        partitions = n,
        messages = all.messages,
        secs = started.elapsed().as_secs_f64(),
        "reconcile: stream read"
    );
    Ok(all)
}

/// One reader: takes the next partition until none is left.
fn reader(
    settings: &KafkaSettings,
    window: &Window,
    queue: &Mutex<Vec<Part>>,
    recorded: &Recorded,
) -> Result<Collected> {
    let mut out = Collected::default();
    loop {
        let next = queue.lock().map_err(|_| Error::Reader)?.pop();
        let Some(part) = next else { break };
        // a fresh client per partition: a client assigned a partition of a
        // topic it has not fetched yet waits for librdkafka's one-second topic
        // scan before fetching (~0.8 s a partition); a new one fetches at once
        let c = consumer(settings)?;
        read_part(&c, &part, window.end_ms(), recorded, &mut out)?;
    }
    Ok(out)
}

fn read_part(
    c: &BaseConsumer,
    p: &Part,
    to_ms: Option<i64>,
    recorded: &Recorded,
    out: &mut Collected,
) -> Result<()> {
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(&p.name, p.partition, Offset::Offset(p.fetch_from))?;
    c.assign(&tpl)?;
    let assigned = Instant::now();
    let (mut reached, mut last_message, mut next) = (false, assigned, p.floor);
    let mut first: Option<Duration> = None;
    let origin = |offset| Origin {
        topic: p.topic,
        name: &p.name,
        partition: p.partition,
        offset,
    };
    loop {
        match c.poll(Duration::from_millis(100)) {
            Some(Ok(m)) if m.partition() == p.partition && m.topic() == p.name => {
                last_message = Instant::now();
                first.get_or_insert_with(|| assigned.elapsed());
                let o = m.offset();
                reached |= o >= p.last;
                if o < p.floor {
                    continue;
                }
                next = next.max(o + 1);
                let late =
                    matches!((to_ms, m.timestamp().to_millis()), (Some(to), Some(ts)) if ts > to);
                if !late {
                    let rejected =
                        !recorded.is_empty() && recorded.contains(&(p.topic, p.partition, o));
                    out.accept(origin(o), m.payload(), rejected);
                }
            }
            Some(Ok(_)) => {} // a partition of the previous assignment
            Some(Err(e)) => {
                tracing::warn!(error = %e, topic = %p.name, partition = p.partition, "reconcile: fetch error");
            }
            None => {}
        }
        let quiet = last_message.elapsed();
        if reached && quiet >= GRACE {
            break;
        }
        if !reached && quiet >= STALL {
            return Err(Error::Stalled {
                topic: p.name.clone(),
                partition: p.partition,
                at: next,
                end: p.last + 1,
                secs: STALL.as_secs(),
            });
        }
    }
    c.unassign()?;
    out.ends.insert((p.name.clone(), p.partition), next);
    tracing::debug!(
        topic = %p.name,
        partition = p.partition,
        next,
        first_record_ms = first.map_or(0, |d| d.as_millis() as u64),
        ms = assigned.elapsed().as_millis() as u64,
        "reconcile: partition read"
    );
    Ok(())
}

//! One group member on its blocking thread: poll a batch, decode it while the
//! previous one loads, load it, do the chores between batches, stop.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use globalcart_common::{kafka, KafkaSettings};
use globalcart_schemas::Topic;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::Message;
use tokio::runtime::Handle;
use tokio::sync::watch;

use super::batch::{lanes, load_lanes, Loader};
use super::lag::{log_poll_error, record_lag};
use super::offsets::{below_floor, commit_informative, note_loaded, OffsetsContext};
use super::vote::IdleVote;
use super::{RunReport, PREFETCH_KBYTES, PREFETCH_MESSAGES};
use crate::decode::{Batch, RawMessage};
use crate::error::{Error, Result};
use crate::load::LoadReport;
use crate::settings::ConsumerSettings;

fn owned(m: &rdkafka::message::BorrowedMessage<'_>) -> RawMessage {
    if let Some(ms) = m.timestamp().to_millis() {
        let delay = chrono::Utc::now().timestamp_millis() - ms;
        globalcart_common::metrics::FETCH_DELAY_SECONDS
            .with_label_values::<&str>(&[])
            .observe(delay.max(0) as f64 / 1000.0);
    }
    RawMessage {
        topic: m.topic().to_string(),
        partition: m.partition(),
        offset: m.offset(),
        key: m.key().map(<[u8]>::to_vec),
        payload: m.payload().map(<[u8]>::to_vec),
    }
}

/// What one poll of a member gave.
pub(super) enum Poll {
    /// A batch to load.
    Batch(Vec<RawMessage>),
    /// Nothing to load this time (a skipped record, a poll error, a finished
    /// load, an idle poll).
    Nothing,
    /// Stop: the group is idle, or the consumer was stopped during a load.
    Stop,
}

/// One group member on its blocking thread: its consumer, the batch loading
/// on the runtime while it polls and decodes the next one, and the chores it
/// does between batches (Kafka's informative commit, lag gauges, the log).
pub(super) struct Member {
    handle: Handle,
    consumer: BaseConsumer<OffsetsContext>,
    loader: Arc<Loader>,
    /// Held by the batch in flight; rebalances wait for it.
    loading: Arc<tokio::sync::Mutex<()>>,
    settings: ConsumerSettings,
    id: usize,
    vote: Arc<IdleVote>,
    report: RunReport,
    in_flight: Option<InFlight>,
    /// Next offsets loaded since Kafka's last (informative) commit.
    pending_commit: HashMap<(String, i32), i64>,
    last_message: Instant,
    last_commit: Instant,
    last_lag: Instant,
    last_log: Instant,
    since_log: u64,
}

impl Member {
    /// Creates the member's consumer and subscribes it to the topics.
    pub(super) fn start(
        handle: Handle,
        kafka: &KafkaSettings,
        pool: Pool,
        settings: ConsumerSettings,
        shutdown: watch::Receiver<bool>,
        (id, vote): (usize, Arc<IdleVote>),
    ) -> Result<Member> {
        let loader = Arc::new(Loader::new(kafka, pool.clone(), shutdown)?);
        let loading = Arc::new(tokio::sync::Mutex::new(()));
        let ctx = OffsetsContext {
            loading: loading.clone(),
            handle: handle.clone(),
            pool,
            group: kafka.group(),
            assignment: Mutex::new((0, Instant::now(), false)),
            floors: Mutex::new(HashMap::new()),
            start: settings.start,
            vote: (id, vote.clone()),
        };
        let consumer: BaseConsumer<OffsetsContext> = kafka::client_config(kafka)
            .set("group.id", kafka.group())
            // round-robin over every subscribed partition: librdkafka's default
            // (range first) assigns each topic's partitions to the first members in
            // member-id order, so with more members than a topic's partitions (two
            // processes of three members over 3-partition topics) one process could
            // take every partition and the other none
            .set("partition.assignment.strategy", "roundrobin")
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", "10000")
            .set("heartbeat.interval.ms", "1000")
            .set("max.poll.interval.ms", "600000")
            .set("fetch.wait.max.ms", "10")
            // bound the prefetch queue: librdkafka's defaults (64 MiB and 100 000
            // messages per partition) let the loader's memory follow its lag (the
            // 10-minute soak grew 21 → 55 MiB); 16 MiB is ~3 batches of ahead
            // (shared among the members: the process holds the same prefetch however many)
            .set(
                "queued.max.messages.kbytes",
                (PREFETCH_KBYTES / u32::from(settings.members.max(1))).to_string(),
            )
            .set("queued.min.messages", PREFETCH_MESSAGES)
            .create_with_context(ctx)?;
        let wanted: &[Topic] = if settings.topics.is_empty() {
            &Topic::EVENTS
        } else {
            &settings.topics
        };
        let topics: Vec<String> = wanted.iter().map(|t| t.name(&kafka.topic_prefix)).collect();
        let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
        consumer.subscribe(&refs)?;
        tracing::info!(group = %kafka.group(), topics = topics.len(), "consumer started");
        let now = Instant::now();
        Ok(Member {
            handle,
            consumer,
            loader,
            loading,
            settings,
            id,
            vote,
            report: RunReport::default(),
            in_flight: None,
            pending_commit: HashMap::new(),
            last_message: now,
            last_commit: now,
            last_lag: now,
            last_log: now,
            since_log: 0,
        })
    }

    /// True for a record this member does not load: below its partition's
    /// floor (already loaded) or after the replay's end.
    fn skips(&self, m: &rdkafka::message::BorrowedMessage<'_>) -> bool {
        below_floor(&self.consumer, m) || after(&self.settings, m)
    }

    /// Polls the next batch: up to `batch_size` records within `batch_wait_ms`
    /// of the first. While a batch is loading, an empty poll waits for that
    /// load instead of for records.
    pub(super) fn next(&mut self) -> Result<Poll> {
        let timeout = Duration::from_millis(if self.in_flight.is_some() { 0 } else { 250 });
        let first = match self.consumer.poll(timeout) {
            Some(Ok(m)) if self.skips(&m) => return Ok(Poll::Nothing),
            Some(Ok(m)) => owned(&m),
            Some(Err(e)) => {
                log_poll_error(&e);
                return Ok(Poll::Nothing);
            }
            None if self.in_flight.is_some() => {
                return Ok(if self.finish_in_flight()? {
                    Poll::Nothing
                } else {
                    Poll::Stop
                });
            }
            None => {
                return Ok(if self.idle() {
                    Poll::Stop
                } else {
                    Poll::Nothing
                })
            }
        };
        let mut messages = vec![first];
        let deadline = Instant::now() + Duration::from_millis(self.settings.batch_wait_ms);
        while messages.len() < self.settings.batch_size {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self.consumer.poll(left) {
                Some(Ok(m)) if self.skips(&m) => {}
                Some(Ok(m)) => messages.push(owned(&m)),
                Some(Err(e)) => {
                    log_poll_error(&e);
                    break;
                }
                None => break,
            }
        }
        self.last_message = Instant::now();
        self.vote.vote(self.id, false);
        Ok(Poll::Batch(messages))
    }

    /// With `until_idle`: votes whether this member is idle; true once the
    /// whole process is. Idle time counts only while partitions are held (or
    /// after an assignment of none), so a slow group join (a killed member's
    /// session expiring) is not mistaken for idleness.
    fn idle(&self) -> bool {
        let Some(idle) = self.settings.until_idle else {
            return false;
        };
        let (held, since, assigned) = self
            .consumer
            .context()
            .assignment
            .lock()
            .map_or((0, Instant::now(), false), |a| *a);
        let quiet = self.last_message.elapsed().min(since.elapsed());
        let is_idle = (held > 0 || assigned) && quiet >= Duration::from_secs(idle);
        let stop = self.vote.vote(self.id, is_idle);
        if stop {
            tracing::info!(idle_secs = idle, "no new message; stopping");
        }
        stop
    }

    /// Decodes `messages` into lanes, waits for the batch in flight, and
    /// starts loading these; false when the consumer was stopped meanwhile.
    pub(super) fn load(&mut self, messages: Vec<RawMessage>) -> Result<bool> {
        let lanes: Vec<(Batch, Vec<RawMessage>)> = lanes(messages, self.settings.lanes)
            .into_iter()
            .map(|m| (Batch::decode(&self.loader.prefix, &m), m))
            .collect();
        if !self.finish_in_flight()? {
            return Ok(false);
        }
        self.in_flight = Some(InFlight::spawn(
            &self.handle,
            &self.loader,
            &self.loading,
            lanes,
        ));
        Ok(true)
    }

    /// Waits for the batch in flight, if any, and notes its offsets; false
    /// when the consumer was stopped during its load.
    fn finish_in_flight(&mut self) -> Result<bool> {
        let Some(f) = self.in_flight.take() else {
            return Ok(true);
        };
        match f.finish(&self.handle, &mut self.report)? {
            Some(done) => {
                self.since_log += done.messages as u64;
                note_loaded(&self.consumer, &mut self.pending_commit, &done);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Between batches: Kafka's informative commit every 5 s, the lag gauges
    /// every 10 s, the rate log every 5 s.
    pub(super) fn chores(&mut self) {
        if self.last_commit.elapsed() >= Duration::from_secs(5) {
            commit_informative(&self.consumer, &std::mem::take(&mut self.pending_commit));
            self.last_commit = Instant::now();
        }
        if self.last_lag.elapsed() >= Duration::from_secs(10) {
            record_lag(&self.consumer);
            self.last_lag = Instant::now();
        }
        if self.last_log.elapsed() >= Duration::from_secs(5) {
            let rate = self.since_log as f64 / self.last_log.elapsed().as_secs_f64();
            tracing::info!(
                messages = self.report.messages,
                rejected = self.report.rejected,
                rate = rate as u64,
                "loading"
            );
            self.last_log = Instant::now();
            self.since_log = 0;
        }
    }

    /// Lets the batch in flight commit (or fail), commits Kafka's offsets, and
    /// returns the member's totals.
    pub(super) fn stop(mut self) -> Result<RunReport> {
        self.finish_in_flight()?;
        commit_informative(&self.consumer, &self.pending_commit);
        let report = &self.report;
        tracing::info!(
            batches = report.batches,
            messages = report.messages,
            rows = report.rows_written,
            rejected = report.rejected,
            "consumer stopped"
        );
        Ok(self.report)
    }
}

/// A batch loading on the runtime, with the lock that rebalances wait for.
struct InFlight {
    task: tokio::task::JoinHandle<Result<LoadReport>>,
    /// Next offset per (topic, partition) of the batch's messages.
    offsets: HashMap<(String, i32), i64>,
}

/// What a finished batch contributes to the Kafka commit and the rate log.
pub(super) struct Loaded {
    pub(super) messages: usize,
    pub(super) offsets: HashMap<(String, i32), i64>,
    /// Stored next offsets found past the batch's start (see [`Error::Fenced`]).
    pub(super) fenced: Vec<((String, i32), i64)>,
}

impl InFlight {
    fn spawn(
        handle: &Handle,
        loader: &Arc<Loader>,
        loading: &Arc<tokio::sync::Mutex<()>>,
        lanes: Vec<(Batch, Vec<RawMessage>)>,
    ) -> InFlight {
        let mut offsets: HashMap<(String, i32), i64> = HashMap::new();
        for m in lanes.iter().flat_map(|(_, m)| m) {
            let e = offsets.entry((m.topic.clone(), m.partition)).or_insert(0);
            *e = (*e).max(m.offset + 1);
        }
        // taken here, on the polling thread, so no rebalance can slip in before the load
        let guard = handle.block_on(loading.clone().lock_owned());
        let loader = loader.clone();
        let task = handle.spawn(async move {
            let r = load_lanes(&loader, lanes).await;
            drop(guard);
            r
        });
        InFlight { task, offsets }
    }

    /// Waits for the load: `Some` when it committed, `None` when the consumer
    /// was stopped during it, the error when it failed for good.
    fn finish(self, handle: &Handle, report: &mut RunReport) -> Result<Option<Loaded>> {
        let r = match handle.block_on(self.task) {
            Ok(Ok(r)) => r,
            Ok(Err(Error::Stopped)) => return Ok(None),
            Ok(Err(e)) => return Err(e),
            Err(e) => return Err(Error::Panicked(format!("the load task: {e}"))),
        };
        report.batches += 1;
        report.messages += r.messages as u64;
        report.rows_written += r.rows_written();
        report.rejected += r.rejected as u64;
        Ok(Some(Loaded {
            messages: r.messages,
            offsets: self.offsets,
            fenced: r.fenced,
        }))
    }
}

/// True for a record stamped after `settings.until_timestamp` (not replayed).
fn after(settings: &ConsumerSettings, m: &rdkafka::message::BorrowedMessage<'_>) -> bool {
    match (settings.until_timestamp, m.timestamp().to_millis()) {
        (Some(until), Some(ts)) => ts > until,
        _ => false,
    }
}

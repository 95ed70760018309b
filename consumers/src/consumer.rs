//! The consumer loop: poll a batch, [`process_batch`], repeat, until stopped.
//!
//! Offsets live in Postgres, written in the same transaction as the rows
//! ([`crate::load`]). On partition assignment the consumer seeks every assigned
//! partition to the offset stored there (or the beginning), so a crash between
//! the load and Kafka's own commit replays nothing twice. Each batch's
//! transaction claims its partitions' stored offsets first and is rolled back
//! when another member already loaded past its start ([`Error::Fenced`]), so a
//! partition two members briefly own during a rebalance is loaded once. Kafka's
//! committed offsets are written too, but only for lag dashboards.
//!
//! The loop runs on a blocking thread with a `BaseConsumer`, so rebalances happen
//! between batches, never under one.

use std::collections::HashMap;
use std::slice;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use globalcart_common::{kafka, KafkaSettings};
use globalcart_schemas::Topic;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};
use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::decode::{Batch, RawMessage, Reject};
use crate::dlq::DeadLetters;
use crate::error::{Error, Result};
use crate::load::{load, LoadReport};
use crate::query::{query, query_rows};
use crate::settings::{ConsumerSettings, StartAt};

/// Everything a batch needs: where to load, for which group, and the DLQ.
pub struct Loader {
    pub pool: Pool,
    pub group: String,
    pub prefix: String,
    pub dead_letters: DeadLetters,
    pub shutdown: watch::Receiver<bool>,
}

impl Loader {
    pub fn new(
        kafka: &KafkaSettings,
        pool: Pool,
        shutdown: watch::Receiver<bool>,
    ) -> Result<Loader> {
        Ok(Loader {
            pool,
            group: kafka.group(),
            prefix: kafka.topic_prefix.clone(),
            dead_letters: DeadLetters::new(kafka)?,
            shutdown,
        })
    }

    async fn backoff(&self, attempt: u32, what: &str, e: &Error) -> Result<()> {
        let wait = Duration::from_millis(100u64 << attempt.min(8)).min(Duration::from_secs(30));
        tracing::warn!(error = %e, attempt, retry_in_ms = wait.as_millis() as u64, "{what} failed; retrying the same batch");
        let mut stop = self.shutdown.clone();
        tokio::select! {
            _ = tokio::time::sleep(wait) => Ok(()),
            _ = stop.wait_for(|s| *s) => Err(Error::Stopped),
        }
    }

    /// Publishes `rejects` to the dead-letter topic, retrying until the broker
    /// acknowledges them (or the consumer stops).
    async fn dead_letter(&self, rejects: &[Reject]) -> Result<()> {
        let mut attempt = 0;
        if rejects.is_empty() {
            return Ok(());
        }
        while let Err(e) = self.dead_letters.publish(rejects).await {
            self.backoff(attempt, "dead-letter publish", &e).await?;
            attempt += 1;
        }
        Ok(())
    }

    /// Loads a batch whose rejects are already dead-lettered, retrying
    /// transient failures with backoff.
    async fn load_retrying(&self, batch: &Batch) -> Result<LoadReport> {
        let mut attempt = 0;
        loop {
            match load(&self.pool, &self.group, batch).await {
                Ok(r) => {
                    if attempt > 0 {
                        tracing::info!(attempt, "batch loaded after retrying");
                    }
                    return Ok(r);
                }
                Err(e) if e.is_retryable() => self.backoff(attempt, "loading a batch", &e).await?,
                Err(e) => return Err(e),
            }
            attempt += 1;
        }
    }
}

/// The warehouse refused the batch for its data (not a transient failure).
fn refused(e: &Error) -> bool {
    !e.is_retryable() && !matches!(e, Error::Stopped | Error::Fenced(_))
}

/// Decodes and loads one batch: poison messages go to the dead-letter topic and
/// the rejects table, transient failures are retried with backoff, and a message
/// Postgres itself refuses is isolated and rejected with the database's reason.
pub async fn process_batch(loader: &Loader, messages: &[RawMessage]) -> Result<LoadReport> {
    process_decoded(loader, Batch::decode(&loader.prefix, messages), messages).await
}

/// [`process_batch`] of a batch already decoded from `messages`.
///
/// Every rejected message is dead-lettered exactly once per delivery: the
/// batch's decode rejects before its load, and, when the warehouse refuses the
/// batch, only the one message it refuses when loaded alone (the decode rejects
/// are then written to the rejects table again, in their own message's
/// transaction, but not published again).
pub async fn process_decoded(
    loader: &Loader,
    batch: Batch,
    messages: &[RawMessage],
) -> Result<LoadReport> {
    loader.dead_letter(&batch.rejects).await?;
    let (mut batch, mut kept) = (batch, None::<Vec<RawMessage>>);
    let mut fenced: Vec<((String, i32), i64)> = Vec::new();
    let mut report = loop {
        let messages = kept.as_deref().unwrap_or(messages);
        match loader.load_retrying(&batch).await {
            // another member loaded part of it: drop what it loaded, load the rest
            // (its rejects were dead-lettered above, so not published again)
            Err(Error::Fenced(floors)) => {
                tracing::warn!(
                    ?floors,
                    "another group member loaded part of this batch; loading the rest"
                );
                let rest = skip_loaded(messages, &floors);
                fenced.extend(floors);
                batch = Batch::decode(&loader.prefix, &rest);
                kept = Some(rest);
                if batch.messages == 0 {
                    break LoadReport::default();
                }
            }
            Err(e) if refused(&e) => break load_one_by_one(loader, messages).await?,
            other => break other?,
        }
    };
    report.fenced = fenced;
    Ok(report)
}

/// The messages of `messages` at or after the stored next offset of their
/// partition in `floors`.
fn skip_loaded(messages: &[RawMessage], floors: &[((String, i32), i64)]) -> Vec<RawMessage> {
    let floors: HashMap<(&str, i32), i64> = floors
        .iter()
        .map(|((t, p), o)| ((t.as_str(), *p), *o))
        .collect();
    messages
        .iter()
        .filter(|m| {
            floors
                .get(&(m.topic.as_str(), m.partition))
                .is_none_or(|floor| m.offset >= *floor)
        })
        .cloned()
        .collect()
}

/// The warehouse refused a batch: loads its messages one by one and rejects,
/// with the database's reason, each message it refuses alone.
async fn load_one_by_one(loader: &Loader, messages: &[RawMessage]) -> Result<LoadReport> {
    tracing::warn!(
        messages = messages.len(),
        "the warehouse refused the batch; loading it message by message"
    );
    let mut total = LoadReport::default();
    for m in messages {
        let one = Batch::decode(&loader.prefix, slice::from_ref(m));
        let r = match loader.load_retrying(&one).await {
            Err(Error::Fenced(floors)) => {
                // loaded by another member meanwhile
                total.fenced.extend(floors);
                continue;
            }
            Err(e) if refused(&e) => {
                let reason = format!("refused by the warehouse: {e}");
                tracing::warn!(topic = %m.topic, partition = m.partition, offset = m.offset, %reason, "message rejected");
                let rejected = Batch::rejecting(slice::from_ref(m), &reason);
                loader.dead_letter(&rejected.rejects).await?;
                match loader.load_retrying(&rejected).await {
                    Err(Error::Fenced(floors)) => {
                        total.fenced.extend(floors);
                        continue;
                    }
                    other => other?,
                }
            }
            other => other?,
        };
        total.messages += r.messages;
        total.rejected += r.rejected;
        for (t, c) in r.counts {
            total.counts.entry(t).or_default().add(c);
        }
    }
    Ok(total)
}

/// Seeks assigned partitions to the offsets stored in Postgres.
struct OffsetsContext {
    handle: Handle,
    pool: Pool,
    group: String,
    /// Partitions held now, when the last rebalance event happened, and
    /// whether it was an assignment (a member may be assigned no partition).
    assignment: Mutex<(usize, Instant, bool)>,
    /// Per assigned partition, the first offset still to take: the stored
    /// offset at assignment, then past each message taken; messages below it
    /// are dropped (see [`REWIND`] and [`below_floor`]).
    floors: Mutex<HashMap<(String, i32), i64>>,
    /// Where a partition without a stored offset starts.
    start: StartAt,
    /// Held by the batch being loaded: a rebalance waits for it, so partitions
    /// change hands between loads, never under one.
    loading: Arc<tokio::sync::Mutex<()>>,
    /// This member's index and its process's idle vote (a rebalance withdraws
    /// the member's idle vote: its new partitions are not loaded yet).
    vote: (usize, Arc<IdleVote>),
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
                let rows = query_rows(
                    &client,
                    query!("etl_consumer_offsets_select"),
                    &[&self.group, &topics],
                )
                .await?;
                Ok::<_, Error>(
                    rows.iter()
                        .map(|r| (r.get(0), r.get(1), r.get(2)))
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

/// Totals of a consumer run.
#[derive(Debug, Default, Clone)]
pub struct RunReport {
    pub batches: u64,
    pub messages: u64,
    pub rows_written: u64,
    pub rejected: u64,
}

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

/// Most kilobytes of fetched-but-unloaded messages held in memory.
pub const PREFETCH_KBYTES: u32 = 16384;
/// Messages per partition librdkafka tries to keep fetched ahead.
pub const PREFETCH_MESSAGES: &str = "20000";

/// Consumes every event topic of `kafka.topic_prefix` in group `kafka.group()`
/// until `shutdown` turns true (after committing the batch in flight) or, with
/// `until_idle`, until no message arrived for that long; with
/// `settings.members` group members, each on its own blocking thread.
pub async fn run_until_stopped(
    kafka: KafkaSettings,
    pool: Pool,
    settings: ConsumerSettings,
    shutdown: watch::Receiver<bool>,
) -> Result<RunReport> {
    let handle = Handle::current();
    let vote = Arc::new(IdleVote::new(usize::from(settings.members.max(1))));
    let members = (0..usize::from(settings.members.max(1))).map(|member| {
        let (h, k, p, s, sd, v) = (
            handle.clone(),
            kafka.clone(),
            pool.clone(),
            settings.clone(),
            shutdown.clone(),
            vote.clone(),
        );
        async move {
            let r = tokio::task::spawn_blocking({
                let v = v.clone();
                move || run_blocking(h, k, p, s, sd, (member, v))
            })
            .await
            .map_err(|e| Error::DeadLetter(format!("consumer thread panicked: {e}")))
            .and_then(|r| r);
            if r.is_err() {
                // the others stop at their next idle poll instead of waiting for a vote
                v.give_up();
            }
            r
        }
    });
    let mut total = RunReport::default();
    for r in futures::future::try_join_all(members).await? {
        total.batches += r.batches;
        total.messages += r.messages;
        total.rows_written += r.rows_written;
        total.rejected += r.rejected;
    }
    Ok(total)
}

/// With `until_idle`, the members of one process stop together, once every one
/// of them is idle: a member leaving alone would make the others rebalance,
/// and a member waiting for its new assignment never counts as idle.
struct IdleVote {
    idle: Mutex<Vec<bool>>,
    done: std::sync::atomic::AtomicBool,
}

impl IdleVote {
    fn new(members: usize) -> IdleVote {
        IdleVote {
            idle: Mutex::new(vec![false; members]),
            done: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn done(&self) -> bool {
        self.done.load(std::sync::atomic::Ordering::Acquire)
    }

    /// A member failed: the others stop once idle, whatever the votes.
    fn give_up(&self) {
        self.done.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Records whether `member` is idle; true once all were idle at once.
    fn vote(&self, member: usize, idle: bool) -> bool {
        if self.done() {
            return true;
        }
        if let Ok(mut v) = self.idle.lock() {
            v[member] = idle;
            if v.iter().all(|i| *i) {
                self.done.store(true, std::sync::atomic::Ordering::Release);
            }
        }
        self.done()
    }
}

fn run_blocking(
    handle: Handle,
    kafka: KafkaSettings,
    pool: Pool,
    settings: ConsumerSettings,
    shutdown: watch::Receiver<bool>,
    (member, vote): (usize, Arc<IdleVote>),
) -> Result<RunReport> {
    let loader = Arc::new(Loader::new(&kafka, pool.clone(), shutdown.clone())?);
    let loading = Arc::new(tokio::sync::Mutex::new(()));
    let ctx = OffsetsContext {
        loading: loading.clone(),
        handle: handle.clone(),
        pool,
        group: kafka.group(),
        assignment: Mutex::new((0, Instant::now(), false)),
        floors: Mutex::new(HashMap::new()),
        start: settings.start,
        vote: (member, vote.clone()),
    };
    let consumer: BaseConsumer<OffsetsContext> = kafka::client_config(&kafka)
        .set("group.id", kafka.group())
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

    let mut report = RunReport::default();
    let mut last_message = Instant::now();
    let mut last_log = Instant::now();
    let mut last_lag = Instant::now();
    let mut last_commit = Instant::now();
    let mut pending_commit: HashMap<(String, i32), i64> = HashMap::new();
    let mut since_log = 0u64;
    // The batch being loaded on the runtime while this thread polls and decodes
    // the next one (decode and the load's transaction overlap).
    let mut in_flight: Option<InFlight> = None;
    let wait = Duration::from_millis(settings.batch_wait_ms);
    while !*shutdown.borrow() {
        let first = match consumer.poll(Duration::from_millis(if in_flight.is_some() {
            0
        } else {
            250
        })) {
            Some(Ok(m)) if below_floor(&consumer, &m) || after(&settings, &m) => continue,
            Some(Ok(m)) => owned(&m),
            Some(Err(e)) => {
                log_poll_error(&e);
                continue;
            }
            None => {
                if let Some(f) = in_flight.take() {
                    match f.finish(&handle, &mut report)? {
                        Some(done) => {
                            since_log += done.messages as u64;
                            note_loaded(&consumer, &mut pending_commit, &done);
                        }
                        None => break,
                    }
                    continue;
                }
                // idle time counts only while partitions are held (or after an
                // assignment of none), so a slow group join (a killed member's
                // session expiring) is not mistaken for idleness
                let (held, since, assigned) = consumer
                    .context()
                    .assignment
                    .lock()
                    .map_or((0, Instant::now(), false), |a| *a);
                let quiet = last_message.elapsed().min(since.elapsed());
                if let Some(idle) = settings.until_idle {
                    let is_idle = (held > 0 || assigned) && quiet >= Duration::from_secs(idle);
                    if vote.vote(member, is_idle) {
                        tracing::info!(idle_secs = idle, "no new message; stopping");
                        break;
                    }
                }
                continue;
            }
        };
        let mut messages = vec![first];
        let deadline = Instant::now() + wait;
        while messages.len() < settings.batch_size {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match consumer.poll(left) {
                Some(Ok(m)) if below_floor(&consumer, &m) || after(&settings, &m) => {}
                Some(Ok(m)) => messages.push(owned(&m)),
                Some(Err(e)) => {
                    log_poll_error(&e);
                    break;
                }
                None => break,
            }
        }
        last_message = Instant::now();
        vote.vote(member, false);
        let lanes: Vec<(Batch, Vec<RawMessage>)> = lanes(messages, settings.lanes)
            .into_iter()
            .map(|m| (Batch::decode(&loader.prefix, &m), m))
            .collect();
        if let Some(f) = in_flight.take() {
            match f.finish(&handle, &mut report)? {
                Some(done) => {
                    since_log += done.messages as u64;
                    note_loaded(&consumer, &mut pending_commit, &done);
                }
                None => break,
            }
        }
        in_flight = Some(InFlight::spawn(&handle, &loader, &loading, lanes));
        if last_commit.elapsed() >= Duration::from_secs(5) {
            commit_informative(&consumer, &std::mem::take(&mut pending_commit));
            last_commit = Instant::now();
        }
        if last_lag.elapsed() >= Duration::from_secs(10) {
            record_lag(&consumer);
            last_lag = Instant::now();
        }
        if last_log.elapsed() >= Duration::from_secs(5) {
            let rate = since_log as f64 / last_log.elapsed().as_secs_f64();
            tracing::info!(
                messages = report.messages,
                rejected = report.rejected,
                rate = rate as u64,
                "loading"
            );
            last_log = Instant::now();
            since_log = 0;
        }
    }
    // the batch in flight commits (or fails) before the consumer stops
    if let Some(f) = in_flight.take() {
        if let Some(done) = f.finish(&handle, &mut report)? {
            note_loaded(&consumer, &mut pending_commit, &done);
        }
    }
    commit_informative(&consumer, &pending_commit);
    tracing::info!(
        batches = report.batches,
        messages = report.messages,
        rows = report.rows_written,
        rejected = report.rejected,
        "consumer stopped"
    );
    Ok(report)
}

/// Splits a batch's messages into `n` lanes by partition (partition mod `n`):
/// every message of a partition, so every version of a key, is in one lane.
pub fn lanes(messages: Vec<RawMessage>, n: u16) -> Vec<Vec<RawMessage>> {
    let n = usize::from(n.max(1));
    let mut out: Vec<Vec<RawMessage>> = vec![Vec::new(); n];
    for m in messages {
        out[m.partition.rem_euclid(n as i32) as usize].push(m);
    }
    out.retain(|l| !l.is_empty());
    out
}

/// Loads the lanes of one batch at once, each in its own transactions
/// ([`process_decoded`]); their reports added up.
pub async fn load_lanes(
    loader: &Loader,
    lanes: Vec<(Batch, Vec<RawMessage>)>,
) -> Result<LoadReport> {
    let reports = futures::future::try_join_all(
        lanes
            .into_iter()
            .map(|(b, m)| async move { process_decoded(loader, b, &m).await }),
    )
    .await?;
    let mut total = LoadReport::default();
    for r in reports {
        total.messages += r.messages;
        total.rejected += r.rejected;
        total.fenced.extend(r.fenced);
        for (t, c) in r.counts {
            total.counts.entry(t).or_default().add(c);
        }
    }
    Ok(total)
}

/// A batch loading on the runtime, with the lock that rebalances wait for.
struct InFlight {
    task: tokio::task::JoinHandle<Result<LoadReport>>,
    /// Next offset per (topic, partition) of the batch's messages.
    offsets: HashMap<(String, i32), i64>,
}

/// What a finished batch contributes to the Kafka commit and the rate log.
struct Loaded {
    messages: usize,
    offsets: HashMap<(String, i32), i64>,
    /// Stored next offsets found past the batch's start (see [`Error::Fenced`]).
    fenced: Vec<((String, i32), i64)>,
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
            Err(e) => return Err(Error::DeadLetter(format!("load task panicked: {e}"))),
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

/// Notes a loaded batch's offsets for the informative Kafka commit, and raises
/// the poller's floors where another member was found ahead.
fn note_loaded(
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

/// True for a record stamped after `settings.until_timestamp` (not replayed).
fn after(settings: &ConsumerSettings, m: &rdkafka::message::BorrowedMessage<'_>) -> bool {
    match (settings.until_timestamp, m.timestamp().to_millis()) {
        (Some(until), Some(ts)) => ts > until,
        _ => false,
    }
}

/// True for a message this member must skip: before the stored offset of its
/// partition (already loaded), or at or before a message it already took (a
/// redelivery: after a rebalance that re-assigns a partition without revoking
/// it first, as Tansu 0.6 does when members join, the seek fetches again what
/// the batch being assembled already holds). Otherwise the floor moves past it.
fn below_floor(
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

/// Sets the lag gauge of every assigned partition: high watermark − position.
/// (On Tansu 0.6 the high watermark is the last record batch's base offset + 1, so
/// the lag reads low by up to one batch.)
fn record_lag(consumer: &BaseConsumer<OffsetsContext>) {
    let Ok(positions) = consumer.position() else {
        return;
    };
    for e in positions.elements() {
        let Offset::Offset(pos) = e.offset() else {
            continue;
        };
        if let Ok((_, hi)) =
            consumer.fetch_watermarks(e.topic(), e.partition(), Duration::from_secs(2))
        {
            let base = e.topic().rsplit('.').next().unwrap_or("unknown");
            globalcart_common::metrics::CONSUMER_LAG
                .with_label_values(&[base, &e.partition().to_string()])
                .set((hi - pos).max(0));
        }
    }
}

fn log_poll_error(e: &KafkaError) {
    tracing::warn!(error = %e, "broker error while polling; librdkafka reconnects by itself");
}

/// Commits the loaded offsets to Kafka too, every few seconds, for lag dashboards
/// only (the offsets that count are in Postgres).
fn commit_informative(consumer: &BaseConsumer<OffsetsContext>, next: &HashMap<(String, i32), i64>) {
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

//! Loading one polled batch: decode, dead letters, retries with backoff, and
//! the one-by-one isolation of a message Postgres refuses.

use std::collections::HashMap;
use std::slice;
use std::time::Duration;

use deadpool_postgres::Pool;
use globalcart_common::KafkaSettings;
use tokio::sync::watch;

use crate::decode::{Batch, RawMessage, Reject};
use crate::dlq::DeadLetters;
use crate::error::{Error, Result};
use crate::load::{load, LoadReport};

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
    !e.is_retryable() && !matches!(e, Error::Stopped | Error::Fenced(_) | Error::Panicked(_))
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

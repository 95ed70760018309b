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
//!
//! - this file: the members of a process ([`run_until_stopped`]) and the loop of each;
//! - [`member`]: one member: poll, decode, load, chores, stop;
//! - [`vote`]: the members stop together when idle;
//! - [`batch`]: loading a polled batch (retries, dead letters, one-by-one isolation);
//! - [`offsets`]: where each assigned partition starts, and the floors below
//!   which a message was already loaded;
//! - [`lag`]: the lag gauges and poll errors.

use std::sync::Arc;

use deadpool_postgres::Pool;
use globalcart_common::KafkaSettings;
use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::settings::ConsumerSettings;

mod batch;
mod lag;
mod member;
mod offsets;
mod vote;

pub use batch::{lanes, load_lanes, process_batch, process_decoded, Loader};
use member::{Member, Poll};
pub use offsets::REWIND;
use vote::IdleVote;

/// Totals of a consumer run.
#[derive(Debug, Default, Clone)]
pub struct RunReport {
    pub batches: u64,
    pub messages: u64,
    pub rows_written: u64,
    pub rejected: u64,
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
            .map_err(|e| Error::Panicked(format!("consumer member {member}: {e}")))
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

/// The loop of one group member, on its blocking thread.
fn run_blocking(
    handle: Handle,
    kafka: KafkaSettings,
    pool: Pool,
    settings: ConsumerSettings,
    shutdown: watch::Receiver<bool>,
    (id, vote): (usize, Arc<IdleVote>),
) -> Result<RunReport> {
    let mut member = Member::start(handle, &kafka, pool, settings, shutdown.clone(), (id, vote))?;
    while !*shutdown.borrow() {
        match member.next()? {
            Poll::Batch(messages) => {
                if !member.load(messages)? {
                    break;
                }
                member.chores();
            }
            Poll::Nothing => {}
            Poll::Stop => break,
        }
    }
    member.stop()
}

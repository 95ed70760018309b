//! Keeps the [`KpiCache`] current: rebuilds the last 24 hours at start-up, then
//! refreshes the buckets each committed batch touched (`NOTIFY globalcart_kpis`,
//! payload = the touched Unix seconds, or `>start` for everything since; see
//! `sql/queries/kpi_notify.sql`) and re-folds the windows every second so they
//! slide even when nothing arrives (summing the one-second buckets that age
//! past [`super::cache::FINE_SPAN`] into ten-second ones). If the notification
//! connection drops, it reconnects and rebuilds the last 24 hours (a missed
//! notification must not leave the cache stale).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use deadpool_postgres::Pool;
use futures::StreamExt;
use globalcart_common::live;
use tokio::sync::{mpsc, watch};
use tokio_postgres::AsyncMessage;

use super::cache::{coarse, KpiCache, BUCKET};
use super::CHANNEL;

/// How long the refresher collects notifications before one refresh.
const DEBOUNCE: Duration = Duration::from_millis(5);

/// Touched seconds newer than this are reloaded at once; older ones (late
/// costs of earlier orders, sessions that started earlier) are collected and
/// reloaded together on the next one-second tick, so a stream that keeps
/// touching the same older seconds reloads each once a second, not once a batch,
/// and a round of new events stays a query or two long.
const HOT: TimeDelta = TimeDelta::seconds(2);

/// The share of its time the cold task may spend reloading older seconds
/// (1 in `COLD_DUTY`): after a round that took `d`, the next waits at least
/// `(COLD_DUTY - 1) × d`. Under a heavy stream nearly every batch touches
/// older seconds (sessions that started minutes ago, costs of earlier
/// orders), and reloading them every second kept about half a core of a
/// 2-core machine busy, slowing the loader's commits and the hot reloads that
/// show new events (docs/benchmarks.md, "Live cache duty cycle").
const COLD_DUTY: u32 = 5;

/// Splits `touched` into what to reload now and the older seconds to defer.
fn defer_cold(touched: Touched, now: DateTime<Utc>, cold: &mut BTreeSet<i64>) -> Option<Touched> {
    let Touched::Seconds(secs) = touched else {
        return Some(touched);
    };
    let hot_from = (now - HOT).timestamp();
    let (hot, old): (BTreeSet<i64>, BTreeSet<i64>) = secs.into_iter().partition(|s| *s >= hot_from);
    cold.extend(old);
    (!hot.is_empty()).then_some(Touched::Seconds(hot))
}

/// What needs reloading.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Touched {
    /// The last 24 hours (start-up, reconnection, unreadable payload).
    All,
    /// Everything from this Unix second on.
    Since(i64),
    /// These seconds (Unix).
    Seconds(BTreeSet<i64>),
}

impl Touched {
    fn parse(payload: &str) -> Touched {
        if let Some(s) = payload.strip_prefix('>') {
            return s.parse().map_or(Touched::All, Touched::Since);
        }
        payload
            .split(',')
            .map(str::parse)
            .collect::<Result<BTreeSet<i64>, _>>()
            .map_or(Touched::All, Touched::Seconds)
    }

    fn merge(self, other: Touched) -> Touched {
        match (self, other) {
            (Touched::All, _) | (_, Touched::All) => Touched::All,
            (Touched::Since(a), Touched::Since(b)) => Touched::Since(a.min(b)),
            (Touched::Since(a), Touched::Seconds(b)) | (Touched::Seconds(b), Touched::Since(a)) => {
                Touched::Since(b.first().map_or(a, |f| a.min(*f)))
            }
            (Touched::Seconds(mut a), Touched::Seconds(b)) => {
                a.extend(b);
                Touched::Seconds(a)
            }
        }
    }
}

async fn listen(
    url: &str,
    tx: mpsc::UnboundedSender<Touched>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let mut messages = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
    let driver = async {
        while let Some(m) = messages.next().await {
            match m {
                Ok(AsyncMessage::Notification(n)) => {
                    let _ = tx.send(Touched::parse(n.payload()));
                }
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    };
    let subscribe = async {
        client.batch_execute(&format!("listen {CHANNEL}")).await?;
        // a full rebuild after (re)subscribing covers anything missed meanwhile
        let _ = tx.send(Touched::All);
        std::future::pending::<Result<(), tokio_postgres::Error>>().await
    };
    tokio::select! {
        r = driver => r,
        r = subscribe => r,
    }
}

/// The spans of `touched` to reload (Unix seconds, `[from, to)`), newest
/// first, clipped to the last day: a touched second is its own one-second
/// bucket from `fine_from` on and its ten-second bucket before. The newest
/// span is reloaded alone, so the tiles show the newest events after one
/// second's reload; adjacent spans after it are merged up to a bucket's width
/// (fewer queries, never a long one that would hold back newer events).
fn pieces(touched: Touched, now: DateTime<Utc>, fine_from: i64) -> Vec<(i64, i64)> {
    let day_ago = (now - TimeDelta::seconds(live::WINDOW_SECS) - BUCKET).timestamp();
    let end = (now + BUCKET).timestamp();
    let width = BUCKET.num_seconds();
    let mut spans: Vec<(i64, i64)> = match touched {
        Touched::All => cut((day_ago, end), fine_from),
        Touched::Since(s) => cut((s.max(day_ago), end), fine_from),
        Touched::Seconds(secs) => secs
            .into_iter()
            .filter(|s| *s >= day_ago)
            .map(|s| {
                if s >= fine_from {
                    (s, s + 1)
                } else {
                    (coarse(s), coarse(s) + width)
                }
            })
            .collect(),
    };
    spans.sort_by_key(|&p| std::cmp::Reverse(p));
    spans.dedup();
    merge_runs(spans)
}

/// A long span cut so that newer touches can go first between its pieces:
/// bucket-wide pieces from `fine_from` on (and before it when the rest is at
/// most an hour), one piece for a longer stretch of older buckets.
fn cut((from, to): (i64, i64), fine_from: i64) -> Vec<(i64, i64)> {
    let width = BUCKET.num_seconds();
    let mut out = Vec::new();
    let old_to = to.min(fine_from);
    let mut t = from;
    if from < old_to && old_to - from > 360 * width {
        out.push((from, old_to));
        t = old_to;
    }
    while t < to {
        let next = (coarse(t) + width).min(to);
        out.push((t, next));
        t = next;
    }
    out
}

/// Merges spans sorted newest first that touch or overlap, up to
/// [`BUCKET`] wide, all but the first, which stays alone.
fn merge_runs(spans: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    let width = BUCKET.num_seconds();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (from, to) in spans {
        let runs = out.len();
        match out.last_mut() {
            Some(last) if runs >= 2 && to >= last.0 && last.1 - from <= width => {
                last.0 = last.0.min(from);
            }
            _ => out.push((from, to)),
        }
    }
    out
}

/// Runs until `shutdown` turns true, as two tasks with a connection each.
///
/// The hot one takes every notification that arrived, reloads the touched
/// seconds of the last [`HOT`] newest first and publishes a snapshot as soon as
/// the newest one is in, so the tiles show a new event after one second's
/// reload; notifications that arrive meanwhile make its next round (letting
/// them jump ahead would starve an older second for as long as newer ones keep
/// coming). Older seconds go to the cold one, which reloads them once a second,
/// newest first, sums aged one-second buckets and re-folds the windows so they
/// slide even when nothing arrives. The two never load the same seconds at
/// once except when a second turns cold between a batch and the next (the later
/// load wins, as both read committed rows).
pub async fn run(cache: KpiCache, pool: Pool, url: String, mut shutdown: watch::Receiver<bool>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Touched>();
    let listener = tokio::spawn(async move {
        loop {
            if let Err(e) = listen(&url, tx.clone()).await {
                tracing::warn!(error = %e, "kpi notifications lost; reconnecting");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let (to_cold, cold_rx) = mpsc::unbounded_channel::<BTreeSet<i64>>();
    let cold = tokio::spawn(run_cold(
        cache.clone(),
        pool.clone(),
        cold_rx,
        shutdown.clone(),
    ));
    loop {
        let n = tokio::select! {
            _ = shutdown.wait_for(|s| *s) => break,
            n = rx.recv() => match n { Some(n) => n, None => break },
        };
        // a short wait gathers the notifications of commits landing together
        tokio::time::sleep(DEBOUNCE).await;
        let mut touched = n;
        while let Ok(n) = rx.try_recv() {
            touched = touched.merge(n);
        }
        let mut older = BTreeSet::new();
        let hot = defer_cold(touched, Utc::now(), &mut older);
        if !older.is_empty() {
            let _ = to_cold.send(older);
        }
        let Some(hot) = hot else { continue };
        for (i, (from, to)) in pieces(hot, Utc::now(), cache.fine_from())
            .into_iter()
            .enumerate()
        {
            if *shutdown.borrow() {
                break;
            }
            if let Err(e) = reload(&cache, &pool, from, to).await {
                tracing::warn!(error = %e, "kpi cache refresh failed; the cold task retries it");
                let _ = to_cold.send(retry(from, to));
            }
            if i == 0 {
                cache.rebuild(Utc::now());
            }
        }
        cache.rebuild(Utc::now());
    }
    listener.abort();
    drop(to_cold);
    let _ = cold.await;
}

/// The cold task of [`run`]: once a second, sums aged one-second buckets and
/// re-folds the windows; reloads the older seconds collected since as often
/// as [`COLD_DUTY`] allows (every second while rounds stay short).
async fn run_cold(
    cache: KpiCache,
    pool: Pool,
    mut rx: mpsc::UnboundedReceiver<BTreeSet<i64>>,
    shutdown: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut cold: BTreeSet<i64> = BTreeSet::new();
    let mut next_round = Instant::now();
    loop {
        tick.tick().await;
        if *shutdown.borrow() {
            break;
        }
        loop {
            match rx.try_recv() {
                Ok(s) => cold.extend(s),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => return,
            }
        }
        cache.consolidate(Utc::now());
        if Instant::now() < next_round {
            cache.rebuild(Utc::now());
            continue;
        }
        let round = Instant::now();
        let todo = pieces(
            Touched::Seconds(std::mem::take(&mut cold)),
            Utc::now(),
            cache.fine_from(),
        );
        for (from, to) in todo {
            if *shutdown.borrow() {
                break;
            }
            if let Err(e) = reload(&cache, &pool, from, to).await {
                tracing::warn!(error = %e, "kpi cache refresh failed; retrying on the next tick");
                cold.extend(retry(from, to));
            }
        }
        next_round = Instant::now() + round.elapsed() * (COLD_DUTY - 1);
        cache.rebuild(Utc::now());
    }
}

/// The seconds of a failed reload, to try again: the span's own seconds, or
/// its start alone for a span over an hour (only its first bucket is tried
/// again; the next reconnection rebuilds the whole day).
fn retry(from: i64, to: i64) -> BTreeSet<i64> {
    if to - from > 3600 {
        BTreeSet::from([from])
    } else {
        (from..to).collect()
    }
}

/// Reloads `[from, to)` (Unix seconds).
async fn reload(cache: &KpiCache, pool: &Pool, from: i64, to: i64) -> crate::error::Result<()> {
    match (
        DateTime::from_timestamp(from, 0),
        DateTime::from_timestamp(to, 0),
    ) {
        (Some(f), Some(t)) => cache.load(pool, f, t).await,
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse_and_merge() {
        assert_eq!(Touched::parse(">120"), Touched::Since(120));
        assert_eq!(
            Touched::parse("10,30"),
            Touched::Seconds(BTreeSet::from([10, 30]))
        );
        assert_eq!(Touched::parse("garbage"), Touched::All);
        assert_eq!(
            Touched::parse("10").merge(Touched::parse("40")),
            Touched::Seconds(BTreeSet::from([10, 40]))
        );
        assert_eq!(
            Touched::parse("10").merge(Touched::parse(">30")),
            Touched::Since(10)
        );
        assert_eq!(Touched::parse("10").merge(Touched::All), Touched::All);
    }

    #[test]
    fn older_seconds_wait_for_the_tick() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let mut cold = BTreeSet::new();
        let hot = defer_cold(
            Touched::Seconds(BTreeSet::from([999_000, 999_998, 999_999])),
            now,
            &mut cold,
        );
        assert_eq!(
            hot,
            Some(Touched::Seconds(BTreeSet::from([999_998, 999_999])))
        );
        assert_eq!(cold, BTreeSet::from([999_000]));
        assert_eq!(
            defer_cold(Touched::Seconds(BTreeSet::from([998_000])), now, &mut cold),
            None
        );
        assert_eq!(defer_cold(Touched::All, now, &mut cold), Some(Touched::All));
        assert_eq!(cold.len(), 2);
    }

    #[test]
    fn the_newest_second_is_reloaded_alone_then_runs() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let fine_from = 999_700;
        let touched = Touched::Seconds(BTreeSet::from([
            999_000, 999_004, 999_950, 999_951, 999_958, 999_990, 999_995,
        ]));
        assert_eq!(
            pieces(touched, now, fine_from),
            vec![
                // the newest second alone
                (999_995, 999_996),
                // then runs of adjacent one-second buckets, at most 10 s long
                (999_990, 999_991),
                (999_958, 999_959),
                (999_950, 999_952),
                // before `fine_from`, the ten-second bucket
                (999_000, 999_010),
            ]
        );
        // a whole day: the hours before `fine_from` in one reload, then the
        // last five minutes bucket by bucket, newest first
        let day = pieces(Touched::All, now, fine_from);
        assert_eq!(day.len(), 1 + 31);
        assert_eq!(day[0], (1_000_000, 1_000_010));
        assert_eq!(day[31], (1_000_000 - 86_410, fine_from));
        // everything since ten minutes ago: bucket by bucket
        let since = pieces(Touched::Since(999_400), now, fine_from);
        assert_eq!(since.len(), 61);
        assert!(since.windows(2).all(|w| w[0].0 == w[1].1));
    }
}

//! Keeps the [`KpiCache`] current: rebuilds the last 24 hours at start-up, then
//! refreshes the buckets each committed batch touched (`NOTIFY globalcart_kpis`,
//! payload = the touched bucket starts in Unix seconds, or `>start` for
//! everything since; see `sql/queries/kpi_notify.sql`) and re-folds the windows
//! every second so they slide even when nothing arrives. If the notification
//! connection drops, it reconnects and rebuilds the last 24 hours (a missed
//! notification must not leave the cache stale).

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use deadpool_postgres::Pool;
use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio_postgres::AsyncMessage;

use super::cache::{KpiCache, BUCKET};
use super::CHANNEL;

/// How long the refresher collects notifications before one refresh.
const DEBOUNCE: Duration = Duration::from_millis(5);

/// What needs reloading.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Touched {
    /// The last 24 hours (start-up, reconnection, unreadable payload).
    All,
    /// Everything from this Unix second on.
    Since(i64),
    /// These buckets (start, Unix seconds).
    Buckets(BTreeSet<i64>),
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
            .map_or(Touched::All, Touched::Buckets)
    }

    fn merge(self, other: Touched) -> Touched {
        match (self, other) {
            (Touched::All, _) | (_, Touched::All) => Touched::All,
            (Touched::Since(a), Touched::Since(b)) => Touched::Since(a.min(b)),
            (Touched::Since(a), Touched::Buckets(b)) | (Touched::Buckets(b), Touched::Since(a)) => {
                Touched::Since(b.first().map_or(a, |f| a.min(*f)))
            }
            (Touched::Buckets(mut a), Touched::Buckets(b)) => {
                a.extend(b);
                Touched::Buckets(a)
            }
        }
    }
}

/// Contiguous runs `[from, to)` (Unix seconds) covering `buckets`; runs closer
/// than a minute are merged, so a refresh makes few queries.
fn runs(buckets: &BTreeSet<i64>) -> Vec<(i64, i64)> {
    let width = BUCKET.num_seconds();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for &b in buckets {
        match out.last_mut() {
            Some(last) if b - last.1 <= 60 => last.1 = last.1.max(b + width),
            _ => out.push((b, b + width)),
        }
    }
    out
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

/// The spans of `touched` to reload, newest first, each at most one bucket wide
/// (Unix seconds, `[from, to)`), clipped to the last day.
fn pieces(touched: Touched, now: DateTime<Utc>) -> Vec<(i64, i64)> {
    let width = BUCKET.num_seconds();
    let day_ago = (now - TimeDelta::hours(24) - BUCKET).timestamp();
    let end = (now + BUCKET).timestamp();
    let spans = match touched {
        Touched::All => vec![(day_ago, end)],
        Touched::Since(s) => vec![(s.max(day_ago), end)],
        Touched::Buckets(b) => runs(&b)
            .into_iter()
            .filter(|(_, to)| *to > day_ago)
            .map(|(from, to)| (from.max(day_ago), to))
            .collect(),
    };
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (from, to) in spans {
        // a whole-day rebuild stays one query; a run of recent buckets is cut into
        // buckets, so the newest one is visible after one bucket's reload
        if to - from > 60 * width {
            out.push((from, to));
            continue;
        }
        let mut t = from - from.rem_euclid(width);
        while t < to {
            out.push((t.max(from), (t + width).min(to)));
            t += width;
        }
    }
    out.sort_by_key(|&p| std::cmp::Reverse(p));
    out.dedup();
    out
}

/// Runs until `shutdown` turns true.
///
/// Each round reloads the touched buckets newest first and publishes a snapshot
/// as soon as the newest one is in, so the tiles show a new event after one
/// bucket's reload, not after the reload of every bucket a batch touched (late
/// costs of orders placed a minute ago, sessions that started earlier). Buckets
/// touched while a round runs join it, newest first again.
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
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        let first = tokio::select! {
            _ = shutdown.wait_for(|s| *s) => break,
            _ = tick.tick() => { cache.rebuild(Utc::now()); continue; }
            n = rx.recv() => match n { Some(n) => n, None => break },
        };
        tokio::time::sleep(DEBOUNCE).await;
        let mut touched = first;
        while let Ok(n) = rx.try_recv() {
            touched = touched.merge(n);
        }
        let mut todo = pieces(touched, Utc::now());
        let mut failed = None;
        let mut published = false;
        while let Some((from, to)) = todo.first().copied() {
            todo.remove(0);
            let (Some(from_t), Some(to_t)) = (
                DateTime::from_timestamp(from, 0),
                DateTime::from_timestamp(to, 0),
            ) else {
                continue;
            };
            if let Err(e) = cache.load(&pool, from_t, to_t).await {
                failed = Some(e);
            }
            if !published {
                cache.rebuild(Utc::now());
                published = true;
            }
            // what committed meanwhile goes first (the newest buckets)
            let mut newer: Option<Touched> = None;
            while let Ok(n) = rx.try_recv() {
                newer = Some(match newer {
                    Some(t) => t.merge(n),
                    None => n,
                });
            }
            if let Some(n) = newer {
                todo.extend(pieces(n, Utc::now()));
                todo.sort_by_key(|&p| std::cmp::Reverse(p));
                todo.dedup();
                published = false;
            }
        }
        cache.rebuild(Utc::now());
        if let Some(e) = failed {
            tracing::warn!(error = %e, "kpi cache refresh failed; will retry on the next change");
        }
    }
    listener.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse_and_merge() {
        assert_eq!(Touched::parse(">120"), Touched::Since(120));
        assert_eq!(
            Touched::parse("10,30"),
            Touched::Buckets(BTreeSet::from([10, 30]))
        );
        assert_eq!(Touched::parse("garbage"), Touched::All);
        assert_eq!(
            Touched::parse("10").merge(Touched::parse("40")),
            Touched::Buckets(BTreeSet::from([10, 40]))
        );
        assert_eq!(
            Touched::parse("10").merge(Touched::parse(">30")),
            Touched::Since(10)
        );
        assert_eq!(Touched::parse("10").merge(Touched::All), Touched::All);
    }

    #[test]
    fn recent_runs_are_reloaded_bucket_by_bucket_newest_first() {
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let touched = Touched::Buckets(BTreeSet::from([999_950, 999_960, 999_990]));
        assert_eq!(
            pieces(touched, now),
            vec![
                (999_990, 1_000_000),
                (999_980, 999_990),
                (999_970, 999_980),
                (999_960, 999_970),
                (999_950, 999_960)
            ]
        );
        // a whole day stays one reload
        assert_eq!(pieces(Touched::All, now).len(), 1);
    }

    #[test]
    fn near_buckets_make_one_run() {
        let b = BTreeSet::from([0, 10, 50, 1000, 1010]);
        assert_eq!(runs(&b), vec![(0, 60), (1000, 1020)]);
    }
}

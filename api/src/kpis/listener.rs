//! Keeps the [`KpiCache`] current: rebuilds the last 24 hours at start-up, then
//! refreshes the minutes each committed batch touched (`NOTIFY globalcart_kpis`,
//! payload = earliest touched minute in Unix seconds) and re-folds the windows
//! every second so they slide even when nothing arrives. If the notification
//! connection drops, it reconnects and rebuilds the last 24 hours (a missed
//! notification must not leave the cache stale).

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use deadpool_postgres::Pool;
use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio_postgres::AsyncMessage;

use super::cache::KpiCache;
use super::CHANNEL;

/// How long the refresher collects notifications before one refresh.
const DEBOUNCE: Duration = Duration::from_millis(20);

async fn listen(
    url: &str,
    tx: mpsc::UnboundedSender<Option<i64>>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let mut messages = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
    let driver = async {
        while let Some(m) = messages.next().await {
            match m {
                Ok(AsyncMessage::Notification(n)) => {
                    let _ = tx.send(n.payload().parse::<i64>().ok());
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
        let _ = tx.send(None);
        std::future::pending::<Result<(), tokio_postgres::Error>>().await
    };
    tokio::select! {
        r = driver => r,
        r = subscribe => r,
    }
}

/// Runs until `shutdown` turns true.
pub async fn run(cache: KpiCache, pool: Pool, url: String, mut shutdown: watch::Receiver<bool>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Option<i64>>();
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
        // None = rebuild everything; otherwise the earliest touched minute
        let mut earliest = first;
        while let Ok(n) = rx.try_recv() {
            earliest = match (earliest, n) {
                (Some(a), Some(b)) => Some(a.min(b)),
                _ => None,
            };
        }
        let now = Utc::now();
        let day_ago = now - TimeDelta::hours(24) - TimeDelta::minutes(1);
        let from = earliest
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .map_or(day_ago, |t| t.max(day_ago));
        if let Err(e) = cache
            .refresh(&pool, from, now + TimeDelta::minutes(1))
            .await
        {
            tracing::warn!(error = %e, "kpi cache refresh failed; will retry on the next change");
        }
    }
    listener.abort();
}

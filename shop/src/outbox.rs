//! The transactional outbox: a shop action writes the events it causes in its
//! own transaction ([`enqueue`]); the relay ([`run`]) publishes them to Kafka
//! in order and marks them published. A broker outage delays events, never
//! loses them; a crash between publishing and marking publishes again, which
//! the consumers' idempotent upserts absorb (same event id).

use globalcart_common::query;
use std::time::Duration;

use futures::future::join_all;
use globalcart_schemas::AnyEvent;
use rdkafka::producer::FutureRecord;
use tokio::sync::watch;

use super::Shop;
use crate::ShopState;
use globalcart_httpkit::{Error, Result};

/// Writes `event` to the outbox inside the caller's transaction.
pub async fn enqueue(
    tx: &impl globalcart_common::query::Connection,
    event: &AnyEvent,
) -> Result<()> {
    let payload = event
        .encode()
        .map_err(|e| Error::internal("encoding a shop event", e))?;
    query!("shop_outbox_insert")
        .execute(&tx, &[&event.topic().base(), &event.key(), &payload])
        .await?;
    globalcart_common::metrics::SHOP_EVENTS
        .with_label_values(&[event.topic().base(), "queued"])
        .inc();
    Ok(())
}

/// Publishes one batch of pending events; returns how many.
pub async fn publish_batch(state: &ShopState) -> Result<usize> {
    let shop: &Shop = &state.shop;
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let rows = query!("shop_outbox_pending").rows(&tx, &[&500i64]).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let names: Vec<String> = rows
        .iter()
        .map(|r| format!("{}.{}", shop.0.topic_prefix, r.get::<_, &str>("topic")))
        .collect();
    let mut ids = Vec::with_capacity(rows.len());
    let mut sends = Vec::with_capacity(rows.len());
    for (r, topic) in rows.iter().zip(&names) {
        ids.push(r.get::<_, i64>("outbox_id"));
        let key: &str = r.get("event_key");
        let payload: &[u8] = r.get("payload");
        let record = FutureRecord::to(topic).key(key).payload(payload);
        sends.push(shop.0.producer.send(record, Duration::from_secs(10)));
    }
    for result in join_all(sends).await {
        if let Err((e, _)) = result {
            return Err(Error::Unavailable(format!("kafka: {e}")));
        }
    }
    query!("shop_outbox_mark_published")
        .execute(&tx, &[&ids])
        .await?;
    tx.commit().await?;
    for r in &rows {
        globalcart_common::metrics::SHOP_EVENTS
            .with_label_values(&[r.get::<_, &str>("topic"), "published"])
            .inc();
    }
    Ok(ids.len())
}

/// The relay: publishes whenever nudged, and every second anyway (another
/// process may have written events), until `stop`.
pub async fn run(state: ShopState, mut stop: watch::Receiver<bool>) {
    let mut backoff = Duration::from_millis(200);
    loop {
        match publish_batch(&state).await {
            Ok(n) if n > 0 => {
                backoff = Duration::from_millis(200);
                continue;
            }
            Ok(_) => backoff = Duration::from_millis(200),
            Err(e) => {
                tracing::warn!(error = %e, "outbox relay: will retry");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            _ = state.shop.0.relay.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => {
                // publish what is left, then stop
                let _ = publish_batch(&state).await;
                return;
            }
        }
    }
}

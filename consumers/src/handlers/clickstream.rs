//! clickstream → fact_funnel_events (append-only: a redelivered event is skipped).

use globalcart_schemas::ClickEvent;

use super::{ts, uuid, Counts};
use crate::error::Result;
use crate::query::{query, upsert};

pub async fn load<C: deadpool_postgres::GenericClient + Sync>(
    client: &C,
    events: &[ClickEvent],
) -> Result<Counts> {
    if events.is_empty() {
        return Ok(Counts::default());
    }
    let col = |f: fn(&ClickEvent) -> &str| events.iter().map(f).collect::<Vec<_>>();
    let opt = |f: fn(&ClickEvent) -> Option<i64>| events.iter().map(f).collect::<Vec<_>>();
    let r = upsert(
        client,
        query!("fact_funnel_events_insert"),
        &[
            &events.iter().map(|e| uuid(&e.event_id)).collect::<Vec<_>>(),
            &events.iter().map(|e| ts(e.event_time)).collect::<Vec<_>>(),
            &col(|e| &e.session_id),
            &opt(|e| e.customer_id),
            &opt(|e| e.product_id),
            &opt(|e| e.order_id),
            &col(|e| &e.stage),
            &col(|e| &e.channel),
            &col(|e| &e.device),
            &events
                .iter()
                .map(|e| e.failure_reason.as_deref())
                .collect::<Vec<_>>(),
        ],
    )
    .await?;
    Ok(Counts::of(events.len(), r))
}

//! clickstream → fact_funnel_events (append-only: a redelivered event is skipped).
//!
//! The fast path: ask which events are already stored (one probe each on the
//! time-ordered key), then binary-`COPY` the others straight into the table.
//! `COPY` cannot skip a row that another writer stores meanwhile (a replay group
//! loading the same topic into the same database at the same moment), so it
//! runs under a savepoint: on a unique violation the batch falls back to the
//! `INSERT … ON CONFLICT DO NOTHING` statement, whose outcome is the same.

use std::collections::HashSet;

use futures::pin_mut;
use globalcart_schemas::ClickEvent;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{to_sql_checked, IsNull, Kind, ToSql, Type};

use super::{ts, uuid, Counts};
use crate::error::{Error, Result};
use crate::query::upsert;
use globalcart_common::query;

/// A funnel stage sent as the label of the `funnel_stage` enum (binary COPY
/// needs the column's own type; text is not accepted for an enum).
#[derive(Debug)]
struct Stage<'a>(&'a str);

impl ToSql for Stage<'_> {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(ty.kind(), Kind::Enum(_))
    }

    to_sql_checked!();
}

pub async fn load(
    client: &deadpool_postgres::Transaction<'_>,
    events: &[ClickEvent],
) -> Result<Counts> {
    if events.is_empty() {
        return Ok(Counts::default());
    }
    let times: Vec<_> = events.iter().map(|e| ts(e.event_time)).collect();
    let ids: Vec<uuid::Uuid> = events.iter().map(|e| uuid(&e.event_id)).collect();
    let stored: HashSet<uuid::Uuid> = query!("fact_funnel_events_existing")
        .rows(client, &[&times, &ids])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let fresh: Vec<usize> = (0..events.len())
        .filter(|i| !stored.contains(&ids[*i]))
        .collect();
    let duplicates = (events.len() - fresh.len()) as u64;
    if fresh.is_empty() {
        return Ok(Counts::of(events.len(), (0, 0, duplicates)));
    }
    client.batch_execute("savepoint clickstream_copy").await?;
    match copy(client, events, &fresh, &times, &ids).await {
        Ok(inserted) => {
            client
                .batch_execute("release savepoint clickstream_copy")
                .await?;
            Ok(Counts::of(events.len(), (inserted, 0, duplicates)))
        }
        Err(Error::Postgres(e)) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            client
                .batch_execute("rollback to savepoint clickstream_copy")
                .await?;
            tracing::debug!("clickstream COPY met a concurrent writer; inserting with ON CONFLICT");
            insert(client, events).await
        }
        Err(e) => Err(e),
    }
}

/// Binary COPY of the events at `rows` into the table; returns the rows copied.
async fn copy(
    client: &deadpool_postgres::Transaction<'_>,
    events: &[ClickEvent],
    rows: &[usize],
    times: &[chrono::DateTime<chrono::Utc>],
    ids: &[uuid::Uuid],
) -> Result<u64> {
    let started = std::time::Instant::now();
    let q = query!("fact_funnel_events_copy");
    let stage_type = client
        .prepare_cached("select null::globalcart.funnel_stage")
        .await?
        .columns()[0]
        .type_()
        .clone();
    let sink = client.copy_in(q.sql).await?;
    let types = [
        Type::UUID,
        Type::TIMESTAMPTZ,
        Type::TEXT,
        Type::INT8,
        Type::INT8,
        Type::INT8,
        stage_type,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
    ];
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    for &i in rows {
        let e = &events[i];
        writer
            .as_mut()
            .write(&[
                &ids[i],
                &times[i],
                &e.session_id,
                &e.customer_id,
                &e.product_id,
                &e.order_id,
                &Stage(&e.stage),
                &e.channel,
                &e.device,
                &e.failure_reason,
            ])
            .await?;
    }
    let n = writer.finish().await?;
    globalcart_common::metrics::QUERY_SECONDS
        .with_label_values(&[q.name])
        .observe(started.elapsed().as_secs_f64());
    Ok(n)
}

/// The same rows through `INSERT … ON CONFLICT DO NOTHING` (safe against a
/// concurrent writer of the same events).
async fn insert(
    client: &deadpool_postgres::Transaction<'_>,
    events: &[ClickEvent],
) -> Result<Counts> {
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

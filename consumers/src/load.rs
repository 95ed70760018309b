//! One transaction per batch: every table's upsert, the rejects, the partition
//! offsets and the watermarks commit together or not at all.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use deadpool_postgres::Pool;
use globalcart_schemas::Topic;

use crate::decode::Batch;
use crate::error::Result;
use crate::handlers::{self, ts, Counts};
use crate::query::{query, query_rows};

/// What a batch did to each source topic's tables.
#[derive(Debug, Default, Clone)]
pub struct LoadReport {
    pub counts: BTreeMap<Topic, Counts>,
    pub rejected: usize,
    pub messages: usize,
}

impl LoadReport {
    /// Rows inserted or updated, all tables.
    pub fn rows_written(&self) -> u64 {
        self.counts.values().map(Counts::rows_written).sum()
    }
}

/// Records the batch's outcomes: events by topic and outcome, dead letters, batch
/// size, commit latency and the age of each loaded event at commit.
fn record_metrics(batch: &Batch, report: &LoadReport, commit_secs: f64) {
    use globalcart_common::metrics::*;
    for (topic, c) in &report.counts {
        let (dup, stale) = batch.superseded.get(topic).copied().unwrap_or_default();
        let t = topic.base();
        for (outcome, n) in [
            ("loaded", c.inserted + c.updated),
            ("duplicate", c.duplicates + dup),
            ("stale", c.stale + stale),
        ] {
            if n > 0 {
                EVENTS_CONSUMED.with_label_values(&[t, outcome]).inc_by(n);
            }
        }
    }
    for r in &batch.rejects {
        let t = r.message.topic.rsplit('.').next().unwrap_or("unknown");
        let t = Topic::from_base(t).map_or("unknown", Topic::base);
        EVENTS_CONSUMED.with_label_values(&[t, "rejected"]).inc();
        DEAD_LETTERS.with_label_values(&[t]).inc();
    }
    BATCH_MESSAGES
        .with_label_values::<&str>(&[])
        .observe(batch.messages as f64);
    BATCH_COMMIT_SECONDS
        .with_label_values::<&str>(&[])
        .observe(commit_secs);
    let now = chrono::Utc::now().timestamp_micros();
    let age = |topic: Topic, times: &mut dyn Iterator<Item = i64>| {
        let h = EVENT_AGE_SECONDS.with_label_values(&[topic.base()]);
        for t in times {
            h.observe((now - t).max(0) as f64 / 1e6);
        }
    };
    age(
        Topic::Customers,
        &mut batch.customers.iter().map(|e| e.event_time),
    );
    age(
        Topic::Products,
        &mut batch.products.iter().map(|e| e.event_time),
    );
    age(
        Topic::Orders,
        &mut batch.orders.iter().map(|e| e.event_time),
    );
    age(
        Topic::Payments,
        &mut batch.payments.iter().map(|e| e.event_time),
    );
    age(
        Topic::Shipments,
        &mut batch.shipments.iter().map(|e| e.event_time),
    );
    age(
        Topic::Returns,
        &mut batch.returns.iter().map(|e| e.event_time),
    );
    age(
        Topic::Clickstream,
        &mut batch.clicks.iter().map(|e| e.event_time),
    );
}

fn days(batch: &Batch) -> Vec<NaiveDate> {
    let mut d: Vec<NaiveDate> = Vec::new();
    let mut push = |micros: i64| d.push(ts(micros).date_naive());
    batch.orders.iter().for_each(|e| push(e.order_ts));
    batch.returns.iter().for_each(|e| push(e.return_ts));
    batch.clicks.iter().for_each(|e| push(e.event_time));
    batch
        .shipments
        .iter()
        .filter_map(|e| e.shipped_ts)
        .for_each(&mut push);
    batch.shipments.iter().for_each(|e| {
        d.push(handlers::date(e.promised_delivery_dt));
        if let Some(x) = e.delivered_dt {
            d.push(handlers::date(x));
        }
    });
    d.sort_unstable();
    d.dedup();
    d
}

/// The earliest time (Unix seconds) in the last 25 hours whose live KPIs the
/// batch may change, if any: order, return and ship times, and for clicks the
/// start of their session (up to two hours before the click).
fn earliest_recent(batch: &Batch) -> Option<i64> {
    let horizon = chrono::Utc::now().timestamp_micros() - 25 * 3600 * 1_000_000;
    let session = 2 * 3600 * 1_000_000;
    let times = batch
        .orders
        .iter()
        .map(|e| e.order_ts)
        .chain(batch.returns.iter().map(|e| e.return_ts))
        .chain(batch.shipments.iter().filter_map(|e| e.shipped_ts))
        .chain(batch.clicks.iter().map(|e| e.event_time - session));
    times.filter(|t| *t >= horizon).min().map(|t| t / 1_000_000)
}

/// Loads `batch` for consumer group `group` in one transaction.
pub async fn load(pool: &Pool, group: &str, batch: &Batch) -> Result<LoadReport> {
    let started = std::time::Instant::now();
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let mut report = LoadReport {
        rejected: batch.rejects.len(),
        messages: batch.messages,
        ..LoadReport::default()
    };
    let dates = days(batch);
    if !dates.is_empty() {
        query_rows(&tx, query!("dim_date_ensure"), &[&dates]).await?;
    }
    let c = &mut report.counts;
    c.insert(
        Topic::Customers,
        handlers::customers::load(&tx, &batch.customers).await?,
    );
    c.insert(
        Topic::Products,
        handlers::products::load(&tx, &batch.products).await?,
    );
    c.insert(
        Topic::Orders,
        handlers::orders::load(&tx, &batch.orders).await?,
    );
    c.insert(
        Topic::Payments,
        handlers::payments::load(&tx, &batch.payments).await?,
    );
    c.insert(
        Topic::Shipments,
        handlers::shipments::load(&tx, &batch.shipments).await?,
    );
    c.insert(
        Topic::Returns,
        handlers::returns::load(&tx, &batch.returns).await?,
    );
    c.insert(
        Topic::Clickstream,
        handlers::clickstream::load(&tx, &batch.clicks).await?,
    );

    if !batch.rejects.is_empty() {
        let r = &batch.rejects;
        query_rows(
            &tx,
            query!("etl_ingest_rejects_insert"),
            &[
                &r.iter()
                    .map(|x| x.message.topic.as_str())
                    .collect::<Vec<_>>(),
                &r.iter().map(|x| x.message.partition).collect::<Vec<_>>(),
                &r.iter().map(|x| x.message.offset).collect::<Vec<_>>(),
                &r.iter()
                    .map(|x| x.message.key.as_deref())
                    .collect::<Vec<_>>(),
                &r.iter()
                    .map(|x| x.message.payload.as_deref())
                    .collect::<Vec<_>>(),
                &r.iter().map(|x| x.reason.as_str()).collect::<Vec<_>>(),
            ],
        )
        .await?;
    }
    if !batch.next_offsets.is_empty() {
        let o = &batch.next_offsets;
        query_rows(
            &tx,
            query!("etl_consumer_offsets_upsert"),
            &[
                &group,
                &o.keys().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
                &o.keys().map(|(_, p)| *p).collect::<Vec<_>>(),
                &o.values().copied().collect::<Vec<_>>(),
            ],
        )
        .await?;
    }
    if !batch.watermarks.is_empty() {
        let w = &batch.watermarks;
        query_rows(
            &tx,
            query!("etl_watermarks_upsert"),
            &[
                &w.keys().map(|t| t.base()).collect::<Vec<_>>(),
                &w.values().map(|(t, _)| ts(*t)).collect::<Vec<_>>(),
                &w.values().map(|(_, n)| *n).collect::<Vec<_>>(),
            ],
        )
        .await?;
    }
    if let Some(minute) = earliest_recent(batch) {
        query_rows(&tx, query!("kpi_notify"), &[&minute.to_string()]).await?;
    }
    tx.commit().await?;
    record_metrics(batch, &report, started.elapsed().as_secs_f64());
    Ok(report)
}

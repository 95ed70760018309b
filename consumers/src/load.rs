//! One transaction per batch: the partition offsets (claimed first, see
//! [`claim_offsets`]), every table's upsert, the rejects and the watermarks
//! commit together or not at all (after a short
//! transaction of the reference rows every partition shares, [`load_shared`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use deadpool_postgres::Pool;
use globalcart_schemas::Topic;

use crate::decode::Batch;
use crate::error::{Error, Result};
use crate::handlers::{self, ts, Counts};
use globalcart_common::{live, query};

/// What a batch did to each source topic's tables.
#[derive(Debug, Default, Clone)]
pub struct LoadReport {
    pub counts: BTreeMap<Topic, Counts>,
    pub rejected: usize,
    pub messages: usize,
    /// Partitions another group member had loaded past this batch's start, with
    /// their stored next offsets: the poller skips below them from now on.
    pub fenced: Vec<((String, i32), i64)>,
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
    batch.event_times(|topic, times| {
        let h = EVENT_AGE_SECONDS.with_label_values(&[topic.base()]);
        for t in times {
            h.observe((now - t).max(0) as f64 / 1e6);
        }
    });
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

/// The batch's own event times (order, return, ship and click times), in Unix
/// seconds, one per second; `kpi_notify` adds the order times of
/// [`cost_orders`] and the session starts of [`sessions`], and keeps those
/// inside the live horizon.
fn event_seconds(batch: &Batch) -> Vec<i64> {
    let h = horizon();
    let mut secs: Vec<i64> = batch
        .orders
        .iter()
        .map(|e| e.order_ts)
        .chain(batch.returns.iter().map(|e| e.return_ts))
        .chain(batch.shipments.iter().filter_map(|e| e.shipped_ts))
        .chain(batch.clicks.iter().map(|e| e.event_time))
        .filter(|t| *t >= h)
        .map(|t| t.div_euclid(1_000_000))
        .collect();
    secs.sort_unstable();
    secs.dedup();
    secs
}

/// The sessions of the batch's recent clicks.
fn sessions(batch: &Batch) -> Vec<&str> {
    let h = horizon();
    let mut ids: Vec<&str> = batch
        .clicks
        .iter()
        .filter(|e| e.event_time >= h)
        .map(|e| e.session_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Unix microseconds [`live::HORIZON_SECS`] ago: older events cannot change the live KPIs.
fn horizon() -> i64 {
    chrono::Utc::now().timestamp_micros() - live::HORIZON_SECS * 1_000_000
}

/// The recent orders whose P&L (shipping, fees, refunds) the batch may change
/// (an order is older than its payments, shipments and returns).
fn cost_orders(batch: &Batch) -> Vec<i64> {
    let h = horizon();
    let mut ids: Vec<i64> = batch
        .payments
        .iter()
        .filter(|e| e.event_time >= h)
        .map(|e| e.order_id)
        .chain(
            batch
                .shipments
                .iter()
                .filter(|e| e.event_time >= h)
                .map(|e| e.order_id),
        )
        .chain(
            batch
                .returns
                .iter()
                .filter(|e| e.event_time >= h)
                .map(|e| e.order_id),
        )
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Upserts what every partition shares — calendar days, geographies, fulfilment
/// centres — in a short transaction of its own, before the batch's main one.
///
/// These rows are idempotent newer-wins versions of reference data, so writing
/// them apart from the facts changes no outcome (a batch that fails after them
/// is loaded again, and writes them again as no-ops). Kept out of the main
/// transaction, they cannot make two loaders of different partitions wait for
/// each other's whole batch: a row lock taken on a shared day or centre is held
/// only until this short commit.
async fn load_shared(
    client: &mut deadpool_postgres::Client,
    batch: &Batch,
) -> Result<(Counts, Counts)> {
    let dates = days(batch);
    if dates.is_empty() && batch.customers.is_empty() && batch.shipments.is_empty() {
        return Ok(Default::default());
    }
    let tx = client.transaction().await?;
    if !dates.is_empty() {
        query!("dim_date_ensure").rows(&tx, &[&dates]).await?;
    }
    let geos = handlers::customers::geos(&tx, &batch.customers).await?;
    let fcs = handlers::shipments::fcs(&tx, &batch.shipments).await?;
    tx.commit().await?;
    Ok((
        Counts::default().with_companion(geos),
        Counts::default().with_companion(fcs),
    ))
}

/// The batch's first statement: moves its partitions' stored offsets to the
/// batch's end and keeps them locked until commit, or fails with
/// [`Error::Fenced`] when another group member already loaded past the start of
/// one of them (the transaction is then rolled back by the caller's drop).
async fn claim_offsets<C: globalcart_common::query::Connection>(
    tx: &C,
    group: &str,
    batch: &Batch,
) -> Result<()> {
    let o = &batch.offsets;
    if o.is_empty() {
        return Ok(());
    }
    let claimed = query!("etl_consumer_offsets_claim")
        .rows(
            tx,
            &[
                &group,
                &o.keys().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
                &o.keys().map(|(_, p)| *p).collect::<Vec<_>>(),
                &o.values().map(|s| s.first).collect::<Vec<_>>(),
                &o.values().map(|s| s.next).collect::<Vec<_>>(),
            ],
        )
        .await?;
    if claimed.len() == o.len() {
        return Ok(());
    }
    let claimed: std::collections::HashSet<(String, i32)> = claimed
        .iter()
        .map(|r| (r.get::<_, String>("topic"), r.get::<_, i32>("partition")))
        .collect();
    let topics: Vec<&str> = o.keys().map(|(t, _)| t.as_str()).collect();
    let stored = query!("etl_consumer_offsets_select")
        .rows(tx, &[&group, &topics])
        .await?;
    let fenced = stored
        .iter()
        .map(|r| {
            (
                (r.get::<_, String>("topic"), r.get::<_, i32>("partition")),
                r.get::<_, i64>("next_offset"),
            )
        })
        .filter(|(k, _)| o.contains_key(k) && !claimed.contains(k))
        .collect();
    globalcart_common::metrics::FENCED_BATCHES
        .with_label_values::<&str>(&[])
        .inc();
    Err(Error::Fenced(fenced))
}

/// Loads `batch` for consumer group `group`: the shared reference rows
/// ([`load_shared`]), then everything else in one transaction.
pub async fn load(pool: &Pool, group: &str, batch: &Batch) -> Result<LoadReport> {
    let started = std::time::Instant::now();
    let mut client = pool.get().await?;
    let (geos, fcs) = load_shared(&mut client, batch).await?;
    // Synchronous commit (the server's default): an asynchronous commit lost to
    // a Postgres crash is not read again by a loader that keeps running, see
    // docs/architecture.md, "Exactly-once in effect".
    let tx = client.transaction().await?;
    claim_offsets(&tx, group, batch).await?;
    let mut report = LoadReport {
        rejected: batch.rejects.len(),
        messages: batch.messages,
        ..LoadReport::default()
    };
    let c = &mut report.counts;
    // every topic's upsert, in load order ([`crate::decode::event_topics`])
    macro_rules! load_each {
        ($($field:ident: $event:ident = $topic:ident by $key:ty, |$e:ident| $keyf:expr, $handler:ident;)*) => {
            $(c.insert(Topic::$topic, handlers::$handler::load(&tx, &batch.$field).await?);)*
        };
    }
    crate::decode::event_topics!(load_each);
    // the shared reference rows written before the transaction count with
    // the topics that carry them
    c.entry(Topic::Customers).or_default().add(geos);
    c.entry(Topic::Shipments).or_default().add(fcs);

    if !batch.rejects.is_empty() {
        let r = &batch.rejects;
        query!("etl_ingest_rejects_insert")
            .rows(
                &tx,
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
    if !batch.watermarks.is_empty() {
        let w = &batch.watermarks;
        query!("etl_watermarks_upsert")
            .rows(
                &tx,
                &[
                    &w.keys().map(|t| t.base()).collect::<Vec<_>>(),
                    &w.values().map(|(t, _)| ts(*t)).collect::<Vec<_>>(),
                    &w.values().map(|(_, n)| *n).collect::<Vec<_>>(),
                ],
            )
            .await?;
    }
    let (seconds, cost_orders, sessions) =
        (event_seconds(batch), cost_orders(batch), sessions(batch));
    if !seconds.is_empty() || !cost_orders.is_empty() || !sessions.is_empty() {
        query!("kpi_notify")
            .rows(
                &tx,
                &[&seconds, &cost_orders, &sessions, &live::HORIZON_SECS],
            )
            .await?;
    }
    tx.commit().await?;
    record_metrics(batch, &report, started.elapsed().as_secs_f64());
    Ok(report)
}

//! Reconcile: the warehouse against the stream. Reads the event topics (or a
//! window of them), applies the loader's newer-wins rule per entity, and
//! compares the result with the star schema entity by entity: counts and
//! totals per table, and the first differing keys with their columns.
//!
//! # Layout
//! - [`stream`]: the topics' partitions read by parallel fetch-only consumers.
//! - [`collect`]: their messages decoded, the newest version per entity.
//! - [`rows`], [`cells`]: what is compared, per table and per value.
//! - [`sessions`]: the clickstream, compared per session.
//! - [`compare`]: entity by entity; counts, totals, the first differing keys.
//! - [`warehouse`]: the tables read in one snapshot; the runs recorded.
//! - [`report`]: the outcome and its text form.

pub mod cells;
pub mod collect;
pub mod compare;
pub mod report;
pub mod rows;
pub mod sessions;
pub mod stream;
pub mod warehouse;

use std::collections::HashMap;
use std::fmt;
use std::time::Instant;

use chrono::{DateTime, Utc};
use globalcart_common::{db, metrics, KafkaSettings};
use globalcart_schemas::Topic;

use compare::{Column, Kind, TableReport, Tally, Versioned};
pub use report::Report;

/// What can stop a run (differences are its result, not an error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Load(#[from] crate::Error),
    #[error("{topic} partition {partition} stopped at offset {at}, short of its end {end}: nothing arrived for {secs} s")]
    Stalled {
        topic: String,
        partition: i32,
        at: i64,
        end: i64,
        secs: u64,
    },
    #[error("a stream reader stopped unexpectedly")]
    Reader,
}

macro_rules! via_crate_error {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::Load(e.into())
            }
        }
    )*};
}
via_crate_error!(
    tokio_postgres::Error,
    deadpool_postgres::PoolError,
    rdkafka::error::KafkaError,
    globalcart_common::Error
);

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which records are compared: whole topics, or a window of them.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// The event topics (empty: all of them).
    pub topics: Vec<Topic>,
    /// Every partition from this offset on.
    pub from_offset: Option<i64>,
    /// Every partition from its first record stamped at or after this time.
    pub from_timestamp: Option<DateTime<Utc>>,
    /// Records stamped after this time are left out.
    pub to_timestamp: Option<DateTime<Utc>>,
}

impl Window {
    /// Bounds in time or offsets: keys outside are not compared.
    pub fn is_partial(&self) -> bool {
        self.from_offset.is_some() || self.from_timestamp.is_some() || self.to_timestamp.is_some()
    }

    /// The event topics of the window (the dead-letter topic is not loaded).
    fn topics(&self) -> Vec<Topic> {
        if self.topics.is_empty() {
            Topic::EVENTS.to_vec()
        } else {
            let mut t = self.topics.clone();
            t.retain(|t| *t != Topic::DeadLetter);
            t.dedup();
            t
        }
    }

    pub(crate) fn from_timestamp_ms(&self) -> Option<i64> {
        self.from_timestamp.map(|t| t.timestamp_millis())
    }

    pub(crate) fn to_timestamp_ms(&self) -> Option<i64> {
        self.to_timestamp.map(|t| t.timestamp_millis())
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.topics().iter().map(|t| t.base()).collect();
        write!(f, "{}", names.join(","))?;
        if let Some(o) = self.from_offset {
            write!(f, "; from offset {o}")?;
        }
        if let Some(t) = self.from_timestamp {
            write!(f, "; stamped from {}", t.to_rfc3339())?;
        }
        if let Some(t) = self.to_timestamp {
            write!(f, "; stamped up to {}", t.to_rfc3339())?;
        }
        if !self.is_partial() {
            write!(f, "; every record")?;
        }
        Ok(())
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub window: Window,
    /// Differing keys listed per table.
    pub show: usize,
    /// Consumers reading partitions in parallel.
    pub readers: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            window: Window::default(),
            show: 10,
            readers: 4,
        }
    }
}

/// A message, for the rejects' sample keys.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct MessageAt(String, i32, i64);

impl fmt::Display for MessageAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}@{}", self.0, self.1, self.2)
    }
}

/// Compares the topics of `kafka.topic_prefix` (in `opts.window`) with the
/// warehouse at `database_url`.
pub async fn reconcile(
    kafka: &KafkaSettings,
    database_url: &str,
    opts: &Options,
) -> Result<Report> {
    let run_at = Utc::now();
    let started = Instant::now();
    let mut window = opts.window.clone();
    window.topics = window.topics();
    let names: Vec<String> = window
        .topics
        .iter()
        .map(|t| t.name(&kafka.topic_prefix))
        .collect();
    let pool = db::pool(database_url, 3)?;
    let client = pool.get().await?;
    let recorded = warehouse::recorded(&client, &kafka.topic_prefix, &names).await?;

    let (k, w, readers) = (kafka.clone(), window.clone(), opts.readers);
    let stream = tokio::task::spawn_blocking(move || stream::read(&k, &w, readers, &recorded))
        .await
        .map_err(|_| Error::Reader)??;
    let stream_seconds = started.elapsed().as_secs_f64();

    let loaded = warehouse::loaded_offsets(&client, &names).await?;
    let not_loaded: i64 = stream
        .ends
        .iter()
        .map(|(k, end)| (end - loaded.get(k).copied().unwrap_or(0)).max(0))
        .sum();
    drop(client);
    let compared = Instant::now();
    let (mut tables, c) = compare_tables(&pool, stream, &window, opts.show).await?;
    let rejects = rejects_table(&c.poison, opts.show);
    tables.push(rejects);
    Ok(Report {
        topic_prefix: kafka.topic_prefix.clone(),
        scope: window.to_string(),
        partial: window.is_partial(),
        run_at,
        seconds: started.elapsed().as_secs_f64(),
        stream_seconds,
        warehouse_seconds: compared.elapsed().as_secs_f64(),
        messages: c.messages,
        superseded: c.superseded,
        refused: c.refused,
        not_loaded: not_loaded as u64,
        tables,
    })
}

/// What is left of the stream side once its tables are compared.
struct Leftover {
    messages: u64,
    superseded: u64,
    refused: u64,
    poison: Vec<collect::Poison>,
}

/// Every table the window's topics feed, in one snapshot: the clickstream on
/// one connection, the rest on the other.
async fn compare_tables(
    pool: &deadpool_postgres::Pool,
    mut s: collect::Collected,
    window: &Window,
    show: usize,
) -> Result<(Vec<TableReport>, Leftover)> {
    use crate::query::query;
    let partial = window.is_partial();
    let has = |t: Topic| window.topics.contains(&t);
    let (a, b) = warehouse::snapshot(pool).await?;
    let clicks = std::mem::take(&mut s.sessions);
    let sessions = has(Topic::Clickstream).then(|| {
        let cmp = sessions::Sessions::new(clicks, partial, show);
        tokio::spawn(warehouse::sessions(b, cmp))
    });
    let mut out = Vec::new();
    macro_rules! table {
        ($topic:expr, $file:literal, $map:expr) => {
            if has($topic) {
                let cmp = Versioned::new(std::mem::take(&mut $map), partial, show);
                out.push(warehouse::versioned(&a, query!($file), cmp).await?);
            }
        };
    }
    table!(
        Topic::Customers,
        "reconcile_dim_customer_select",
        s.customers
    );
    table!(Topic::Products, "reconcile_dim_product_select", s.products);
    table!(Topic::Orders, "reconcile_fact_orders_select", s.orders);
    table!(Topic::Orders, "reconcile_fact_order_items_select", s.items);
    table!(
        Topic::Payments,
        "reconcile_fact_payments_select",
        s.payments
    );
    table!(
        Topic::Shipments,
        "reconcile_fact_shipments_select",
        s.shipments
    );
    table!(Topic::Returns, "reconcile_fact_returns_select", s.returns);
    if let Some(task) = sessions {
        out.push(task.await.map_err(|_| Error::Reader)??);
    }
    a.batch_execute("commit").await?;
    let left = Leftover {
        messages: s.messages,
        superseded: s.superseded,
        refused: s.refused,
        poison: s.poison,
    };
    Ok((out, left))
}

/// Poison messages on the stream against the warehouse's rejects: each must
/// be recorded there (a poison message is never silently dropped).
fn rejects_table(poison: &[collect::Poison], show: usize) -> TableReport {
    let mut tally = Tally::new("etl_ingest_rejects", "message", show);
    tally.report.stream_rows = poison.len() as u64;
    for p in poison {
        if p.recorded {
            tally.report.warehouse_rows += 1;
            tally.report.matching += 1;
        } else {
            let key = MessageAt(p.topic.clone(), p.partition, p.offset);
            tally.note(key, Kind::Missing, || {
                vec![Column {
                    column: "reason".into(),
                    stream: p.reason.clone(),
                    warehouse: "(not recorded)".into(),
                }]
            });
        }
    }
    tally.finish()
}

/// Records a run over `window` that started at `run_at` and failed with
/// `error`, so the gauges show a failure (best effort: the database may be
/// what failed; that is logged).
pub async fn record_failure(
    kafka: &KafkaSettings,
    database_url: &str,
    window: &Window,
    run_at: DateTime<Utc>,
    error: &str,
) {
    let mut window = window.clone();
    window.topics = window.topics();
    let report = Report {
        topic_prefix: kafka.topic_prefix.clone(),
        scope: window.to_string(),
        partial: window.is_partial(),
        run_at,
        seconds: (Utc::now() - run_at).num_milliseconds() as f64 / 1000.0,
        stream_seconds: 0.0,
        warehouse_seconds: 0.0,
        messages: 0,
        superseded: 0,
        refused: 0,
        not_loaded: 0,
        tables: Vec::new(),
    };
    metrics::RECONCILE_LAST_RUN.set(run_at.timestamp_millis() as f64 / 1000.0);
    let saved = async {
        let pool = db::pool(database_url, 1)?;
        let client = pool.get().await?;
        warehouse::save_failure(&client, &report, error).await
    };
    if let Err(e) = saved.await {
        tracing::error!(error = %e, "cannot record the failed reconcile run");
    }
}

/// Records `report` in the warehouse (for the API's `/metrics`) and in this
/// process's gauges.
pub async fn record(database_url: &str, report: &Report) -> Result<()> {
    let pool = db::pool(database_url, 1)?;
    let mut client = pool.get().await?;
    warehouse::save(&mut client, report).await?;
    let mut per_table: HashMap<&str, i64> = HashMap::new();
    for t in &report.tables {
        *per_table.entry(t.table).or_default() += t.differences() as i64;
    }
    for (table, n) in per_table {
        metrics::RECONCILE_DIFFERENCES
            .with_label_values(&[table])
            .set(n);
    }
    let at = report.run_at.timestamp_millis() as f64 / 1000.0;
    metrics::RECONCILE_LAST_RUN.set(at);
    if report.agrees() {
        metrics::RECONCILE_LAST_SUCCESS.set(at);
    }
    Ok(())
}

//! One run: the stream read, every table compared, the report.

use std::fmt;
use std::time::Instant;

use chrono::Utc;
use globalcart_common::{db, KafkaSettings};
use globalcart_schemas::Topic;

use super::compare::{Column, Kind, TableReport, Tally, Versioned};
use super::{collect, sessions, stream, warehouse, Error, Options, Report, Result, Window};

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
    use globalcart_common::query;
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

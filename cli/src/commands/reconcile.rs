//! `globalcart reconcile`: the warehouse against the stream. Reads the event
//! topics (or a window of them), applies the loader's newer-wins rule per
//! entity, compares entity by entity with the star schema, prints the counts,
//! totals and first differing keys per table (or one JSON document), records
//! the result for `/metrics`, and fails unless everything agrees.

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Args;
use globalcart_common::{db, KafkaSettings, PgSettings};
use globalcart_consumers::reconcile::{self, Options, Report, Window};
use globalcart_schemas::Topic;
use serde_json::{json, Value};

use super::replay::{parse_time, parse_topic};

#[derive(Debug, Clone, Args)]
pub struct ReconcileArgs {
    /// Topics to compare (base names, comma-separated); default every event topic.
    #[arg(long, value_delimiter = ',', value_parser = parse_topic)]
    pub topics: Vec<Topic>,
    /// Only records from this offset of every partition on (a window: keys
    /// outside it are not compared).
    #[arg(long, conflicts_with = "from_timestamp")]
    pub from_offset: Option<i64>,
    /// Only records from the first one stamped at or after this time (RFC 3339) on.
    #[arg(long, value_parser = parse_time)]
    pub from_timestamp: Option<DateTime<Utc>>,
    /// Leave out records stamped after this time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub to_timestamp: Option<DateTime<Utc>>,
    /// Differing keys listed per table.
    #[arg(long, default_value_t = 10)]
    pub show: usize,
    /// Print one JSON document (for scripts) instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Consumers reading partitions in parallel, one partition at a time each.
    #[arg(long, env = "RECONCILE_READERS", default_value_t = 6, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub readers: u16,
}

impl ReconcileArgs {
    pub fn options(&self) -> Options {
        Options {
            window: Window {
                topics: self.topics.clone(),
                from_offset: self.from_offset,
                from_timestamp: self.from_timestamp,
                to_timestamp: self.to_timestamp,
            },
            show: self.show,
            readers: self.readers.into(),
        }
    }
}

pub async fn run(
    pg: &PgSettings,
    kafka: &KafkaSettings,
    args: ReconcileArgs,
) -> anyhow::Result<()> {
    db::migrate(&pg.database_url)
        .await
        .context("applying migrations")?;
    let (opts, run_at) = (args.options(), Utc::now());
    let report = match reconcile::reconcile(kafka, &pg.database_url, &opts).await {
        Ok(r) => r,
        Err(e) => {
            let error = e.to_string();
            reconcile::record_failure(kafka, &pg.database_url, &opts.window, run_at, &error).await;
            return Err(e).context("reconciling the warehouse with the stream");
        }
    };
    if args.json {
        println!("{}", to_json(&report));
    } else {
        println!("{report}");
    }
    record_and_judge(&pg.database_url, &report).await
}

/// Records `report` for `/metrics`; an error unless the warehouse agrees.
pub async fn record_and_judge(database_url: &str, report: &Report) -> anyhow::Result<()> {
    reconcile::record(database_url, report)
        .await
        .context("recording the reconcile run")?;
    anyhow::ensure!(
        report.agrees(),
        "the warehouse differs from the stream: {} differences (listed above)",
        report.differences()
    );
    Ok(())
}

/// The report as one JSON document. Totals are integers: money in minor units
/// (hundredths, currencies mixed: a checksum), counts as counts.
pub fn to_json(r: &Report) -> Value {
    let tables: Vec<Value> = r
        .tables
        .iter()
        .map(|t| {
            let totals: Vec<Value> = t
                .totals
                .iter()
                .map(|s| {
                    json!({
                        "column": s.column,
                        "unit": if s.money { "minor_units" } else { "count" },
                        "stream": s.stream as i64,
                        "warehouse": s.warehouse as i64,
                    })
                })
                .collect();
            let differences: Vec<Value> = t
                .samples
                .iter()
                .map(|d| {
                    let columns: Vec<Value> = d
                        .columns
                        .iter()
                        .map(|c| json!({"column": c.column, "stream": c.stream, "warehouse": c.warehouse}))
                        .collect();
                    json!({"key": d.key, "kind": d.kind.as_str(), "columns": columns})
                })
                .collect();
            json!({
                "table": t.table,
                "key": t.key,
                "stream_rows": t.stream_rows,
                "warehouse_rows": t.warehouse_rows,
                "matching": t.matching,
                "differing": t.differing,
                "missing": t.missing,
                "extra": t.extra,
                "newer_in_warehouse": t.newer_in_warehouse,
                "totals": totals,
                "first_differences": differences,
            })
        })
        .collect();
    json!({
        "topic_prefix": r.topic_prefix,
        "scope": r.scope,
        "partial": r.partial,
        "run_at": r.run_at.to_rfc3339(),
        "seconds": r.seconds,
        "stream_seconds": r.stream_seconds,
        "warehouse_seconds": r.warehouse_seconds,
        "messages": r.messages,
        "superseded": r.superseded,
        "refused": r.refused,
        "not_loaded": r.not_loaded,
        "differences": r.differences(),
        "agrees": r.agrees(),
        "tables": tables,
    })
}

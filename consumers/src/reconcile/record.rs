//! A run's outcome kept for `/metrics`: stored in the warehouse (the command
//! exits; the API reads the latest run) and set in this process's gauges.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use globalcart_common::{db, metrics, KafkaSettings};

use super::{warehouse, Report, Result, Window};

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

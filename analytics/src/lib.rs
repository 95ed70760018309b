//! Analytics on the star schema: RFM segments and k-means, a churn model,
//! cohorts, profit leakage, outliers and forecasts, measured and written back
//! to Postgres in bulk. `globalcart analytics run` calls [`run`].
//!
//! # Layout
//! - [`load`]: data in, one streamed query per table into polars frames, on three connections.
//! - [`frame`]: frame building and typed column access, the epoch-day calendar.
//! - [`rfm`]: recency, frequency, monetary, quintile scores and the 5 segments.
//! - [`kmeans`]: linfa k-means on RFM, k chosen by silhouette.
//! - [`churn`]: the 90-day rule and a logistic-regression model with holdout AUC and calibration.
//! - [`cohorts`]: monthly acquisition cohorts, long form and matrix.
//! - [`leakage`]: profit leakage by driver × category, carrier, region, channel.
//! - [`outliers`]: IQR and z-score flags, augurs MAD across categories.
//! - [`forecast`]: candidate models, rolling-origin backtest, 30-day forecasts.
//! - [`store`]: results out, one transaction of binary COPYs.
//! - [`plots`]: SVG charts from the stored results.
//! - [`report`]: the results of a run and its [`RunReport`].

pub mod churn;
pub mod cohorts;
mod error;
pub mod forecast;
pub mod frame;
pub mod kmeans;
pub mod leakage;
pub mod load;
pub mod outliers;
pub mod plots;
pub mod report;
pub mod rfm;
pub mod store;

use std::time::Instant;

use chrono::{NaiveDate, Utc};
pub use error::{Error, Result};
pub use report::{Results, RunReport};
use tokio_postgres::NoTls;

pub(crate) use globalcart_common::sql;

/// Connects with JIT off (the KPI views plan badly with it, docs/kpi_definitions.md).
pub async fn connect(database_url: &str) -> Result<tokio_postgres::Client> {
    let cfg = globalcart_common::db::parse_url(database_url)?;
    let (client, conn) = cfg.connect(NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::warn!(error = %e, "analytics connection closed");
        }
    });
    client.batch_execute("set jit = off").await?;
    Ok(client)
}

/// The parameters recorded with every run.
fn params() -> serde_json::Value {
    serde_json::json!({
        "churn_window_days": churn::WINDOW,
        "kmeans_k_range": [kmeans::K_RANGE.start(), kmeans::K_RANGE.end()],
        "kmeans_silhouette_sample": kmeans::SILHOUETTE_SAMPLE,
        "forecast_horizon_days": forecast::HORIZON,
        "backtest_folds": forecast::FOLDS,
        "iqr_k": outliers::IQR_K,
        "z_limit": outliers::Z_LIMIT,
        "mad_sensitivity": outliers::MAD_SENSITIVITY,
        "shipping_overrun_factor": leakage::SHIPPING_OVERRUN_FACTOR,
    })
}

/// Computes every analysis from the loaded data (CPU only).
pub fn compute(data: &load::Data, as_of_day: i32) -> Result<Results> {
    let rfm = rfm::rfm(&data.orders, as_of_day)?;
    let clustering = kmeans::cluster(&rfm)?;
    let churn = churn::run(&data.orders, &data.payment_failures, as_of_day)?;
    let (cohorts, cohort_matrix) = cohorts::cohorts(&data.orders, frame::month_of(as_of_day - 1))?;
    let leakage = leakage::leakage(data)?;
    let revenue = forecast::revenue_series(&data.orders, as_of_day)?;
    let categories = forecast::category_series(&data.lines, revenue.first_day, as_of_day)?;
    let (outliers, outlier_rules) = outliers::outliers(&data.orders, &revenue, &categories)?;
    let mut all = vec![revenue];
    all.extend(categories);
    let forecasts = forecast_all(&all);
    Ok(Results {
        as_of_day,
        started_at: Utc::now(),
        duration_ms: 0,
        params: params(),
        summary: serde_json::Value::Null,
        rfm,
        clustering,
        churn,
        cohorts,
        cohort_matrix,
        leakage,
        outliers,
        outlier_rules,
        forecasts,
    })
}

/// Forecasts every series, on two threads (the models are CPU-bound).
fn forecast_all(series: &[forecast::Series]) -> Vec<forecast::SeriesForecast> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let mut slots: Vec<Option<forecast::SeriesForecast>> = vec![None; series.len()];
    std::thread::scope(|s| {
        let chunks: Vec<_> = slots
            .chunks_mut(series.len().div_ceil(workers).max(1))
            .collect();
        let mut start = 0;
        for chunk in chunks {
            let from = start;
            start += chunk.len();
            s.spawn(move || {
                for (i, slot) in chunk.iter_mut().enumerate() {
                    *slot = forecast::forecast(&series[from + i], forecast::HORIZON);
                }
            });
        }
    });
    slots.into_iter().flatten().collect()
}

/// Runs every analysis as of `as_of` (default: the day after the last completed
/// order) and replaces the result tables; returns the headline figures. Reads
/// the marts when they are fresh ([`load::source`]).
pub async fn run(database_url: &str, as_of: Option<NaiveDate>) -> Result<RunReport> {
    run_with(database_url, as_of, false).await
}

/// [`run`], reading the KPI views even when the marts are fresh when
/// `read_views` is set (`globalcart analytics run --read-views`).
pub async fn run_with(
    database_url: &str,
    as_of: Option<NaiveDate>,
    read_views: bool,
) -> Result<RunReport> {
    let started_at = Utc::now();
    let t0 = Instant::now();
    let mut client = connect(database_url).await?;
    client
        .batch_execute(sql!("facts_analyze_if_needed"))
        .await?;
    // one snapshot for the as-of day, the source and every input connection
    let snapshot = load::Snapshot::export(&client).await?;
    let last = load::last_order_day(&client).await?;
    let (as_of_day, bound) = match (as_of, last) {
        (Some(d), _) => (frame::day_of(d), format!("{d} 00:00:00+00")),
        (None, Some(l)) => (l + 1, "infinity".to_string()),
        (None, None) => (
            frame::day_of(Utc::now().date_naive()),
            "infinity".to_string(),
        ),
    };
    let source = if read_views {
        load::Source::Views
    } else {
        load::source(&client).await?
    };
    let data = load::load(database_url, &snapshot, &bound, source).await;
    let released = snapshot.release(&client).await;
    // the load's own error first: a failed release is only a consequence
    let data = data?;
    released?;
    let t_load = t0.elapsed().as_secs_f64();
    let data = std::sync::Arc::new(data);
    let d = data.clone();
    let mut results = tokio::task::spawn_blocking(move || compute(&d, as_of_day)).await??;
    let t_compute = t0.elapsed().as_secs_f64() - t_load;
    let as_of_date = frame::date_of(as_of_day);
    let mut report = RunReport::from_results(
        &results,
        as_of_date,
        data.orders.height(),
        data.lines.height(),
    );
    report.source = source;
    results.started_at = started_at;
    results.duration_ms = t0.elapsed().as_millis() as i64;
    results.summary = serde_json::json!({
        "report": &report,
        "outlier_rules": &results.outlier_rules,
    });
    let run_id = store::write(&mut client, &results).await?;
    let total = t0.elapsed().as_secs_f64();
    report.run_id = run_id;
    report.timings.insert("load".into(), t_load);
    report.timings.insert("compute".into(), t_compute);
    report
        .timings
        .insert("write".into(), total - t_load - t_compute);
    report.duration_seconds = total;
    tracing::info!(run_id, as_of = %as_of_date, seconds = total, "analytics run written");
    Ok(report)
}

//! Results out: one transaction records the run, empties every result table
//! and refills it by binary COPY, so readers switch from one run's results to
//! the next at commit. The column lists live here, next to the values written
//! into them, so the two cannot drift; the tables are in
//! `sql/migrations/013_analytics.sql`.

use futures::pin_mut;
use globalcart_common::query;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Transaction};

use crate::frame::{date_of, month_start};
use crate::report::Results;
use crate::Result;

type Value = Box<dyn ToSql + Sync + Send>;

fn v<T: ToSql + Sync + Send + 'static>(x: T) -> Value {
    Box::new(x)
}

/// Binary COPY of `rows` into `table` (schema globalcart).
async fn copy(
    tx: &Transaction<'_>,
    table: &str,
    columns: &[(&str, Type)],
    rows: impl Iterator<Item = Vec<Value>>,
) -> Result<u64> {
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let types: Vec<Type> = columns.iter().map(|c| c.1.clone()).collect();
    tx.execute(&format!("delete from globalcart.{table}"), &[])
        .await?;
    let sink = tx
        .copy_in(&format!(
            "copy globalcart.{table} ({}) from stdin (format binary)",
            names.join(", ")
        ))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &types);
    pin_mut!(writer);
    for row in rows {
        let refs: Vec<&(dyn ToSql + Sync)> = row
            .iter()
            .map(|b| b.as_ref() as &(dyn ToSql + Sync))
            .collect();
        writer.as_mut().write(&refs).await?;
    }
    Ok(writer.finish().await?)
}

/// Writes every result table and the run row in one transaction; returns the run id.
pub async fn write(client: &mut Client, r: &Results) -> Result<i64> {
    let tx = client.transaction().await?;
    let run_id: i64 = query!("analytics_run_insert")
        .one(
            &tx,
            &[
                &date_of(r.as_of_day),
                &r.started_at,
                &r.duration_ms,
                &r.params,
                &r.summary,
            ],
        )
        .await?
        .get("run_id");
    write_rfm(&tx, run_id, r).await?;
    write_churn(&tx, run_id, r).await?;
    write_cohorts(&tx, run_id, r).await?;
    write_leakage(&tx, run_id, r).await?;
    write_forecast(&tx, run_id, r).await?;
    tx.commit().await?;
    Ok(run_id)
}

/// RFM scores per customer, the k-means models tried and the chosen clusters.
async fn write_rfm(tx: &Transaction<'_>, id: i64, r: &Results) -> Result<()> {
    use Type as T;
    copy(
        tx,
        "analytics_rfm",
        &[
            ("customer_id", T::INT8),
            ("run_id", T::INT8),
            ("recency_days", T::INT4),
            ("frequency", T::INT4),
            ("monetary_usd", T::FLOAT8),
            ("r_score", T::INT2),
            ("f_score", T::INT2),
            ("m_score", T::INT2),
            ("rfm_score", T::INT2),
            ("segment", T::TEXT),
            ("kmeans_cluster", T::INT4),
        ],
        r.rfm.iter().zip(&r.clustering.labels).map(|(c, l)| {
            vec![
                v(c.customer_id),
                v(id),
                v(c.recency_days),
                v(c.frequency as i32),
                v(c.monetary_usd),
                v(c.r_score),
                v(c.f_score),
                v(c.m_score),
                v(c.rfm_score),
                v(c.segment.to_string()),
                v(l.map(|l| l as i32)),
            ]
        }),
    )
    .await?;
    copy(
        tx,
        "analytics_rfm_kmeans",
        &[
            ("run_id", T::INT8),
            ("k", T::INT4),
            ("silhouette", T::FLOAT8),
            ("inertia", T::FLOAT8),
            ("chosen", T::BOOL),
        ],
        r.clustering.scores.iter().map(|s| {
            vec![
                v(id),
                v(s.k as i32),
                v(s.silhouette),
                v(s.inertia),
                v(s.chosen),
            ]
        }),
    )
    .await?;
    copy(
        tx,
        "analytics_rfm_clusters",
        &[
            ("run_id", T::INT8),
            ("cluster", T::INT4),
            ("customers", T::INT8),
            ("avg_recency_days", T::FLOAT8),
            ("avg_frequency", T::FLOAT8),
            ("avg_monetary_usd", T::FLOAT8),
            ("top_segment", T::TEXT),
            ("top_segment_share", T::FLOAT8),
        ],
        r.clustering.clusters.iter().map(|c| {
            vec![
                v(id),
                v(c.cluster as i32),
                v(c.customers as i64),
                v(c.avg_recency_days),
                v(c.avg_frequency),
                v(c.avg_monetary_usd),
                v(c.top_segment.clone()),
                v(c.top_segment_share),
            ]
        }),
    )
    .await?;
    Ok(())
}

/// Churn probabilities per customer, the model and its calibration.
async fn write_churn(tx: &Transaction<'_>, id: i64, r: &Results) -> Result<()> {
    use Type as T;
    let ch = &r.churn;
    copy(
        tx,
        "analytics_churn_scores",
        &[
            ("customer_id", T::INT8),
            ("run_id", T::INT8),
            ("churn_probability", T::FLOAT8),
            ("rule_churned", T::BOOL),
            ("recency_days", T::INT4),
            ("frequency", T::INT4),
            ("trailing_year_revenue_usd", T::FLOAT8),
            ("revenue_at_risk_usd", T::FLOAT8),
            ("risk_rank", T::INT4),
        ],
        ch.scores.iter().map(|s| {
            vec![
                v(s.customer_id),
                v(id),
                v(s.churn_probability),
                v(s.rule_churned),
                v(s.recency_days),
                v(s.frequency as i32),
                v(s.trailing_year_revenue_usd),
                v(s.revenue_at_risk_usd),
                v(s.risk_rank.map(|x| x as i32)),
            ]
        }),
    )
    .await?;
    let features = serde_json::json!(crate::churn::FEATURES);
    copy(
        tx,
        "analytics_churn_model",
        &[
            ("run_id", T::INT8),
            ("status", T::TEXT),
            ("reason", T::TEXT),
            ("train_cutoff", T::DATE),
            ("holdout_cutoff", T::DATE),
            ("train_customers", T::INT8),
            ("holdout_customers", T::INT8),
            ("train_churn_rate", T::FLOAT8),
            ("holdout_churn_rate", T::FLOAT8),
            ("holdout_auc", T::FLOAT8),
            ("features", T::JSONB),
            ("coefficients", T::JSONB),
        ],
        std::iter::once(vec![
            v(id),
            v(ch.status.to_string()),
            v(ch.reason.clone()),
            v(ch.train_cutoff.map(date_of)),
            v(ch.holdout_cutoff.map(date_of)),
            v(ch.train_customers as i64),
            v(ch.holdout_customers as i64),
            v(ch.train_churn_rate),
            v(ch.holdout_churn_rate),
            v(ch.holdout_auc),
            v(features),
            v(ch.coefficients.clone()),
        ]),
    )
    .await?;
    copy(
        tx,
        "analytics_churn_calibration",
        &[
            ("run_id", T::INT8),
            ("bin", T::INT4),
            ("customers", T::INT8),
            ("mean_predicted", T::FLOAT8),
            ("observed_rate", T::FLOAT8),
        ],
        ch.calibration.iter().map(|b| {
            vec![
                v(id),
                v(b.bin as i32),
                v(b.customers as i64),
                v(b.mean_predicted),
                v(b.observed_rate),
            ]
        }),
    )
    .await?;
    Ok(())
}

/// Retention per cohort and month, and the cohort matrix.
async fn write_cohorts(tx: &Transaction<'_>, id: i64, r: &Results) -> Result<()> {
    use Type as T;
    copy(
        tx,
        "analytics_cohort_retention",
        &[
            ("run_id", T::INT8),
            ("cohort_month", T::DATE),
            ("month_offset", T::INT4),
            ("cohort_size", T::INT8),
            ("active_customers", T::INT8),
            ("retention_rate", T::FLOAT8),
            ("net_revenue_usd", T::FLOAT8),
        ],
        r.cohorts.iter().map(|c| {
            vec![
                v(id),
                v(month_start(c.cohort_month)),
                v(c.month_offset),
                v(c.cohort_size),
                v(c.active_customers),
                v(c.retention_rate),
                v(c.net_revenue_usd),
            ]
        }),
    )
    .await?;
    copy(
        tx,
        "analytics_cohort_matrix",
        &[
            ("run_id", T::INT8),
            ("cohort_month", T::DATE),
            ("cohort_size", T::INT8),
            ("retention", T::FLOAT8_ARRAY),
        ],
        r.cohort_matrix.iter().map(|m| {
            vec![
                v(id),
                v(month_start(m.cohort_month)),
                v(m.cohort_size),
                v(m.retention.clone()),
            ]
        }),
    )
    .await?;
    Ok(())
}

/// Profit leakage by driver, and the outlier orders.
async fn write_leakage(tx: &Transaction<'_>, id: i64, r: &Results) -> Result<()> {
    use Type as T;
    copy(
        tx,
        "analytics_leakage",
        &[
            ("run_id", T::INT8),
            ("driver", T::TEXT),
            ("dimension", T::TEXT),
            ("dim_value", T::TEXT),
            ("amount_usd", T::FLOAT8),
            ("occurrences", T::INT8),
        ],
        r.leakage.iter().map(|l| {
            vec![
                v(id),
                v(l.driver.to_string()),
                v(l.dimension.to_string()),
                v(l.dim_value.clone()),
                v(l.amount_usd),
                v(l.occurrences),
            ]
        }),
    )
    .await?;
    copy(
        tx,
        "analytics_outliers",
        &[
            ("run_id", T::INT8),
            ("entity", T::TEXT),
            ("entity_key", T::TEXT),
            ("metric", T::TEXT),
            ("method", T::TEXT),
            ("value", T::FLOAT8),
            ("score", T::FLOAT8),
            ("lower_bound", T::FLOAT8),
            ("upper_bound", T::FLOAT8),
        ],
        r.outliers.iter().map(|o| {
            vec![
                v(id),
                v(o.entity.to_string()),
                v(o.entity_key.clone()),
                v(o.metric.to_string()),
                v(o.method.to_string()),
                v(o.value),
                v(o.score),
                v(o.lower),
                v(o.upper),
            ]
        }),
    )
    .await?;
    Ok(())
}

/// The forecasts with their history, and the backtests.
async fn write_forecast(tx: &Transaction<'_>, id: i64, r: &Results) -> Result<()> {
    use Type as T;
    copy(
        tx,
        "analytics_forecast",
        &[
            ("run_id", T::INT8),
            ("series", T::TEXT),
            ("dt", T::DATE),
            ("model", T::TEXT),
            ("actual", T::FLOAT8),
            ("point", T::FLOAT8),
            ("lower_80", T::FLOAT8),
            ("upper_80", T::FLOAT8),
            ("lower_95", T::FLOAT8),
            ("upper_95", T::FLOAT8),
        ],
        r.forecasts.iter().flat_map(|f| forecast_rows(id, f)),
    )
    .await?;
    copy(
        tx,
        "analytics_backtest",
        &[
            ("run_id", T::INT8),
            ("series", T::TEXT),
            ("model", T::TEXT),
            ("folds", T::INT4),
            ("horizon", T::INT4),
            ("mape", T::FLOAT8),
            ("smape", T::FLOAT8),
            ("mase", T::FLOAT8),
            ("coverage_80", T::FLOAT8),
            ("coverage_95", T::FLOAT8),
            ("chosen", T::BOOL),
        ],
        r.forecasts.iter().flat_map(|f| {
            f.backtest.iter().map(move |s| {
                vec![
                    v(id),
                    v(f.series.name.clone()),
                    v(s.model.to_string()),
                    v(s.folds as i32),
                    v(s.horizon as i32),
                    v(s.mape),
                    v(s.smape),
                    v(s.mase),
                    v(s.coverage_80),
                    v(s.coverage_95),
                    v(s.chosen),
                ]
            })
        }),
    )
    .await?;
    Ok(())
}

/// Days of history written before each forecast.
pub const HISTORY_DAYS: usize = 180;

fn forecast_rows(id: i64, f: &crate::forecast::SeriesForecast) -> Vec<Vec<Value>> {
    let s = &f.series;
    let n = s.values.len();
    let from = n.saturating_sub(HISTORY_DAYS);
    let none = || v(None::<f64>);
    let mut rows: Vec<Vec<Value>> = (from..n)
        .map(|t| {
            vec![
                v(id),
                v(s.name.clone()),
                v(date_of(s.first_day + t as i32)),
                v(f.model.to_string()),
                v(Some(s.values[t])),
                none(),
                none(),
                none(),
                none(),
                none(),
            ]
        })
        .collect();
    let p = &f.prediction;
    rows.extend((0..p.point.len()).map(|h| {
        vec![
            v(id),
            v(s.name.clone()),
            v(date_of(s.first_day + (n + h) as i32)),
            v(f.model.to_string()),
            none(),
            v(Some(p.point[h])),
            v(Some(p.lower_80[h])),
            v(Some(p.upper_80[h])),
            v(Some(p.lower_95[h])),
            v(Some(p.upper_95[h])),
        ]
    }));
    rows
}

//! The analytics results (tables written by `globalcart analytics run`, see
//! `docs/analytics.md`) for the admin: every result as JSON or CSV
//! (`/api/admin/analytics/{dataset}` and `…/{dataset}.csv`), and the series
//! the admin charts draw (RFM segments, cohort heatmap, revenue forecast).
//! Until a run exists the charts answer `available: false` with a message.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures::TryStreamExt;
use globalcart_common::query;
use serde::Deserialize;
use serde_json::{json, Value};

use super::AppState;
use crate::auth::session::AdminSession;
use crate::error::{Error, Result};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/analytics/{dataset}", get(dataset))
        .route("/api/admin/charts/rfm", get(rfm))
        .route("/api/admin/charts/cohorts", get(cohorts))
        .route("/api/admin/charts/forecast", get(forecast))
}

/// The datasets: name → (table, ordering). The statement is built only from
/// these constants, never from the request.
pub const DATASETS: [(&str, &str, &str); 13] = [
    ("runs", "analytics_runs", "run_id desc"),
    (
        "segments",
        "analytics_rfm",
        "rfm_score desc, monetary_usd desc",
    ),
    ("rfm_kmeans", "analytics_rfm_kmeans", "k"),
    ("rfm_clusters", "analytics_rfm_clusters", "1"),
    ("churn_scores", "analytics_churn_scores", "1"),
    ("churn_model", "analytics_churn_model", "1"),
    ("churn_calibration", "analytics_churn_calibration", "1"),
    (
        "cohorts",
        "analytics_cohort_retention",
        "cohort_month, month_offset",
    ),
    ("cohort_matrix", "analytics_cohort_matrix", "cohort_month"),
    (
        "leakage",
        "analytics_leakage",
        "driver, dimension, amount_usd desc",
    ),
    ("outliers", "analytics_outliers", "1"),
    ("forecast", "analytics_forecast", "series, dt"),
    ("backtest", "analytics_backtest", "series, model"),
];

#[derive(Debug, Deserialize)]
struct Limit {
    limit: Option<i64>,
}

async fn dataset(
    State(state): State<AppState>,
    _: AdminSession,
    Path(name): Path<String>,
    Query(q): Query<Limit>,
) -> Result<Response> {
    let (name, csv) = match name.strip_suffix(".csv") {
        Some(n) => (n.to_string(), true),
        None => (name, false),
    };
    let Some((_, table, order)) = DATASETS.iter().find(|d| d.0 == name) else {
        let names: Vec<&str> = DATASETS.iter().map(|d| d.0).collect();
        return Err(Error::NotFound(format!(
            "dataset: one of {}",
            names.join(", ")
        )));
    };
    let limit = q.limit.unwrap_or(100_000);
    if !(1..=1_000_000).contains(&limit) {
        return Err(Error::BadRequest("limit: 1 to 1000000".into()));
    }
    let select = format!("select * from globalcart.{table} order by {order} limit {limit}");
    let client = state.pool.get().await?;
    if csv {
        let stream = client
            .copy_out(&format!(
                "copy ({select}) to stdout with (format csv, header)"
            ))
            .await?;
        let chunks: Vec<bytes::Bytes> = stream.try_collect().await?;
        let body: Vec<u8> = chunks.concat();
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
            ],
            body,
        )
            .into_response());
    }
    let row = client
        .query_one(
            &format!("select coalesce(json_agg(t), '[]')::text from ({select}) t"),
            &[],
        )
        .await?;
    let rows: String = row.get(0);
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        format!("{{\"dataset\":\"{name}\",\"items\":{rows}}}"),
    )
        .into_response())
}

/// The latest run: id, as-of day; None before the first run.
async fn latest(state: &AppState) -> Result<Option<(i64, chrono::NaiveDate)>> {
    let r = query!("analytics_latest_run")
        .opt(&state.pool.get().await?, &[])
        .await?;
    Ok(r.map(|r| (r.get("run_id"), r.get("as_of"))))
}

fn not_yet() -> Json<Value> {
    Json(json!({
        "available": false,
        "message": "No analytics run yet: these charts fill after `globalcart analytics run` (globalcart up runs it on a schedule).",
    }))
}

async fn rfm(State(state): State<AppState>, _: AdminSession) -> Result<Json<Value>> {
    let Some((run_id, as_of)) = latest(&state).await? else {
        return Ok(not_yet());
    };
    let client = state.pool.get().await?;
    let rows = query!("analytics_rfm_segments").rows(&client, &[]).await?;
    let clusters = query!("analytics_rfm_cluster_sizes")
        .rows(&client, &[])
        .await?;
    Ok(Json(json!({
        "available": true, "run_id": run_id, "as_of": as_of,
        "segments": rows.iter().map(|r| json!({
            "segment": r.get::<_, String>("segment"), "customers": r.get::<_, i64>("customers"),
            "monetary_usd": r.get::<_, f64>("monetary_usd"), "avg_recency_days": r.get::<_, f64>("avg_recency_days"),
        })).collect::<Vec<_>>(),
        "clusters": clusters.iter().map(|r| json!({
            "cluster": r.get::<_, i32>("kmeans_cluster"), "customers": r.get::<_, i64>("customers"),
        })).collect::<Vec<_>>(),
    })))
}

async fn cohorts(State(state): State<AppState>, _: AdminSession) -> Result<Json<Value>> {
    let Some((run_id, as_of)) = latest(&state).await? else {
        return Ok(not_yet());
    };
    let rows = query!("analytics_cohort_matrix_select")
        .rows(&state.pool.get().await?, &[])
        .await?;
    Ok(Json(json!({
        "available": true, "run_id": run_id, "as_of": as_of,
        "cohorts": rows.iter().map(|r| json!({
            "cohort_month": r.get::<_, chrono::NaiveDate>("cohort_month"), "cohort_size": r.get::<_, i64>("cohort_size"),
            "retention": r.get::<_, Vec<f64>>("retention"),
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize)]
struct Series {
    series: Option<String>,
}

async fn forecast(
    State(state): State<AppState>,
    _: AdminSession,
    Query(q): Query<Series>,
) -> Result<Json<Value>> {
    let Some((run_id, as_of)) = latest(&state).await? else {
        return Ok(not_yet());
    };
    let series = q.series.unwrap_or_else(|| "revenue".into());
    let client = state.pool.get().await?;
    let rows = query!("analytics_forecast_series")
        .rows(&client, &[&series])
        .await?;
    if rows.is_empty() {
        return Err(Error::NotFound(format!(
            "series {series}: not forecast in the latest run"
        )));
    }
    let chosen = query!("analytics_backtest_chosen")
        .opt(&client, &[&series])
        .await?;
    Ok(Json(json!({
        "available": true, "run_id": run_id, "as_of": as_of, "series": series,
        "model": rows[0].get::<_, String>("model"),
        "backtest": chosen.map(|r| json!({"mape": r.get::<_, Option<f64>>("mape"), "smape": r.get::<_, f64>("smape"), "mase": r.get::<_, Option<f64>>("mase")})),
        "points": rows.iter().map(|r| json!({
            "dt": r.get::<_, chrono::NaiveDate>("dt"), "actual": r.get::<_, Option<f64>>("actual"),
            "point": r.get::<_, Option<f64>>("point"), "lower_80": r.get::<_, Option<f64>>("lower_80"),
            "upper_80": r.get::<_, Option<f64>>("upper_80"), "lower_95": r.get::<_, Option<f64>>("lower_95"),
            "upper_95": r.get::<_, Option<f64>>("upper_95"),
        })).collect::<Vec<_>>(),
    })))
}

//! Live KPIs: `/api/kpis/live` (the cached snapshot), `/api/kpis/stream`
//! (server-sent events: the snapshot whenever it changed, at least once a
//! second) and `/api/kpis/timeseries` (buckets from the KPI views).

use globalcart_common::query;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use futures::Stream;
use serde::Deserialize;
use serde_json::{json, Value};

use super::days::Days;
use super::AppState;
use crate::auth::session::KpiReader;
use crate::error::{Error, Result};
use crate::kpis::{sell_to_list_ratio, Measures};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/kpis/live", get(live))
        .route("/api/kpis/stream", get(stream))
        .route("/api/kpis/timeseries", get(timeseries))
        .route("/api/kpis/summary", get(summary))
}

async fn live(State(state): State<AppState>, _: KpiReader) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "application/json")],
        state.kpis.snapshot_json().as_str().to_owned(),
    )
}

async fn stream(
    State(state): State<AppState>,
    _: KpiReader,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = state.kpis.subscribe();
    let s = futures::stream::unfold((rx, state, true), |(mut rx, state, first)| async move {
        if !first {
            // a change, or a second at most
            let _ = tokio::time::timeout(Duration::from_secs(1), rx.changed()).await;
        }
        rx.borrow_and_update();
        let data = state.kpis.snapshot_json();
        let event = Event::default().event("kpis").data(data.as_str());
        Some((Ok(event), (rx, state, false)))
    });
    Sse::new(s).keep_alive(KeepAlive::default())
}

/// Every KPI over a range of days, from `kpi_period` (the same function the
/// Excel report and `vw_kpi_totals` read).
async fn summary(
    State(state): State<AppState>,
    _: KpiReader,
    Query(q): Query<Days>,
) -> Result<Json<Value>> {
    let (from, to) = q.parse()?;
    let client = state
        .pool
        .get()
        .await
        .map_err(|e| Error::Unavailable(format!("postgres: {e}")))?;
    let row = query!("kpi_period").one(&client, &[&from, &to]).await?;
    let kpis: Value = row.get(0);
    Ok(Json(
        json!({"from": from, "to": to, "currency": "USD", "kpis": kpis}),
    ))
}

/// Query of `/api/kpis/timeseries`.
#[derive(Debug, Deserialize)]
pub struct SeriesQuery {
    metric: Option<String>,
    grain: Option<String>,
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
}

/// The metrics a series can show: every live KPI.
pub const METRICS: &[&str] = crate::kpis::Kpis::NAMES;

fn parse_time(name: &str, v: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "parameter {name}: {v:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"
            ))
        })
}

async fn timeseries(
    State(state): State<AppState>,
    _: KpiReader,
    Query(q): Query<SeriesQuery>,
) -> Result<Json<Value>> {
    let metric = q.metric.as_deref().unwrap_or("net_revenue_usd");
    if !METRICS.contains(&metric) {
        return Err(Error::BadRequest(format!(
            "parameter metric: {metric:?} is not one of {METRICS:?}"
        )));
    }
    let grain = q.grain.as_deref().unwrap_or("day");
    if !["hour", "day", "week", "month"].contains(&grain) {
        return Err(Error::BadRequest(format!(
            "parameter grain: {grain:?} is not one of hour, day, week, month"
        )));
    }
    let by = q.by.as_deref().unwrap_or("all");
    if !["all", "region", "channel", "category"].contains(&by) {
        return Err(Error::BadRequest(format!(
            "parameter by: {by:?} is not one of region, channel, category"
        )));
    }
    let to = match &q.to {
        Some(v) => parse_time("to", v)?,
        None => Utc::now(),
    };
    let from = match &q.from {
        Some(v) => parse_time("from", v)?,
        None => to - TimeDelta::days(30),
    };
    if from >= to {
        return Err(Error::BadRequest(
            "parameter from: must be before to".into(),
        ));
    }
    if to - from > TimeDelta::days(3660) {
        return Err(Error::BadRequest(
            "parameter from: the range is limited to 10 years".into(),
        ));
    }
    let client = state
        .pool
        .get()
        .await
        .map_err(|e| Error::Unavailable(format!("postgres: {e}")))?;
    let rows = query!("kpi_timeseries")
        .rows(&client, &[&from, &to, &grain, &by])
        .await?;
    let sell_to_list = sell_to_list_ratio(&client).await?;
    let points: Vec<Value> = rows
        .iter()
        .map(|r| {
            let m = Measures::from_bucket_row(r);
            let k = serde_json::to_value(m.kpis(sell_to_list)).unwrap_or(Value::Null);
            let t: DateTime<Utc> = r.get("bucket");
            json!({"t": t, "group": r.get::<_, String>("dim_value"), "value": k[metric]})
        })
        .collect();
    Ok(Json(json!({
        "metric": metric, "grain": grain, "by": by, "from": from, "to": to,
        "currency": "USD", "points": points
    })))
}

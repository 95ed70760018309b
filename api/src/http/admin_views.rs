//! The admin console's data (admin session required): funnel with leakage,
//! orders monitor, audit log, journey replay and chart series. Every number
//! comes from the KPI views and functions, the same as the live tiles.

use globalcart_common::query;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::AppState;
use crate::auth::session::AdminSession;
use crate::error::{Error, Result};
use crate::kpis::{sell_to_list_ratio, Measures};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/admin/funnel", get(funnel))
        .route("/api/admin/orders", get(orders))
        .route("/api/admin/audit", get(audit))
        .route("/api/admin/journeys", get(journeys))
        .route("/api/admin/journeys/{session_id}", get(journey))
        .route("/api/admin/charts/revenue", get(revenue))
        .route("/api/admin/charts/leakage", get(leakage))
}

fn in_range(name: &str, v: i64, lo: i64, hi: i64) -> Result<i64> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(Error::BadRequest(format!("{name}: {lo} to {hi}")))
    }
}

#[derive(Debug, Deserialize)]
struct Window {
    window_days: Option<i64>,
    days: Option<i64>,
}

/// The measures of the last `days` days, summed from the KPI buckets.
async fn window_measures(state: &AppState, days: i64) -> Result<(Measures, f64)> {
    let to = Utc::now();
    let from = to - TimeDelta::days(days);
    let client = state.pool.get().await?;
    let rows = query!("kpi_timeseries")
        .rows(&client, &[&from, &to, &"day", &"all"])
        .await?;
    let mut m = Measures::default();
    for r in &rows {
        m.add(&Measures::from_bucket_row(r));
    }
    Ok((m, sell_to_list_ratio(&client).await?))
}

async fn funnel(
    State(state): State<AppState>,
    _: AdminSession,
    Query(w): Query<Window>,
) -> Result<Json<Value>> {
    let days = in_range("window_days", w.window_days.unwrap_or(30), 1, 365)?;
    let from = Utc::now() - TimeDelta::days(days);
    let stages = query!("admin_funnel_stages")
        .rows(&state.pool.get().await?, &[&from])
        .await?;
    let (m, ratio) = window_measures(&state, days).await?;
    let k = m.kpis(ratio);
    Ok(Json(json!({
        "window_days": days,
        "stages": stages.iter().map(|r| json!({"stage": r.get::<_, String>("stage"), "sessions": r.get::<_, i64>("sessions")})).collect::<Vec<_>>(),
        "rates": {
            "conversion_rate": k.conversion_rate,
            "cart_abandonment_rate": k.cart_abandonment_rate,
            "payment_failure_rate": k.payment_failure_rate,
        },
        "leakage": {
            "abandonment_loss": k.revenue_lost_cart_abandonment_usd,
            "payment_failure_loss": k.revenue_lost_payment_failures_usd,
            "refund_leakage": k.refund_amount_usd,
        },
        "currency": "USD",
    })))
}

#[derive(Debug, Deserialize)]
struct OrdersQuery {
    status: Option<String>,
    channel: Option<String>,
    q: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn orders(
    State(state): State<AppState>,
    _: AdminSession,
    Query(q): Query<OrdersQuery>,
) -> Result<Json<Value>> {
    let limit = in_range("limit", q.limit.unwrap_or(50), 1, 200)?;
    let offset = in_range("offset", q.offset.unwrap_or(0), 0, 1_000_000)?;
    let blank = |v: Option<String>| v.map(|s| s.trim().to_uppercase()).filter(|s| !s.is_empty());
    let id: Option<i64> = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            s.trim_start_matches('#')
                .parse()
                .map_err(|_| Error::BadRequest("q: an order or customer id".into()))?,
        ),
        None => None,
    };
    let (status, channel) = (blank(q.status), blank(q.channel));
    let client = state.pool.get().await?;
    let rows = query!("admin_orders")
        .rows(&client, &[&status, &channel, &id, &limit, &offset])
        .await?;
    let total: i64 = query!("admin_orders_count")
        .one(&client, &[&status, &channel, &id])
        .await?
        .get(0);
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "order_id": r.get::<_, i64>("order_id"), "customer_id": r.get::<_, i64>("customer_id"),
                "order_ts": r.get::<_, DateTime<Utc>>("order_ts"), "status": r.get::<_, String>("order_status"),
                "payment_status": r.get::<_, Option<String>>("payment_status"), "channel": r.get::<_, String>("channel"),
                "device": r.get::<_, String>("device"), "currency": r.get::<_, String>("currency"),
                "net_amount": r.get::<_, f64>("net_amount"),
            })
        })
        .collect();
    Ok(Json(json!({"items": items, "total": total})))
}

#[derive(Debug, Deserialize)]
struct Page {
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn audit(
    State(state): State<AppState>,
    _: AdminSession,
    Query(p): Query<Page>,
) -> Result<Json<Value>> {
    let limit = in_range("limit", p.limit.unwrap_or(200), 1, 500)?;
    let offset = in_range("offset", p.offset.unwrap_or(0), 0, 1_000_000)?;
    let rows = query!("admin_audit")
        .rows(&state.pool.get().await?, &[&limit, &offset])
        .await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| json!({
            "at": r.get::<_, DateTime<Utc>>("audit_ts"), "table": r.get::<_, String>("table_name"),
            "key": r.get::<_, String>("row_key"), "action": r.get::<_, String>("audit_action"),
            "from_status": r.get::<_, Option<String>>("from_status"), "to_status": r.get::<_, Option<String>>("to_status"),
            "reason": r.get::<_, Option<String>>("reason"), "actor": r.get::<_, String>("actor"),
        }))
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
struct JourneysQuery {
    customer_id: Option<i64>,
    window_hours: Option<i64>,
    limit: Option<i64>,
}

async fn journeys(
    State(state): State<AppState>,
    _: AdminSession,
    Query(q): Query<JourneysQuery>,
) -> Result<Json<Value>> {
    let hours = in_range("window_hours", q.window_hours.unwrap_or(72), 1, 720)?;
    let limit = in_range("limit", q.limit.unwrap_or(50), 1, 200)?;
    let from = Utc::now() - TimeDelta::hours(hours);
    let rows = query!("admin_journeys")
        .rows(&state.pool.get().await?, &[&from, &q.customer_id, &limit])
        .await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| json!({
            "session_id": r.get::<_, String>("session_id"), "customer_id": r.get::<_, Option<i64>>("customer_id"),
            "first_event": r.get::<_, DateTime<Utc>>("first_event"), "last_event": r.get::<_, DateTime<Utc>>("last_event"),
            "events": r.get::<_, i64>("events"), "channel": r.get::<_, String>("channel"),
            "device": r.get::<_, String>("device"), "reached": r.get::<_, String>("reached"),
        }))
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn journey(
    State(state): State<AppState>,
    _: AdminSession,
    Path(session_id): Path<String>,
) -> Result<Json<Value>> {
    let rows = query!("admin_journey_events")
        .rows(&state.pool.get().await?, &[&session_id])
        .await?;
    if rows.is_empty() {
        return Err(Error::not_found("session"));
    }
    let events: Vec<Value> = rows
        .iter()
        .map(|r| json!({
            "at": r.get::<_, DateTime<Utc>>("event_ts"), "stage": r.get::<_, String>("stage"),
            "product_id": r.get::<_, Option<i64>>("product_id"), "product_name": r.get::<_, Option<String>>("product_name"),
            "order_id": r.get::<_, Option<i64>>("order_id"), "failure_reason": r.get::<_, Option<String>>("failure_reason"),
        }))
        .collect();
    Ok(Json(json!({"session_id": session_id, "events": events})))
}

/// Chart answers are cached for a short while: several admins, one query.
static CHARTS: std::sync::LazyLock<moka::sync::Cache<String, Value>> =
    std::sync::LazyLock::new(|| {
        moka::sync::Cache::builder()
            .time_to_live(Duration::from_secs(30))
            .max_capacity(64)
            .build()
    });

async fn revenue(
    State(state): State<AppState>,
    _: AdminSession,
    Query(w): Query<Window>,
) -> Result<Json<Value>> {
    let days = in_range("days", w.days.unwrap_or(90), 7, 730)?;
    let key = format!("revenue/{days}");
    if let Some(v) = CHARTS.get(&key) {
        return Ok(Json(v));
    }
    let to = Utc::now();
    let rows = query!("kpi_timeseries")
        .rows(
            &state.pool.get().await?,
            &[&(to - TimeDelta::days(days)), &to, &"day", &"all"],
        )
        .await?;
    let points: Vec<Value> = rows
        .iter()
        .map(|r| {
            let m = Measures::from_bucket_row(r);
            let day: DateTime<Utc> = r.get("bucket");
            json!({"day": day.date_naive(), "net_revenue_usd": (m.net_revenue_usd * 100.0).round() / 100.0, "orders": m.orders})
        })
        .collect();
    let v = json!({ "points": points });
    CHARTS.insert(key, v.clone());
    Ok(Json(v))
}

async fn leakage(
    State(state): State<AppState>,
    _: AdminSession,
    Query(w): Query<Window>,
) -> Result<Json<Value>> {
    let days = in_range("days", w.days.unwrap_or(90), 7, 730)?;
    let key = format!("leakage/{days}");
    if let Some(v) = CHARTS.get(&key) {
        return Ok(Json(v));
    }
    let to = Utc::now();
    let from = to - TimeDelta::days(days);
    let client = state.pool.get().await?;
    let cats = query!("admin_leakage_by_category")
        .rows(&client, &[&from, &to])
        .await?;
    let carriers = query!("admin_leakage_by_carrier")
        .rows(&client, &[&from, &to])
        .await?;
    let r2 = |x: f64| (x * 100.0).round() / 100.0;
    let v = json!({
        "from": from.date_naive(), "to": to.date_naive(),
        "by_category": cats.iter().map(|r| json!({
            "category": r.get::<_, String>("category"), "refunds_usd": r2(r.get("refunds_usd")), "discount_usd": r2(r.get("discount_usd")),
            "shipping_usd": r2(r.get("shipping_usd")), "loss_usd": r2(r.get("loss_usd")),
        })).collect::<Vec<_>>(),
        "by_carrier": carriers.iter().map(|r| json!({
            "carrier": r.get::<_, String>("carrier"), "shipping_usd": r2(r.get("shipping_usd")), "sla_breaches": r.get::<_, i64>("sla_breaches"),
            "shipments": r.get::<_, i64>("shipments"), "refunds_usd": r2(r.get("refunds_usd")),
        })).collect::<Vec<_>>(),
    });
    CHARTS.insert(key, v.clone());
    Ok(Json(v))
}

//! The BI marts of `sql/definitions/20_bi_marts.sql`: refresh them
//! (`refresh_bi_marts()`: the days the facts' triggers marked since the last
//! refresh, logged in `bi_mart_refreshes`), refresh the daily KPI rollup they
//! start from (`refresh_kpi_daily_rollup()`), and export them as CSV
//! (`COPY … TO STDOUT`).
//!
//! Who refreshes: `globalcart up` on a schedule (`MARTS_REFRESH_SECS`, and the
//! rollup every `KPI_ROLLUP_REFRESH_SECS`), every backfill (`globalcart
//! replay`, `globalcart consume --until-idle`), the Excel report (the two marts
//! it reads), `globalcart marts refresh`, the admin API, and BI tools calling
//! `refresh_bi_marts()` themselves. `mart_customer_segments` is a view over
//! its materialized half `mart_customer_value` (migration 015), so an
//! analytics run's segments show in it without a refresh.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use tokio_postgres::{Client, CopyOutStream};

use crate::error::Result;
use crate::metrics;

/// One mart: its name, its natural key (the export order) and whether it has
/// a `date_id` an export can be limited by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mart {
    pub name: &'static str,
    pub grain: &'static str,
    pub order_by: &'static str,
    pub dated: bool,
}

/// The marts, in refresh order: the five of the reference, then the two at
/// line grain.
pub const MARTS: [Mart; 7] = [
    Mart {
        name: "mart_exec_daily_kpis",
        grain: "one row per UTC day",
        order_by: "date_id",
        dated: true,
    },
    Mart {
        name: "mart_finance_profitability",
        grain: "one row per completed order",
        order_by: "order_id",
        dated: true,
    },
    Mart {
        name: "mart_funnel_conversion",
        grain: "one row per day, channel and device",
        order_by: "date_id, channel, device",
        dated: true,
    },
    Mart {
        name: "mart_product_performance",
        grain: "one row per day and product",
        order_by: "date_id, product_id",
        dated: true,
    },
    Mart {
        name: "mart_customer_segments",
        grain: "one row per customer",
        order_by: "customer_id",
        dated: false,
    },
    Mart {
        name: "mart_order_lines",
        grain: "one row per line of a completed order",
        order_by: "order_item_id",
        dated: true,
    },
    Mart {
        name: "mart_abandoned_cart_lines",
        grain: "one row per abandoned session and product added",
        order_by: "session_id, product_id",
        dated: true,
    },
];

/// The mart called `name`, if it is one.
pub fn find(name: &str) -> Option<Mart> {
    MARTS.iter().copied().find(|m| m.name == name)
}

/// The names of the marts, for error messages.
pub fn names() -> String {
    MARTS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
}

/// What one refresh of one mart did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Refreshed {
    pub mart: String,
    pub rows: i64,
    pub duration_ms: f64,
}

/// Refreshes the marts (`only`: these, else all): the days the facts'
/// triggers marked since the last refresh, or every day when `full`; records
/// the result in the metrics. `trigger` names who asked (schedule, backfill,
/// cli, api…).
pub async fn refresh(
    client: &Client,
    trigger: &str,
    only: Option<&[&str]>,
    full: bool,
) -> Result<Vec<Refreshed>> {
    let only: Option<Vec<String>> = only.map(|o| o.iter().map(|s| s.to_string()).collect());
    // right after a bulk load the facts have no statistics yet, and the mart
    // queries then pick plans that run for many minutes (seen on the large preset)
    client
        .batch_execute(crate::sql!("facts_analyze_if_needed"))
        .await?;
    let rows = crate::query!("bi_marts_refresh")
        .rows(client, &[&trigger, &only, &full])
        .await?;
    let now = unix_now();
    let done: Vec<Refreshed> = rows
        .iter()
        .map(|r| Refreshed {
            mart: r.get("mart"),
            rows: r.get("rows"),
            duration_ms: r.get("duration_ms"),
        })
        .collect();
    for d in &done {
        let l = [d.mart.as_str()];
        metrics::MART_REFRESH_SECONDS
            .with_label_values(&l)
            .set(d.duration_ms / 1000.0);
        metrics::MART_REFRESHED_AT.with_label_values(&l).set(now);
        metrics::MART_ROWS.with_label_values(&l).set(d.rows);
    }
    Ok(done)
}

/// What one refresh of the daily KPI rollup did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RollupRefreshed {
    /// Days recomputed.
    pub days: i32,
    /// Whether every day was (a null mark: first refresh, new definitions).
    pub whole: bool,
    pub duration_ms: f64,
}

/// Recomputes the days of the daily KPI rollup that loads marked since its
/// last refresh (`refresh_kpi_daily_rollup()`, migration 022); recorded in the
/// metrics as the mart `kpi_daily_rollup`. Readers are exact without it (they
/// compute marked days afresh); it keeps them fast.
pub async fn refresh_rollup(client: &Client) -> Result<RollupRefreshed> {
    let t0 = std::time::Instant::now();
    let row = crate::query!("kpi_daily_rollup_refresh")
        .rows(client, &[])
        .await?;
    let (days, whole) = row
        .first()
        .map_or((0, false), |r| (r.get("days"), r.get("whole")));
    let done = RollupRefreshed {
        days,
        whole,
        duration_ms: t0.elapsed().as_secs_f64() * 1000.0,
    };
    let l = ["kpi_daily_rollup"];
    metrics::MART_REFRESH_SECONDS
        .with_label_values(&l)
        .set(done.duration_ms / 1000.0);
    metrics::MART_REFRESHED_AT
        .with_label_values(&l)
        .set(unix_now());
    Ok(done)
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The latest refresh of a mart.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Freshness {
    pub mart: String,
    pub last_refreshed_at: DateTime<Utc>,
    pub duration_ms: f64,
    pub rows: i64,
    pub trigger: String,
}

/// The latest refresh of every mart refreshed at least once.
pub async fn freshness(client: &Client) -> Result<Vec<Freshness>> {
    let rows = crate::query!("bi_mart_freshness").rows(client, &[]).await?;
    Ok(rows
        .iter()
        .map(|r| Freshness {
            mart: r.get("mart"),
            last_refreshed_at: r.get("last_refreshed_at"),
            duration_ms: r.get("duration_ms"),
            rows: r.get("rows"),
            trigger: r.get("trigger"),
        })
        .collect())
}

/// The `COPY` statement exporting `mart` as CSV with a header, in the order
/// of its natural key, limited to the days `from` … `to` (inclusive) when the
/// mart is dated. Built from constants and dates only, never from free text.
pub fn export_statement(mart: Mart, from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    let day = |d: NaiveDate| d.format("%Y%m%d").to_string();
    let mut filters = Vec::new();
    if mart.dated {
        if let Some(f) = from {
            filters.push(format!("date_id >= {}", day(f)));
        }
        if let Some(t) = to {
            filters.push(format!("date_id <= {}", day(t)));
        }
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!(" where {}", filters.join(" and "))
    };
    format!(
        "copy (select * from globalcart.{}{filter} order by {}) to stdout with (format csv, header)",
        mart.name, mart.order_by
    )
}

/// Streams `mart` as CSV (see [`export_statement`]).
pub async fn export_csv(
    client: &Client,
    mart: Mart,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<CopyOutStream> {
    Ok(client.copy_out(&export_statement(mart, from, to)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_limited_by_day_only_when_the_mart_is_dated() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let exec = find("mart_exec_daily_kpis").unwrap();
        assert_eq!(
            export_statement(exec, Some(d("2026-01-02")), Some(d("2026-01-31"))),
            "copy (select * from globalcart.mart_exec_daily_kpis where date_id >= 20260102 and date_id <= 20260131 order by date_id) to stdout with (format csv, header)"
        );
        let customers = find("mart_customer_segments").unwrap();
        assert_eq!(
            export_statement(customers, Some(d("2026-01-02")), None),
            "copy (select * from globalcart.mart_customer_segments order by customer_id) to stdout with (format csv, header)"
        );
        assert!(find("pg_authid").is_none());
    }
}

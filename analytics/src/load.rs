//! Data in: one streamed query per table, straight into polars frames (no
//! per-row round trip). Amounts are the KPI views' USD columns.
//!
//! The three heavy inputs (order P&L, line P&L, abandoned cart lines) are read
//! from their marts (`mart_finance_profitability`, `mart_order_lines`,
//! `mart_abandoned_cart_lines`: the same views, materialized by the pipeline)
//! when the marts are fresh — refreshed after the last load, or at most
//! [`MART_MAX_AGE_SECS`] ago — and from the views otherwise. The run records
//! which ([`Source`]).

use chrono::{DateTime, Utc};
use futures::{pin_mut, TryStreamExt};
use polars::prelude::DataFrame;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

use crate::frame::{FrameBuilder, Kind};
use crate::{sql, Result};

/// How old the marts may be for a run to read them while loads go on: the
/// pipeline refreshes them every 5 minutes (`MARTS_REFRESH_SECS`), so a run
/// is at most this stale; older marts make the run read the views.
pub const MART_MAX_AGE_SECS: f64 = 900.0;

/// Where the heavy inputs came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The marts, as of their refresh.
    Marts { refreshed_at: DateTime<Utc> },
    /// The KPI views, as of now.
    Views,
}

/// The marts when they can stand in for the views, else the views.
pub async fn source(client: &Client) -> Result<Source> {
    let row = client
        .query_one(sql!("analytics_marts_source"), &[&MART_MAX_AGE_SECS])
        .await?;
    let refreshed_at: Option<DateTime<Utc>> = row.get(0);
    let usable: Option<bool> = row.get(1);
    Ok(match (refreshed_at, usable) {
        (Some(refreshed_at), Some(true)) => Source::Marts { refreshed_at },
        _ => Source::Views,
    })
}

/// Everything a run reads, as frames.
pub struct Data {
    /// Completed orders (vw_finance_order_pnl).
    pub orders: DataFrame,
    /// Their lines (vw_finance_item_pnl).
    pub lines: DataFrame,
    /// Carrier per completed order.
    pub carriers: DataFrame,
    /// Customers (dim_customer, home region).
    pub customers: DataFrame,
    /// Failed payment attempts per customer and day.
    pub payment_failures: DataFrame,
    /// Lines of baskets lost to payment failures.
    pub failed_baskets: DataFrame,
    /// Abandoned cart lines.
    pub abandoned: DataFrame,
}

/// The last day (epoch days) with a completed order, if any.
pub async fn last_order_day(client: &Client) -> Result<Option<i32>> {
    let row = client
        .query_one(sql!("analytics_data_bounds_select"), &[])
        .await?;
    Ok(row.try_get(0)?)
}

/// Runs `query` and streams its rows into a frame of `spec`.
pub async fn frame(
    client: &Client,
    query: &str,
    params: &[&(dyn ToSql + Sync)],
    spec: &[(&'static str, Kind)],
) -> Result<DataFrame> {
    let stmt = client.prepare(query).await?;
    let rows = client.query_raw(&stmt, params.iter().copied()).await?;
    pin_mut!(rows);
    let mut b = FrameBuilder::new(spec);
    while let Some(row) = rows.try_next().await? {
        b.push(&row)?;
    }
    b.finish()
}

/// The statement with the as-of bound written in as a literal. Passed as a
/// parameter (`$1::text::timestamptz`), the bound is a stable expression the
/// planner cannot fold, so it misjudged the windowed P&L functions (the large
/// preset's load: 52 s with the parameter, 45 s with the literal). The bound is made by
/// this crate (`infinity` or a formatted date), never taken from a request.
fn with_bound(query: &str, bound: &str) -> String {
    debug_assert!(bound
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " :+-".contains(c)));
    query
        .replace("$1::text::timestamptz", &format!("'{bound}'::timestamptz"))
        .replace("$1::text::date", &format!("'{bound}'::date"))
}

/// Reads every table of a run. `bound` is the as-of bound as text: `infinity`
/// or `YYYY-MM-DD 00:00:00+00` (orders placed before it are used).
pub async fn load(client: &Client, bound: &str, source: Source) -> Result<Data> {
    use Kind::*;
    let p: &[&(dyn ToSql + Sync)] = &[];
    let marts = matches!(source, Source::Marts { .. });
    let (orders_q, lines_q, abandoned_q) = if marts {
        (
            sql!("analytics_orders_from_mart_select"),
            sql!("analytics_order_lines_from_mart_select"),
            sql!("analytics_abandoned_cart_lines_from_mart_select"),
        )
    } else {
        (
            sql!("analytics_orders_select"),
            sql!("analytics_order_lines_select"),
            sql!("analytics_abandoned_cart_lines_select"),
        )
    };
    let orders = frame(
        client,
        &with_bound(orders_q, bound),
        p,
        &[
            ("order_id", I64),
            ("customer_id", I64),
            ("order_day", I32),
            ("channel", Str),
            ("region", Str),
            ("gross_usd", F64),
            ("discount_usd", F64),
            ("net_revenue_usd", F64),
            ("units", I64),
            ("item_lines", I64),
            ("returned_lines", I64),
            ("shipping_cost_usd", F64),
            ("refund_ex_tax_usd", F64),
            ("net_profit_usd", F64),
            ("discount_heavy", Bool),
            ("loss_order", Bool),
        ],
    )
    .await?;
    let lines = frame(
        client,
        &with_bound(lines_q, bound),
        p,
        &[
            ("order_id", I64),
            ("order_day", I32),
            ("product_id", I64),
            ("category", Str),
            ("qty", I64),
            ("line_discount_usd", F64),
            ("line_net_revenue_usd", F64),
            ("alloc_shipping_cost_usd", F64),
            ("line_refund_ex_tax_usd", F64),
            ("line_net_profit_usd", F64),
        ],
    )
    .await?;
    let carriers = frame(
        client,
        sql!("analytics_order_carriers_select"),
        &[],
        &[("order_id", I64), ("carrier", Str)],
    )
    .await?;
    let customers = frame(
        client,
        sql!("analytics_customers_select"),
        &[],
        &[
            ("customer_id", I64),
            ("created_day", I32),
            ("acquisition_channel", Str),
            ("region", Str),
        ],
    )
    .await?;
    let payment_failures = frame(
        client,
        &with_bound(sql!("analytics_payment_failures_select"), bound),
        p,
        &[
            ("customer_id", I64),
            ("payment_day", I32),
            ("failed_payments", I64),
        ],
    )
    .await?;
    let failed_baskets = frame(
        client,
        &with_bound(sql!("analytics_failed_basket_lines_select"), bound),
        p,
        &[
            ("order_id", I64),
            ("order_day", I32),
            ("channel", Str),
            ("region", Str),
            ("category", Str),
            ("lost_usd", F64),
        ],
    )
    .await?;
    let abandoned = frame(
        client,
        &with_bound(abandoned_q, bound),
        p,
        &[
            ("session_day", I32),
            ("channel", Str),
            ("region", Str),
            ("category", Str),
            ("lost_usd", F64),
        ],
    )
    .await?;
    Ok(Data {
        orders,
        lines,
        carriers,
        customers,
        payment_failures,
        failed_baskets,
        abandoned,
    })
}

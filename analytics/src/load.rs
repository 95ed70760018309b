//! Data in: one streamed query per table, straight into polars frames (no
//! per-row round trip). Amounts are the KPI views' USD columns.

use futures::{pin_mut, TryStreamExt};
use polars::prelude::DataFrame;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

use crate::frame::{FrameBuilder, Kind};
use crate::{sql, Result};

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
pub async fn load(client: &Client, bound: &str) -> Result<Data> {
    use Kind::*;
    let p: &[&(dyn ToSql + Sync)] = &[];
    let orders = frame(
        client,
        &with_bound(sql!("analytics_orders_select"), bound),
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
        &with_bound(sql!("analytics_order_lines_select"), bound),
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
        &with_bound(sql!("analytics_abandoned_cart_lines_select"), bound),
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

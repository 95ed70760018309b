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
use globalcart_common::query;
use polars::prelude::DataFrame;
use tokio_postgres::types::ToSql;
use tokio_postgres::Client;

use crate::frame::{FrameBuilder, Kind};
use crate::{sql, Error, Result};

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
    let row = query!("analytics_marts_source")
        .one(&client, &[&MART_MAX_AGE_SECS])
        .await?;
    let refreshed_at: Option<DateTime<Utc>> = row.get("refreshed_at");
    let usable: Option<bool> = row.get("usable");
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
    let row = query!("analytics_data_bounds_select")
        .one(&client, &[])
        .await?;
    Ok(row.try_get("last_day")?)
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

type Spec = &'static [(&'static str, Kind)];

const ORDERS: Spec = &[
    ("order_id", Kind::I64),
    ("customer_id", Kind::I64),
    ("order_day", Kind::I32),
    ("channel", Kind::Str),
    ("region", Kind::Str),
    ("gross_usd", Kind::F64),
    ("discount_usd", Kind::F64),
    ("net_revenue_usd", Kind::F64),
    ("units", Kind::I64),
    ("item_lines", Kind::I64),
    ("returned_lines", Kind::I64),
    ("shipping_cost_usd", Kind::F64),
    ("refund_ex_tax_usd", Kind::F64),
    ("net_profit_usd", Kind::F64),
    ("discount_heavy", Kind::Bool),
    ("loss_order", Kind::Bool),
];

const LINES: Spec = &[
    ("order_id", Kind::I64),
    ("order_day", Kind::I32),
    ("product_id", Kind::I64),
    ("category", Kind::Str),
    ("qty", Kind::I64),
    ("line_discount_usd", Kind::F64),
    ("line_net_revenue_usd", Kind::F64),
    ("alloc_shipping_cost_usd", Kind::F64),
    ("line_refund_ex_tax_usd", Kind::F64),
    ("line_net_profit_usd", Kind::F64),
];

const CARRIERS: Spec = &[("order_id", Kind::I64), ("carrier", Kind::Str)];

const CUSTOMERS: Spec = &[
    ("customer_id", Kind::I64),
    ("created_day", Kind::I32),
    ("acquisition_channel", Kind::Str),
    ("region", Kind::Str),
];

const PAYMENT_FAILURES: Spec = &[
    ("customer_id", Kind::I64),
    ("payment_day", Kind::I32),
    ("failed_payments", Kind::I64),
];

const FAILED_BASKETS: Spec = &[
    ("order_id", Kind::I64),
    ("order_day", Kind::I32),
    ("channel", Kind::Str),
    ("region", Kind::Str),
    ("category", Kind::Str),
    ("lost_usd", Kind::F64),
];

const ABANDONED: Spec = &[
    ("session_day", Kind::I32),
    ("channel", Kind::Str),
    ("region", Kind::Str),
    ("category", Kind::Str),
    ("lost_usd", Kind::F64),
];

/// How many connections a run reads on. Postgres runs each statement on one
/// core and the frames are built on the client, so the inputs overlap.
pub const CONNECTIONS: usize = 3;

/// A snapshot exported by the run's own connection, which keeps it open (a
/// read-only repeatable-read transaction) until [`Snapshot::release`]: every
/// input connection reads in it (as `pg_dump --jobs` does), so the inputs read
/// from tables and views agree with each other even while the consumers load.
pub struct Snapshot(String);

impl Snapshot {
    pub async fn export(client: &Client) -> Result<Snapshot> {
        client
            .batch_execute("begin isolation level repeatable read read only")
            .await?;
        let id: String = client
            .query_one("select pg_export_snapshot()", &[])
            .await?
            .get(0);
        // Postgres makes the id (hex digits and dashes); it is written into
        // SET TRANSACTION SNAPSHOT, which takes no parameter
        if !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(Error::Column {
                column: "pg_export_snapshot".into(),
                reason: format!("unexpected snapshot id {id:?}"),
            });
        }
        Ok(Snapshot(id))
    }

    /// Ends the exporting transaction (read only: nothing to commit).
    pub async fn release(self, client: &Client) -> Result<()> {
        client.batch_execute("rollback").await?;
        Ok(())
    }

    async fn import(&self, client: &Client) -> Result<()> {
        client
            .batch_execute(&format!(
                "begin isolation level repeatable read read only; set transaction snapshot '{}'",
                self.0
            ))
            .await?;
        Ok(())
    }
}

/// The seven inputs of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Input {
    Orders,
    Lines,
    Carriers,
    Customers,
    PaymentFailures,
    FailedBaskets,
    Abandoned,
}

/// Which inputs each connection reads, one after the other, so that the
/// connections have about the same work. Each statement alone on the large
/// preset (`copy (…) to '/dev/null'`, docs/benchmarks.md): from the marts,
/// order lines 1.8 s, failed-payment baskets 1.5 s, orders 0.9 s, abandoned
/// lines 0.5 s, carriers 0.5 s, payment failures 0.3 s, customers 0.1 s; from
/// the views, order lines 8.2 s, orders 8.1 s, abandoned lines 7.6 s (derived
/// from every click event), the other four as from the marts.
fn groups(source: Source) -> [&'static [Input]; CONNECTIONS] {
    use Input::*;
    match source {
        Source::Marts { .. } => [
            &[Lines, Customers],
            &[FailedBaskets, PaymentFailures, Carriers],
            &[Orders, Abandoned],
        ],
        Source::Views => [
            &[Abandoned, FailedBaskets],
            &[Orders, Carriers, Customers],
            &[Lines, PaymentFailures],
        ],
    }
}

/// Reads `inputs` one after the other on a connection of its own, in `snapshot`.
async fn read_all(
    database_url: String,
    snapshot: String,
    inputs: Vec<(Input, String, Spec)>,
) -> Result<Vec<(Input, DataFrame)>> {
    let client = crate::connect(&database_url).await?;
    Snapshot(snapshot).import(&client).await?;
    let mut frames = Vec::with_capacity(inputs.len());
    for (input, query, spec) in inputs {
        frames.push((input, frame(&client, &query, &[], spec).await?));
    }
    client.batch_execute("rollback").await?;
    Ok(frames)
}

/// Reads every table of a run, on [`CONNECTIONS`] connections at once
/// ([`groups`]). `bound` is the as-of bound as text: `infinity` or
/// `YYYY-MM-DD 00:00:00+00` (orders placed before it are used).
///
/// Every connection reads in `snapshot`, so the inputs read from tables and
/// views agree with each other even while the consumers load; inputs read
/// from the marts are as of the marts' refresh ([`Source`]). The first error
/// ends the load and cancels the other connections' reads.
pub async fn load(
    database_url: &str,
    snapshot: &Snapshot,
    bound: &str,
    source: Source,
) -> Result<Data> {
    let marts = matches!(source, Source::Marts { .. });
    let statement = |input: Input| -> (&'static str, Spec) {
        match (input, marts) {
            (Input::Orders, true) => (sql!("analytics_orders_from_mart_select"), ORDERS),
            (Input::Orders, false) => (sql!("analytics_orders_select"), ORDERS),
            (Input::Lines, true) => (sql!("analytics_order_lines_from_mart_select"), LINES),
            (Input::Lines, false) => (sql!("analytics_order_lines_select"), LINES),
            (Input::Abandoned, true) => (
                sql!("analytics_abandoned_cart_lines_from_mart_select"),
                ABANDONED,
            ),
            (Input::Abandoned, false) => (sql!("analytics_abandoned_cart_lines_select"), ABANDONED),
            (Input::Carriers, _) => (sql!("analytics_order_carriers_select"), CARRIERS),
            (Input::Customers, _) => (sql!("analytics_customers_select"), CUSTOMERS),
            (Input::PaymentFailures, _) => {
                (sql!("analytics_payment_failures_select"), PAYMENT_FAILURES)
            }
            (Input::FailedBaskets, _) => {
                (sql!("analytics_failed_basket_lines_select"), FAILED_BASKETS)
            }
        }
    };
    let mut readers = tokio::task::JoinSet::new();
    for group in groups(source) {
        let inputs = group
            .iter()
            .map(|&i| {
                let (query, spec) = statement(i);
                (i, with_bound(query, bound), spec)
            })
            .collect();
        readers.spawn(read_all(
            database_url.to_string(),
            snapshot.0.clone(),
            inputs,
        ));
    }
    let mut frames = Vec::with_capacity(7);
    // on an error, returning drops the set, which aborts the other readers
    while let Some(done) = readers.join_next().await {
        frames.extend(done??);
    }
    let mut take = |input: Input| -> Result<DataFrame> {
        let at = frames.iter().position(|(i, _)| *i == input);
        at.map(|at| frames.swap_remove(at).1)
            .ok_or_else(|| Error::Column {
                column: format!("{input:?}"),
                reason: "input not read".into(),
            })
    };
    Ok(Data {
        orders: take(Input::Orders)?,
        lines: take(Input::Lines)?,
        carriers: take(Input::Carriers)?,
        customers: take(Input::Customers)?,
        payment_failures: take(Input::PaymentFailures)?,
        failed_baskets: take(Input::FailedBaskets)?,
        abandoned: take(Input::Abandoned)?,
    })
}

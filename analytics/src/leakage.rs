//! Profit leakage by driver, each broken down by category, carrier, region and
//! channel. Amounts come from the KPI views, so every driver's total equals
//! the views' figure (refunds ex tax, discount-heavy orders, loss orders, the
//! two lost-revenue estimates) and every breakdown sums to its total.

use polars::prelude::*;

use crate::frame::{f64s, i64s, strs};
use crate::load::Data;
use crate::Result;

/// An order's shipping overruns when it costs more than this multiple of the
/// period's shipping-cost-to-revenue ratio times the order's revenue.
pub const SHIPPING_OVERRUN_FACTOR: f64 = 1.5;

/// One row of the leakage table.
#[derive(Debug, Clone, PartialEq)]
pub struct Leak {
    pub driver: &'static str,
    pub dimension: &'static str,
    pub dim_value: String,
    pub amount_usd: f64,
    pub occurrences: i64,
}

/// Sums `amount` over the rows where it is non-zero, in total and per dimension;
/// occurrences count the distinct `key`s.
fn breakdown(
    out: &mut Vec<Leak>,
    driver: &'static str,
    df: LazyFrame,
    amount: Expr,
    key: &str,
    dims: &[&'static str],
    with_total: bool,
) -> Result<()> {
    let df = df
        .with_column(amount.alias("amount"))
        .filter(col("amount").neq(lit(0.0)))
        .collect()?;
    if with_total {
        out.push(Leak {
            driver,
            dimension: "total",
            dim_value: "all".into(),
            amount_usd: f64s(&df, "amount")?.iter().sum(),
            occurrences: df.column(key)?.n_unique()? as i64,
        });
    }
    for &dim in dims {
        let g = df
            .clone()
            .lazy()
            .group_by([col(dim)])
            .agg([
                col("amount").sum(),
                col(key).n_unique().cast(DataType::Int64).alias("n"),
            ])
            .sort([dim], SortMultipleOptions::default())
            .collect()?;
        let values = strs(&g, dim)?;
        let amounts = f64s(&g, "amount")?;
        let counts = i64s(&g, "n")?;
        for i in 0..values.len() {
            out.push(Leak {
                driver,
                dimension: dim,
                dim_value: values[i].clone(),
                amount_usd: amounts[i],
                occurrences: counts[i],
            });
        }
    }
    Ok(())
}

/// Every driver; see docs/analytics.md for the definitions.
pub fn leakage(d: &Data) -> Result<Vec<Leak>> {
    let mut out = Vec::new();
    let (orders, lines) = order_frames(d)?;
    for (driver, on_orders, on_lines) in order_drivers() {
        breakdown(
            &mut out,
            driver,
            orders.clone(),
            on_orders,
            "order_id",
            ORDER_DIMS,
            true,
        )?;
        breakdown(
            &mut out,
            driver,
            lines.clone(),
            on_lines,
            "order_id",
            &["category"],
            false,
        )?;
    }
    lost_baskets(&mut out, d)?;
    loss_products(&mut out, d)?;
    loss_customers(&mut out, d)?;
    Ok(out)
}

/// The dimensions of an order-level driver (its lines are broken down by category).
const ORDER_DIMS: &[&str] = &["carrier", "region", "channel"];

fn zero() -> Expr {
    lit(0.0)
}

/// The orders with their carrier and shipping overrun, and their lines with
/// the order-level flags the line-level amounts need.
fn order_frames(d: &Data) -> Result<(LazyFrame, LazyFrame)> {
    let net = f64s(&d.orders, "net_revenue_usd")?.iter().sum::<f64>();
    let ship = f64s(&d.orders, "shipping_cost_usd")?.iter().sum::<f64>();
    let ratio = if net > 0.0 { ship / net } else { 0.0 };
    let budget = SHIPPING_OVERRUN_FACTOR * ratio;
    let excess = col("shipping_cost_usd") - col("net_revenue_usd") * lit(budget);
    let overrun = when(excess.clone().gt(lit(0.0)))
        .then(excess)
        .otherwise(zero());
    let orders = d
        .orders
        .clone()
        .lazy()
        .join(
            d.carriers.clone().lazy(),
            [col("order_id")],
            [col("order_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("carrier").fill_null(lit("NONE")))
        .with_column(overrun.alias("overrun"));
    let lines = d.lines.clone().lazy().join(
        orders.clone().select([
            col("order_id"),
            col("discount_heavy"),
            col("loss_order"),
            col("shipping_cost_usd"),
            col("overrun"),
        ]),
        [col("order_id")],
        [col("order_id")],
        JoinArgs::new(JoinType::Inner),
    );
    Ok((orders, lines))
}

/// The order-level drivers: each one's amount on an order and on a line.
fn order_drivers() -> [(&'static str, Expr, Expr); 4] {
    let heavy = |amount: &str| {
        when(col("discount_heavy"))
            .then(col(amount))
            .otherwise(zero())
    };
    let loss = |amount: &str| when(col("loss_order")).then(-col(amount)).otherwise(zero());
    let line_overrun = when(col("shipping_cost_usd").gt(lit(0.0)))
        .then(col("overrun") * col("alloc_shipping_cost_usd") / col("shipping_cost_usd"))
        .otherwise(zero());
    [
        (
            "refunds",
            col("refund_ex_tax_usd"),
            col("line_refund_ex_tax_usd"),
        ),
        (
            "discount_heavy_orders",
            heavy("discount_usd"),
            heavy("line_discount_usd"),
        ),
        ("shipping_overrun", col("overrun"), line_overrun),
        (
            "loss_orders",
            loss("net_profit_usd"),
            loss("line_net_profit_usd"),
        ),
    ]
}

/// Revenue lost to failed payments and to abandoned carts, by basket line.
fn lost_baskets(out: &mut Vec<Leak>, d: &Data) -> Result<()> {
    let dims = &["category", "carrier", "region", "channel"];
    let failed = d
        .failed_baskets
        .clone()
        .lazy()
        .with_column(lit("NONE").alias("carrier"));
    breakdown(
        out,
        "payment_failures",
        failed,
        col("lost_usd"),
        "order_id",
        dims,
        true,
    )?;
    let abandoned = d
        .abandoned
        .clone()
        .lazy()
        .with_column(lit("NONE").alias("carrier"))
        .with_row_index("line", None);
    breakdown(
        out,
        "cart_abandonment",
        abandoned,
        col("lost_usd"),
        "line",
        dims,
        true,
    )
}

/// The loss of the products whose lines lost money over the period.
fn loss_products(out: &mut Vec<Leak>, d: &Data) -> Result<()> {
    let products = d
        .lines
        .clone()
        .lazy()
        .group_by([col("product_id"), col("category")])
        .agg([col("line_net_profit_usd").sum().alias("profit")]);
    let loss = when(col("profit").lt(lit(0.0)))
        .then(-col("profit"))
        .otherwise(zero());
    breakdown(
        out,
        "loss_products",
        products,
        loss,
        "product_id",
        &["category"],
        true,
    )
}

/// The loss of the customers whose orders lost money over the period.
fn loss_customers(out: &mut Vec<Leak>, d: &Data) -> Result<()> {
    let customers = d
        .orders
        .clone()
        .lazy()
        .group_by([col("customer_id")])
        .agg([col("net_profit_usd").sum().alias("profit")])
        .join(
            d.customers.clone().lazy().select([
                col("customer_id"),
                col("region"),
                col("acquisition_channel").alias("channel"),
            ]),
            [col("customer_id")],
            [col("customer_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("region").fill_null(lit("UNKNOWN")),
            col("channel").fill_null(lit("UNKNOWN")),
        ]);
    let loss = when(col("profit").lt(lit(0.0)))
        .then(-col("profit"))
        .otherwise(zero());
    breakdown(
        out,
        "loss_customers",
        customers,
        loss,
        "customer_id",
        &["region", "channel"],
        true,
    )
}

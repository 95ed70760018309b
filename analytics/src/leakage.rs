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
        .with_column(col("carrier").fill_null(lit("NONE")));
    let net = f64s(&d.orders, "net_revenue_usd")?.iter().sum::<f64>();
    let ship = f64s(&d.orders, "shipping_cost_usd")?.iter().sum::<f64>();
    let ratio = if net > 0.0 { ship / net } else { 0.0 };
    let budget = SHIPPING_OVERRUN_FACTOR * ratio;
    let excess = col("shipping_cost_usd") - col("net_revenue_usd") * lit(budget);
    let overrun = when(excess.clone().gt(lit(0.0)))
        .then(excess)
        .otherwise(lit(0.0));
    let orders = orders.with_column(overrun.alias("overrun"));
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
    let order_dims: &[&'static str] = &["carrier", "region", "channel"];
    let zero = || lit(0.0);

    breakdown(
        &mut out,
        "refunds",
        orders.clone(),
        col("refund_ex_tax_usd"),
        "order_id",
        order_dims,
        true,
    )?;
    breakdown(
        &mut out,
        "refunds",
        lines.clone(),
        col("line_refund_ex_tax_usd"),
        "order_id",
        &["category"],
        false,
    )?;

    let heavy = |amount: &str| {
        when(col("discount_heavy"))
            .then(col(amount))
            .otherwise(zero())
    };
    breakdown(
        &mut out,
        "discount_heavy_orders",
        orders.clone(),
        heavy("discount_usd"),
        "order_id",
        order_dims,
        true,
    )?;
    breakdown(
        &mut out,
        "discount_heavy_orders",
        lines.clone(),
        heavy("line_discount_usd"),
        "order_id",
        &["category"],
        false,
    )?;

    breakdown(
        &mut out,
        "shipping_overrun",
        orders.clone(),
        col("overrun"),
        "order_id",
        order_dims,
        true,
    )?;
    let line_overrun = when(col("shipping_cost_usd").gt(lit(0.0)))
        .then(col("overrun") * col("alloc_shipping_cost_usd") / col("shipping_cost_usd"))
        .otherwise(zero());
    breakdown(
        &mut out,
        "shipping_overrun",
        lines.clone(),
        line_overrun,
        "order_id",
        &["category"],
        false,
    )?;

    let loss = |amount: &str| when(col("loss_order")).then(-col(amount)).otherwise(zero());
    breakdown(
        &mut out,
        "loss_orders",
        orders.clone(),
        loss("net_profit_usd"),
        "order_id",
        order_dims,
        true,
    )?;
    breakdown(
        &mut out,
        "loss_orders",
        lines.clone(),
        loss("line_net_profit_usd"),
        "order_id",
        &["category"],
        false,
    )?;

    let failed = d
        .failed_baskets
        .clone()
        .lazy()
        .with_column(lit("NONE").alias("carrier"));
    breakdown(
        &mut out,
        "payment_failures",
        failed,
        col("lost_usd"),
        "order_id",
        &["category", "carrier", "region", "channel"],
        true,
    )?;

    let abandoned = d
        .abandoned
        .clone()
        .lazy()
        .with_column(lit("NONE").alias("carrier"))
        .with_row_index("line", None);
    breakdown(
        &mut out,
        "cart_abandonment",
        abandoned,
        col("lost_usd"),
        "line",
        &["category", "carrier", "region", "channel"],
        true,
    )?;

    let products = d
        .lines
        .clone()
        .lazy()
        .group_by([col("product_id"), col("category")])
        .agg([col("line_net_profit_usd").sum().alias("profit")]);
    let product_loss = when(col("profit").lt(lit(0.0)))
        .then(-col("profit"))
        .otherwise(zero());
    breakdown(
        &mut out,
        "loss_products",
        products,
        product_loss,
        "product_id",
        &["category"],
        true,
    )?;

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
    let customer_loss = when(col("profit").lt(lit(0.0)))
        .then(-col("profit"))
        .otherwise(zero());
    breakdown(
        &mut out,
        "loss_customers",
        customers,
        customer_loss,
        "customer_id",
        &["region", "channel"],
        true,
    )?;
    Ok(out)
}

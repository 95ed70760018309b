//! Churn features and labels of a snapshot: everything known before a cutoff
//! day, and whether the customer ordered in the window after it.

use std::collections::{HashMap, HashSet};

use polars::prelude::*;

use crate::frame::{f64s, i32s, i64s};
use crate::Result;

/// Feature names, in column order.
pub const FEATURES: [&str; 9] = [
    "log_recency_days",
    "log_frequency",
    "log_monetary_usd",
    "log_tenure_days",
    "avg_order_value_usd",
    "return_rate",
    "log_payment_failures",
    "discount_share",
    "app_share",
];

/// Customers known at a cutoff, their features and (when the window is
/// complete) their label.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub cutoff: i32,
    pub customer_ids: Vec<i64>,
    pub recency_days: Vec<i32>,
    pub frequency: Vec<i64>,
    pub trailing_year_usd: Vec<f64>,
    /// Row-major, `FEATURES.len()` columns.
    pub x: Vec<[f64; FEATURES.len()]>,
    /// No completed order in `[cutoff, cutoff + window)`.
    pub churned: Vec<bool>,
}

/// Builds the snapshot at `cutoff` from the orders and failed payments,
/// labelling churn over `window` days after it.
pub fn snapshot(
    orders: &DataFrame,
    failures: &DataFrame,
    cutoff: i32,
    window: i32,
) -> Result<Snapshot> {
    let before = orders
        .clone()
        .lazy()
        .filter(col("order_day").lt(lit(cutoff)))
        .group_by([col("customer_id")])
        .agg([
            col("order_day").min().alias("first_day"),
            col("order_day").max().alias("last_day"),
            col("order_id")
                .n_unique()
                .cast(DataType::Int64)
                .alias("frequency"),
            col("net_revenue_usd").sum().alias("monetary"),
            col("net_revenue_usd")
                .filter(col("order_day").gt_eq(lit(cutoff - 365)))
                .sum()
                .alias("trailing_year"),
            col("gross_usd").sum().alias("gross"),
            col("discount_usd").sum().alias("discount"),
            col("item_lines").sum().alias("item_lines"),
            col("returned_lines").sum().alias("returned_lines"),
            col("channel")
                .eq(lit("APP"))
                .cast(DataType::Float64)
                .mean()
                .alias("app_share"),
        ])
        .sort(["customer_id"], SortMultipleOptions::default())
        .collect()?;
    let after: HashSet<i64> = i64s(
        &orders
            .clone()
            .lazy()
            .filter(
                col("order_day")
                    .gt_eq(lit(cutoff))
                    .and(col("order_day").lt(lit(cutoff + window))),
            )
            .select([col("customer_id").unique()])
            .collect()?,
        "customer_id",
    )?
    .into_iter()
    .collect();
    let fails: HashMap<i64, i64> = {
        let f = failures
            .clone()
            .lazy()
            .filter(col("payment_day").lt(lit(cutoff)))
            .group_by([col("customer_id")])
            .agg([col("failed_payments").sum()])
            .collect()?;
        i64s(&f, "customer_id")?
            .into_iter()
            .zip(i64s(&f, "failed_payments")?)
            .collect()
    };
    let ids = i64s(&before, "customer_id")?;
    let first = i32s(&before, "first_day")?;
    let last = i32s(&before, "last_day")?;
    let freq = i64s(&before, "frequency")?;
    let money = f64s(&before, "monetary")?;
    let trailing = f64s(&before, "trailing_year")?;
    let gross = f64s(&before, "gross")?;
    let discount = f64s(&before, "discount")?;
    let lines = f64s(&before, "item_lines")?;
    let returned = f64s(&before, "returned_lines")?;
    let app = f64s(&before, "app_share")?;
    let mut s = Snapshot {
        cutoff,
        ..Snapshot::default()
    };
    for i in 0..ids.len() {
        let recency = cutoff - last[i];
        let f = freq[i] as f64;
        let failed = fails.get(&ids[i]).copied().unwrap_or(0) as f64;
        s.x.push([
            f64::from(recency).ln_1p(),
            f.ln_1p(),
            money[i].max(0.0).ln_1p(),
            f64::from(cutoff - first[i]).ln_1p(),
            money[i] / f.max(1.0),
            if lines[i] > 0.0 {
                returned[i] / lines[i]
            } else {
                0.0
            },
            failed.ln_1p(),
            if gross[i] > 0.0 {
                discount[i] / gross[i]
            } else {
                0.0
            },
            app[i],
        ]);
        s.customer_ids.push(ids[i]);
        s.recency_days.push(recency);
        s.frequency.push(freq[i]);
        s.trailing_year_usd.push(trailing[i]);
        s.churned.push(!after.contains(&ids[i]));
    }
    Ok(s)
}

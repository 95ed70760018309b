//! Monthly acquisition cohorts: the month of a customer's first completed
//! order, and how many of the cohort order again in each month after it.

use polars::prelude::*;

use crate::frame::{f64s, i32s, i64s, month_of};
use crate::Result;

/// One cell of the long form.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Months since January 1970 (see [`crate::frame::month_start`]).
    pub cohort_month: i32,
    pub month_offset: i32,
    pub cohort_size: i64,
    pub active_customers: i64,
    pub retention_rate: f64,
    pub net_revenue_usd: f64,
}

/// One row of the matrix: retention by month offset, 0 up to the as-of month
/// (offsets without activity are 0).
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    pub cohort_month: i32,
    pub cohort_size: i64,
    pub retention: Vec<f64>,
}

/// The cohorts in long form (only cells with activity) and as a matrix.
pub fn cohorts(orders: &DataFrame, last_month: i32) -> Result<(Vec<Cell>, Vec<MatrixRow>)> {
    let days = i32s(orders, "order_day")?;
    let months: Vec<i32> = days.iter().map(|&d| month_of(d)).collect();
    let with_month = orders
        .select(["customer_id", "net_revenue_usd"])?
        .hstack(&[Column::new("month".into(), months)])?;
    let lf = with_month.lazy();
    let first = lf
        .clone()
        .group_by([col("customer_id")])
        .agg([col("month").min().alias("cohort")]);
    let cells = lf
        .join(
            first,
            [col("customer_id")],
            [col("customer_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column((col("month") - col("cohort")).alias("offset"))
        .group_by([col("cohort"), col("offset")])
        .agg([
            col("customer_id")
                .n_unique()
                .cast(DataType::Int64)
                .alias("active"),
            col("net_revenue_usd").sum().alias("revenue"),
        ])
        .sort(["cohort", "offset"], SortMultipleOptions::default())
        .collect()?;
    let cohort = i32s(&cells, "cohort")?;
    let offset = i32s(&cells, "offset")?;
    let active = i64s(&cells, "active")?;
    let revenue = f64s(&cells, "revenue")?;
    let mut long = Vec::with_capacity(cohort.len());
    let mut matrix: Vec<MatrixRow> = Vec::new();
    for i in 0..cohort.len() {
        if offset[i] == 0 {
            matrix.push(MatrixRow {
                cohort_month: cohort[i],
                cohort_size: active[i],
                retention: vec![0.0; (last_month - cohort[i] + 1).max(1) as usize],
            });
        }
        let Some(row) = matrix.last_mut().filter(|r| r.cohort_month == cohort[i]) else {
            continue;
        };
        let rate = active[i] as f64 / row.cohort_size as f64;
        if let Some(slot) = row.retention.get_mut(offset[i] as usize) {
            *slot = rate;
        }
        long.push(Cell {
            cohort_month: cohort[i],
            month_offset: offset[i],
            cohort_size: row.cohort_size,
            active_customers: active[i],
            retention_rate: rate,
            net_revenue_usd: revenue[i],
        });
    }
    Ok((long, matrix))
}

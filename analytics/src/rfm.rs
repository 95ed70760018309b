//! RFM as the reference computes it: recency, frequency and monetary value per
//! customer over completed orders, quintile scores, `rfm_score = 100R + 10F + M`
//! and its 5 named segments.

use polars::prelude::*;

use crate::frame::{f64s, i32s, i64s};
use crate::Result;

/// One customer's RFM.
#[derive(Debug, Clone, PartialEq)]
pub struct Rfm {
    pub customer_id: i64,
    pub first_day: i32,
    pub last_day: i32,
    pub recency_days: i32,
    pub frequency: i64,
    pub monetary_usd: f64,
    pub r_score: i16,
    pub f_score: i16,
    pub m_score: i16,
    pub rfm_score: i16,
    pub segment: &'static str,
}

/// The reference's segments, from R and F only (M is not used, as there).
pub fn segment(r: i16, f: i16) -> &'static str {
    match (r, f) {
        (r, f) if r >= 4 && f >= 4 => "Champions",
        (r, f) if r >= 4 && f <= 2 => "New Customers",
        (r, f) if r <= 2 && f >= 4 => "At Risk Loyal",
        (r, f) if r <= 2 && f <= 2 => "Lost",
        _ => "Potential Loyalist",
    }
}

/// The segment names, in display order.
pub const SEGMENTS: [&str; 5] = [
    "Champions",
    "Potential Loyalist",
    "New Customers",
    "At Risk Loyal",
    "Lost",
];

/// Quantile with linear interpolation between order statistics (pandas' default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// pandas `qcut(x, 5)` bins 1..=5: edges at the 0, 20, …, 100 % quantiles, bin i
/// holds (edge[i−1], edge[i]], the first bin also its lower edge. Equal edges
/// (heavy ties) send the tied values to the lowest bin they fall in.
pub fn quintiles(values: &[f64]) -> Vec<i16> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let edges: Vec<f64> = (1..5).map(|i| quantile(&sorted, i as f64 / 5.0)).collect();
    values
        .iter()
        .map(|v| 1 + edges.iter().filter(|e| v > e).count() as i16)
        .collect()
}

/// Ranks 1..n in order of value, ties by order of appearance (pandas `rank(method="first")`).
pub fn rank_first(values: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut rank = vec![0.0; values.len()];
    for (r, i) in idx.into_iter().enumerate() {
        rank[i] = (r + 1) as f64;
    }
    rank
}

/// Per-customer aggregates of the completed orders (one polars group-by).
pub fn customer_frame(orders: &DataFrame) -> Result<DataFrame> {
    Ok(orders
        .clone()
        .lazy()
        .group_by([col("customer_id")])
        .agg([
            col("order_day").min().alias("first_day"),
            col("order_day").max().alias("last_day"),
            col("order_id")
                .n_unique()
                .cast(DataType::Int64)
                .alias("frequency"),
            col("net_revenue_usd").sum().alias("monetary_usd"),
        ])
        .sort(["customer_id"], SortMultipleOptions::default())
        .collect()?)
}

/// RFM of every customer with a completed order, measured at `as_of_day`
/// (recency = as_of − last order day, in days). Sorted by customer id.
pub fn rfm(orders: &DataFrame, as_of_day: i32) -> Result<Vec<Rfm>> {
    let c = customer_frame(orders)?;
    let ids = i64s(&c, "customer_id")?;
    let first = i32s(&c, "first_day")?;
    let last = i32s(&c, "last_day")?;
    let freq = i64s(&c, "frequency")?;
    let money = f64s(&c, "monetary_usd")?;
    let recency: Vec<i32> = last.iter().map(|l| as_of_day - l).collect();
    // R: qcut on recency with labels 5..1 (recent = 5).
    let r_bins = quintiles(&recency.iter().map(|&r| f64::from(r)).collect::<Vec<_>>());
    let f_bins = quintiles(&rank_first(
        &freq.iter().map(|&f| f as f64).collect::<Vec<_>>(),
    ));
    let m_bins = quintiles(&money);
    Ok((0..ids.len())
        .map(|i| {
            let (r, f, m) = (6 - r_bins[i], f_bins[i], m_bins[i]);
            Rfm {
                customer_id: ids[i],
                first_day: first[i],
                last_day: last[i],
                recency_days: recency[i],
                frequency: freq[i],
                monetary_usd: money[i],
                r_score: r,
                f_score: f,
                m_score: m,
                rfm_score: 100 * r + 10 * f + m,
                segment: segment(r, f),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_of_ten_distinct_values_put_two_in_each_bin() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quintiles(&v), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn rank_first_breaks_ties_by_position() {
        assert_eq!(rank_first(&[3.0, 1.0, 3.0, 2.0]), vec![3.0, 1.0, 4.0, 2.0]);
    }
}

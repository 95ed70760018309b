//! Outlier flags: IQR fences and z-scores on orders, customers and days of
//! revenue, and augurs' MAD detector across the category series.
//!
//! The reference flagged values above Q3 + 1.5·IQR even when IQR = 0 (a
//! measure that is 0 for most customers, such as refunds), which flags every
//! customer with any refund. Here an IQR of 0 means the rule is undefined:
//! nothing is flagged by it and the run summary says so.

use augurs::outlier::{MADDetector, OutlierDetector};
use polars::prelude::*;

use crate::forecast::Series;
use crate::frame::{date_of, f64s, i64s};
use crate::rfm::quantile;
use crate::{Error, Result};

/// IQR fence multiplier.
pub const IQR_K: f64 = 1.5;
/// |z| from which a value is flagged.
pub const Z_LIMIT: f64 = 3.0;
/// Sensitivity of augurs' MAD detector (0–1).
pub const MAD_SENSITIVITY: f64 = 0.5;

/// One flagged value.
#[derive(Debug, Clone, PartialEq)]
pub struct Outlier {
    pub entity: &'static str,
    pub entity_key: String,
    pub metric: &'static str,
    pub method: &'static str,
    pub value: f64,
    pub score: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// What a rule did on one measure.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleSummary {
    pub entity: &'static str,
    pub metric: &'static str,
    pub method: &'static str,
    pub flagged: usize,
    /// The rule is undefined on this data (IQR or standard deviation of 0).
    pub degenerate: bool,
}

/// Q1 − k·IQR and Q3 + k·IQR, or `None` when IQR = 0 (or fewer than 4 values).
pub fn iqr_fences(values: &[f64]) -> Option<(f64, f64)> {
    if values.len() < 4 {
        return None;
    }
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    let (q1, q3) = (quantile(&s, 0.25), quantile(&s, 0.75));
    let iqr = q3 - q1;
    (iqr > 0.0).then_some((q1 - IQR_K * iqr, q3 + IQR_K * iqr))
}

/// Mean and population standard deviation, or `None` when it is 0.
pub fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    if values.len() < 2 {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    (sd > 0.0).then_some((mean, sd))
}

/// Collects flags of one measure; `upper_only` for measures where only highs matter.
pub struct Flagger<'a> {
    pub out: &'a mut Vec<Outlier>,
    pub summary: &'a mut Vec<RuleSummary>,
}

impl Flagger<'_> {
    pub fn iqr(
        &mut self,
        entity: &'static str,
        metric: &'static str,
        keys: &[String],
        v: &[f64],
        upper_only: bool,
    ) {
        let fences = iqr_fences(v);
        let mut flagged = 0;
        if let Some((lo, hi)) = fences {
            let width = (hi - lo) / (1.0 + 2.0 * IQR_K);
            for (k, &x) in keys.iter().zip(v) {
                let beyond = if x > hi {
                    x - hi
                } else if !upper_only && x < lo {
                    lo - x
                } else {
                    continue;
                };
                flagged += 1;
                self.out.push(Outlier {
                    entity,
                    entity_key: k.clone(),
                    metric,
                    method: "iqr",
                    value: x,
                    score: beyond / width,
                    lower: (!upper_only).then_some(lo),
                    upper: Some(hi),
                });
            }
        }
        self.summary.push(RuleSummary {
            entity,
            metric,
            method: "iqr",
            flagged,
            degenerate: fences.is_none(),
        });
    }

    pub fn zscore(
        &mut self,
        entity: &'static str,
        metric: &'static str,
        keys: &[String],
        v: &[f64],
    ) {
        let stats = mean_sd(v);
        let mut flagged = 0;
        if let Some((mean, sd)) = stats {
            for (k, &x) in keys.iter().zip(v) {
                let z = (x - mean) / sd;
                if z.abs() >= Z_LIMIT {
                    flagged += 1;
                    self.out.push(Outlier {
                        entity,
                        entity_key: k.clone(),
                        metric,
                        method: "zscore",
                        value: x,
                        score: z.abs(),
                        lower: Some(mean - Z_LIMIT * sd),
                        upper: Some(mean + Z_LIMIT * sd),
                    });
                }
            }
        }
        self.summary.push(RuleSummary {
            entity,
            metric,
            method: "zscore",
            flagged,
            degenerate: stats.is_none(),
        });
    }
}

/// Every outlier rule of a run.
pub fn outliers(
    orders: &DataFrame,
    revenue: &Series,
    categories: &[Series],
) -> Result<(Vec<Outlier>, Vec<RuleSummary>)> {
    let mut out = Vec::new();
    let mut summary = Vec::new();
    let mut f = Flagger {
        out: &mut out,
        summary: &mut summary,
    };

    let keys: Vec<String> = i64s(orders, "order_id")?
        .iter()
        .map(i64::to_string)
        .collect();
    let net = f64s(orders, "net_revenue_usd")?;
    let gross = f64s(orders, "gross_usd")?;
    let disc = f64s(orders, "discount_usd")?;
    let share: Vec<f64> = gross
        .iter()
        .zip(&disc)
        .map(|(g, d)| if *g > 0.0 { d / g } else { 0.0 })
        .collect();
    f.iqr("order", "net_revenue_usd", &keys, &net, false);
    f.zscore("order", "net_revenue_usd", &keys, &net);
    f.iqr("order", "discount_share", &keys, &share, true);

    let per_customer = orders
        .clone()
        .lazy()
        .with_column(
            when(col("gross_usd").gt(lit(0.0)))
                .then(col("discount_usd") / col("gross_usd"))
                .otherwise(lit(0.0))
                .alias("share"),
        )
        .group_by([col("customer_id")])
        .agg([
            col("refund_ex_tax_usd").sum().alias("refunds"),
            col("share").mean().alias("avg_share"),
        ])
        .sort(["customer_id"], SortMultipleOptions::default())
        .collect()?;
    let ckeys: Vec<String> = i64s(&per_customer, "customer_id")?
        .iter()
        .map(i64::to_string)
        .collect();
    f.iqr(
        "customer",
        "refund_ex_tax_usd",
        &ckeys,
        &f64s(&per_customer, "refunds")?,
        true,
    );
    f.iqr(
        "customer",
        "avg_discount_share",
        &ckeys,
        &f64s(&per_customer, "avg_share")?,
        true,
    );

    let dkeys: Vec<String> = (0..revenue.values.len())
        .map(|i| date_of(revenue.first_day + i as i32).to_string())
        .collect();
    f.iqr("day", "net_revenue_usd", &dkeys, &revenue.values, false);
    f.zscore("day", "net_revenue_usd", &dkeys, &revenue.values);

    mad_categories(&mut out, &mut summary, categories)?;
    Ok((out, summary))
}

/// augurs' MAD detector across the category series, each scaled by its own
/// mean so that categories of different size compare: a category whose daily
/// units depart from the others' is flagged on those days.
fn mad_categories(
    out: &mut Vec<Outlier>,
    summary: &mut Vec<RuleSummary>,
    categories: &[Series],
) -> Result<()> {
    let usable: Vec<(&Series, Vec<f64>)> = categories
        .iter()
        .filter_map(|s| {
            let mean = s.values.iter().sum::<f64>() / s.values.len().max(1) as f64;
            (mean > 0.0).then(|| (s, s.values.iter().map(|v| v / mean).collect()))
        })
        .collect();
    let mut flagged = 0;
    let mut degenerate = usable.len() < 3;
    if !degenerate {
        let data: Vec<&[f64]> = usable.iter().map(|(_, v)| v.as_slice()).collect();
        let detector = MADDetector::with_sensitivity(MAD_SENSITIVITY)
            .map_err(|e| Error::model("augurs MAD", e))?;
        // MAD is undefined on some data (e.g. a median absolute deviation of 0): no flags then
        let result = match detector.preprocess(&data).and_then(|p| detector.detect(&p)) {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(error = %e, "augurs MAD detector not applicable");
                degenerate = true;
                augurs::outlier::OutlierOutput::new(Vec::new(), None)
            }
        };
        for ((s, scaled), r) in usable.iter().zip(&result.series_results) {
            for iv in &r.outlier_intervals.intervals {
                let end = iv.end.unwrap_or(scaled.len()).min(scaled.len());
                for (t, &value) in scaled.iter().enumerate().take(end).skip(iv.start) {
                    flagged += 1;
                    out.push(Outlier {
                        entity: "category_day",
                        entity_key: format!(
                            "{}|{}",
                            s.name.trim_start_matches("units:"),
                            date_of(s.first_day + t as i32)
                        ),
                        metric: "units_index",
                        method: "augurs_mad",
                        value,
                        score: r.scores.get(t).copied().unwrap_or(0.0),
                        lower: None,
                        upper: None,
                    });
                }
            }
        }
    }
    summary.push(RuleSummary {
        entity: "category_day",
        metric: "units_index",
        method: "augurs_mad",
        flagged,
        degenerate,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(values: &[f64]) -> (Vec<Outlier>, Vec<RuleSummary>) {
        let keys: Vec<String> = (0..values.len()).map(|i| i.to_string()).collect();
        let (mut out, mut summary) = (Vec::new(), Vec::new());
        Flagger {
            out: &mut out,
            summary: &mut summary,
        }
        .iqr("customer", "refund_ex_tax_usd", &keys, values, true);
        (out, summary)
    }

    #[test]
    fn an_iqr_of_zero_flags_nobody_instead_of_everyone_above_zero() {
        // 8 customers without refunds, 2 with: Q1 = Q3 = 0, the reference flagged both
        let (out, summary) = flag(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 12.0, 30.0]);
        assert!(out.is_empty());
        assert!(summary[0].degenerate);
    }

    #[test]
    fn a_value_beyond_the_upper_fence_is_flagged() {
        // 1..8 and 100: Q1 = 3, Q3 = 7, IQR = 4, fence 7 + 6 = 13
        let (out, summary) = flag(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 100.0]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].entity_key, "8");
        assert_eq!(out[0].upper, Some(13.0));
        assert!(!summary[0].degenerate);
    }
}

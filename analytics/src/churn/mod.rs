//! Churn: the reference's 90-day rule, and a logistic-regression model of the
//! same label trained on a time-based split.
//!
//! Label at a cutoff day c: no completed order in `[c, c + 90)`. Training
//! snapshot at `as_of − 180` (its label window ends where the holdout's
//! starts), holdout snapshot at `as_of − 90` (label window ends at as_of).
//! The holdout AUC and calibration measure the model; the customers are then
//! scored with a model refitted on the holdout snapshot (the latest complete
//! labels) from their features at as_of.

mod features;
mod model;

pub use features::{snapshot, Snapshot, FEATURES};
pub use model::{auc, calibration, CalibrationBin, Model};

use polars::prelude::DataFrame;

use crate::Result;

/// Days without a completed order that make a customer churned.
pub const WINDOW: i32 = 90;

/// What the churn step produced.
#[derive(Debug, Clone, Default)]
pub struct Churn {
    pub status: &'static str,
    pub reason: Option<String>,
    pub train_cutoff: Option<i32>,
    pub holdout_cutoff: Option<i32>,
    pub train_customers: usize,
    pub holdout_customers: usize,
    pub train_churn_rate: Option<f64>,
    pub holdout_churn_rate: Option<f64>,
    pub holdout_auc: Option<f64>,
    pub coefficients: Option<serde_json::Value>,
    pub calibration: Vec<CalibrationBin>,
    pub scores: Vec<Score>,
}

/// One customer's risk at as_of.
#[derive(Debug, Clone)]
pub struct Score {
    pub customer_id: i64,
    pub churn_probability: Option<f64>,
    pub rule_churned: bool,
    pub recency_days: i32,
    pub frequency: i64,
    pub trailing_year_revenue_usd: f64,
    pub revenue_at_risk_usd: Option<f64>,
    pub risk_rank: Option<usize>,
}

fn rate(y: &[bool]) -> Option<f64> {
    (!y.is_empty()).then(|| y.iter().filter(|&&c| c).count() as f64 / y.len() as f64)
}

fn both_classes(y: &[bool]) -> bool {
    y.iter().any(|&c| c) && y.iter().any(|&c| !c)
}

/// Trains, measures and scores; `as_of` is an epoch day.
pub fn run(orders: &DataFrame, failures: &DataFrame, as_of: i32) -> Result<Churn> {
    let now = snapshot(orders, failures, as_of, WINDOW)?;
    let train = snapshot(orders, failures, as_of - 2 * WINDOW, WINDOW)?;
    let holdout = snapshot(orders, failures, as_of - WINDOW, WINDOW)?;
    let mut out = Churn {
        status: "skipped",
        train_cutoff: Some(train.cutoff),
        holdout_cutoff: Some(holdout.cutoff),
        train_customers: train.customer_ids.len(),
        holdout_customers: holdout.customer_ids.len(),
        train_churn_rate: rate(&train.churned),
        holdout_churn_rate: rate(&holdout.churned),
        ..Churn::default()
    };
    let mut probabilities = None;
    if !both_classes(&train.churned) || !both_classes(&holdout.churned) {
        out.reason = Some(format!(
            "both classes are needed in the training ({} customers) and holdout ({} customers) snapshots: \
             the history must span more than {} days with customers who churn and who stay",
            train.customer_ids.len(),
            holdout.customer_ids.len(),
            2 * WINDOW
        ));
    } else {
        let m = Model::fit(&train.x, &train.churned)?;
        let p = m.predict(&holdout.x);
        out.holdout_auc = auc(&p, &holdout.churned);
        out.calibration = calibration(&p, &holdout.churned);
        out.coefficients = Some(m.coefficients());
        let latest = Model::fit(&holdout.x, &holdout.churned)?;
        probabilities = Some(latest.predict(&now.x));
        out.status = "trained";
    }
    out.scores = (0..now.customer_ids.len())
        .map(|i| {
            let p = probabilities.as_ref().map(|p| p[i]);
            Score {
                customer_id: now.customer_ids[i],
                churn_probability: p,
                rule_churned: now.recency_days[i] > WINDOW,
                recency_days: now.recency_days[i],
                frequency: now.frequency[i],
                trailing_year_revenue_usd: now.trailing_year_usd[i],
                revenue_at_risk_usd: p.map(|p| p * now.trailing_year_usd[i]),
                risk_rank: None,
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..out.scores.len())
        .filter(|&i| out.scores[i].revenue_at_risk_usd.is_some())
        .collect();
    order.sort_by(|&a, &b| {
        let ra = out.scores[a].revenue_at_risk_usd.unwrap_or(0.0);
        let rb = out.scores[b].revenue_at_risk_usd.unwrap_or(0.0);
        rb.total_cmp(&ra)
            .then(out.scores[a].customer_id.cmp(&out.scores[b].customer_id))
    });
    for (rank, i) in order.into_iter().enumerate() {
        out.scores[i].risk_rank = Some(rank + 1);
    }
    Ok(out)
}

//! What a run computed (written to Postgres) and what it reports back.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::churn::Churn;
use crate::cohorts::{Cell, MatrixRow};
use crate::forecast::SeriesForecast;
use crate::kmeans::Clustering;
use crate::leakage::Leak;
use crate::outliers::{Outlier, RuleSummary};
use crate::rfm::Rfm;

/// Everything a run computed, before it is written.
pub struct Results {
    pub as_of_day: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i64,
    pub params: serde_json::Value,
    pub summary: serde_json::Value,
    pub rfm: Vec<Rfm>,
    pub clustering: Clustering,
    pub churn: Churn,
    pub cohorts: Vec<Cell>,
    pub cohort_matrix: Vec<MatrixRow>,
    pub leakage: Vec<Leak>,
    pub outliers: Vec<Outlier>,
    pub outlier_rules: Vec<RuleSummary>,
    pub forecasts: Vec<SeriesForecast>,
}

/// The chosen forecast model of a series and its backtest accuracy.
#[derive(Debug, Clone, Serialize)]
pub struct ForecastChoice {
    pub series: String,
    pub model: String,
    pub mase: Option<f64>,
    pub smape: Option<f64>,
    pub coverage_95: Option<f64>,
    pub seasonal_naive_mase: Option<f64>,
}

/// Headline figures of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run_id: i64,
    pub as_of: NaiveDate,
    pub orders: usize,
    pub order_lines: usize,
    pub customers: usize,
    pub segments: BTreeMap<String, usize>,
    pub kmeans_k: Option<usize>,
    pub kmeans_silhouette: Option<f64>,
    pub churn_status: String,
    pub churn_holdout_auc: Option<f64>,
    pub churn_rule_churned: usize,
    pub cohorts: usize,
    pub leakage_totals: BTreeMap<String, f64>,
    pub outliers: usize,
    pub forecasts: Vec<ForecastChoice>,
    /// Seconds per step: load, compute, write.
    pub timings: BTreeMap<String, f64>,
    pub duration_seconds: f64,
    /// Where the order, line and abandoned-cart inputs were read from.
    pub source: crate::load::Source,
}

impl RunReport {
    /// Builds the report (without run id and timings) from the results.
    pub fn from_results(r: &Results, as_of: NaiveDate, orders: usize, lines: usize) -> RunReport {
        let mut segments = BTreeMap::new();
        for c in &r.rfm {
            *segments.entry(c.segment.to_string()).or_default() += 1;
        }
        let chosen = r.clustering.scores.iter().find(|s| s.chosen);
        RunReport {
            run_id: 0,
            source: crate::load::Source::Views,
            as_of,
            orders,
            order_lines: lines,
            customers: r.rfm.len(),
            segments,
            kmeans_k: chosen.map(|s| s.k),
            kmeans_silhouette: chosen.map(|s| s.silhouette),
            churn_status: r.churn.status.to_string(),
            churn_holdout_auc: r.churn.holdout_auc,
            churn_rule_churned: r.churn.scores.iter().filter(|s| s.rule_churned).count(),
            cohorts: r.cohort_matrix.len(),
            leakage_totals: r
                .leakage
                .iter()
                .filter(|l| l.dimension == "total")
                .map(|l| (l.driver.to_string(), l.amount_usd))
                .collect(),
            outliers: r.outliers.len(),
            forecasts: r
                .forecasts
                .iter()
                .map(|f| {
                    let best = f.backtest.iter().find(|s| s.chosen);
                    ForecastChoice {
                        series: f.series.name.clone(),
                        model: f.model.to_string(),
                        mase: best.and_then(|s| s.mase),
                        smape: best.map(|s| s.smape),
                        coverage_95: best.map(|s| s.coverage_95),
                        seasonal_naive_mase: f
                            .backtest
                            .iter()
                            .find(|s| s.model == "seasonal_naive")
                            .and_then(|s| s.mase),
                    }
                })
                .collect(),
            timings: BTreeMap::new(),
            duration_seconds: 0.0,
        }
    }
}

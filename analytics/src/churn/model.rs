//! Logistic regression (linfa) on standardised features, and its measures:
//! ROC AUC and a calibration table.

use linfa::prelude::*;
use linfa_logistic::{FittedLogisticRegression, LogisticRegression};
use ndarray::{Array1, Array2};

use super::features::FEATURES;
use crate::{Error, Result};

/// L2 penalty of the logistic regression.
pub const ALPHA: f64 = 0.01;

/// A fitted model with the standardisation it was fitted on.
pub struct Model {
    mean: Vec<f64>,
    sd: Vec<f64>,
    fitted: FittedLogisticRegression<f64, bool>,
}

fn matrix(x: &[[f64; FEATURES.len()]], mean: &[f64], sd: &[f64]) -> Array2<f64> {
    let mut m = Array2::zeros((x.len(), FEATURES.len()));
    for (i, row) in x.iter().enumerate() {
        for j in 0..FEATURES.len() {
            m[[i, j]] = (row[j] - mean[j]) / sd[j];
        }
    }
    m
}

impl Model {
    /// Fits P(churned) on `x`; both classes must be present.
    pub fn fit(x: &[[f64; FEATURES.len()]], y: &[bool]) -> Result<Model> {
        let n = x.len() as f64;
        let mean: Vec<f64> = (0..FEATURES.len())
            .map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n)
            .collect();
        let sd: Vec<f64> = (0..FEATURES.len())
            .map(|j| {
                let v = x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
                if v > 1e-12 {
                    v.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        let ds = Dataset::new(matrix(x, &mean, &sd), Array1::from(y.to_vec()));
        let fitted = LogisticRegression::default()
            .alpha(ALPHA)
            .max_iterations(200)
            .fit(&ds)
            .map_err(|e| Error::model("logistic regression", e))?;
        Ok(Model { mean, sd, fitted })
    }

    /// linfa models the probability of the more frequent class: true when that is "churned".
    fn churn_is_modelled(&self) -> bool {
        self.fitted.labels().pos.class
    }

    /// P(churned) for each row.
    pub fn predict(&self, x: &[[f64; FEATURES.len()]]) -> Vec<f64> {
        if x.is_empty() {
            return Vec::new();
        }
        let p = self
            .fitted
            .predict_probabilities(&matrix(x, &self.mean, &self.sd));
        if self.churn_is_modelled() {
            p.to_vec()
        } else {
            p.iter().map(|q| 1.0 - q).collect()
        }
    }

    /// Intercept then one coefficient per feature (log-odds of churn per
    /// standard deviation), by name.
    pub fn coefficients(&self) -> serde_json::Value {
        let sign = if self.churn_is_modelled() { 1.0 } else { -1.0 };
        let mut m = serde_json::Map::new();
        m.insert("intercept".into(), (sign * self.fitted.intercept()).into());
        for (name, c) in FEATURES.iter().zip(self.fitted.params().iter()) {
            m.insert((*name).into(), (sign * *c).into());
        }
        serde_json::Value::Object(m)
    }
}

/// ROC AUC by the rank-sum (Mann–Whitney) formula, ties counted half; `None`
/// when one class is missing.
pub fn auc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = avg;
        }
        i = j + 1;
    }
    let n_pos = positive.iter().filter(|&&p| p).count() as f64;
    let n_neg = positive.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return None;
    }
    let rank_sum: f64 = ranks
        .iter()
        .zip(positive)
        .filter(|(_, &p)| p)
        .map(|(r, _)| r)
        .sum();
    Some((rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg))
}

/// One bin of the calibration table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CalibrationBin {
    pub bin: usize,
    pub customers: usize,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// Deciles of predicted probability (equal counts): mean prediction against
/// the observed rate. Fewer bins when there are fewer than 10 rows.
pub fn calibration(p: &[f64], y: &[bool]) -> Vec<CalibrationBin> {
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let bins = 10.min(p.len());
    (0..bins)
        .filter_map(|b| {
            let lo = b * p.len() / bins;
            let hi = (b + 1) * p.len() / bins;
            let members = &idx[lo..hi];
            if members.is_empty() {
                return None;
            }
            let n = members.len() as f64;
            Some(CalibrationBin {
                bin: b + 1,
                customers: members.len(),
                mean_predicted: members.iter().map(|&i| p[i]).sum::<f64>() / n,
                observed_rate: members.iter().filter(|&&i| y[i]).count() as f64 / n,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_is_one_for_a_perfect_ranking_and_half_for_ties() {
        assert_eq!(
            auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]),
            Some(1.0)
        );
        assert_eq!(auc(&[0.5; 4], &[false, true, false, true]), Some(0.5));
        assert_eq!(auc(&[0.5, 0.6], &[true, true]), None);
    }
}

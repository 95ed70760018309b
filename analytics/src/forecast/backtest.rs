//! Rolling-origin backtest: the last `folds × horizon` days are cut into
//! `folds` windows; for each, every model is fitted on all days before the
//! window and scored on it.

use super::models::{predict, Model, Prediction, WEEK};

/// Accuracy of one model on one series, averaged over the folds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Score {
    pub model: &'static str,
    pub folds: usize,
    pub horizon: usize,
    pub mape: Option<f64>,
    pub smape: f64,
    pub mase: Option<f64>,
    pub coverage_80: f64,
    pub coverage_95: f64,
    pub chosen: bool,
}

/// Errors of one window.
#[derive(Debug, Clone, Default)]
pub struct Errors {
    pub abs: Vec<f64>,
    pub ape: Vec<f64>,
    pub sape: Vec<f64>,
    pub in80: usize,
    pub in95: usize,
}

/// In-sample MAE of the weekly seasonal-naive forecast: the MASE scale.
pub fn mase_scale(train: &[f64]) -> Option<f64> {
    if train.len() <= WEEK {
        return None;
    }
    let d: Vec<f64> = (WEEK..train.len())
        .map(|t| (train[t] - train[t - WEEK]).abs())
        .collect();
    let s = d.iter().sum::<f64>() / d.len() as f64;
    (s > 0.0).then_some(s)
}

/// Compares a prediction with the actuals.
pub fn errors(p: &Prediction, actual: &[f64]) -> Errors {
    let mut e = Errors::default();
    for (h, &a) in actual.iter().enumerate() {
        let f = p.point[h];
        let err = (a - f).abs();
        e.abs.push(err);
        if a != 0.0 {
            e.ape.push(err / a.abs());
        }
        let denom = a.abs() + f.abs();
        e.sape
            .push(if denom > 0.0 { 2.0 * err / denom } else { 0.0 });
        e.in80 += usize::from(a >= p.lower_80[h] && a <= p.upper_80[h]);
        e.in95 += usize::from(a >= p.lower_95[h] && a <= p.upper_95[h]);
    }
    e
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Folds that fit: as many as asked while at least `min_train` days remain before the first window.
pub fn folds_for(n: usize, horizon: usize, wanted: usize, min_train: usize) -> usize {
    (0..=wanted)
        .rev()
        .find(|&k| n >= k * horizon + min_train)
        .unwrap_or(0)
}

/// Backtests every model that can run on `y`; models that fail on a fold are left out.
pub fn backtest(y: &[f64], horizon: usize, folds: usize) -> Vec<Score> {
    let n = y.len();
    let mut out = Vec::new();
    for model in Model::ALL {
        let mut abs_scaled = Vec::new();
        let (mut ape, mut sape) = (Vec::new(), Vec::new());
        let (mut in80, mut in95, mut count, mut ok) = (0, 0, 0, true);
        for k in (1..=folds).rev() {
            let origin = n - k * horizon;
            let (train, test) = (&y[..origin], &y[origin..origin + horizon]);
            let Ok(p) = predict(model, train, horizon) else {
                ok = false;
                break;
            };
            let e = errors(&p, test);
            if let Some(scale) = mase_scale(train) {
                abs_scaled.extend(e.abs.iter().map(|a| a / scale));
            }
            ape.extend(e.ape);
            sape.extend(e.sape);
            in80 += e.in80;
            in95 += e.in95;
            count += test.len();
        }
        if !ok || count == 0 {
            continue;
        }
        out.push(Score {
            model: model.name(),
            folds,
            horizon,
            mape: mean(&ape),
            smape: mean(&sape).unwrap_or(0.0),
            mase: mean(&abs_scaled),
            coverage_80: in80 as f64 / count as f64,
            coverage_95: in95 as f64 / count as f64,
            chosen: false,
        });
    }
    out
}

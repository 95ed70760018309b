//! The candidate models: two baselines (weekly seasonal naive, linear trend on
//! the time index as in the reference) and two augurs models (AutoETS with a
//! weekly season, MSTL with weekly — and yearly once two years exist — seasons
//! and an AutoETS trend). Each yields a point forecast with 80 % and 95 %
//! intervals.

use augurs::ets::AutoETS;
use augurs::mstl::MSTLModel;
use augurs::{Fit, Forecast, Predict};

use crate::{Error, Result};

/// Weekly season length, days.
pub const WEEK: usize = 7;
/// Yearly season length, days.
pub const YEAR: usize = 365;
const Z80: f64 = 1.281_551_565_5;
const Z95: f64 = 1.959_963_985;

/// A candidate model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    SeasonalNaive,
    LinearTrend,
    Ets,
    MstlEts,
}

impl Model {
    pub const ALL: [Model; 4] = [
        Model::SeasonalNaive,
        Model::LinearTrend,
        Model::Ets,
        Model::MstlEts,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Model::SeasonalNaive => "seasonal_naive",
            Model::LinearTrend => "linear_trend",
            Model::Ets => "auto_ets_weekly",
            Model::MstlEts => "mstl_auto_ets",
        }
    }

    /// Shortest history the model accepts.
    pub fn min_len(self) -> usize {
        match self {
            Model::SeasonalNaive => WEEK + 1,
            Model::LinearTrend => 3,
            Model::Ets | Model::MstlEts => 3 * WEEK,
        }
    }
}

/// A forecast with both intervals.
#[derive(Debug, Clone, Default)]
pub struct Prediction {
    pub point: Vec<f64>,
    pub lower_80: Vec<f64>,
    pub upper_80: Vec<f64>,
    pub lower_95: Vec<f64>,
    pub upper_95: Vec<f64>,
}

impl Prediction {
    fn from_sd(point: Vec<f64>, sd: impl Fn(usize) -> f64) -> Prediction {
        let band = |z: f64, sign: f64| -> Vec<f64> {
            point
                .iter()
                .enumerate()
                .map(|(h, p)| p + sign * z * sd(h))
                .collect()
        };
        Prediction {
            lower_80: band(Z80, -1.0),
            upper_80: band(Z80, 1.0),
            lower_95: band(Z95, -1.0),
            upper_95: band(Z95, 1.0),
            point,
        }
    }
}

fn intervals(f: &Forecast) -> (Vec<f64>, Vec<f64>) {
    match &f.intervals {
        Some(i) => (i.lower.clone(), i.upper.clone()),
        None => (f.point.clone(), f.point.clone()),
    }
}

fn augurs_predict<F: Fit>(model: &F, name: &str, y: &[f64], horizon: usize) -> Result<Prediction>
where
    F::Error: std::fmt::Display,
    <F::Fitted as Predict>::Error: std::fmt::Display,
{
    let fitted = model.fit(y).map_err(|e| Error::model(name, e))?;
    let f80 = fitted
        .predict(horizon, 0.80)
        .map_err(|e| Error::model(name, e))?;
    let f95 = fitted
        .predict(horizon, 0.95)
        .map_err(|e| Error::model(name, e))?;
    let (lower_80, upper_80) = intervals(&f80);
    let (lower_95, upper_95) = intervals(&f95);
    Ok(Prediction {
        point: f80.point,
        lower_80,
        upper_80,
        lower_95,
        upper_95,
    })
}

/// Fits `model` on `y` and forecasts `horizon` steps.
pub fn predict(model: Model, y: &[f64], horizon: usize) -> Result<Prediction> {
    if y.len() < model.min_len() {
        return Err(Error::model(
            model.name(),
            format!("needs {} days, has {}", model.min_len(), y.len()),
        ));
    }
    match model {
        Model::SeasonalNaive => Ok(seasonal_naive(y, horizon)),
        Model::LinearTrend => Ok(linear_trend(y, horizon)),
        Model::Ets => {
            let m = AutoETS::new(WEEK, "ZZZ").map_err(|e| Error::model(model.name(), e))?;
            augurs_predict(&m, model.name(), y, horizon)
        }
        Model::MstlEts => {
            let periods = if y.len() >= 2 * YEAR {
                vec![WEEK, YEAR]
            } else {
                vec![WEEK]
            };
            let m = MSTLModel::new(periods, AutoETS::non_seasonal().into_trend_model());
            augurs_predict(&m, model.name(), y, horizon)
        }
    }
}

/// Same weekday last week; the interval widens with the number of weeks ahead,
/// from the in-sample standard deviation of the weekly differences.
pub fn seasonal_naive(y: &[f64], horizon: usize) -> Prediction {
    let n = y.len();
    let diffs: Vec<f64> = (WEEK..n).map(|t| y[t] - y[t - WEEK]).collect();
    let sd = (diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len().max(1) as f64).sqrt();
    let point = (0..horizon).map(|h| y[n - WEEK + h % WEEK]).collect();
    Prediction::from_sd(point, |h| sd * ((h / WEEK + 1) as f64).sqrt())
}

/// Least squares on the time index (the reference's model), with the usual
/// prediction interval of a simple regression.
pub fn linear_trend(y: &[f64], horizon: usize) -> Prediction {
    let n = y.len() as f64;
    let tbar = (n - 1.0) / 2.0;
    let ybar = y.iter().sum::<f64>() / n;
    let sxx: f64 = (0..y.len()).map(|t| (t as f64 - tbar).powi(2)).sum();
    let sxy: f64 = y
        .iter()
        .enumerate()
        .map(|(t, v)| (t as f64 - tbar) * (v - ybar))
        .sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let icpt = ybar - slope * tbar;
    let sse: f64 = y
        .iter()
        .enumerate()
        .map(|(t, v)| (v - icpt - slope * t as f64).powi(2))
        .sum();
    let s = (sse / (n - 2.0).max(1.0)).sqrt();
    let point = (0..horizon)
        .map(|h| icpt + slope * (n + h as f64))
        .collect();
    Prediction::from_sd(point, |h| {
        let t = n + h as f64;
        s * (1.0 + 1.0 / n + (t - tbar).powi(2) / sxx.max(1e-12)).sqrt()
    })
}

//! Forecasting daily net revenue and daily units per category, 30 days ahead
//! with 80 % and 95 % intervals. Every candidate is backtested on rolling
//! origins; the one with the lowest MASE (sMAPE when MASE is undefined) is
//! refitted on the whole series and used.

mod backtest;
mod models;

pub use backtest::{backtest, errors, folds_for, mase_scale, Score};
pub use models::{linear_trend, predict, seasonal_naive, Model, Prediction};

use polars::prelude::*;

use crate::frame::{f64s, i32s, strs};
use crate::Result;

/// Days forecast.
pub const HORIZON: usize = 30;
/// Rolling origins of the backtest.
pub const FOLDS: usize = 3;
/// Days of history a backtest keeps before its first window.
pub const MIN_TRAIN: usize = 8 * 7;

/// A daily series from `first_day` (epoch day), gaps filled with 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub first_day: i32,
    pub values: Vec<f64>,
}

/// The forecast of one series.
#[derive(Debug, Clone)]
pub struct SeriesForecast {
    pub series: Series,
    pub model: &'static str,
    pub prediction: Prediction,
    pub backtest: Vec<Score>,
}

fn fill(name: String, days: &[i32], values: &[f64], first: i32, end: i32) -> Series {
    let mut v = vec![0.0; (end - first).max(0) as usize];
    for (d, x) in days.iter().zip(values) {
        if (first..end).contains(d) {
            v[(d - first) as usize] += x;
        }
    }
    Series {
        name,
        first_day: first,
        values: v,
    }
}

/// Daily net revenue of completed orders over `[first order day, end)`.
pub fn revenue_series(orders: &DataFrame, end: i32) -> Result<Series> {
    let days = i32s(orders, "order_day")?;
    let first = days.iter().copied().min().unwrap_or(end);
    Ok(fill(
        "revenue".into(),
        &days,
        &f64s(orders, "net_revenue_usd")?,
        first,
        end,
    ))
}

/// Daily units sold per category, over the same days as the revenue.
pub fn category_series(lines: &DataFrame, first: i32, end: i32) -> Result<Vec<Series>> {
    let g = lines
        .clone()
        .lazy()
        .group_by([col("category"), col("order_day")])
        .agg([col("qty").sum().cast(DataType::Float64).alias("units")])
        .sort(["category", "order_day"], SortMultipleOptions::default())
        .collect()?;
    let cats = strs(&g, "category")?;
    let days = i32s(&g, "order_day")?;
    let units = f64s(&g, "units")?;
    let mut out: Vec<Series> = Vec::new();
    let mut start = 0;
    for i in 1..=cats.len() {
        if i == cats.len() || cats[i] != cats[start] {
            out.push(fill(
                format!("units:{}", cats[start]),
                &days[start..i],
                &units[start..i],
                first,
                end,
            ));
            start = i;
        }
    }
    Ok(out)
}

/// Backtests, chooses and forecasts one series; `None` when it is too short for any model.
pub fn forecast(series: &Series, horizon: usize) -> Option<SeriesForecast> {
    let y = &series.values;
    let folds = folds_for(y.len(), horizon, FOLDS, MIN_TRAIN);
    let mut scores = if folds > 0 {
        backtest(y, horizon, folds)
    } else {
        Vec::new()
    };
    let key = |s: &Score| s.mase.unwrap_or(f64::INFINITY);
    let best = scores
        .iter()
        .enumerate()
        .min_by(|a, b| {
            key(a.1)
                .total_cmp(&key(b.1))
                .then(a.1.smape.total_cmp(&b.1.smape))
        })
        .map(|(i, _)| i);
    let chosen = match best {
        Some(i) => {
            scores[i].chosen = true;
            Model::ALL
                .into_iter()
                .find(|m| m.name() == scores[i].model)?
        }
        None => Model::ALL.into_iter().find(|m| y.len() >= m.min_len())?,
    };
    let (model, prediction) = [chosen, Model::SeasonalNaive, Model::LinearTrend]
        .into_iter()
        .find_map(|m| predict(m, y, horizon).ok().map(|p| (m, p)))?;
    Some(SeriesForecast {
        series: series.clone(),
        model: model.name(),
        prediction,
        backtest: scores,
    })
}

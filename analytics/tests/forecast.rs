//! Forecasting on a synthetic series whose weekly seasonality and trend are known.

use globalcart_analytics::forecast::{errors, forecast, mase_scale, Series};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// 100 + 0.8·t + a weekly pattern (weekend peak) + Gaussian-ish noise (sd ≈ 4).
fn synthetic(n: usize, seed: u64) -> Vec<f64> {
    let week = [0.0, -5.0, -8.0, -3.0, 6.0, 25.0, 18.0];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|t| {
            // sum of 12 uniforms − 6 ≈ N(0, 1)
            let z: f64 = (0..12).map(|_| rng.gen::<f64>()).sum::<f64>() - 6.0;
            100.0 + 0.8 * t as f64 + week[t % 7] + 4.0 * z
        })
        .collect()
}

#[test]
fn the_chosen_model_beats_seasonal_naive_and_its_95_interval_covers_the_holdout() {
    const HOLDOUT: usize = 30;
    let y = synthetic(400, 42);
    let (train, holdout) = y.split_at(y.len() - HOLDOUT);
    let series = Series {
        name: "synthetic".into(),
        first_day: 0,
        values: train.to_vec(),
    };
    let f = forecast(&series, HOLDOUT).expect("a forecast");

    // the choice comes from the backtest: the chosen model has the lowest MASE there,
    // below the seasonal-naive baseline's
    let chosen = f
        .backtest
        .iter()
        .find(|s| s.chosen)
        .expect("a chosen model");
    assert_eq!(chosen.model, f.model);
    let naive = f
        .backtest
        .iter()
        .find(|s| s.model == "seasonal_naive")
        .expect("the baseline ran");
    assert!(
        chosen.mase.unwrap() < naive.mase.unwrap(),
        "{} vs {}",
        chosen.mase.unwrap(),
        naive.mase.unwrap()
    );
    assert_ne!(f.model, "seasonal_naive");

    // on the untouched holdout: MASE below 1 (better than the in-sample weekly naive)
    // and at least 90 % of the actuals inside the 95 % interval
    let e = errors(&f.prediction, holdout);
    let mase = e.abs.iter().sum::<f64>() / e.abs.len() as f64 / mase_scale(train).unwrap();
    assert!(mase < 1.0, "holdout MASE {mase} with {}", f.model);
    let coverage = e.in95 as f64 / HOLDOUT as f64;
    assert!(
        coverage >= 0.9,
        "95 % interval covered {coverage} with {}",
        f.model
    );
    // intervals are nested around the point
    for h in 0..HOLDOUT {
        let p = &f.prediction;
        assert!(p.lower_95[h] <= p.lower_80[h] && p.lower_80[h] <= p.point[h]);
        assert!(p.point[h] <= p.upper_80[h] && p.upper_80[h] <= p.upper_95[h]);
    }
}

#[test]
fn a_series_too_short_for_a_backtest_still_gets_a_baseline_forecast() {
    let series = Series {
        name: "short".into(),
        first_day: 0,
        values: synthetic(20, 1),
    };
    let f = forecast(&series, 30).expect("a forecast");
    assert!(f.backtest.is_empty());
    assert_eq!(f.prediction.point.len(), 30);
}

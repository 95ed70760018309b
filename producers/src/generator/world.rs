//! The generated world (geographies, centres, catalog, customers, id counters)
//! and the calendar that gives order volume its weekly and yearly shape.

use chrono::{Datelike, NaiveDate, Weekday};
use rand::Rng;

use super::catalog::Catalog;
use super::customers::Customers;
use super::geo::{build_geos, Fcs, Geo};
use super::util::{from_cumulative, Rng8, DAY, HOUR};
use super::{GeneratorConfig, PresetSize};

/// The next id of each entity.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ids {
    pub order: i64,
    pub item: i64,
    pub payment: i64,
    pub shipment: i64,
    pub ret: i64,
    /// Counter of sessions not tied to an order (`s-x<n>-...`).
    pub session: i64,
}

/// Everything orders are made of, plus the id counters.
pub(crate) struct World {
    pub size: PresetSize,
    /// The window: `[start, end)` in microseconds.
    pub start: i64,
    pub end: i64,
    pub geos: Vec<Geo>,
    pub fcs: Fcs,
    pub catalog: Catalog,
    pub customers: Customers,
    pub ids: Ids,
}

impl World {
    /// Builds the world of `cfg` with every id starting at `id_base`.
    pub(crate) fn new(rng: &mut Rng8, cfg: &GeneratorConfig, id_base: i64) -> World {
        let size = cfg.preset.size();
        let end = window_end(cfg);
        let start = end - 365 * DAY;
        let geos = build_geos(rng, size.geos, id_base);
        let fcs = Fcs::build(rng, size.fcs, &geos, id_base);
        let catalog = Catalog::build(rng, size.products, id_base, start);
        let customers = Customers::build(rng, size.customers, geos.len(), id_base, (start, end));
        World {
            size,
            start,
            end,
            geos,
            fcs,
            catalog,
            customers,
            ids: Ids {
                order: id_base,
                item: id_base,
                payment: id_base,
                shipment: id_base,
                ret: id_base,
                session: id_base,
            },
        }
    }
}

/// `end_date` 00:00 UTC in microseconds (`NaiveDate::default()` is 1970-01-01).
pub(crate) fn window_end(cfg: &GeneratorConfig) -> i64 {
    cfg.end_date
        .signed_duration_since(NaiveDate::default())
        .num_days()
        * DAY
}

/// Relative order volume of a day: mild upward trend over the window, weekend
/// uplift and a November/December peak.
pub(crate) fn intensity(day: i32, progress: f64) -> f64 {
    let date = NaiveDate::default()
        .checked_add_days(chrono::Days::new(day.max(0) as u64))
        .unwrap_or_default();
    let weekly = match date.weekday() {
        Weekday::Mon => 0.95,
        Weekday::Tue => 0.92,
        Weekday::Wed => 0.94,
        Weekday::Thu => 0.98,
        Weekday::Fri => 1.08,
        Weekday::Sat => 1.24,
        Weekday::Sun => 1.2,
    };
    let monthly = match date.month() {
        1 => 0.92,
        2 => 0.9,
        3 | 4 => 0.97,
        5 | 8 => 1.0,
        6 => 1.03,
        7 => 1.05,
        9 => 0.98,
        10 => 1.08,
        11 => 1.3,
        _ => 1.4,
    };
    (1.0 + 0.25 * progress) * weekly * monthly
}

/// How many units of each kind happen on each day of the window.
pub(crate) struct Calendar {
    pub orders: Vec<u32>,
    pub browse: Vec<u32>,
    pub abandon: Vec<u32>,
    pub prices: Vec<u32>,
}

impl Calendar {
    /// Spreads exact totals over `days` days: orders and sessions follow the
    /// intensity (with day-to-day noise), price changes are uniform.
    pub(crate) fn build(rng: &mut Rng8, first_day: i32, days: usize, totals: [u64; 4]) -> Calendar {
        let weights: Vec<f64> = (0..days)
            .map(|d| {
                let noise = rng.gen_range(0.9..1.1);
                intensity(first_day + d as i32, d as f64 / days as f64) * noise
            })
            .collect();
        let flat = vec![1.0; days];
        Calendar {
            orders: allocate(rng, &weights, totals[0]),
            browse: allocate(rng, &weights, totals[1]),
            abandon: allocate(rng, &weights, totals[2]),
            prices: allocate(rng, &flat, totals[3]),
        }
    }
}

/// Splits `total` over the weights by systematic sampling (exact total, each
/// count within one of its expectation).
fn allocate(rng: &mut Rng8, weights: &[f64], total: u64) -> Vec<u32> {
    let sum: f64 = weights.iter().sum();
    let u: f64 = rng.gen();
    let (mut acc, mut prev, mut out) = (0.0, 0u64, Vec::with_capacity(weights.len()));
    for w in weights {
        acc += total as f64 * w / sum;
        let c = ((acc + u).floor() as u64).min(total);
        out.push((c - prev.min(c)) as u32);
        prev = prev.max(c);
    }
    let given: u64 = out.iter().map(|&c| u64::from(c)).sum();
    if let Some(last) = out.last_mut() {
        *last = (u64::from(*last) + total.saturating_sub(given)) as u32;
    }
    out
}

/// Relative traffic by hour of day (UTC): quiet nights, evening peak.
const HOURLY: [f64; 24] = [
    0.35, 0.25, 0.2, 0.2, 0.25, 0.35, 0.5, 0.7, 0.9, 1.0, 1.05, 1.1, 1.15, 1.15, 1.1, 1.1, 1.15,
    1.25, 1.35, 1.4, 1.35, 1.15, 0.85, 0.55,
];

/// A random moment of the day starting at `day_start`, shaped by [`HOURLY`].
pub(crate) fn moment(rng: &mut Rng8, day_start: i64) -> i64 {
    let mut cum = [0.0; 24];
    let mut acc = 0.0;
    for (c, w) in cum.iter_mut().zip(HOURLY) {
        acc += w;
        *c = acc;
    }
    let hour = from_cumulative(rng, &cum).unwrap_or(12) as i64;
    day_start + hour * HOUR + rng.gen_range(0..HOUR)
}

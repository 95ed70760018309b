//! Small helpers: time units, deterministic UUIDs and weighted picks.

use chrono::{DateTime, Datelike};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The one random generator of the module (seeded, never from the OS).
pub(crate) type Rng8 = ChaCha8Rng;

pub(crate) const SEC: i64 = 1_000_000;
pub(crate) const MIN: i64 = 60 * SEC;
pub(crate) const HOUR: i64 = 60 * MIN;
pub(crate) const DAY: i64 = 24 * HOUR;

/// A UUID string drawn from the seeded generator.
pub(crate) fn uuid<R: Rng + ?Sized>(rng: &mut R) -> String {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    uuid::Builder::from_random_bytes(rng.gen())
        .into_uuid()
        .hyphenated()
        .encode_lower(&mut buf)
        .to_owned()
}

/// A uniformly chosen element of a non-empty constant slice.
pub(crate) fn pick<T: Copy, R: Rng + ?Sized>(rng: &mut R, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

/// An element chosen with probability proportional to its weight.
pub(crate) fn weighted<T: Copy, R: Rng + ?Sized>(rng: &mut R, items: &[(T, f64)]) -> T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen::<f64>() * total;
    for &(item, w) in items {
        if x < w {
            return item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// A uniform duration in `[lo, hi]` (same unit as the bounds).
pub(crate) fn span<R: Rng + ?Sized>(rng: &mut R, lo: i64, hi: i64) -> i64 {
    rng.gen_range(lo..=hi)
}

/// Days since the Unix epoch of a microsecond timestamp.
pub(crate) fn day_of(ts_us: i64) -> i32 {
    ts_us.div_euclid(DAY) as i32
}

/// Calendar month (1-12, UTC) of a microsecond timestamp.
pub(crate) fn month_of(ts_us: i64) -> u32 {
    DateTime::from_timestamp_micros(ts_us).map_or(1, |d| d.month())
}

/// An index drawn from cumulative weights (`cum` ascending, last = total).
pub(crate) fn from_cumulative<R: Rng + ?Sized>(rng: &mut R, cum: &[f64]) -> Option<usize> {
    let total = *cum.last()?;
    if total <= 0.0 {
        return None;
    }
    let x = rng.gen::<f64>() * total;
    Some(cum.partition_point(|&c| c <= x).min(cum.len() - 1))
}

/// `value` scaled by `factor`, rounded to whole minor units.
pub(crate) fn scale(value: i64, factor: f64) -> i64 {
    (value as f64 * factor).round() as i64
}

/// A pseudo-random lowercase hex suffix of 8 characters.
pub(crate) fn hex8<R: Rng + ?Sized>(rng: &mut R) -> String {
    format!("{:08x}", rng.gen::<u32>())
}

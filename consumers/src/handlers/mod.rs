//! One handler per topic: each turns the batch's newest events into column arrays
//! and runs its tables' one-statement upserts.
//!
//! Money travels as minor units (`bigint`) and is divided by 100 in SQL, so
//! numeric values are exact; times are microseconds since the epoch.

pub mod clickstream;
pub mod customers;
pub mod orders;
pub mod payments;
pub mod products;
pub mod returns;
pub mod shipments;

use chrono::{DateTime, NaiveDate, Utc};

/// Rows a handler wrote: inserted, updated, and skipped (stale or duplicate).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub inserted: u64,
    pub updated: u64,
    pub skipped: u64,
}

impl Counts {
    /// Counts of an upsert of `offered` rows that returned `(inserted, updated)`.
    pub fn of(offered: usize, (inserted, updated): (u64, u64)) -> Counts {
        Counts {
            inserted,
            updated,
            skipped: (offered as u64).saturating_sub(inserted + updated),
        }
    }

    pub fn add(&mut self, other: Counts) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.skipped += other.skipped;
    }
}

/// Microseconds since the epoch as a timestamp.
pub fn ts(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Days since the epoch as a date.
pub fn date(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap_or(NaiveDate::MIN)
}

/// The event id as a UUID (validated when decoded).
pub fn uuid(s: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(s).unwrap_or_default()
}

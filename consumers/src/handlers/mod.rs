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

/// What a handler did with its topic's events (one row of the topic's main table
/// per event), plus the rows it wrote to companion tables (order lines, geos, FCs).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub inserted: u64,
    pub updated: u64,
    /// Not written: the same event was already stored.
    pub duplicates: u64,
    /// Not written: a newer version was already stored.
    pub stale: u64,
    /// Rows written to companion tables.
    pub companion_rows: u64,
}

impl Counts {
    /// Counts of an upsert of `offered` rows that returned `(inserted, updated, duplicates)`.
    pub fn of(offered: usize, (inserted, updated, duplicates): (u64, u64, u64)) -> Counts {
        Counts {
            inserted,
            updated,
            duplicates,
            stale: (offered as u64).saturating_sub(inserted + updated + duplicates),
            companion_rows: 0,
        }
    }

    /// Adds the rows of a companion table's upsert.
    pub fn with_companion(mut self, (inserted, updated, _): (u64, u64, u64)) -> Counts {
        self.companion_rows += inserted + updated;
        self
    }

    pub fn add(&mut self, other: Counts) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.duplicates += other.duplicates;
        self.stale += other.stale;
        self.companion_rows += other.companion_rows;
    }

    /// Rows written, all tables.
    pub fn rows_written(&self) -> u64 {
        self.inserted + self.updated + self.companion_rows
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

//! The values reconcile compares, typed as the warehouse stores them: read from
//! an event or from a PostgreSQL row into the same type, so equal means equal,
//! and shown the way a person reads them in a difference.

use chrono::{DateTime, NaiveDate, Utc};
use tokio_postgres::types::{FromSql, Type};

type SqlError = Box<dyn std::error::Error + Sync + Send>;

/// A value as shown in a difference.
pub trait Show {
    fn show(&self) -> String;
}

impl Show for i64 {
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Show for i32 {
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Show for bool {
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Show for String {
    fn show(&self) -> String {
        format!("{self:?}")
    }
}

impl<T: Show> Show for Option<T> {
    fn show(&self) -> String {
        self.as_ref().map_or_else(|| "null".into(), Show::show)
    }
}

/// A point in time, microseconds since the epoch (`timestamptz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Micros(pub i64);

impl Show for Micros {
    fn show(&self) -> String {
        DateTime::from_timestamp_micros(self.0).map_or_else(
            || format!("{} µs", self.0),
            |t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        )
    }
}

impl<'a> FromSql<'a> for Micros {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, SqlError> {
        DateTime::<Utc>::from_sql(ty, raw).map(|t| Micros(t.timestamp_micros()))
    }
    fn accepts(ty: &Type) -> bool {
        <DateTime<Utc> as FromSql>::accepts(ty)
    }
}

/// Money in minor units (hundredths): the events carry it so, the warehouse
/// query multiplies its `numeric(14,2)` by 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(pub i64);

/// `cents` as a decimal amount (`-12.05`).
pub fn amount(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

impl Show for Cents {
    fn show(&self) -> String {
        amount(self.0.into())
    }
}

impl<'a> FromSql<'a> for Cents {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, SqlError> {
        i64::from_sql(ty, raw).map(Cents)
    }
    fn accepts(ty: &Type) -> bool {
        <i64 as FromSql>::accepts(ty)
    }
}

/// A calendar day, days since 1970-01-01 (`date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

impl Show for Day {
    fn show(&self) -> String {
        NaiveDate::from_num_days_from_ce_opt(self.0 + EPOCH_DAYS_FROM_CE)
            .map_or_else(|| format!("day {}", self.0), |d| d.to_string())
    }
}

impl<'a> FromSql<'a> for Day {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, SqlError> {
        use chrono::Datelike;
        NaiveDate::from_sql(ty, raw).map(|d| Day(d.num_days_from_ce() - EPOCH_DAYS_FROM_CE))
    }
    fn accepts(ty: &Type) -> bool {
        <NaiveDate as FromSql>::accepts(ty)
    }
}

/// An event id (`uuid`), ordered as PostgreSQL orders uuids (byte by byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId(pub u128);

impl EventId {
    /// Parses the event's id (validated as a UUID when decoded; an unparsable
    /// one becomes the nil id, as the loader stores it).
    pub fn parse(s: &str) -> EventId {
        EventId(uuid::Uuid::parse_str(s).map_or(0, |u| u.as_u128()))
    }
}

impl Show for EventId {
    fn show(&self) -> String {
        uuid::Uuid::from_u128(self.0).to_string()
    }
}

impl<'a> FromSql<'a> for EventId {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, SqlError> {
        uuid::Uuid::from_sql(ty, raw).map(|u| EventId(u.as_u128()))
    }
    fn accepts(ty: &Type) -> bool {
        <uuid::Uuid as FromSql>::accepts(ty)
    }
}

/// An entity version: the newer `(updated_at, event_id)` wins, as in the
/// upserts' `where (excluded.updated_at, excluded.event_id) > (t.updated_at, t.event_id)`.
pub type Version = (Micros, EventId);

/// What a column adds to its table's totals: money (minor units) or a count.
pub trait Total {
    /// The value, and whether it is money.
    fn total(&self) -> (i128, bool);
}

impl Total for Cents {
    fn total(&self) -> (i128, bool) {
        (self.0.into(), true)
    }
}

impl Total for i32 {
    fn total(&self) -> (i128, bool) {
        ((*self).into(), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_show_as_a_person_reads_them() {
        assert_eq!(Cents(-1205).show(), "-12.05");
        assert_eq!(Cents(7).show(), "0.07");
        assert_eq!(Day(0).show(), "1970-01-01");
        assert_eq!(Micros(1_000_001).show(), "1970-01-01T00:00:01.000001Z");
        assert_eq!(None::<i64>.show(), "null");
        assert_eq!(Some("CARD".to_string()).show(), "\"CARD\"");
        let id = "00000000-0000-4000-8000-000000000001";
        assert_eq!(EventId::parse(id).show(), id);
    }

    #[test]
    fn event_ids_order_as_postgres_orders_uuids() {
        let a = EventId::parse("0000000a-0000-4000-8000-000000000000");
        let b = EventId::parse("000000A1-0000-4000-8000-000000000000");
        assert!(a < b, "by value, whatever the letter case");
    }
}

//! The rolling KPI cache: time buckets of every live measure (one second wide
//! for the last five minutes, ten seconds before), overall and by region,
//! channel and category, kept in a moka cache and folded into a ready
//! snapshot (today, last 5 min, 1 h, 24 h) that handlers only read.
//!
//! How it stays current: each consumer batch that touches recent data sends
//! `NOTIFY globalcart_kpis` (with the seconds it touched) inside its
//! transaction, so the notification is delivered only if the batch commits.
//! [`listener`] refreshes just those buckets from the KPI views
//! (`sql/queries/kpi_live_buckets.sql`). The same path serves `globalcart up`
//! and a separate `globalcart serve`: no second consumer group decoding the
//! stream again, and the cache can never show data Postgres rolled back.
//! At start-up the last 24 hours are rebuilt from Postgres, so a restart shows
//! the same numbers.

pub mod cache;
pub mod listener;
pub mod measures;

pub use cache::{sell_to_list_ratio, KpiCache, Snapshot, FINE_SPAN};
pub use measures::{Kpis, Measures};

/// The channel the consumers notify after a commit that touched recent data.
pub const CHANNEL: &str = "globalcart_kpis";

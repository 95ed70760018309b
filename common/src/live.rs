//! The time spans of the live KPIs, defined once: the loader's notifications
//! and the API's cache and listener read them from here.

/// The longest window a live tile shows (`last_24h`, and `today`).
pub const WINDOW_SECS: i64 = 24 * 3600;

/// How far back an event can still change a live KPI: the window plus an hour
/// for late events and clock skew. The loader notifies the cache only of the
/// seconds inside it (`sql/queries/kpi_notify.sql` gets it as a parameter).
pub const HORIZON_SECS: i64 = WINDOW_SECS + 3600;

/// How long the cache keeps a bucket nobody refreshed: the horizon plus an
/// hour, so every bucket a window can sum is still there.
pub const CACHE_TTL_SECS: u64 = (HORIZON_SECS + 3600) as u64;

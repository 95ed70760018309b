//! Time buckets of every live measure in moka, folded into a snapshot per
//! refresh: one second wide for the last [`FINE_SPAN`], ten seconds wide
//! before, so a reload under a heavy stream re-reads one second of events.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use deadpool_postgres::Pool;
use globalcart_common::live;
use moka::sync::Cache;
use serde::Serialize;
use tokio::sync::watch;

use super::measures::{Kpis, Measures};
use crate::error::{Error, Result};

/// (bucket start as Unix seconds, dimension, value); dimension `all` has value `all`.
type Key = (i64, String, String);

/// The windows of the snapshot, in seconds (`today` is computed from midnight UTC).
const WINDOWS: [(&str, i64); 3] = [
    ("last_5m", 300),
    ("last_1h", 3600),
    ("last_24h", live::WINDOW_SECS),
];

/// KPIs of one window, overall and by dimension value.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WindowKpis {
    pub from: Option<DateTime<Utc>>,
    pub overall: Kpis,
    /// dimension (region, channel, category) → value → KPIs
    pub by: BTreeMap<String, BTreeMap<String, Kpis>>,
}

/// What `/api/kpis/live` returns; rebuilt after every refresh.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {
    pub version: u64,
    pub generated_at: Option<DateTime<Utc>>,
    pub currency: &'static str,
    pub windows: BTreeMap<&'static str, WindowKpis>,
}

/// The live KPI cache: written by the refresher, read by handlers.
#[derive(Clone)]
pub struct KpiCache {
    buckets: Cache<Key, Measures>,
    snapshot: Arc<RwLock<Arc<Snapshot>>>,
    json: Arc<RwLock<Arc<String>>>,
    version: Arc<watch::Sender<u64>>,
    /// vw_sell_to_list_ratio (f64 bits) and when it was last read
    sell_to_list: Arc<AtomicU64>,
    sell_to_list_read: Arc<Mutex<Option<Instant>>>,
    /// Unix second from which buckets are [`FINE`] wide (a multiple of
    /// [`BUCKET`]); [`UNSET`] until the first load.
    fine_from: Arc<AtomicI64>,
    /// Held while the buckets change or are folded: a load's writes, a
    /// consolidation and a snapshot never interleave (two tasks load).
    writing: Arc<Mutex<()>>,
}

const UNSET: i64 = i64::MIN;

/// How often the history-wide sell-to-list ratio is re-read.
const SELL_TO_LIST_EVERY: Duration = Duration::from_secs(60);

/// The ratio of `vw_sell_to_list_ratio` (values abandoned carts).
pub async fn sell_to_list_ratio(client: &deadpool_postgres::Client) -> Result<f64> {
    let row = globalcart_common::query!("kpi_sell_to_list")
        .one(client, &[])
        .await?;
    Ok(row.get("sell_to_list_ratio"))
}

impl Default for KpiCache {
    fn default() -> Self {
        KpiCache {
            buckets: Cache::builder()
                .time_to_live(Duration::from_secs(live::CACHE_TTL_SECS))
                .build(),
            snapshot: Arc::default(),
            json: Arc::new(RwLock::new(Arc::new("{}".to_string()))),
            version: Arc::new(watch::channel(0).0),
            sell_to_list: Arc::new(AtomicU64::new(0.0f64.to_bits())),
            sell_to_list_read: Arc::default(),
            fine_from: Arc::new(AtomicI64::new(UNSET)),
            writing: Arc::default(),
        }
    }
}

/// Width of a bucket older than [`FINE_SPAN`]: what a reload of old times
/// recomputes at least.
pub const BUCKET: TimeDelta = TimeDelta::seconds(10);
/// Width of a recent bucket: what a reload of the newest events recomputes.
pub const FINE: TimeDelta = TimeDelta::seconds(1);
/// How long buckets stay [`FINE`] wide before they are summed into
/// [`BUCKET`]-wide ones (in memory: every measure is a sum).
pub const FINE_SPAN: TimeDelta = TimeDelta::minutes(5);

fn bucket(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(BUCKET).unwrap_or(t)
}

/// The start of the [`BUCKET`] holding Unix second `s`.
pub fn coarse(s: i64) -> i64 {
    s - s.rem_euclid(BUCKET.num_seconds())
}

/// `kpi_buckets`' name of a bucket width.
fn grain(width: TimeDelta) -> String {
    if width == TimeDelta::seconds(1) {
        "second".into()
    } else {
        format!("{} seconds", width.num_seconds())
    }
}

impl KpiCache {
    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// The current snapshot, serialized once per refresh.
    pub fn snapshot_json(&self) -> Arc<String> {
        self.json
            .read()
            .map(|s| s.clone())
            .unwrap_or_else(|_| Arc::new("{}".into()))
    }

    /// A receiver that changes whenever the snapshot does.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// Reloads the buckets of `[from, to)` from the KPI views and rebuilds the snapshot.
    pub async fn refresh(&self, pool: &Pool, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<()> {
        self.load(pool, from, to).await?;
        self.rebuild(Utc::now());
        Ok(())
    }

    /// The Unix second from which buckets are [`FINE`] wide.
    pub fn fine_from(&self) -> i64 {
        let f = self.fine_from.load(Ordering::Acquire);
        if f != UNSET {
            return f;
        }
        let start = coarse((Utc::now() - FINE_SPAN).timestamp());
        match self
            .fine_from
            .compare_exchange(UNSET, start, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => start,
            Err(set) => set,
        }
    }

    /// Sums the [`FINE`] buckets that are now older than [`FINE_SPAN`] into
    /// [`BUCKET`]-wide ones.
    pub fn consolidate(&self, now: DateTime<Utc>) {
        let _writing = self.writing.lock();
        let from = self.fine_from();
        let to = coarse((now - FINE_SPAN).timestamp());
        if to <= from {
            return;
        }
        let mut sums: BTreeMap<Key, Measures> = BTreeMap::new();
        let mut fine: Vec<Key> = Vec::new();
        for (k, m) in self.buckets.iter() {
            if k.0 >= from && k.0 < to {
                sums.entry((coarse(k.0), k.1.clone(), k.2.clone()))
                    .or_default()
                    .add(&m);
                fine.push((*k).clone());
            }
        }
        for k in fine {
            self.buckets.invalidate(&k);
        }
        for (k, m) in sums {
            self.buckets.insert(k, m);
        }
        self.fine_from.store(to, Ordering::Release);
    }

    /// Reloads the buckets of `[from, to)` from the KPI views (no new
    /// snapshot): ten-second buckets before [`KpiCache::fine_from`], one-second
    /// buckets from it.
    pub async fn load(&self, pool: &Pool, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<()> {
        let (lo, hi) = (from.timestamp(), to.timestamp().max(from.timestamp() + 1));
        // a consolidation during a one-second load makes it stale: load again,
        // split at the new boundary
        for _ in 0..3 {
            let split = self.fine_from();
            if lo < split {
                self.load_grain(
                    pool,
                    coarse(lo),
                    coarse(hi.min(split) - 1) + BUCKET.num_seconds(),
                    BUCKET,
                )
                .await?;
            }
            if hi <= split || self.load_grain(pool, lo.max(split), hi, FINE).await? {
                return Ok(());
            }
        }
        Ok(())
    }

    /// Replaces the buckets of `[lo, hi)` (Unix seconds) with `kpi_buckets` at
    /// `width`; false (nothing written) when one-second rows arrive for seconds
    /// a consolidation has meanwhile summed into ten-second buckets.
    async fn load_grain(&self, pool: &Pool, lo: i64, hi: i64, width: TimeDelta) -> Result<bool> {
        let (Some(from), Some(to)) = (
            DateTime::from_timestamp(lo, 0),
            DateTime::from_timestamp(hi, 0),
        ) else {
            return Ok(true);
        };
        let started = Instant::now();
        let client = pool
            .get()
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        let rows = globalcart_common::query!("kpi_live_buckets")
            .rows(&client, &[&from, &to, &grain(width)])
            .await?;
        let due = self
            .sell_to_list_read
            .lock()
            .map(|t| t.is_none_or(|t| t.elapsed() >= SELL_TO_LIST_EVERY))
            .unwrap_or(true);
        if due {
            let r = sell_to_list_ratio(&client).await?;
            self.sell_to_list.store(r.to_bits(), Ordering::Relaxed);
            if let Ok(mut t) = self.sell_to_list_read.lock() {
                *t = Some(Instant::now());
            }
        }
        let _writing = self.writing.lock();
        if width == FINE && lo < self.fine_from.load(Ordering::Acquire) {
            return Ok(false);
        }
        let stale: Vec<Key> = self
            .buckets
            .iter()
            .filter(|(k, _)| k.0 >= lo && k.0 < hi)
            .map(|(k, _)| (*k).clone())
            .collect();
        for k in stale {
            self.buckets.invalidate(&k);
        }
        for r in rows {
            let t: DateTime<Utc> = r.get("bucket");
            let m = Measures::from_bucket_row(&r);
            self.buckets
                .insert((t.timestamp(), r.get("dim"), r.get("dim_value")), m);
        }
        globalcart_common::metrics::KPI_CACHE_SECONDS
            .with_label_values(&[if width == FINE {
                "reload_second"
            } else {
                "reload_bucket"
            }])
            .observe(started.elapsed().as_secs_f64());
        tracing::debug!(
            from = %from,
            seconds = hi - lo,
            grain = grain(width),
            took_ms = started.elapsed().as_millis() as u64,
            "kpi buckets reloaded"
        );
        Ok(true)
    }

    /// The sums of `[from, to)` by (dimension, value), from the buckets.
    pub fn sums_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BTreeMap<(String, String), Measures> {
        let (lo, hi) = (from.timestamp(), to.timestamp());
        let mut out: BTreeMap<(String, String), Measures> = BTreeMap::new();
        for (k, m) in self.buckets.iter() {
            if k.0 >= lo && k.0 < hi {
                out.entry((k.1.clone(), k.2.clone())).or_default().add(&m);
            }
        }
        out
    }

    /// Folds the buckets into a new snapshot as of `now` and publishes it (one
    /// pass over the buckets for all windows).
    pub fn rebuild(&self, now: DateTime<Utc>) {
        let _writing = self.writing.lock();
        let started = Instant::now();
        let end = bucket(now) + BUCKET;
        let midnight = now.duration_trunc(TimeDelta::days(1)).unwrap_or(now);
        let sell_to_list = f64::from_bits(self.sell_to_list.load(Ordering::Relaxed));
        let mut spans: Vec<(&'static str, DateTime<Utc>)> = vec![("today", midnight)];
        spans.extend(
            WINDOWS
                .iter()
                .map(|(n, s)| (*n, end - TimeDelta::seconds(*s))),
        );
        let bounds: Vec<i64> = spans.iter().map(|(_, f)| f.timestamp()).collect();
        let hi = end.timestamp();
        let mut sums: Vec<BTreeMap<(String, String), Measures>> =
            vec![BTreeMap::new(); spans.len()];
        for (k, m) in self.buckets.iter() {
            if k.0 >= hi {
                continue;
            }
            for (i, lo) in bounds.iter().enumerate() {
                if k.0 >= *lo {
                    sums[i]
                        .entry((k.1.clone(), k.2.clone()))
                        .or_default()
                        .add(&m);
                }
            }
        }
        let mut windows = BTreeMap::new();
        for ((name, from), sums) in spans.into_iter().zip(sums) {
            let mut w = WindowKpis {
                from: Some(from),
                ..WindowKpis::default()
            };
            for ((dim, value), m) in sums {
                if dim == "all" {
                    w.overall = m.kpis(sell_to_list);
                } else {
                    w.by.entry(dim)
                        .or_default()
                        .insert(value, m.kpis(sell_to_list));
                }
            }
            windows.insert(name, w);
        }
        let version = *self.version.borrow() + 1;
        let snap = Snapshot {
            version,
            generated_at: Some(now),
            currency: "USD",
            windows,
        };
        let today = snap
            .windows
            .get("today")
            .map(|w| w.overall)
            .unwrap_or_default();
        today.publish_gauges();
        let json = serde_json::to_string(&snap).unwrap_or_else(|_| "{}".into());
        if let Ok(mut s) = self.snapshot.write() {
            *s = Arc::new(snap);
        }
        if let Ok(mut j) = self.json.write() {
            *j = Arc::new(json);
        }
        self.version.send_replace(version);
        globalcart_common::metrics::KPI_CACHE_SECONDS
            .with_label_values(&["rebuild"])
            .observe(started.elapsed().as_secs_f64());
    }
}

//! 10-second buckets in moka, folded into a snapshot per refresh.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use deadpool_postgres::Pool;
use moka::sync::Cache;
use serde::Serialize;
use tokio::sync::watch;

use super::measures::{Kpis, Measures};
use crate::error::{Error, Result};

/// (bucket start as Unix seconds, dimension, value); dimension `all` has value `all`.
type Key = (i64, String, String);

/// The windows of the snapshot, in seconds (`today` is computed from midnight UTC).
const WINDOWS: [(&str, i64); 3] = [("last_5m", 300), ("last_1h", 3600), ("last_24h", 86_400)];

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
}

/// How often the history-wide sell-to-list ratio is re-read.
const SELL_TO_LIST_EVERY: Duration = Duration::from_secs(60);

/// The ratio of `vw_sell_to_list_ratio` (values abandoned carts).
pub async fn sell_to_list_ratio(client: &deadpool_postgres::Client) -> Result<f64> {
    let stmt = client
        .prepare_cached(globalcart_common::sql!("kpi_sell_to_list"))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    let row = client
        .query_one(&stmt, &[])
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(row.get(0))
}

impl Default for KpiCache {
    fn default() -> Self {
        KpiCache {
            buckets: Cache::builder()
                .time_to_live(Duration::from_secs(26 * 3600))
                .build(),
            snapshot: Arc::default(),
            json: Arc::new(RwLock::new(Arc::new("{}".to_string()))),
            version: Arc::new(watch::channel(0).0),
            sell_to_list: Arc::new(AtomicU64::new(0.0f64.to_bits())),
            sell_to_list_read: Arc::default(),
        }
    }
}

/// Width of a cache bucket: what one refresh recomputes at least. Short, so a
/// refresh under a heavy stream re-reads seconds of data, not minutes.
pub const BUCKET: TimeDelta = TimeDelta::seconds(10);

fn bucket(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(BUCKET).unwrap_or(t)
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

    /// Reloads the buckets of `[from, to)` from the KPI views (no new snapshot).
    pub async fn load(&self, pool: &Pool, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<()> {
        let (from, to) = (bucket(from), bucket(to) + BUCKET);
        let started = Instant::now();
        let client = pool
            .get()
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        let stmt = client
            .prepare_cached(globalcart_common::sql!("kpi_live_buckets"))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let rows = client
            .query(&stmt, &[&from, &to])
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
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
        let (lo, hi) = (from.timestamp(), to.timestamp());
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
            let t: DateTime<Utc> = r.get(0);
            let m = Measures::from_bucket_row(&r);
            self.buckets.insert((t.timestamp(), r.get(1), r.get(2)), m);
        }
        tracing::debug!(
            from = %from,
            seconds = (to - from).num_seconds(),
            took_ms = started.elapsed().as_millis() as u64,
            "kpi buckets reloaded"
        );
        Ok(())
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
        publish_gauges(&today);
        let json = serde_json::to_string(&snap).unwrap_or_else(|_| "{}".into());
        if let Ok(mut s) = self.snapshot.write() {
            *s = Arc::new(snap);
        }
        if let Ok(mut j) = self.json.write() {
            *j = Arc::new(json);
        }
        self.version.send_replace(version);
    }
}

fn publish_gauges(k: &Kpis) {
    use globalcart_common::metrics::*;
    NET_REVENUE_TODAY.set(k.net_revenue_usd);
    ORDERS_TODAY.set(k.orders as f64);
    CONVERSION_TODAY.set(k.conversion_rate.unwrap_or(0.0));
    AOV_TODAY.set(k.aov_usd.unwrap_or(0.0));
    REFUNDS_TODAY.set(k.refund_amount_usd);
    SLA_BREACH_TODAY.set(k.sla_breach_rate.unwrap_or(0.0));
    CART_ABANDONMENT_TODAY.set(k.cart_abandonment_rate.unwrap_or(0.0));
    PAYMENT_FAILURE_TODAY.set(k.payment_failure_rate.unwrap_or(0.0));
    NET_PROFIT_TODAY.set(k.net_profit_usd);
    NET_MARGIN_TODAY.set(k.net_margin.unwrap_or(0.0));
}

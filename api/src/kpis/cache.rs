//! Minute buckets in moka, folded into a snapshot per refresh.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use deadpool_postgres::Pool;
use moka::sync::Cache;
use serde::Serialize;
use tokio::sync::watch;

use super::measures::{Kpis, Measures};
use crate::error::{Error, Result};

/// (minute as Unix seconds, dimension, value); dimension `all` has value `all`.
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
        }
    }
}

fn minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::minutes(1)).unwrap_or(t)
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
        let (from, to) = (minute(from), minute(to) + TimeDelta::minutes(1));
        let client = pool
            .get()
            .await
            .map_err(|e| Error::Unavailable(e.to_string()))?;
        let stmt = client
            .prepare_cached(include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../sql/queries/kpi_live_buckets.sql"
            )))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
        let rows = client
            .query(&stmt, &[&from, &to])
            .await
            .map_err(|e| Error::Internal(e.to_string()))?;
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
        self.rebuild(Utc::now());
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

    /// Folds the buckets into a new snapshot as of `now` and publishes it.
    pub fn rebuild(&self, now: DateTime<Utc>) {
        let end = minute(now) + TimeDelta::minutes(1);
        let midnight = now.duration_trunc(TimeDelta::days(1)).unwrap_or(now);
        let mut windows = BTreeMap::new();
        let mut spans: Vec<(&'static str, DateTime<Utc>)> = vec![("today", midnight)];
        spans.extend(
            WINDOWS
                .iter()
                .map(|(n, s)| (*n, end - TimeDelta::seconds(*s))),
        );
        for (name, from) in spans {
            let mut w = WindowKpis {
                from: Some(from),
                ..WindowKpis::default()
            };
            for ((dim, value), m) in self.sums_between(from, end) {
                if dim == "all" {
                    w.overall = m.kpis();
                } else {
                    w.by.entry(dim).or_default().insert(value, m.kpis());
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
}

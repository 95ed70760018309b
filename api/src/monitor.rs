//! What the API measures on its own for the alerts of
//! `deploy/prometheus/rules/globalcart.rules.yml`. Every [`INTERVAL`] it runs
//! the checks of `/readyz` (`globalcart_dependency_up`), reads the loader
//! group's lag from the broker's high watermarks and the offsets stored in
//! PostgreSQL (`globalcart_consumer_group_lag_messages`, against
//! `globalcart_ready_max_lag_messages`), and the age of each BI mart's latest
//! refresh (`globalcart_bi_mart_age_seconds`).
//!
//! All of it is read from the shared database and broker, not from this
//! process's loader: a `globalcart serve` beside separate loaders reports what
//! `globalcart up` does, and the lag keeps rising when the loader stops. The
//! gauges that cannot be measured while a dependency is down are removed
//! rather than left at a stale value (the dependency's own alert fires).

use globalcart_common::query;
use std::collections::HashMap;
use std::time::Duration;

use globalcart_common::metrics::{DEPENDENCY_UP, GROUP_LAG, MART_AGE_SECONDS, READY_MAX_LAG};
use globalcart_common::{kafka, marts, KafkaSettings};
use globalcart_schemas::Topic;
use rdkafka::consumer::{BaseConsumer, Consumer};
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::AppState;

/// How often the gauges are measured (the loader's own lag gauge moves as often).
pub const INTERVAL: Duration = Duration::from_secs(10);

/// How long the broker may take to answer one metadata or watermark request.
const BROKER_TIMEOUT: Duration = Duration::from_secs(5);

/// The consumer lag `/readyz` accepts (READY_MAX_LAG, default 100 000 messages);
/// the lag alert compares the group's lag with it.
pub fn max_lag() -> i64 {
    std::env::var("READY_MAX_LAG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// What the readiness checks found.
pub struct Dependencies {
    /// `select 1` answered within 3 s.
    pub postgres: std::result::Result<(), String>,
    /// The topics under the prefix and their partition counts.
    pub kafka: std::result::Result<Vec<(String, usize)>, String>,
}

/// The checks of `/readyz`, both at once; records the outcome in
/// `globalcart_dependency_up`.
pub async fn check_dependencies(state: &AppState) -> Dependencies {
    let db = async {
        let client = state.pool.get().await.map_err(|e| e.to_string())?;
        client
            .query_one("select 1", &[])
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    };
    let db = async {
        tokio::time::timeout(Duration::from_secs(3), db)
            .await
            .unwrap_or_else(|_| Err("no answer within 3 s".into()))
    };
    let settings = state.kafka.clone();
    let broker = tokio::task::spawn_blocking(move || {
        kafka::list_topics(&settings, Some(&settings.topic_prefix)).map_err(|e| e.to_string())
    });
    let (postgres, broker) = tokio::join!(db, broker);
    let kafka = broker.unwrap_or_else(|e| Err(e.to_string()));
    DEPENDENCY_UP
        .with_label_values(&["postgres"])
        .set(i64::from(postgres.is_ok()));
    DEPENDENCY_UP
        .with_label_values(&["kafka"])
        .set(i64::from(kafka.is_ok()));
    Dependencies { postgres, kafka }
}

/// Measures every [`INTERVAL`] until `stopped` turns true; logs a dependency
/// when it becomes unreachable (or is at the start) and when it is back.
pub async fn run(state: AppState, mut stopped: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut was_up: HashMap<&str, bool> = HashMap::new();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopped.wait_for(|s| *s) => break,
        }
        let deps = measure(&state).await;
        for (name, error) in [
            ("postgres", deps.postgres.as_ref().err()),
            ("kafka", deps.kafka.as_ref().err()),
        ] {
            let before = was_up.insert(name, error.is_none());
            match (before, error) {
                (Some(false), None) => {
                    tracing::info!(dependency = name, "dependency reachable again")
                }
                (Some(true) | None, Some(e)) => {
                    tracing::warn!(dependency = name, error = %e, "dependency unreachable")
                }
                _ => {}
            }
        }
    }
}

/// One round: dependencies, then the mart ages and the group's lag where the
/// dependencies they need answered.
pub async fn measure(state: &AppState) -> Dependencies {
    READY_MAX_LAG.set(max_lag() as f64);
    let deps = check_dependencies(state).await;
    let ages = match deps.postgres {
        Ok(()) => mart_ages(state).await,
        Err(_) => Err(Error::Unavailable("postgres is unreachable".into())),
    };
    match ages {
        Ok(ages) => {
            for (mart, age) in ages {
                MART_AGE_SECONDS.with_label_values(&[&mart]).set(age);
            }
        }
        Err(e) => {
            MART_AGE_SECONDS.reset();
            tracing::debug!(error = %e, "mart ages not measured");
        }
    }
    let lag = match (&deps.postgres, &deps.kafka) {
        (Ok(()), Ok(_)) => group_lag(state).await,
        _ => Err(Error::Unavailable(
            "postgres or the broker is unreachable".into(),
        )),
    };
    match lag {
        Ok(lag) => {
            for (topic, n) in lag {
                GROUP_LAG.with_label_values(&[topic]).set(n);
            }
        }
        Err(e) => {
            GROUP_LAG.reset();
            tracing::debug!(error = %e, "consumer group lag not measured");
        }
    }
    deps
}

/// Seconds since each mart's latest refresh, by whichever process made it.
async fn mart_ages(state: &AppState) -> Result<Vec<(String, f64)>> {
    let client = state.pool.get().await?;
    let now = chrono::Utc::now();
    Ok(marts::freshness(&client)
        .await?
        .into_iter()
        .map(|f| {
            let age = (now - f.last_refreshed_at).num_milliseconds() as f64 / 1000.0;
            (f.mart, age.max(0.0))
        })
        .collect())
}

/// The loader group's lag per event topic (base name): for each partition,
/// its high watermark minus the next offset stored in PostgreSQL (the low
/// watermark when the group has loaded nothing from it yet).
async fn group_lag(state: &AppState) -> Result<Vec<(&'static str, i64)>> {
    let names: Vec<String> = Topic::EVENTS
        .iter()
        .map(|t| t.name(&state.kafka.topic_prefix))
        .collect();
    // offsets first: a batch committed meanwhile makes the lag read high, never low
    let client = state.pool.get().await?;
    let next: HashMap<(String, i32), i64> = query!("etl_consumer_offsets_select")
        .rows(&client, &[&state.kafka.group(), &names])
        .await?
        .iter()
        .map(|r| ((r.get("topic"), r.get("partition")), r.get("next_offset")))
        .collect();
    let settings = state.kafka.clone();
    let topics = names.clone();
    let marks = tokio::task::spawn_blocking(move || watermarks(&settings, &topics))
        .await
        .map_err(|e| Error::internal("reading the topics' watermarks", e))??;
    let mut lag: Vec<(&'static str, i64)> = Vec::new();
    for (topic, name) in Topic::EVENTS.iter().zip(&names) {
        let Some(partitions) = marks.get(name) else {
            continue;
        };
        let total = topic_lag(partitions, |p| next.get(&(name.clone(), p)).copied());
        lag.push((topic.base(), total));
    }
    Ok(lag)
}

/// Messages left to load in one topic: for each `(partition, low, high)`, the
/// high watermark minus the next offset stored for it (`next`; the low
/// watermark when none is stored or the stored one fell below it), never
/// negative (a batch committed after the watermarks were read).
fn topic_lag(partitions: &[(i32, i64, i64)], next: impl Fn(i32) -> Option<i64>) -> i64 {
    partitions
        .iter()
        .map(|&(p, lo, hi)| (hi - next(p).unwrap_or(lo).max(lo)).max(0))
        .sum()
}

/// `(partition, low, high)` watermarks of each topic, by topic name.
type Watermarks = HashMap<String, Vec<(i32, i64, i64)>>;

/// The [`Watermarks`] of every partition of `topics` the broker knows.
fn watermarks(settings: &KafkaSettings, topics: &[String]) -> Result<Watermarks> {
    let broker = |e: rdkafka::error::KafkaError| Error::Unavailable(format!("broker: {e}"));
    let consumer: BaseConsumer = kafka::client_config(settings).create().map_err(broker)?;
    let metadata = consumer
        .fetch_metadata(None, BROKER_TIMEOUT)
        .map_err(broker)?;
    let mut out = HashMap::new();
    for t in metadata.topics() {
        if !topics.iter().any(|n| n == t.name()) {
            continue;
        }
        let mut partitions = Vec::new();
        for p in t.partitions() {
            let (lo, hi) = consumer
                .fetch_watermarks(t.name(), p.id(), BROKER_TIMEOUT)
                .map_err(broker)?;
            partitions.push((p.id(), lo, hi));
        }
        out.insert(t.name().to_string(), partitions);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_lags_by_what_is_past_the_stored_offsets_or_the_low_watermark() {
        let partitions = [(0, 0, 100), (1, 40, 90), (2, 10, 50), (3, 0, 7)];
        let stored = |p| match p {
            0 => Some(60), // 40 left
            1 => Some(5),  // below the low watermark (retention): 50 left
            2 => None,     // nothing loaded yet: 40 left
            _ => Some(9),  // loaded past the watermark read before: 0, not -2
        };
        assert_eq!(topic_lag(&partitions, stored), 40 + 50 + 40);
        assert_eq!(topic_lag(&[], stored), 0);
    }
}

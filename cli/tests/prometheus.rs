//! A real Prometheus server (Debian's `prometheus`, installed by `make test-services`)
//! scrapes the API's /metrics, answers a PromQL query with the number of events loaded,
//! and loads and evaluates the shipped alert rules.

mod helpers;

use std::time::Duration;

use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use helpers::prometheus::{self, Prometheus};
use helpers::TestEnv;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_scrapes_the_app_counts_the_events_loaded_and_evaluates_the_shipped_rules(
) {
    // Fail before creating a database and topics when the server is missing.
    prometheus::require();
    let env = TestEnv::new().await;
    env.produce(Preset::Tiny, 5, Faults::default()).await;
    env.consume_until_idle(5).await;
    let events_loaded: i64 = env
        .client()
        .await
        .query_one(
            "select coalesce(sum(events_loaded), 0)::bigint from globalcart.etl_watermarks",
            &[],
        )
        .await
        .expect("events loaded")
        .get(0);
    assert!(events_loaded > 0, "the consumer loaded nothing");

    let base = env.spawn_app().await;
    let instance = base.trim_start_matches("http://").to_string();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("HTTP client");
    let shipped = std::fs::read_to_string(prometheus::shipped_rules()).expect("the shipped rules");
    let mut prometheus = Prometheus::start(&instance, &[shipped]);
    prometheus.wait_ready(&http).await;
    prometheus.wait_target_up(&http, &instance).await;

    // The consumer ran in this process and shares the process-wide registry the API
    // renders, so the scraped counters are the ones the consumer incremented.
    // etl_watermarks.events_loaded counts every message the consumer accepted, including
    // duplicates and versions superseded by a newer one; the metric splits the same
    // messages into the outcomes loaded (rows inserted or updated), duplicate and stale.
    let by_outcome = prometheus
        .query(&http, "sum by (outcome) (globalcart_events_consumed_total)")
        .await;
    let by_outcome = serde_json::to_string(&by_outcome).unwrap_or_default();
    let accepted = prometheus
        .scalar(
            &http,
            r#"sum(globalcart_events_consumed_total{outcome=~"loaded|duplicate|stale"})"#,
        )
        .await;
    assert_eq!(
        accepted, events_loaded as f64,
        "Prometheus counts {accepted} events consumed (loaded, duplicate or stale), \
         etl_watermarks.events_loaded says {events_loaded}; by outcome: {by_outcome}"
    );
    let loaded = prometheus
        .scalar(
            &http,
            r#"sum(globalcart_events_consumed_total{outcome="loaded"})"#,
        )
        .await;
    assert!(
        loaded > 0.0 && loaded <= events_loaded as f64,
        "Prometheus counts {loaded} events loaded, out of {events_loaded} consumed; by outcome: {by_outcome}"
    );

    // The shipped alert rules load and evaluate without error against the app's series.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let rules = loop {
        let rules = prometheus.rules(&http).await;
        let evaluated = rules.iter().all(|r| {
            r["lastEvaluation"]
                .as_str()
                .is_some_and(|t| !t.starts_with("0001"))
        });
        if (evaluated && !rules.is_empty()) || std::time::Instant::now() > deadline {
            break rules;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let alerts: Vec<&str> = rules
        .iter()
        .filter(|r| r["type"] == "alerting")
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(
        alerts.contains(&"GlobalCartConsumerLagHigh") && alerts.len() >= 11,
        "the test Prometheus loaded {} alerting rules of the shipped file: {alerts:?}",
        alerts.len()
    );
    for r in &rules {
        assert_eq!(
            r["health"], "ok",
            "rule {} does not evaluate: {}",
            r["name"], r["lastError"]
        );
    }

    drop(prometheus);
    env.cleanup().await;
}

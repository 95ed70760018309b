//! The shipped lag alert fires for real. A test Prometheus loads
//! deploy/prometheus/rules/globalcart.rules.yml with every `for:` shortened to
//! 10 s (the expressions as shipped) and scrapes the API; a live producer sends
//! while the loader keeps up, then the loader stops, and
//! `GlobalCartConsumerLagHigh` goes pending, then firing, as /api/v1/alerts shows.

mod helpers;

use std::time::{Duration, Instant};

use globalcart_common::db;
use globalcart_consumers::{run_until_stopped, ConsumerSettings};
use globalcart_producers::generator::{self, Preset};
use globalcart_producers::publish::Faults;
use globalcart_producers::run::produce_live;
use helpers::prometheus::{self, Prometheus};
use helpers::TestEnv;
use serde_json::Value;
use tokio::sync::watch;

const ALERT: &str = "GlobalCartConsumerLagHigh";
/// READY_MAX_LAG of the app under test: the bound the lag alert compares with.
const LAG_BOUND: i64 = 1_000;
/// Events per second of the live producer: past the bound about 5 s after the
/// loader stops.
const RATE: f64 = 200.0;

/// The lag alert's state in `alerts` ("pending", "firing"), if it is active.
fn state_of(alerts: &[Value]) -> Option<String> {
    alerts
        .iter()
        .find(|a| a["labels"]["alertname"] == ALERT)
        .and_then(|a| a["state"].as_str().map(str::to_string))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lag_alert_goes_pending_then_firing_when_the_loader_stops_while_the_producer_sends() {
    prometheus::require();
    // Read by the app's monitor (globalcart_ready_max_lag_messages); this test binary
    // holds this one test, so nothing else reads the variable.
    std::env::set_var("READY_MAX_LAG", LAG_BOUND.to_string());
    let env = TestEnv::new().await;

    let (stop_producer, producer_stopped) = watch::channel(false);
    let kafka = env.kafka.clone();
    let live = generator::live(
        &helpers::config(Preset::Tiny, 11),
        RATE,
        8640.0,
        chrono::Utc::now().timestamp_micros(),
    );
    let producer = tokio::spawn(async move {
        produce_live(&kafka, live, Faults::default(), producer_stopped).await
    });
    let (stop_loader, loader_stopped) = watch::channel(false);
    let settings = ConsumerSettings::default();
    let pool = db::pool(&env.database_url, settings.connections()).expect("pool");
    let loader = tokio::spawn(run_until_stopped(
        env.kafka.clone(),
        pool,
        settings,
        loader_stopped,
    ));

    let base = env.spawn_app().await;
    let instance = base.trim_start_matches("http://").to_string();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("HTTP client");
    let mut prom = Prometheus::start(&instance, &[prometheus::shipped_rules_with_for("10s")]);
    prom.wait_ready(&http).await;
    prom.wait_target_up(&http, &instance).await;

    // While the loader keeps up, the lag is measured, stays under the bound, and the
    // alert does not fire (the loader first catches up with the dimensions the
    // producer sends at once).
    let lag = "sum(max by (topic) (globalcart_consumer_group_lag_messages))";
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let measured = prom.query(&http, lag).await;
        let under = measured
            .first()
            .is_some_and(|s| prometheus::sample_value(s) < LAG_BOUND as f64);
        let bound = prom.query(&http, "globalcart_ready_max_lag_messages").await;
        if under && bound.first().map(prometheus::sample_value) == Some(LAG_BOUND as f64) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the loader did not get under {LAG_BOUND} messages of lag in 120 s: {lag} = {measured:?}, bound {bound:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let quiet_until = Instant::now() + Duration::from_secs(25);
    while Instant::now() < quiet_until {
        let alerts = prom.alerts(&http).await;
        assert_ne!(
            state_of(&alerts).as_deref(),
            Some("firing"),
            "{ALERT} fired while the loader kept up: {alerts:?}; lag {:?}",
            prom.query(&http, lag).await
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let loaded = prom
        .scalar(&http, "sum(globalcart_events_consumed_total)")
        .await;
    assert!(
        loaded > 0.0,
        "the loader consumed nothing before it stopped"
    );

    // The loader stops; the producer goes on.
    stop_loader.send(true).expect("the loader listens");
    loader
        .await
        .expect("loader task")
        .expect("the loader stops cleanly");
    let stopped_at = Instant::now();
    let mut pending_after = None;
    let mut firing = None;
    while firing.is_none() {
        assert!(
            stopped_at.elapsed() < Duration::from_secs(120),
            "{ALERT} not firing 120 s after the loader stopped (pending seen: {pending_after:?}); \
             lag {:?}; alerts {:?}; Prometheus log:\n{}",
            prom.query(&http, lag).await,
            prom.alerts(&http).await,
            prom.log_tail()
        );
        let alerts = prom.alerts(&http).await;
        match state_of(&alerts).as_deref() {
            Some("pending") => {
                pending_after.get_or_insert(stopped_at.elapsed());
            }
            Some("firing") => {
                firing = alerts
                    .into_iter()
                    .find(|a| a["labels"]["alertname"] == ALERT);
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let firing = firing.expect("the firing alert");
    let firing_after = stopped_at.elapsed();
    let pending_after = pending_after.unwrap_or_else(|| {
        panic!("{ALERT} fired after {firing_after:?} without being seen pending first")
    });
    assert!(pending_after < firing_after);
    assert_eq!(firing["labels"]["severity"], "page", "{firing}");
    assert_eq!(
        firing["annotations"]["runbook"], "docs/runbook.md#globalcartconsumerlaghigh",
        "{firing}"
    );
    let value: f64 = firing["value"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("alert value: {firing}"));
    assert!(
        value > LAG_BOUND as f64,
        "the alert's value {value} is the lag, over {LAG_BOUND}: {firing}"
    );
    eprintln!(
        "{ALERT}: pending {pending_after:?} and firing {firing_after:?} after the loader stopped \
         (lag {value} > {LAG_BOUND})"
    );

    stop_producer.send(true).expect("the producer listens");
    let sent = producer
        .await
        .expect("producer task")
        .expect("live producer");
    assert!(sent.events > 0, "the producer sent nothing");
    drop(prom);
    env.cleanup().await;
}

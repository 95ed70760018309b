//! A real Prometheus server (Debian's `prometheus`, installed by `make test-services`)
//! scrapes the API's /metrics and answers a PromQL query with the number of events loaded.

mod helpers;

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use helpers::TestEnv;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

/// A free TCP port on the loopback interface (released right away for the server to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free loopback port")
        .port()
}

/// A Prometheus server in a temporary directory; killed and removed on drop, also when
/// the test panics.
struct Prometheus {
    child: Child,
    dir: PathBuf,
    base: String,
}

impl Prometheus {
    /// Starts `prometheus` scraping `target` (host:port) at /metrics every second.
    fn start(target: &str) -> Prometheus {
        let dir = std::env::temp_dir().join(format!(
            "globalcart-prometheus-{}",
            helpers::random_suffix()
        ));
        std::fs::create_dir_all(dir.join("data")).expect("create the Prometheus directory");
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
                 scrape_configs:\n  - job_name: globalcart\n    metrics_path: /metrics\n    \
                 static_configs:\n      - targets: [\"{target}\"]\n"
            ),
        )
        .expect("write prometheus.yml");
        let log = File::create(dir.join("prometheus.log")).expect("create prometheus.log");
        let port = free_port();
        let spawned = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                if e.kind() == std::io::ErrorKind::NotFound {
                    panic!(
                        "`prometheus` is not on PATH: run `make test-services` \
                         (it installs Debian's prometheus package)"
                    );
                }
                panic!("cannot start prometheus ({e}); run `make test-services`");
            }
        };
        Prometheus {
            child,
            dir,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// The last lines of the server's log, for failure messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Panics with the log when the server has exited.
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "prometheus exited ({status}); its log:\n{}",
                self.log_tail()
            );
        }
    }

    /// Waits until the server answers /-/ready.
    async fn wait_ready(&mut self, http: &reqwest::Client) {
        let deadline = Instant::now() + WAIT;
        let mut seen = String::from("no answer");
        while Instant::now() < deadline {
            self.assert_running();
            match http.get(format!("{}/-/ready", self.base)).send().await {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => seen = format!("HTTP {}", r.status()),
                Err(e) => seen = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "prometheus at {} not ready after {WAIT:?} (last: {seen}); its log:\n{}",
            self.base,
            self.log_tail()
        );
    }

    /// Waits until the target `instance` has health "up"; the failure message says what
    /// Prometheus last reported for it.
    async fn wait_target_up(&mut self, http: &reqwest::Client, instance: &str) {
        let deadline = Instant::now() + WAIT;
        let mut seen = String::from("no answer from /api/v1/targets");
        while Instant::now() < deadline {
            self.assert_running();
            let body: Option<Value> = match http
                .get(format!("{}/api/v1/targets", self.base))
                .send()
                .await
            {
                Ok(r) => r.json().await.ok(),
                Err(e) => {
                    seen = format!("GET /api/v1/targets failed: {e}");
                    None
                }
            };
            if let Some(body) = body {
                let targets = body["data"]["activeTargets"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                match targets
                    .iter()
                    .find(|t| t["labels"]["instance"].as_str() == Some(instance))
                {
                    Some(t) if t["health"] == "up" => return,
                    Some(t) => {
                        seen = format!(
                            "health {} at {}, lastError {}",
                            t["health"], t["scrapeUrl"], t["lastError"]
                        )
                    }
                    None => {
                        seen = format!("target {instance} not among the active targets: {body}")
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("the app's /metrics target {instance} is not up after {WAIT:?}: {seen}");
    }

    /// The result vector of an instant query.
    async fn query(&self, http: &reqwest::Client, promql: &str) -> Vec<Value> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/api/v1/query", self.base),
            &[("query", promql)],
        )
        .expect("query URL");
        let body: Value = http
            .get(url)
            .send()
            .await
            .expect("GET /api/v1/query")
            .json()
            .await
            .expect("query answer is JSON");
        assert_eq!(body["status"], "success", "query {promql} failed: {body}");
        body["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The value of a query that returns one sample, waiting up to 10 s for it (the first
    /// scrape may not be stored yet when the target turns up).
    async fn scalar(&self, http: &reqwest::Client, promql: &str) -> f64 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let result = self.query(http, promql).await;
            if result.len() == 1 {
                return sample_value(&result[0]);
            }
            if Instant::now() > deadline {
                panic!(
                    "{promql} returned {} samples, not 1: {}",
                    result.len(),
                    Value::Array(result)
                );
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The number in an instant-vector sample (`"value": [ts, "123"]`).
fn sample_value(sample: &Value) -> f64 {
    sample["value"][1]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("not a sample: {sample}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_scrapes_the_app_and_counts_the_events_loaded() {
    // Fail before creating a database and topics when the server is missing.
    if let Err(e) = Command::new("prometheus")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        panic!("cannot run `prometheus --version` ({e}): run `make test-services` (it installs Debian's prometheus package)");
    }
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
    let mut prometheus = Prometheus::start(&instance);
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

    drop(prometheus);
    env.cleanup().await;
}

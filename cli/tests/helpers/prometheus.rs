//! A real Prometheus server for the tests (Debian's `prometheus`, installed by
//! `make test-services`): it scrapes one app every second, evaluates the rule
//! files it is given every second, and answers PromQL and the alerts API.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::random_suffix;
use super::services::free_port;

const WAIT: Duration = Duration::from_secs(30);

/// The alert rules the repository ships (loaded by docker compose's Prometheus).
pub fn shipped_rules() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/prometheus/rules/globalcart.rules.yml")
}

/// The text of the shipped rules with every `for:` set to `hold` (e.g. "10s"),
/// the expressions unchanged: the same alerts, fast enough for a test.
pub fn shipped_rules_with_for(hold: &str) -> String {
    let path = shipped_rules();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {} ({e})", path.display()));
    text.lines()
        .map(|line| {
            let body = line.trim_start();
            if body.starts_with("for:") {
                let indent = &line[..line.len() - body.len()];
                format!("{indent}for: {hold}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Panics with how to install Prometheus when `prometheus` cannot run (call it
/// before creating databases and topics).
pub fn require() {
    if let Err(e) = Command::new("prometheus")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        panic!("cannot run `prometheus --version` ({e}): run `make test-services` (it installs Debian's prometheus package)");
    }
}

/// A Prometheus server in a temporary directory; killed and removed on drop, also when
/// the test panics.
pub struct Prometheus {
    child: Child,
    dir: PathBuf,
    pub base: String,
}

impl Prometheus {
    /// Starts `prometheus` scraping `target` (host:port) at /metrics every second as
    /// job "globalcart" (the job name of deploy/prometheus/prometheus.yml), with the
    /// rule files whose texts are `rules`, evaluated every second.
    pub fn start(target: &str, rules: &[String]) -> Prometheus {
        let dir = std::env::temp_dir().join(format!("globalcart-prometheus-{}", random_suffix()));
        std::fs::create_dir_all(dir.join("data")).expect("create the Prometheus directory");
        let mut rule_files = String::new();
        for (i, text) in rules.iter().enumerate() {
            let path = dir.join(format!("rules-{i}.yml"));
            std::fs::write(&path, text).expect("write a rule file");
            rule_files.push_str(&format!("  - {}\n", path.display()));
        }
        let rule_files = if rule_files.is_empty() {
            String::new()
        } else {
            format!("rule_files:\n{rule_files}")
        };
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
                 {rule_files}\
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
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Panics with the log when the server has exited.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "prometheus exited ({status}); its log:\n{}",
                self.log_tail()
            );
        }
    }

    /// Waits until the server answers /-/ready.
    pub async fn wait_ready(&mut self, http: &reqwest::Client) {
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
    pub async fn wait_target_up(&mut self, http: &reqwest::Client, instance: &str) {
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

    /// `data` of a successful GET of `path` (e.g. /api/v1/alerts).
    async fn get(&self, http: &reqwest::Client, path: &str) -> Value {
        let body: Value = http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {path} is not JSON: {e}"));
        assert_eq!(body["status"], "success", "GET {path}: {body}");
        body["data"].clone()
    }

    /// The active alerts (pending or firing) of /api/v1/alerts.
    pub async fn alerts(&self, http: &reqwest::Client) -> Vec<Value> {
        self.get(http, "/api/v1/alerts").await["alerts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Every rule of every group of /api/v1/rules.
    pub async fn rules(&self, http: &reqwest::Client) -> Vec<Value> {
        self.get(http, "/api/v1/rules").await["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
            .collect()
    }

    /// The result vector of an instant query.
    pub async fn query(&self, http: &reqwest::Client, promql: &str) -> Vec<Value> {
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
    pub async fn scalar(&self, http: &reqwest::Client, promql: &str) -> f64 {
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
pub fn sample_value(sample: &Value) -> f64 {
    sample["value"][1]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("not a sample: {sample}"))
}

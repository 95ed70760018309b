//! Test helpers: a fresh database and a random topic prefix per test, on the real
//! Postgres and Tansu broker that `make test-services` starts.

#![allow(dead_code)]

pub mod prometheus;
pub mod services;
pub mod shop;

use std::collections::BTreeMap;
use std::time::Duration;

use globalcart_api::{App, AppSettings};
use globalcart_common::{db, kafka, KafkaSettings};
use globalcart_consumers::consumer::RunReport;
use globalcart_consumers::{run_until_stopped, ConsumerSettings};
use globalcart_producers::generator::{GeneratorConfig, Manifest, Preset};
use globalcart_producers::publish::{Faults, PublishReport};
use globalcart_producers::run::produce_history;
use globalcart_schemas::{OrderEvent, OrderItem, Topic};
use rand::Rng;
use rdkafka::producer::{FutureProducer, FutureRecord};
use tokio::sync::watch;
use tokio_postgres::NoTls;

/// The admin password of the apps the tests spawn.
pub const ADMIN_PASSWORD: &str = "Test-admin-password-1";

/// A signed-in admin: the session cookie (`name=value`) and the CSRF token.
pub struct AdminSession {
    pub cookie: String,
    pub csrf: String,
}

/// Signs in with [`ADMIN_PASSWORD`] to the app at `base` (from
/// [`TestEnv::spawn_app`]); panics unless the sign-in succeeds.
pub async fn admin_session(http: &reqwest::Client, base: &str) -> AdminSession {
    let r = http
        .post(format!("{base}/api/admin/login"))
        .json(&serde_json::json!({"password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK, "admin sign-in");
    let cookie = r.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body: serde_json::Value = r.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap_or_default().to_string();
    AdminSession { cookie, csrf }
}

/// The star-schema tables compared between runs.
pub const TABLES: [&str; 11] = [
    "dim_date",
    "dim_geo",
    "dim_customer",
    "dim_product",
    "dim_fc",
    "fact_orders",
    "fact_order_items",
    "fact_payments",
    "fact_shipments",
    "fact_returns",
    "fact_funnel_events",
];

/// Shop settings of the apps the tests spawn: demo mode on, orders ship after
/// 1 s and are delivered after 2 s, unpaid ones expire after an hour.
pub fn shop_settings() -> globalcart_shop::ShopSettings {
    globalcart_shop::ShopSettings {
        demo_mode: true,
        webhook_secret: Some("test-webhook-secret".into()),
        ship_after: Duration::from_secs(1),
        deliver_after: Duration::from_secs(2),
        reservation_ttl: Duration::from_secs(3600),
    }
}

pub fn brokers() -> String {
    std::env::var("TEST_KAFKA_BROKERS").unwrap_or_else(|_| "127.0.0.1:9192".into())
}

pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn random_suffix() -> String {
    let n: u64 = rand::thread_rng().gen();
    format!("{n:016x}")
}

/// One test's isolated world: its database and its topic prefix.
pub struct TestEnv {
    pub database_url: String,
    pub database: String,
    pub kafka: KafkaSettings,
}

impl TestEnv {
    /// A fresh, migrated database and freshly created topics (3 partitions).
    pub async fn new() -> TestEnv {
        let suffix = random_suffix();
        let env = TestEnv::with_topics(&format!("t{suffix}")).await;
        kafka::create_topics(&env.kafka, &topic_names(&env.kafka), 3)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot create topics on the broker at {} ({e}); start it with `make test-services`",
                    env.kafka.brokers
                )
            });
        env
    }

    /// A fresh, migrated database reading the topics of `prefix` (not created here).
    pub async fn with_topics(prefix: &str) -> TestEnv {
        let database = format!("gc_test_{}", random_suffix());
        let database_url = match admin_url().rsplit_once('/') {
            Some((server, _)) => format!("{server}/{database}"),
            None => panic!("TEST_DATABASE_URL has no database part"),
        };
        db::migrate(&database_url).await.unwrap_or_else(|e| {
            panic!("cannot create a test database ({e}); start Postgres with `make test-services`")
        });
        TestEnv {
            database_url,
            database,
            kafka: KafkaSettings {
                brokers: brokers(),
                topic_prefix: prefix.to_string(),
                group: Some(format!("g{}", random_suffix())),
            },
        }
    }

    /// A fresh database holding `schema` (a `pg_dump` of an older schema under
    /// `tests/fixtures/`), not migrated: the starting point of upgrade tests.
    pub async fn from_schema(schema: &str) -> TestEnv {
        let env = TestEnv::with_topics("unused").await;
        env.drop_database().await;
        db::ensure_database(&env.database_url)
            .await
            .expect("create the database");
        env.client()
            .await
            .batch_execute(schema)
            .await
            .expect("load the schema fixture");
        env
    }

    /// `tests/fixtures/catalog.sql`: the schema as Postgres prints it, one line per object.
    pub async fn catalog(&self) -> Vec<String> {
        self.client()
            .await
            .query(include_str!("../fixtures/catalog.sql"), &[])
            .await
            .expect("catalog")
            .iter()
            .map(|r| {
                format!(
                    "{} {}: {}",
                    r.get::<_, String>(0),
                    r.get::<_, String>(1),
                    r.get::<_, String>(2)
                )
            })
            .collect()
    }

    pub fn topic(&self, t: Topic) -> String {
        t.name(&self.kafka.topic_prefix)
    }

    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.database_url, NoTls)
            .await
            .expect("connect to the test database");
        tokio::spawn(conn);
        client
    }

    /// Streams the history of `preset`/`seed` with `faults`; returns what was sent and the manifest.
    pub async fn produce(
        &self,
        preset: Preset,
        seed: u64,
        faults: Faults,
    ) -> (PublishReport, Manifest) {
        let k = self.kafka.clone();
        let cfg = config(preset, seed);
        tokio::task::spawn_blocking(move || {
            let (report, history) =
                produce_history(&k, &cfg, faults, None).expect("produce history");
            (report, history.manifest())
        })
        .await
        .expect("producer thread")
    }

    /// Consumes in-process until no message arrived for `idle` seconds.
    pub async fn consume_until_idle(&self, idle: u64) -> RunReport {
        let (_stop, shutdown) = watch::channel(false);
        let settings = ConsumerSettings {
            until_idle: Some(idle),
            ..ConsumerSettings::default()
        };
        let pool = db::pool(&self.database_url, settings.connections()).expect("pool");
        run_until_stopped(self.kafka.clone(), pool, settings, shutdown)
            .await
            .expect("consumer run")
    }

    /// `globalcart reconcile` of this environment's topics and database, in
    /// this process (every topic, the first 10 differing keys per table).
    pub async fn reconcile(&self) -> globalcart_consumers::reconcile::Report {
        globalcart_consumers::reconcile::reconcile(
            &self.kafka,
            &self.database_url,
            &Default::default(),
        )
        .await
        .expect("reconcile")
    }

    /// Panics with the reconcile report unless the warehouse agrees with the stream.
    pub async fn assert_reconciled(&self) {
        let report = self.reconcile().await;
        assert!(report.agrees(), "reconcile:\n{report}");
    }

    /// The first column of every row of `sql`, as text (`sql` casts it).
    pub async fn column(&self, sql: &str) -> Vec<String> {
        self.client()
            .await
            .query(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| r.get(0))
            .collect()
    }

    /// Row count and an order-independent checksum of every star-schema table
    /// (all columns but `loaded_at`).
    pub async fn checksums(&self) -> BTreeMap<String, (i64, String)> {
        services::checksums(&self.database_url).await
    }

    /// Serves the API on a free loopback port against this database (`/api/kpis/*`
    /// public, as the KPI tests read it without signing in).
    pub async fn spawn_app(&self) -> TestApp {
        self.spawn_app_with(true).await
    }

    /// As [`TestEnv::spawn_app`]; `public_kpis` = whether `/api/kpis/*` answers
    /// without an admin session.
    pub async fn spawn_app_with(&self, public_kpis: bool) -> TestApp {
        self.spawn_app_configured(public_kpis, shop_settings(), None)
            .await
    }

    /// As [`TestEnv::spawn_app_with`], with the shop's own settings (its clock).
    pub async fn spawn_app_configured(
        &self,
        public_kpis: bool,
        shop: globalcart_shop::ShopSettings,
        metrics_token: Option<&str>,
    ) -> TestApp {
        let settings = AppSettings {
            auth: globalcart_api::auth::AuthSettings {
                admin_password: Some(ADMIN_PASSWORD.into()),
                session_secret: None,
                public_kpis,
                metrics_token: metrics_token.map(str::to_string),
                trusted_proxies: Default::default(),
            },
            shop,
            ..AppSettings::default()
        };
        let pool = db::pool(&self.database_url, 4).expect("pool");
        let app = App::build(pool, &self.database_url, &self.kafka, settings)
            .await
            .expect("build the app");
        // served until the test's runtime ends (a test may keep only the address)
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(async move {
            let _never = stop;
            std::future::pending::<()>().await
        });
        let test_app = TestApp {
            address: format!("http://{}", app.addr()),
        };
        tokio::spawn(app.run_until_stopped(stopped));
        test_app
    }

    /// Drops the database and deletes the topics.
    pub async fn cleanup(self) {
        let _ = kafka::delete_topics(&self.kafka, &topic_names(&self.kafka)).await;
        self.drop_database().await;
    }

    /// Drops only the database (the topics may be shared).
    pub async fn drop_database(&self) {
        let (client, conn) = tokio_postgres::connect(&admin_url(), NoTls)
            .await
            .expect("admin connection");
        tokio::spawn(conn);
        let _ = client
            .batch_execute(&format!(
                "drop database if exists \"{}\" with (force)",
                self.database
            ))
            .await;
    }
}

/// The API of a test ([`App::build`] with its background tasks), served on a
/// free loopback port until the test's runtime ends. It reads as its base URL
/// (`format!("{app}/healthz")`, `&app` as a `&str`).
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
}

impl std::ops::Deref for TestApp {
    type Target = str;
    fn deref(&self) -> &str {
        &self.address
    }
}

impl std::fmt::Display for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.address)
    }
}

pub fn topic_names(k: &KafkaSettings) -> Vec<String> {
    Topic::ALL.iter().map(|t| t.name(&k.topic_prefix)).collect()
}

pub fn config(preset: Preset, seed: u64) -> GeneratorConfig {
    GeneratorConfig {
        preset,
        seed,
        end_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    }
}

/// Waits until `f` is true, up to `secs`.
pub async fn eventually<F, Fut>(secs: u64, mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// Order 900001 (one line, USD) in `status`, versioned by `updated_at`.
pub fn order(status: &str, updated_at: i64, event_id: &str) -> OrderEvent {
    OrderEvent {
        event_id: event_id.into(),
        order_id: 900_001,
        event_time: updated_at,
        updated_at,
        customer_id: 1,
        geo_id: 1,
        order_ts: 1_760_000_000_000_000,
        order_status: status.into(),
        channel: "WEB".into(),
        device: "DESKTOP".into(),
        currency: "USD".into(),
        gross_amount: 2000,
        discount_amount: 200,
        tax_amount: 126,
        net_amount: 1800,
        items: vec![OrderItem {
            order_item_id: 900_001,
            product_id: 1,
            qty: 2,
            unit_list_price: 1000,
            unit_sell_price: 900,
            unit_cost: 600,
            line_discount: 200,
            line_tax: 126,
            line_net_revenue: 1800,
        }],
    }
}

/// Publishes raw bytes to a topic of `env` and waits for the acknowledgement.
pub async fn send(env: &TestEnv, topic: Topic, key: &str, payload: &[u8]) {
    static PRODUCER: std::sync::OnceLock<FutureProducer> = std::sync::OnceLock::new();
    let producer = PRODUCER.get_or_init(|| {
        globalcart_common::kafka::client_config(&env.kafka)
            .set("partitioner", "murmur2_random")
            .create()
            .expect("producer")
    });
    producer
        .send(
            FutureRecord::to(&env.topic(topic))
                .key(key)
                .payload(payload),
            Duration::from_secs(10),
        )
        .await
        .expect("delivered");
}

/// Rows in the mart and not in its definition, plus the reverse: 0 when the
/// mart holds exactly what its query returns now. A mart kept by day is
/// compared with all its days recomputed (`<mart>_rows(null, null)`), a
/// materialized view with its defining query, a view over the rollup with the
/// rollup recomputed.
pub async fn mart_differences(client: &tokio_postgres::Client, mart: &str) -> i64 {
    let by_day: bool = client
        .query_one("select $1 = any(globalcart.bi_marts_by_day())", &[&mart])
        .await
        .unwrap()
        .get(0);
    let (kept, def) = if by_day {
        let stored = if ["mart_product_performance", "mart_abandoned_cart_lines"].contains(&mart) {
            format!("{mart}_stored")
        } else {
            mart.to_string()
        };
        (
            format!("select to_jsonb(t) as j from globalcart.{stored} t"),
            format!("select to_jsonb(t) as j from globalcart.{mart}_rows(null, null) t"),
        )
    } else if mart == "mart_exec_daily_kpis" {
        (
            "select to_jsonb(k) - 'refreshed_at' as j from globalcart.kpi_daily_rollup k".to_string(),
            "select to_jsonb(k) - 'refreshed_at' as j from globalcart.kpi_daily_parts_between(null, null) k"
                .to_string(),
        )
    } else {
        let def: String = client
            .query_one(
                "select pg_get_viewdef(('globalcart.' || $1)::regclass, true)",
                &[&mart],
            )
            .await
            .unwrap()
            .get(0);
        (
            format!("select * from globalcart.{mart}"),
            def.trim().trim_end_matches(';').to_string(),
        )
    };
    client
        .query_one(
            &format!(
                "select (select count(*) from (({kept}) except all ({def})) a)
                      + (select count(*) from (({def}) except all ({kept})) b)"
            ),
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

//! The fault matrix's restarts: Postgres and the broker stopped and started
//! again under a running consumer (and API, and producer). Each test restarts a
//! private instance of the service (`helpers::services`), so the shared ones of
//! the rest of the suite are not disturbed. The consumer and the API run as
//! child processes, as in production (and because a consumer subscribed inside
//! the test process can crash librdkafka on some Tansu metadata answers).

mod helpers;

use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use globalcart_common::{db, kafka, KafkaSettings};
use globalcart_producers::generator::{self, Preset};
use globalcart_producers::publish::{Faults, PublishReport, Publisher};
use helpers::services::{checksums, free_port, Leftovers, PrivateBroker, PrivatePostgres, Process};
use helpers::{config, eventually, random_suffix, topic_names, TestEnv};
use serde_json::Value;
use tokio::sync::{oneshot, Mutex};

/// One restart test at a time: each starts services and three processes, and
/// the machine may have two cores.
static SERIAL: Mutex<()> = Mutex::const_new(());

/// `globalcart <args>` against `database_url` and the topics of `kafka`.
fn globalcart(args: &[&str], database_url: &str, kafka: &KafkaSettings) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_globalcart"));
    cmd.args(args)
        .env("DATABASE_URL", database_url)
        .env("KAFKA_BROKERS", &kafka.brokers)
        .env("TOPIC_PREFIX", &kafka.topic_prefix)
        .env("CONSUMER_GROUP", kafka.group());
    cmd
}

fn consumer(database_url: &str, kafka: &KafkaSettings) -> Process {
    let args = ["consume", "--batch-size", "100", "--batch-wait-ms", "20"];
    Process::spawn("consumer", &mut globalcart(&args, database_url, kafka))
}

/// Rows in `fact_funnel_events` (0 while the database does not answer).
async fn funnel_rows(database_url: &str) -> i64 {
    let Ok((client, conn)) = tokio_postgres::connect(database_url, tokio_postgres::NoTls).await
    else {
        return 0;
    };
    tokio::spawn(conn);
    client
        .query_one(
            "select count(*)::bigint from globalcart.fact_funnel_events",
            &[],
        )
        .await
        .map_or(0, |r| r.get(0))
}

/// Status and JSON body of `GET /readyz` (None if the API does not answer).
async fn readyz(http: &reqwest::Client, base: &str) -> Option<(u16, Value)> {
    let resp = http.get(format!("{base}/readyz")).send().await.ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.json().await.unwrap_or(Value::Null)))
}

/// The Tiny history of `seed`, sent by one producer in two halves: the first
/// half is sent and acknowledged, then `halfway` fires; the rest is sent when
/// `go` is, and the thread returns once the broker acknowledged everything.
struct HalfwayProducer {
    halfway: oneshot::Receiver<u64>,
    go: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<PublishReport>,
}

impl HalfwayProducer {
    fn start(kafka: KafkaSettings, seed: u64) -> HalfwayProducer {
        let (halfway_tx, halfway) = oneshot::channel();
        let (go, go_rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            let events: Vec<_> = generator::history(&config(Preset::Tiny, seed)).collect();
            let half = events.len() / 2;
            let mut publisher = Publisher::new(&kafka, Faults::default()).expect("producer");
            for e in &events[..half] {
                publisher.send(e).expect("queue an event");
            }
            let deadline = Instant::now() + Duration::from_secs(120);
            while publisher.delivered() < half as u64 {
                assert!(
                    Instant::now() < deadline,
                    "the first half was not delivered"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = halfway_tx.send(half as u64);
            go_rx.recv().expect("the test gave up");
            for e in &events[half..] {
                publisher.send(e).expect("queue an event");
            }
            publisher.finish().expect("every message delivered")
        });
        HalfwayProducer {
            halfway,
            go,
            thread,
        }
    }

    /// Waits until the first half is delivered; returns its size.
    async fn first_half_delivered(&mut self) -> u64 {
        tokio::time::timeout(Duration::from_secs(180), &mut self.halfway)
            .await
            .expect("the first half delivered within 3 minutes")
            .expect("the producer thread failed")
    }

    /// Sends the second half.
    fn continue_(&self) {
        self.go.send(()).expect("the producer thread failed");
    }

    /// Waits until everything is acknowledged.
    async fn finish(self) -> PublishReport {
        tokio::task::spawn_blocking(move || self.thread.join())
            .await
            .expect("join")
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_mid_stream_the_consumer_waits_and_continues_and_readyz_answers_503_meanwhile(
) {
    postgres_stopped_mid_stream(false).await;
}

/// As above with a crash (`-m immediate`): nothing the loader committed is lost
/// (with `synchronous_commit = off` this test lost 100 events: the running
/// loader does not read again the commits a crash lost).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_crashed_mid_stream_loses_no_event() {
    postgres_stopped_mid_stream(true).await;
}

async fn postgres_stopped_mid_stream(crash: bool) {
    let _serial = SERIAL.lock().await;
    let mut leftovers = Leftovers::default();
    // the topics and the clean run's database live on the shared services
    let clean = TestEnv::new().await;
    leftovers.databases.push(clean.database.clone());
    leftovers.topics.push(clean.kafka.clone());

    let pg = PrivatePostgres::start();
    let url = pg.url("globalcart");
    db::migrate(&url)
        .await
        .expect("migrate the private cluster");
    let kafka = KafkaSettings {
        group: Some(format!("g{}", random_suffix())),
        ..clean.kafka.clone()
    };
    let mut producer = HalfwayProducer::start(kafka.clone(), 31);
    let mut consumer = consumer(&url, &kafka);
    let port = free_port().to_string();
    let serve = ["serve", "--host", "127.0.0.1", "--port", &port];
    let _api = Process::spawn("api", &mut globalcart(&serve, &url, &kafka));
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client");

    let ready = |want: u16| {
        let (http, base) = (&http, &base);
        async move { readyz(http, base).await.is_some_and(|(s, _)| s == want) }
    };
    assert!(eventually(60, || ready(200)).await, "/readyz 200 at first");
    producer.first_half_delivered().await;
    assert!(
        eventually(120, || async { funnel_rows(&url).await > 0 }).await,
        "the consumer loads: {}",
        consumer.tail()
    );

    if crash {
        pg.crash_server();
    } else {
        pg.stop_server();
    }
    assert!(
        eventually(30, || ready(503)).await,
        "/readyz 503 while Postgres is down"
    );
    let (_, body) = readyz(&http, &base).await.expect("the API answers");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("postgres:"), "503 body: {body}");
    // the rest of the history arrives while the consumer cannot write it
    producer.continue_();
    let sent = producer.finish().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        consumer.is_running(),
        "the consumer waits for Postgres instead of exiting: {}",
        consumer.tail()
    );

    pg.start_server();
    assert!(
        eventually(60, || ready(200)).await,
        "/readyz 200 again once Postgres is back"
    );
    let (_, body) = readyz(&http, &base).await.expect("the API answers");
    assert_eq!(body["postgres"], "ok", "{body}");

    clean.consume_until_idle(5).await;
    let want = clean.checksums().await;
    assert_eq!(sent.failed, 0, "{sent:?}");
    assert!(
        want["fact_funnel_events"].0 > 0,
        "the clean run loads the history: {want:?}"
    );
    eventually(180, || async { checksums(&url).await == want }).await;
    assert!(
        consumer.is_running(),
        "the same consumer process finished the stream: {}",
        consumer.tail()
    );
    assert_eq!(
        checksums(&url).await,
        want,
        "the restarted run equals a clean run"
    );
    let report = globalcart_consumers::reconcile::reconcile(&kafka, &url, &Default::default())
        .await
        .expect("reconcile");
    assert!(report.agrees(), "reconcile:\n{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn broker_restarted_mid_stream_producer_and_consumer_reconnect() {
    let _serial = SERIAL.lock().await;
    let mut leftovers = Leftovers::default();
    let seed = 5;
    let mut broker = PrivateBroker::start();
    let kafka = KafkaSettings {
        brokers: broker.brokers(),
        topic_prefix: format!("t{}", random_suffix()),
        group: Some(format!("g{}", random_suffix())),
    };
    kafka::create_topics(&kafka, &topic_names(&kafka), 3)
        .await
        .expect("create the topics on the private broker");
    // a fresh database on the shared Postgres (its topics are the private broker's)
    let env = TestEnv::with_topics(&kafka.topic_prefix).await;
    leftovers.databases.push(env.database.clone());

    let mut consumer = consumer(&env.database_url, &kafka);
    let mut producer = HalfwayProducer::start(kafka.clone(), seed);
    let half = producer.first_half_delivered().await;
    assert!(
        eventually(120, || async { funnel_rows(&env.database_url).await > 0 }).await,
        "the consumer loads: {}",
        consumer.tail()
    );

    broker.stop();
    // the second half is queued while the broker is down: the producer cannot finish
    producer.continue_();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !producer.thread.is_finished(),
        "nothing can be acknowledged while the broker is down"
    );
    assert!(
        consumer.is_running(),
        "the consumer waits for the broker instead of exiting: {}",
        consumer.tail()
    );

    broker.start_again();
    let sent = tokio::time::timeout(Duration::from_secs(300), producer.finish())
        .await
        .expect("the producer delivers the second half after the restart");
    assert!(sent.messages > half && sent.failed == 0, "{sent:?}");
    assert!(sent.delivered >= sent.messages, "{sent:?}");

    // the clean run: the same history on the shared test broker, consumed uninterrupted
    let clean = TestEnv::new().await;
    leftovers.databases.push(clean.database.clone());
    leftovers.topics.push(clean.kafka.clone());
    let (clean_sent, _) = clean.produce(Preset::Tiny, seed, Faults::default()).await;
    assert_eq!(clean_sent.messages, sent.messages, "the same history");
    clean.consume_until_idle(5).await;
    let want = clean.checksums().await;

    eventually(180, || async { checksums(&env.database_url).await == want }).await;
    assert!(
        consumer.is_running(),
        "the same consumer process finished the stream: {}",
        consumer.tail()
    );
    assert_eq!(
        checksums(&env.database_url).await,
        want,
        "the run across a broker restart equals a clean run"
    );
    let report =
        globalcart_consumers::reconcile::reconcile(&kafka, &env.database_url, &Default::default())
            .await
            .expect("reconcile");
    assert!(report.agrees(), "reconcile:\n{report}");
}

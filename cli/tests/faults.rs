//! Poison messages, stale versions and crashes, on the real services.

mod helpers;

use std::process::Stdio;

use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use globalcart_schemas::{encode, Topic};
use helpers::{eventually, order, send, TestEnv};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_older_order_version_arriving_after_a_newer_one_does_not_overwrite_it() {
    let env = TestEnv::new().await;
    let v1 = order(
        "CREATED",
        1_760_000_000_000_000,
        "00000000-0000-4000-8000-000000000001",
    );
    let v2 = order(
        "DELIVERED",
        1_760_000_100_000_000,
        "00000000-0000-4000-8000-000000000002",
    );
    for v in [&v1, &v2, &v1] {
        send(&env, Topic::Orders, "900001", &encode(v).unwrap()).await;
    }
    env.consume_until_idle(4).await;
    let client = env.client().await;
    let status: String = client
        .query_one(
            "select order_status from globalcart.fact_orders where order_id = 900001",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(status, "DELIVERED");
    let audit: Vec<String> = client
        .query(
            "select old_row ->> 'order_status' from globalcart.audit_history
             where table_name = 'fact_orders' and row_key = '900001' order by audit_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    // loaded in one batch the older version never reaches the table; in two it is audited once
    assert!(audit.is_empty() || audit == ["CREATED"], "audit: {audit:?}");
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_overwritten_order_version_is_kept_in_the_audit_history() {
    let env = TestEnv::new().await;
    let v1 = order(
        "CREATED",
        1_760_000_000_000_000,
        "00000000-0000-4000-8000-000000000011",
    );
    send(&env, Topic::Orders, "900001", &encode(&v1).unwrap()).await;
    env.consume_until_idle(3).await;
    let v2 = order(
        "SHIPPED",
        1_760_000_100_000_000,
        "00000000-0000-4000-8000-000000000012",
    );
    send(&env, Topic::Orders, "900001", &encode(&v2).unwrap()).await;
    send(&env, Topic::Orders, "900001", &encode(&v1).unwrap()).await;
    env.consume_until_idle(3).await;
    let client = env.client().await;
    let rows = client
        .query(
            "select old_row ->> 'order_status', (old_row ->> 'event_id')
             from globalcart.audit_history where table_name = 'fact_orders' and row_key = '900001'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one overwrite, one audit row");
    assert_eq!(rows[0].get::<_, String>(0), "CREATED");
    assert_eq!(rows[0].get::<_, String>(1), v1.event_id);
    let status: String = client
        .query_one(
            "select order_status from globalcart.fact_orders where order_id = 900001",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(status, "SHIPPED");
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn garbage_and_schema_violating_messages_go_to_rejects_and_the_dlq_and_later_events_load() {
    let env = TestEnv::new().await;
    send(&env, Topic::Orders, "1", b"this is not avro").await;
    let mut bad = order(
        "CREATED",
        1_760_000_000_000_000,
        "00000000-0000-4000-8000-000000000021",
    );
    bad.net_amount += 1; // breaks net = sum of lines
    send(&env, Topic::Orders, "900001", &encode(&bad).unwrap()).await;
    let good = order(
        "CREATED",
        1_760_000_000_000_000,
        "00000000-0000-4000-8000-000000000022",
    );
    send(&env, Topic::Orders, "900001", &encode(&good).unwrap()).await;
    let run = env.consume_until_idle(4).await;
    assert_eq!(run.rejected, 2);

    let client = env.client().await;
    let reasons = env
        .column("select reason from globalcart.etl_ingest_rejects order by \"offset\"")
        .await;
    assert_eq!(reasons.len(), 2);
    assert!(
        reasons.iter().any(|r| r.contains("not Avro single-object")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("net_amount")),
        "{reasons:?}"
    );
    let loaded: i64 = client
        .query_one(
            "select count(*)::bigint from globalcart.fact_orders where order_id = 900001",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(loaded, 1, "the valid event after the poison ones loaded");
    env.assert_reconciled().await;

    let letters = dead_letters(&env);
    assert_eq!(letters.len(), 2, "two dead letters: {letters:?}");
    assert!(letters
        .iter()
        .all(|l| l["source_topic"] == env.topic(Topic::Orders)));
    assert!(letters
        .iter()
        .any(|l| l["payload_hex"] == hex(b"this is not avro")));
    assert!(letters
        .iter()
        .any(|l| l["reason"].as_str().unwrap_or("").contains("net_amount")));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_consumer_killed_mid_stream_and_restarted_loads_what_a_clean_run_loads() {
    let env = TestEnv::new().await;
    let (sent, _) = env.produce(Preset::Tiny, 23, Faults::default()).await;
    let bin = env!("CARGO_BIN_EXE_globalcart");
    let spawn = |idle: Option<&str>| {
        let mut cmd = std::process::Command::new(bin);
        cmd.args(["consume", "--batch-size", "100", "--batch-wait-ms", "20"])
            .env("DATABASE_URL", &env.database_url)
            .env("KAFKA_BROKERS", &env.kafka.brokers)
            .env("TOPIC_PREFIX", &env.kafka.topic_prefix)
            .env("CONSUMER_GROUP", env.kafka.group())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(i) = idle {
            cmd.args(["--until-idle", i]);
        }
        cmd.spawn().expect("spawn globalcart consume")
    };
    let mut first = spawn(None);
    let client = env.client().await;
    let loaded = || async {
        client
            .query_one(
                "select coalesce(sum(events_loaded), 0)::bigint from globalcart.etl_watermarks",
                &[],
            )
            .await
            .map(|r| r.get::<_, i64>(0))
            .unwrap_or(0)
    };
    let midway = eventually(60, || async { loaded().await > 500 }).await;
    first.kill().expect("SIGKILL");
    first.wait().unwrap();
    let at_kill = loaded().await;
    assert!(
        midway && (at_kill as u64) < sent.messages,
        "killed mid-stream: {at_kill} of {}",
        sent.messages
    );

    let status = spawn(Some("5")).wait().expect("restarted consumer");
    assert!(status.success());
    assert_eq!(
        loaded().await as u64,
        sent.messages,
        "every message counted once"
    );

    let clean = TestEnv::with_topics(&env.kafka.topic_prefix).await;
    clean.consume_until_idle(5).await;
    assert_eq!(env.checksums().await, clean.checksums().await);
    env.assert_reconciled().await;
    clean.drop_database().await;
    env.cleanup().await;
}

/// Reads the dead-letter topic with `globalcart dlq list` (a consumer of the
/// topic inside this test process trips a librdkafka crash on a Tansu
/// metadata answer).
fn dead_letters(env: &TestEnv) -> Vec<serde_json::Value> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_globalcart"))
        .args(["dlq", "list", "--idle-secs", "3"])
        .env("KAFKA_BROKERS", &env.kafka.brokers)
        .env("TOPIC_PREFIX", &env.kafka.topic_prefix)
        .output()
        .expect("globalcart dlq list");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

/// The semantic contract (issue 15): absurd but well-formed events are
/// rejected with a reason naming the rule; an order that claims another
/// order's line is refused by the warehouse with the database's own message;
/// and every rejected message is dead-lettered exactly once, even when the
/// batch it came in had to be reloaded message by message.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn absurd_events_and_a_stolen_order_line_are_dead_lettered_once_with_an_actionable_reason() {
    let env = TestEnv::new().await;
    let ts = 1_760_000_000_000_000;
    let mut n = 0;
    let mut variant = |f: &dyn Fn(&mut globalcart_schemas::OrderEvent)| {
        n += 1;
        let mut o = order(
            "CREATED",
            ts,
            &format!("00000000-0000-4000-8000-0000000001{n:02}"),
        );
        o.order_id = 910_000 + n;
        o.items[0].order_item_id = 910_000 + n;
        f(&mut o);
        o
    };
    let absurd = [
        (
            variant(&|o| {
                o.items[0].line_net_revenue = -999_997_061;
                o.items[0].line_discount = 2000 + 999_997_061;
                o.discount_amount = o.items[0].line_discount;
                o.net_amount = -999_997_061;
            }),
            "line_net_revenue is negative",
        ),
        (
            variant(&|o| {
                o.items[0].line_discount = -200;
                o.discount_amount = -200;
            }),
            "line_discount is negative",
        ),
        (
            variant(&|o| {
                o.items[0].line_net_revenue = 1700;
                o.net_amount = 1700;
            }),
            "differs from unit_list_price × qty − line_discount",
        ),
        (variant(&|o| o.currency = "ZZZ".into()), "currency \"ZZZ\""),
        (
            variant(&|o| o.order_ts = 253_402_214_400_000_000),
            "order_ts 9999-12-31",
        ),
        (
            variant(&|o| o.customer_id = -1),
            "customer_id must be a positive id",
        ),
        (variant(&|o| o.geo_id = -99), "geo_id must be a positive id"),
    ];
    send(&env, Topic::Orders, "900001", b"this is not avro").await;
    for (o, _) in &absurd {
        send(&env, Topic::Orders, "900001", &encode(o).unwrap()).await;
    }
    // order 900001 owns line 900001; order 900002 then claims it (same key, so
    // the same partition and batch: the batch is refused and reloaded one
    // message at a time, and only the thief is rejected)
    let owner = order("CREATED", ts, "00000000-0000-4000-8000-000000000201");
    let mut thief = order("CREATED", ts, "00000000-0000-4000-8000-000000000202");
    thief.order_id = 900_002;
    send(&env, Topic::Orders, "900001", &encode(&owner).unwrap()).await;
    send(&env, Topic::Orders, "900001", &encode(&thief).unwrap()).await;
    let run = env.consume_until_idle(4).await;
    assert_eq!(run.rejected as usize, 1 + absurd.len() + 1);

    let client = env.client().await;
    let reasons = env
        .column("select reason from globalcart.etl_ingest_rejects order by \"offset\"")
        .await;
    assert_eq!(reasons.len(), 1 + absurd.len() + 1, "{reasons:?}");
    for (r, (_, rule)) in reasons[1..].iter().zip(&absurd) {
        assert!(r.contains(rule), "{r:?} should name {rule:?}");
    }
    let refused = reasons.last().unwrap();
    for part in [
        "23514",
        "order_item_id 900001 belongs to order 900001, not order 900002",
        "column: order_id",
    ] {
        assert!(refused.contains(part), "{refused:?} lacks {part:?}");
    }
    let line_owner: i64 = client
        .query_one(
            "select order_id from globalcart.fact_order_items where order_item_id = 900001",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(line_owner, 900_001, "the line stayed with its order");
    let orders: i64 = client
        .query_one("select count(*)::bigint from globalcart.fact_orders", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(orders, 1, "only the owner loaded");
    // the rejects are recorded and the refused thief is not expected in the tables
    let report = env.reconcile().await;
    assert!(report.agrees() && report.refused == 1, "{report}");

    let letters = dead_letters(&env);
    assert_eq!(
        letters.len(),
        reasons.len(),
        "one dead letter per reject: {letters:?}"
    );
    let mut offsets: Vec<i64> = letters
        .iter()
        .map(|l| l["source_offset"].as_i64().unwrap())
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    assert_eq!(
        offsets.len(),
        reasons.len(),
        "no message dead-lettered twice"
    );
    env.cleanup().await;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_producer_restarted_mid_history_with_the_same_seed_doubles_nothing() {
    use globalcart_producers::generator;
    use globalcart_producers::publish::Publisher;

    // the producer that crashed: the first 3 000 events of the history only
    let restarted = TestEnv::new().await;
    let (k, cfg) = (restarted.kafka.clone(), helpers::config(Preset::Tiny, 21));
    let sent = tokio::task::spawn_blocking(move || {
        let mut p = Publisher::new(&k, Faults::default()).expect("publisher");
        for e in generator::history(&cfg).take(3000) {
            p.send(&e).expect("send");
        }
        p.finish().expect("flush").events
    })
    .await
    .unwrap();
    assert_eq!(sent, 3000);
    // then the same seed again, from the start
    restarted.produce(Preset::Tiny, 21, Faults::default()).await;
    restarted.consume_until_idle(4).await;

    let clean = TestEnv::new().await;
    clean.produce(Preset::Tiny, 21, Faults::default()).await;
    clean.consume_until_idle(4).await;

    assert_eq!(restarted.checksums().await, clean.checksums().await);
    restarted.assert_reconciled().await;
    restarted.cleanup().await;
    clean.cleanup().await;
}

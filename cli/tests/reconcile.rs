//! `globalcart reconcile` on the real broker and Postgres: a warehouse loaded
//! from a stream with duplicates and reordering agrees with it, counts and
//! totals as the producer's manifest states them; one corrupted row per fact
//! table is named by its key and column, and the command exits 1, records the
//! run and shows it on the API's `/metrics`.

mod helpers;

use std::collections::{BTreeMap, BTreeSet};

use globalcart_consumers::reconcile::compare::Kind;
use globalcart_consumers::reconcile::Report;
use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use helpers::TestEnv;

const FACTS: [&str; 6] = [
    "fact_orders",
    "fact_order_items",
    "fact_payments",
    "fact_shipments",
    "fact_returns",
    "fact_funnel_events",
];

/// A tiny history delivered with duplicates and reordering, loaded until idle.
async fn loaded(seed: u64) -> (TestEnv, u64, globalcart_producers::generator::Manifest) {
    let env = TestEnv::new().await;
    let faults = Faults {
        duplicate_rate: 0.3,
        reorder_rate: 0.2,
        seed,
    };
    let (sent, manifest) = env.produce(Preset::Tiny, seed, faults).await;
    assert!(sent.duplicates > 0 && sent.reordered > 0, "{sent:?}");
    let run = env.consume_until_idle(4).await;
    assert_eq!(run.messages, sent.messages);
    (env, sent.messages, manifest)
}

fn table<'a>(
    r: &'a Report,
    name: &str,
) -> &'a globalcart_consumers::reconcile::compare::TableReport {
    r.tables
        .iter()
        .find(|t| t.table == name)
        .unwrap_or_else(|| panic!("{name} not in the report:\n{r}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_warehouse_loaded_from_duplicated_and_reordered_events_agrees_with_the_stream() {
    let (env, messages, manifest) = loaded(31).await;
    let r = env.reconcile().await;
    assert!(r.agrees(), "{r}");
    assert_eq!(r.messages, messages, "every message read once");
    assert!(r.superseded > 0, "the duplicates were recognised: {r}");
    for t in FACTS.iter().chain(&["dim_product", "dim_customer"]) {
        let t = table(&r, t);
        assert!(t.stream_rows > 0, "{} is empty on the stream", t.table);
        assert_eq!(t.stream_rows, t.warehouse_rows, "{}", t.table);
        assert_eq!(t.matching, t.stream_rows, "{}", t.table);
        for s in &t.totals {
            assert_eq!(s.stream, s.warehouse, "{}.{}", t.table, s.column);
        }
    }
    // the stream side is what the producer says it sent: rows and money sums
    let mut checked = 0;
    for (name, expected) in &manifest.0 {
        let Some(t) = r.tables.iter().find(|t| t.table == name.as_str()) else {
            continue;
        };
        if name != "fact_funnel_events" {
            assert_eq!(t.stream_rows, expected.rows, "{name} rows");
        }
        for s in t.totals.iter().filter(|s| s.money) {
            if let Some(sum) = expected.sums.get(s.column) {
                let cents = globalcart_consumers::reconcile::cells::amount(s.stream);
                assert_eq!(&cents, sum, "{name}.{}", s.column);
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 5,
        "money sums compared with the manifest: {checked}"
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_corrupted_row_per_fact_table_is_named_by_its_key_and_the_command_fails() {
    let (env, _, _) = loaded(32).await;
    let db = env.client().await;
    let key = |sql: &'static str| {
        let db = &db;
        async move {
            let row = db
                .query_one(sql, &[])
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            row.get::<_, String>(0)
        }
    };
    // test-only SQL: one row of each fact table changed, deleted or added
    let mut expected: BTreeMap<&str, (String, Kind, Option<&str>)> = BTreeMap::new();
    let k = key(
        "update globalcart.fact_orders set net_amount = net_amount + 1
                 where order_id = (select min(order_id) from globalcart.fact_orders)
                 returning order_id::text",
    )
    .await;
    expected.insert("fact_orders", (k, Kind::Differs, Some("net_amount")));
    let k = key("update globalcart.fact_order_items set qty = qty + 1
                 where order_item_id = (select max(order_item_id) from globalcart.fact_order_items)
                 returning order_item_id::text")
    .await;
    expected.insert("fact_order_items", (k, Kind::Differs, Some("qty")));
    let k = key("delete from globalcart.fact_payments
                 where payment_id = (select min(payment_id) from globalcart.fact_payments)
                 returning payment_id::text")
    .await;
    expected.insert("fact_payments", (k, Kind::Missing, None));
    let k = key(
        "update globalcart.fact_shipments set carrier = carrier || ' (forged)'
                 where shipment_id = (select min(shipment_id) from globalcart.fact_shipments)
                 returning shipment_id::text",
    )
    .await;
    expected.insert("fact_shipments", (k, Kind::Differs, Some("carrier")));
    let k = key("insert into globalcart.fact_returns
                     (return_id, order_id, order_item_id, product_id, return_ts, return_reason,
                      return_status, currency, refund_amount, restocked_flag, event_id,
                      updated_at, loaded_at)
                 select return_id + 1000000000, order_id, order_item_id, product_id, return_ts,
                        return_reason, return_status, currency, refund_amount, restocked_flag,
                        gen_random_uuid(), updated_at, loaded_at
                 from globalcart.fact_returns order by return_id limit 1
                 returning return_id::text")
    .await;
    expected.insert("fact_returns", (k, Kind::Extra, None));
    let k = key("delete from globalcart.fact_funnel_events
                 where (event_ts, event_id) = (
                     select event_ts, event_id from globalcart.fact_funnel_events f
                     where (select count(*) from globalcart.fact_funnel_events g
                            where g.session_id = f.session_id) > 1
                     order by event_ts, event_id limit 1)
                 returning session_id")
    .await;
    expected.insert("fact_funnel_events", (k, Kind::Differs, Some("events")));

    let r = env.reconcile().await;
    assert!(!r.agrees(), "{r}");
    assert_eq!(r.differences(), FACTS.len() as u64, "{r}");
    for t in &r.tables {
        let named: BTreeSet<&str> = t.samples.iter().map(|d| d.key.as_str()).collect();
        match expected.get(t.table) {
            None => assert!(named.is_empty(), "{} should agree: {r}", t.table),
            Some((key, kind, column)) => {
                assert_eq!(named, BTreeSet::from([key.as_str()]), "{}: {r}", t.table);
                let d = &t.samples[0];
                assert_eq!(d.kind, *kind, "{}: {r}", t.table);
                if let Some(c) = column {
                    let c = d.columns.iter().find(|x| x.column == *c);
                    assert!(
                        c.is_some_and(|c| c.stream != c.warehouse),
                        "{}: {r}",
                        t.table
                    );
                }
            }
        }
    }
    let orders = table(&r, "fact_orders");
    let net = orders
        .totals
        .iter()
        .find(|s| s.column == "net_amount")
        .unwrap();
    assert_eq!(
        net.warehouse - net.stream,
        100,
        "one unit more in the warehouse"
    );

    // the command: exit status 1, one JSON document, the run recorded …
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_globalcart"))
        .args(["reconcile", "--json", "--show", "3"])
        .env("DATABASE_URL", &env.database_url)
        .env("KAFKA_BROKERS", &env.kafka.brokers)
        .env("TOPIC_PREFIX", &env.kafka.topic_prefix)
        .output()
        .expect("globalcart reconcile");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["agrees"], false);
    assert_eq!(doc["differences"], FACTS.len() as u64);
    let payments = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "fact_payments")
        .unwrap();
    assert_eq!(payments["missing"], 1);
    assert_eq!(
        payments["first_differences"][0]["key"],
        expected["fact_payments"].0.as_str()
    );
    let recorded: Vec<(String, i64)> = db
        .query(
            "select t.table_name, t.differing + t.missing + t.extra
             from globalcart.etl_reconcile_tables t
             join globalcart.etl_reconcile_runs r using (run_id)
             where r.run_at = (select max(run_at) from globalcart.etl_reconcile_runs)
               and t.differing + t.missing + t.extra > 0
             order by 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut facts: Vec<(String, i64)> = FACTS.iter().map(|t| (t.to_string(), 1)).collect();
    facts.sort();
    assert_eq!(recorded, facts);

    // … and shown on the API's /metrics
    let base = env.spawn_app().await;
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for t in FACTS {
        let line = format!("globalcart_reconcile_differences{{table=\"{t}\"}} 1");
        assert!(metrics.contains(&line), "{line} not in /metrics");
    }
    assert!(metrics.contains("globalcart_reconcile_differences{table=\"dim_product\"} 0"));
    assert!(!metrics.contains("globalcart_reconcile_last_run_timestamp_seconds 0\n"));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_window_compares_only_its_records_and_the_cli_exits_0_when_all_agree() {
    let (env, _, _) = loaded(33).await;
    // records stamped before the history was produced: nothing to compare
    let past = chrono::Utc::now() - chrono::TimeDelta::days(1);
    let r = globalcart_consumers::reconcile::reconcile(
        &env.kafka,
        &env.database_url,
        &globalcart_consumers::reconcile::Options {
            window: globalcart_consumers::reconcile::Window {
                to_timestamp: Some(past),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .expect("reconcile a window");
    assert!(r.agrees() && r.partial && r.messages == 0, "{r}");
    assert!(r.tables.iter().all(|t| t.warehouse_rows == 0), "{r}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_globalcart"))
        .args(["reconcile", "--topics", "orders,payments"])
        .env("DATABASE_URL", &env.database_url)
        .env("KAFKA_BROKERS", &env.kafka.brokers)
        .env("TOPIC_PREFIX", &env.kafka.topic_prefix)
        .output()
        .expect("globalcart reconcile");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("the warehouse agrees with the stream"),
        "{stdout}"
    );
    assert!(stdout.contains("fact_order_items") && !stdout.contains("fact_shipments"));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_globalcart"))
        .args(["reconcile", "--topics", "dead_letter"])
        .output()
        .expect("globalcart reconcile");
    assert_eq!(bad.status.code(), Some(2), "a usage error");
    env.cleanup().await;
}

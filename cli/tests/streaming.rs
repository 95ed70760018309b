//! The streaming spine end to end, on the real Postgres and Tansu broker:
//! producer → topics → consumer group → star schema.

mod helpers;

use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use helpers::TestEnv;

/// Sums a table's rows and money columns as the manifest states them.
async fn table_sums(
    env: &TestEnv,
    table: &str,
    columns: &[String],
) -> (u64, Vec<(String, String)>) {
    let client = env.client().await;
    let rows: i64 = client
        .query_one(
            &format!("select count(*)::bigint from globalcart.{table}"),
            &[],
        )
        .await
        .expect("count")
        .get(0);
    let mut sums = Vec::new();
    for c in columns {
        let s: String = client
            .query_one(
                &format!(
                    "select coalesce(sum({c}), 0)::numeric(20,2)::text from globalcart.{table}"
                ),
                &[],
            )
            .await
            .expect("sum")
            .get(0);
        sums.push((c.clone(), s));
    }
    (rows as u64, sums)
}

/// Produces `preset`, consumes until idle, and checks every table of the manifest.
async fn loads_the_manifest(preset: Preset) {
    let env = TestEnv::new().await;
    let (sent, manifest) = env.produce(preset, 42, Faults::default()).await;
    assert!(
        sent.messages > 1000,
        "{preset} streams thousands of events ({})",
        sent.messages
    );
    let run = env.consume_until_idle(5).await;
    assert_eq!(
        run.messages, sent.messages,
        "every message consumed exactly once"
    );
    assert_eq!(run.rejected, 0);
    assert!(
        manifest.0.len() >= 10,
        "manifest covers the tables: {:?}",
        manifest.0.keys()
    );
    for (table, expected) in &manifest.0 {
        let columns: Vec<String> = expected.sums.keys().cloned().collect();
        let (rows, sums) = table_sums(&env, table, &columns).await;
        assert_eq!(rows, expected.rows, "{table} rows");
        for (c, s) in sums {
            assert_eq!(&s, &expected.sums[&c], "{table}.{c}");
        }
    }
    env.assert_reconciled().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_produced_tiny_history_loads_every_row_and_money_sum_of_the_manifest() {
    loads_the_manifest(Preset::Tiny).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_small_preset_loads_every_row_and_money_sum_of_its_manifest() {
    loads_the_manifest(Preset::Small).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delivering_every_event_twice_and_some_out_of_order_changes_no_row() {
    let clean = TestEnv::new().await;
    clean.produce(Preset::Tiny, 7, Faults::default()).await;
    clean.consume_until_idle(5).await;

    let faulty = TestEnv::new().await;
    let faults = Faults {
        duplicate_rate: 1.0,
        reorder_rate: 0.1,
        seed: 7,
    };
    let (sent, _) = faulty.produce(Preset::Tiny, 7, faults).await;
    assert!(
        sent.duplicates > 0 && sent.reordered > 0,
        "faults were injected: {sent:?}"
    );
    let run = faulty.consume_until_idle(5).await;
    assert_eq!(run.messages, sent.messages);

    let (a, b) = (clean.checksums().await, faulty.checksums().await);
    assert!(a["fact_orders"].0 > 0);
    assert_eq!(a, b, "duplicates and reorderings changed the tables");
    faulty.assert_reconciled().await;
    clean.cleanup().await;
    faulty.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_consumers_in_one_group_split_the_partitions_and_load_what_one_would() {
    let two = TestEnv::new().await;
    // both members join the group first, then the history arrives
    let consumers = async { tokio::join!(two.consume_until_idle(12), two.consume_until_idle(12)) };
    let producer = async {
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        two.produce(Preset::Tiny, 11, Faults::default()).await
    };
    let ((a, b), (sent, _)) = tokio::join!(consumers, producer);
    assert!(
        a.messages > 0 && b.messages > 0,
        "both consumers got partitions: {a:?} {b:?}"
    );
    assert!(a.messages + b.messages >= sent.messages);

    // one consumer (another group) over the same topics into another database
    let one = TestEnv::with_topics(&two.kafka.topic_prefix).await;
    let run = one.consume_until_idle(5).await;
    assert_eq!(run.messages, sent.messages);
    assert_eq!(one.checksums().await, two.checksums().await);
    two.assert_reconciled().await;
    one.drop_database().await;
    two.cleanup().await;
}

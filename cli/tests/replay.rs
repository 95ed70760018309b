//! `globalcart replay` against the real broker and Postgres: a fresh database
//! rebuilt from the topics equals the live one table by table; a replay into
//! the live database changes nothing; the time and offset bounds hold.

mod helpers;

use chrono::{TimeDelta, Utc};
use globalcart::commands::replay::{self, ReplayArgs};
use globalcart_common::PgSettings;
use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use helpers::TestEnv;

fn args(into: &TestEnv) -> ReplayArgs {
    ReplayArgs {
        topics: Vec::new(),
        from_offset: None,
        from_timestamp: None,
        to_timestamp: None,
        into_database: Some(into.database_url.clone()),
        group: None,
        until_idle: 3,
        batch_size: 5000,
        no_refresh_marts: false,
        no_reconcile: false,
    }
}

async fn fact_rows(env: &TestEnv) -> i64 {
    env.client()
        .await
        .query_one(
            "select (select count(*) from globalcart.fact_orders)
                  + (select count(*) from globalcart.fact_funnel_events)",
            &[],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_rebuilt_from_the_topics_equals_the_live_one_and_replays_change_nothing() {
    let live = TestEnv::new().await;
    let faults = Faults {
        duplicate_rate: 0.1,
        reorder_rate: 0.1,
        seed: 11,
    };
    live.produce(Preset::Tiny, 5, faults).await;
    live.consume_until_idle(3).await;
    let expected = live.checksums().await;
    assert!(expected["fact_orders"].0 > 300, "{expected:?}");
    let pg = PgSettings {
        database_url: live.database_url.clone(),
    };

    // a fresh database, rebuilt from the topics alone
    let fresh = TestEnv::with_topics(&live.kafka.topic_prefix).await;
    replay::run(&pg, &live.kafka, args(&fresh))
        .await
        .expect("replay into a fresh database");
    let rebuilt = fresh.checksums().await;
    for (table, sum) in &expected {
        assert_eq!(&rebuilt[table], sum, "{table} differs after the rebuild");
    }

    // the live database replayed into itself (a new group): nothing changes
    replay::run(&pg, &live.kafka, args(&live))
        .await
        .expect("replay into the live database");
    assert_eq!(live.checksums().await, expected);
    live.assert_reconciled().await;
    fresh.assert_reconciled().await;

    // records stamped before the history was produced: nothing to load
    let empty = TestEnv::with_topics(&live.kafka.topic_prefix).await;
    let mut bounded = args(&empty);
    bounded.to_timestamp = Some(Utc::now() - TimeDelta::days(1));
    replay::run(&pg, &live.kafka, bounded)
        .await
        .expect("bounded replay");
    assert_eq!(fact_rows(&empty).await, 0);

    // from an offset past every partition's end: nothing either; only orders
    // from offset 0: the orders and nothing else
    let mut past = args(&empty);
    past.from_offset = Some(1_000_000_000);
    replay::run(&pg, &live.kafka, past)
        .await
        .expect("replay from an offset");
    assert_eq!(fact_rows(&empty).await, 0);
    let mut orders = args(&empty);
    orders.topics = vec![globalcart_schemas::Topic::Orders];
    orders.from_offset = Some(0);
    replay::run(&pg, &live.kafka, orders)
        .await
        .expect("replay of one topic");
    let c = empty.client().await;
    let (o, f): (i64, i64) = {
        let r = c
            .query_one(
                "select (select count(*) from globalcart.fact_orders),
                        (select count(*) from globalcart.fact_funnel_events)",
                &[],
            )
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(o, expected["fact_orders"].0, "every order replayed");
    assert_eq!(f, 0, "clickstream not replayed");

    fresh.drop_database().await;
    empty.drop_database().await;
    live.cleanup().await;
}

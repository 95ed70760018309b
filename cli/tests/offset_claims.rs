//! Two group members that both own a partition (what Tansu 0.6 does for a
//! moment when members join one after another) still load each message once:
//! every batch claims its partitions' stored offsets first, and a member that
//! finds the other ahead rolls back and loads only the rest.

mod helpers;

use globalcart_common::db;
use globalcart_consumers::consumer::{process_batch, Loader};
use globalcart_consumers::decode::RawMessage;
use globalcart_producers::generator::{self, Preset};
use helpers::{config, TestEnv};
use tokio::sync::watch;

/// The tiny preset's history as one partition per topic (offsets per topic).
fn stream(prefix: &str) -> Vec<RawMessage> {
    let mut next: std::collections::HashMap<String, i64> = Default::default();
    generator::history(&config(Preset::Tiny, 5))
        .map(|e| {
            let topic = e.topic().name(prefix);
            let offset = next.entry(topic.clone()).or_insert(0);
            *offset += 1;
            RawMessage {
                topic,
                partition: 0,
                offset: *offset - 1,
                key: Some(e.key().into_bytes()),
                payload: Some(e.encode().expect("encode")),
            }
        })
        .collect()
}

/// One member: loads `messages` in batches of `size`, as its poller would.
/// Returns (messages it loaded, batches it found partly loaded by the other).
async fn member(env: &TestEnv, messages: Vec<RawMessage>, size: usize) -> (usize, usize) {
    let (_stop, shutdown) = watch::channel(false);
    let pool = db::pool(&env.database_url, 2).expect("pool");
    let loader = Loader::new(&env.kafka, pool, shutdown).expect("loader");
    let (mut loaded, mut fenced) = (0, 0);
    for chunk in messages.chunks(size) {
        let r = process_batch(&loader, chunk).await.expect("batch");
        loaded += r.messages;
        fenced += usize::from(!r.fenced.is_empty());
    }
    (loaded, fenced)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_members_owning_one_partition_load_each_message_once() {
    let env = TestEnv::new().await;
    let messages = stream(&env.kafka.topic_prefix);
    let total = messages.len();

    // the same messages, cut differently, so the claims overlap mid-batch too
    let (a, b) = tokio::join!(
        member(&env, messages.clone(), 400),
        member(&env, messages.clone(), 650)
    );
    assert_eq!(
        a.0 + b.0,
        total,
        "each message is loaded by exactly one member (a {a:?}, b {b:?})"
    );
    assert!(a.1 + b.1 > 0, "the member behind found the other ahead");

    let events_loaded: i64 = env
        .client()
        .await
        .query_one(
            "select sum(events_loaded)::bigint from globalcart.etl_watermarks",
            &[],
        )
        .await
        .expect("watermarks")
        .get(0);
    assert_eq!(events_loaded, total as i64, "the loaded counts are exact");

    // the same rows as one member loading alone
    let alone = TestEnv::with_topics(&env.kafka.topic_prefix).await;
    assert_eq!(member(&alone, messages, 500).await, (total, 0));
    assert_eq!(env.checksums().await, alone.checksums().await);
    alone.drop_database().await;
    env.cleanup().await;
}

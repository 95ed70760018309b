//! `globalcart dlq replay`: dead letters go back to their source topics and
//! the loader ingests them; a letter that is still invalid is rejected again.

mod helpers;

use globalcart_schemas::codec::encode_dead_letter;
use globalcart_schemas::{encode, DeadLetter, Topic};
use helpers::{order, send, TestEnv};

/// Runs `globalcart dlq <args>` for `env` (in a child process: a consumer of
/// the dead-letter topic inside the test process trips a librdkafka crash on
/// a Tansu metadata answer); returns its stderr.
fn dlq(env: &TestEnv, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_globalcart"))
        .arg("dlq")
        .args(args)
        .env("KAFKA_BROKERS", &env.kafka.brokers)
        .env("TOPIC_PREFIX", &env.kafka.topic_prefix)
        .output()
        .expect("globalcart dlq");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    stderr
}

fn letter(env: &TestEnv, reason: &str, key: &[u8], payload: &[u8]) -> Vec<u8> {
    encode_dead_letter(&DeadLetter {
        source_topic: env.topic(Topic::Orders),
        source_partition: 0,
        source_offset: 0,
        reason: reason.into(),
        rejected_at: chrono::Utc::now().timestamp_micros(),
        key: Some(key.to_vec()),
        payload: Some(payload.to_vec()),
    })
    .expect("dead letter")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replayed_dead_letters_load_once_fixed_and_are_rejected_again_when_not() {
    let env = TestEnv::new().await;
    // A valid order that a loader with a since-fixed bug had dead-lettered, and
    // bytes that are still not Avro.
    let fixed = order(
        "CONFIRMED",
        1_760_000_000_000_000,
        "00000000-0000-4000-8000-000000000031",
    );
    let valid = letter(
        &env,
        "simulated: rejected by a loader bug since fixed",
        b"900001",
        &encode(&fixed).unwrap(),
    );
    let garbage = letter(&env, "not Avro", b"1", b"still not avro");
    send(&env, Topic::DeadLetter, "a", &valid).await;
    send(&env, Topic::DeadLetter, "b", &garbage).await;

    let none = dlq(&env, &["replay", "--reason-contains", "no such reason"]);
    assert!(none.contains("0 dead letters republished"), "{none}");
    let both = dlq(&env, &["replay"]);
    assert!(both.contains("2 dead letters republished"), "{both}");

    let run = env.consume_until_idle(4).await;
    assert_eq!(run.rejected, 1, "the garbage is rejected again");
    let c = env.client().await;
    let status: String = c
        .query_one(
            "select order_status from globalcart.fact_orders where order_id = 900001",
            &[],
        )
        .await
        .expect("the fixed order loaded")
        .get(0);
    assert_eq!(status, "CONFIRMED");
    let reason: String = c
        .query_one("select reason from globalcart.etl_ingest_rejects", &[])
        .await
        .unwrap()
        .get(0);
    assert!(reason.contains("not Avro single-object"), "{reason}");

    // the rejected garbage is a dead letter again: three letters now
    let listed = dlq(&env, &["list"]);
    assert!(listed.contains("3 dead letters"), "{listed}");
    // the fixed letter loaded, the garbage recorded as a reject again
    env.assert_reconciled().await;
    env.cleanup().await;
}

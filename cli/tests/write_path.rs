//! The write path of 016 (clickstream keyed by time, HOT-friendly pages,
//! set-based audit of changed rows, asynchronous commit) keeps the semantics of
//! the path it replaced: the same loader run against a database migrated only
//! to 015 (row-level audit of every overwrite, random clickstream key) with the
//! stream in order, and against the current schema with every event delivered
//! twice, reordered across batch boundaries (late events) and cut into batches
//! of random sizes, ends with the same rows in every table, and the audit
//! history of the new path is exactly the old one's entries whose tracked
//! columns changed.

mod helpers;

use std::collections::BTreeMap;

use globalcart_common::db;
use globalcart_consumers::decode::{Batch, RawMessage};
use globalcart_consumers::load::load;
use globalcart_producers::generator::{self, Preset};
use helpers::{config, TestEnv};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const PREFIX: &str = "wp";

fn stream() -> Vec<RawMessage> {
    generator::history(&config(Preset::Tiny, 11))
        .enumerate()
        .map(|(i, e)| RawMessage {
            topic: e.topic().name(PREFIX),
            partition: 0,
            offset: i as i64,
            key: Some(e.key().into_bytes()),
            payload: Some(e.encode().expect("encode")),
        })
        .collect()
}

/// Every message twice, neighbours shuffled in windows of 40 (so older versions
/// arrive after newer ones, also in a later batch), offsets renumbered.
fn faulty(messages: &[RawMessage], rng: &mut rand::rngs::StdRng) -> Vec<RawMessage> {
    let mut out: Vec<RawMessage> = messages
        .iter()
        .flat_map(|m| [m.clone(), m.clone()])
        .collect();
    for w in out.chunks_mut(40) {
        w.shuffle(rng);
    }
    for (i, m) in out.iter_mut().enumerate() {
        m.offset = i as i64;
    }
    out
}

async fn load_in_batches(url: &str, messages: &[RawMessage], sizes: &mut dyn FnMut() -> usize) {
    let pool = db::pool(url, 1).expect("pool");
    let mut rest = messages;
    while !rest.is_empty() {
        let n = sizes().min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        let batch = Batch::decode(PREFIX, chunk);
        assert!(
            batch.rejects.is_empty(),
            "rejects: {:?}",
            batch.rejects.first().map(|r| &r.reason)
        );
        load(&pool, "write-path", &batch).await.expect("load");
        rest = tail;
    }
}

/// (table, key) → for each audited version, in order: its tracked columns and
/// those of the version that replaced it (the next audited one, or the row now).
type Audit = BTreeMap<(String, String), Vec<(serde_json::Value, serde_json::Value)>>;

async fn audit(env: &TestEnv) -> Audit {
    const UNTRACKED: &str = "'{event_id,updated_at,loaded_at}'::text[]";
    let current = [
        ("fact_orders", "order_id"),
        ("fact_payments", "payment_id"),
        ("fact_shipments", "shipment_id"),
        ("fact_returns", "return_id"),
        ("dim_customer", "customer_id"),
        ("dim_product", "product_id"),
    ]
    .iter()
    .map(|(t, k)| {
        format!(
            "when '{t}' then (select to_jsonb(c) - {UNTRACKED} from globalcart.{t} c where c.{k} = a.row_key::bigint)"
        )
    })
    .collect::<Vec<_>>()
    .join(" ");
    let rows = env
        .client()
        .await
        .query(
            &format!(
                "select table_name, row_key, old_row - {UNTRACKED},
                        coalesce((select n.old_row - {UNTRACKED} from globalcart.audit_history n
                                  where n.table_name = a.table_name and n.row_key = a.row_key
                                    and n.audit_id > a.audit_id order by n.audit_id limit 1),
                                 case a.table_name {current} end)
                 from globalcart.audit_history a order by audit_id"
            ),
            &[],
        )
        .await
        .expect("audit");
    let mut out = Audit::new();
    for r in rows {
        out.entry((r.get(0), r.get(1)))
            .or_default()
            .push((r.get(2), r.get(3)));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_write_path_loads_what_the_old_one_did_and_audits_only_changes() {
    let messages = stream();
    assert!(messages.len() > 10_000, "a real stream: {}", messages.len());

    // the old path: schema up to 015 (as main migrated it then), in order, batches of 5 000
    let old = TestEnv::from_schema(include_str!("fixtures/schema_v015.sql")).await;
    load_in_batches(&old.database_url, &messages, &mut || 5000).await;

    // the new path on the same stream and batches
    let same = TestEnv::with_topics("unused").await;
    load_in_batches(&same.database_url, &messages, &mut || 5000).await;

    // the new path, every event twice, reordered across batches, random batch sizes
    let faulty_env = TestEnv::with_topics("unused").await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(14);
    let stream = faulty(&messages, &mut rng);
    load_in_batches(&faulty_env.database_url, &stream, &mut || {
        rng.gen_range(1..3000)
    })
    .await;

    let (a, b, c) = (
        old.checksums().await,
        same.checksums().await,
        faulty_env.checksums().await,
    );
    assert!(a["fact_funnel_events"].0 > 0 && a["fact_orders"].0 > 0);
    assert_eq!(a, b, "the new path loaded other rows than the old one");
    assert_eq!(a, c, "duplicates, reordering or batching changed the rows");

    // the old path audited every overwritten version; the new one exactly those
    // whose tracked columns differ from the version that replaced them
    let old_audit = audit(&old).await;
    assert!(!old_audit.is_empty(), "the stream overwrites rows");
    let changed = |a: &Audit| -> BTreeMap<(String, String), Vec<serde_json::Value>> {
        a.iter()
            .map(|(k, v)| {
                let kept: Vec<serde_json::Value> = v
                    .iter()
                    .filter(|(was, next)| was != next)
                    .map(|(was, _)| was.clone())
                    .collect();
                (k.clone(), kept)
            })
            .filter(|(_, v)| !v.is_empty())
            .collect()
    };
    let new_audit = audit(&same).await;
    assert!(!new_audit.is_empty(), "status changes are audited");
    assert_eq!(changed(&new_audit), changed(&old_audit));
    assert_eq!(
        changed(&new_audit).values().map(Vec::len).sum::<usize>(),
        new_audit.values().map(Vec::len).sum::<usize>(),
        "the new path audited a version equal to its successor"
    );
    let faulty_audit = audit(&faulty_env).await;
    for (key, versions) in &faulty_audit {
        for (was, next) in versions {
            assert_ne!(was, next, "{key:?}: an unchanged version was audited");
        }
    }
    old.drop_database().await;
    same.drop_database().await;
    faulty_env.drop_database().await;
}

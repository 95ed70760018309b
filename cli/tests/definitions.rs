//! sql/definitions/: the views, functions and triggers are re-created from
//! their one current definition, so a fresh database and one upgraded from an
//! older main end with the same schema, object for object.

mod helpers;

use globalcart_common::{db, definitions};
use helpers::TestEnv;

/// What differs between two catalogs, for the assertion message.
fn difference(a: &[String], b: &[String]) -> Vec<String> {
    let only_a = a
        .iter()
        .filter(|l| !b.contains(l))
        .map(|l| format!("- {l}"));
    let only_b = b
        .iter()
        .filter(|l| !a.contains(l))
        .map(|l| format!("+ {l}"));
    only_a.chain(only_b).take(20).collect()
}

#[tokio::test]
async fn a_database_upgraded_from_the_main_of_2026_12_05_ends_with_the_schema_of_a_fresh_one() {
    let fresh = TestEnv::with_topics("unused").await;
    let upgraded = TestEnv::from_schema(include_str!("fixtures/schema_v020.sql")).await;
    let before = upgraded.catalog().await;
    let applied = db::migrate(&upgraded.database_url).await.expect("migrate");
    let later: Vec<i32> = db::MIGRATIONS
        .iter()
        .map(|m| m.version)
        .filter(|v| *v > 20)
        .collect();
    assert_eq!(applied, later, "only the migrations after the fixture's");

    let (a, b) = (fresh.catalog().await, upgraded.catalog().await);
    assert!(a.len() > 1000, "a whole schema: {} objects", a.len());
    assert!(
        a == b,
        "fresh vs upgraded:\n{}",
        difference(&a, &b).join("\n")
    );
    // moving the views and functions out of the migrations left every table
    // as it was: tables, their columns, indexes, constraints and triggers
    // (the fixture's definitions are compared above, once re-created); 022
    // and 023 only add tables, and turn the materialized marts kept by day
    // into tables (their indexes go with them)
    let tables = |c: &[String]| -> Vec<String> {
        c.iter()
            .filter(|l| {
                let (head, def) = l.split_once(": ").unwrap_or((l, ""));
                let of_a_view = (head.starts_with("relation ") || head.starts_with("column "))
                    && ["v ", "m ", "c "].iter().any(|k| def.starts_with(k));
                let definition =
                    head.starts_with("view ") || head.starts_with("function ") || of_a_view;
                !definition && !l.contains("etl_schema_definitions")
            })
            .cloned()
            .collect()
    };
    let (now, then) = (tables(&a), tables(&before));
    assert!(
        then.len() > 500,
        "the tables of a whole schema: {}",
        then.len()
    );
    let replaced = [
        "mart_exec_daily_kpis",
        "mart_finance_profitability",
        "mart_funnel_conversion",
        "mart_product_performance",
        "mart_order_lines",
        "mart_abandoned_cart_lines",
    ];
    let lost: Vec<String> = then
        .iter()
        .filter(|l| !now.contains(l) && !replaced.iter().any(|m| l.contains(m)))
        .cloned()
        .collect();
    assert!(lost.is_empty(), "the tables changed:\n{}", lost.join("\n"));
    fresh.drop_database().await;
    upgraded.drop_database().await;
}

#[tokio::test]
async fn definitions_are_re_created_only_when_their_files_change() {
    let env = TestEnv::with_topics("unused").await;
    let client = env.client().await;
    let oid = "select 'globalcart.vw_kpi_daily'::regclass::oid::bigint";
    let first: i64 = client.query_one(oid, &[]).await.unwrap().get(0);
    db::migrate(&env.database_url).await.expect("migrate again");
    let same: i64 = client.query_one(oid, &[]).await.unwrap().get(0);
    assert_eq!(first, same, "unchanged files re-created the views");

    // files changed since the database last applied them
    let catalog = env.catalog().await;
    client
        .batch_execute("update globalcart.etl_schema_definitions set checksum = 'older files'")
        .await
        .unwrap();
    db::migrate(&env.database_url)
        .await
        .expect("migrate after a change");
    let recreated: i64 = client.query_one(oid, &[]).await.unwrap().get(0);
    assert_ne!(first, recreated, "changed files were not re-applied");
    assert_eq!(env.catalog().await, catalog);
    let files: i32 = client
        .query_one("select files from globalcart.etl_schema_definitions", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(files as usize, definitions::DEFINITIONS.len());
    env.drop_database().await;
}

/// Every file of sql/definitions/ is applied, in the order of its number.
#[test]
fn every_definitions_file_is_listed_in_order() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../sql/definitions");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let listed: Vec<&str> = definitions::DEFINITIONS.iter().map(|d| d.name).collect();
    assert_eq!(files, listed);
}

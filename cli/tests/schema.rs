//! The migrations: idempotent, and every table and column documented.

mod helpers;

use globalcart_common::db;
use helpers::TestEnv;

#[tokio::test]
async fn every_table_and_column_of_the_schema_has_a_comment() {
    let env = TestEnv::with_topics("unused").await;
    let client = env.client().await;
    let missing: Vec<String> = client
        .query(
            // every relation (its own comment) and every column of it
            "with rel as (
                 select c.oid, c.relname from pg_class c
                 join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'globalcart'
                 where (c.relkind in ('r', 'm') or (c.relkind = 'v' and c.relname like 'mart\\_%'))
                   and c.relname <> 'etl_schema_migrations'
             )
             select relname::text from rel where obj_description(oid, 'pg_class') is null
             union all
             select rel.relname || '.' || a.attname
             from rel
             join pg_attribute a on a.attrelid = rel.oid and a.attnum > 0 and not a.attisdropped
             where col_description(rel.oid, a.attnum) is null",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(missing.is_empty(), "undocumented: {missing:?}");
    env.drop_database().await;
}

#[tokio::test]
async fn migrating_twice_applies_nothing_the_second_time() {
    let env = TestEnv::with_topics("unused").await;
    let again = db::migrate(&env.database_url).await.unwrap();
    assert!(again.is_empty(), "re-applied {again:?}");
    let client = env.client().await;
    let versions: i64 = client
        .query_one(
            "select count(*)::bigint from globalcart.etl_schema_migrations",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(versions as usize, db::MIGRATIONS.len());
    env.drop_database().await;
}

#[tokio::test]
async fn the_committed_data_dictionary_is_what_the_database_comments_say() {
    let env = TestEnv::with_topics("unused").await;
    let client = env.client().await;
    let rendered = globalcart_common::dictionary::render(&client)
        .await
        .unwrap();
    let committed = include_str!("../../docs/data_dictionary.md");
    assert!(
        rendered == committed,
        "docs/data_dictionary.md is stale: regenerate it with \
         `globalcart data-dictionary --out docs/data_dictionary.md`"
    );
    env.drop_database().await;
}

/// The currencies the event contract accepts are exactly those the warehouse
/// converts to USD: an event in another currency would drop out of every KPI.
#[tokio::test]
async fn the_contract_currencies_are_the_warehouse_currencies() {
    let env = TestEnv::with_topics("unused").await;
    let mut warehouse = env
        .column("select currency::text from globalcart.dim_currency where fx_to_reporting > 0")
        .await;
    warehouse.sort();
    let mut contract: Vec<String> = globalcart_schemas::contract::CURRENCIES
        .iter()
        .map(|c| c.to_string())
        .collect();
    contract.sort();
    assert_eq!(contract, warehouse);
    env.drop_database().await;
}

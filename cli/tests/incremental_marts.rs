//! The daily KPI rollup and the BI marts kept by day (migrations 022, 023):
//! the facts' triggers mark the days a write touches, readers of the rollup
//! compute those days afresh, and an incremental refresh of the marked days
//! equals a full rebuild row for row, after a stream with duplicates and
//! reordering, late events that change old days (a late order and its
//! cancellation, a late return, a click earlier than its session's first) and
//! a replay.

mod helpers;

use globalcart::commands::replay::{self, ReplayArgs};
use globalcart_common::{db, marts, PgSettings};
use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use globalcart_schemas::{encode, ClickEvent, ReturnEvent, Topic};
use helpers::{mart_differences, order, send, TestEnv};

/// Rows of the stored rollup (both tables) that a full recompute from the
/// facts does not return, plus the reverse: 0 when the rollup is exact.
const ROLLUP_VS_FACTS: &str = "
with kept as (select to_jsonb(k) - 'refreshed_at' as j from globalcart.kpi_daily_rollup k),
     computed as (select to_jsonb(k) - 'refreshed_at' as j
                  from globalcart.kpi_daily_parts_between(null, null) k),
     kept_ab as (select to_jsonb(a) as j from globalcart.kpi_daily_abandoned_products a),
     computed_ab as (select to_jsonb(a) as j from globalcart.kpi_daily_abandoned_between(null, null) a)
select (select count(*) from (select j from kept except all select j from computed) a)
     + (select count(*) from (select j from computed except all select j from kept) b)
     + (select count(*) from (select j from kept_ab except all select j from computed_ab) c)
     + (select count(*) from (select j from computed_ab except all select j from kept_ab) d)";

/// Rows of vw_kpi_daily that differ from the copy saved in `kpi_daily_before`.
const DAILY_VS_SAVED: &str = "
select (select count(*) from (select to_jsonb(d) from globalcart.vw_kpi_daily d
                              except all select to_jsonb(b) from kpi_daily_before b) x)
     + (select count(*) from (select to_jsonb(b) from kpi_daily_before b
                              except all select to_jsonb(d) from globalcart.vw_kpi_daily d) y)";

async fn count(client: &tokio_postgres::Client, sql: &str) -> i64 {
    client
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

/// vw_kpi_daily now (marked days computed afresh) against the same view after
/// a full rebuild of the rollup, then an incremental refresh against the facts.
async fn assert_fresh_then_exact(env: &TestEnv, expect_whole: bool) {
    let client = env.client().await;
    assert!(
        count(&client, "select count(*) from globalcart.mart_dirty_days").await > 0,
        "the loads marked the days they touched"
    );
    client
        .batch_execute(
            "create temporary table kpi_daily_before as select * from globalcart.vw_kpi_daily",
        )
        .await
        .unwrap();
    let done = marts::refresh_rollup(&client).await.expect("refresh");
    assert_eq!(done.whole, expect_whole, "{done:?}");
    assert!(done.days > 0, "{done:?}");
    assert_eq!(
        count(&client, "select count(*) from globalcart.mart_dirty_days").await,
        0,
        "the refresh took every mark"
    );
    assert_eq!(
        count(&client, DAILY_VS_SAVED).await,
        0,
        "readers saw the touched days before the refresh stored them"
    );
    assert_eq!(count(&client, ROLLUP_VS_FACTS).await, 0, "rollup is exact");
    assert!(count(&client, "select count(*) from globalcart.kpi_daily_rollup").await > 100);
    assert_marts_exact(&client, expect_whole).await;
}

/// An incremental refresh of the marts (the days the rollup handed on) leaves
/// each exactly as a full rebuild would.
async fn assert_marts_exact(client: &tokio_postgres::Client, expect_whole: bool) {
    let handed_on = count(
        client,
        "select count(*) from globalcart.bi_mart_dirty_days where day is not null",
    )
    .await;
    assert!(
        expect_whole || handed_on > 0,
        "the rollup handed its days on"
    );
    let done = marts::refresh(client, "test", None, false)
        .await
        .expect("refresh");
    assert_eq!(done.len(), marts::MARTS.len());
    assert_eq!(
        count(client, "select count(*) from globalcart.bi_mart_dirty_days").await,
        0,
        "each mart took its days"
    );
    for m in marts::MARTS
        .iter()
        .map(|m| m.name)
        .chain(["mart_customer_value"])
    {
        assert_eq!(
            mart_differences(client, m).await,
            0,
            "{m} differs from a full rebuild"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_rollup_equals_a_full_rebuild_after_late_events_duplicates_and_a_replay() {
    let env = TestEnv::new().await;
    let faults = Faults {
        duplicate_rate: 0.05,
        reorder_rate: 0.05,
        seed: 3,
    };
    env.produce(Preset::Tiny, 41, faults).await;
    env.consume_until_idle(3).await;
    // the first refresh rebuilds every day (migrate's mark)
    assert_fresh_then_exact(&env, true).await;

    // late events, each changing a day long past
    let client = env.client().await;
    let r = client
        .query_one(
            "select i.order_id, i.order_item_id, i.product_id, o.currency,
                    extract(epoch from o.order_ts)::int8 * 1000000 as order_us
             from globalcart.fact_order_items i
             join globalcart.vw_orders_completed o using (order_id)
             where not exists (select 1 from globalcart.fact_returns r where r.order_item_id = i.order_item_id)
             order by o.order_ts limit 1",
            &[],
        )
        .await
        .unwrap();
    let (order_id, item, product, currency, order_us): (i64, i64, i64, String, i64) =
        (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
    let ret = ReturnEvent {
        event_id: "7e700000-0000-4000-8000-000000000001".into(),
        return_id: 990_001,
        order_id,
        order_item_id: item,
        product_id: product,
        event_time: order_us + 86_400_000_000 * 5,
        updated_at: order_us + 86_400_000_000 * 5,
        return_ts: order_us + 86_400_000_000 * 5,
        return_reason: "DAMAGED".into(),
        return_status: "REFUNDED".into(),
        currency,
        refund_amount: 1000,
        restocked_flag: true,
    };
    let s = client
        .query_one(
            "select session_id, extract(epoch from min(event_ts))::int8 * 1000000, min(channel), min(device)
             from globalcart.fact_funnel_events group by session_id order by min(event_ts) desc limit 1",
            &[],
        )
        .await
        .unwrap();
    let (session, started_us): (String, i64) = (s.get(0), s.get(1));
    let click = ClickEvent {
        event_id: "7e700000-0000-4000-8000-000000000002".into(),
        session_id: session,
        // a day before the session's first click: its start day moves
        event_time: started_us - 86_400_000_000,
        updated_at: started_us - 86_400_000_000,
        stage: "VIEW_PRODUCT".into(),
        channel: s.get(2),
        device: s.get(3),
        customer_id: None,
        product_id: Some(product),
        order_id: None,
        failure_reason: None,
    };
    let mut late = order(
        "DELIVERED",
        1_770_000_000_000_000,
        "7e700000-0000-4000-8000-000000000003",
    );
    late.order_ts = order_us + 3_600_000_000;
    let mut cancelled = order(
        "CANCELLED",
        1_770_000_001_000_000,
        "7e700000-0000-4000-8000-000000000004",
    );
    cancelled.order_ts = late.order_ts;
    for _ in 0..2 {
        // each sent twice: the duplicate changes nothing
        send(&env, Topic::Returns, "990001", &encode(&ret).unwrap()).await;
        send(
            &env,
            Topic::Clickstream,
            &click.session_id,
            &encode(&click).unwrap(),
        )
        .await;
        send(&env, Topic::Orders, "900001", &encode(&late).unwrap()).await;
    }
    env.consume_until_idle(3).await;
    // then the late order is cancelled: its day loses it again
    send(&env, Topic::Orders, "900001", &encode(&cancelled).unwrap()).await;
    env.consume_until_idle(3).await;
    assert_fresh_then_exact(&env, false).await;

    // a replay of every topic into the live database writes no new version:
    // no day is marked, and the rollup still equals the facts
    let args = ReplayArgs {
        topics: Vec::new(),
        from_offset: None,
        from_timestamp: None,
        to_timestamp: None,
        into_database: None,
        group: None,
        until_idle: 3,
        batch_size: 5000,
        no_refresh_marts: true,
        no_reconcile: true,
    };
    let pg = PgSettings {
        database_url: env.database_url.clone(),
    };
    replay::run(&pg, &env.kafka, args).await.expect("replay");
    let pool = db::pool(&env.database_url, 1).unwrap();
    let c = pool.get().await.unwrap();
    marts::refresh(&c, "test", None, false)
        .await
        .expect("refresh");
    assert_eq!(
        count(&c, ROLLUP_VS_FACTS).await,
        0,
        "rollup is exact after a replay"
    );
    for m in marts::MARTS.iter().map(|m| m.name) {
        assert_eq!(mart_differences(&c, m).await, 0, "{m} after a replay");
    }
    env.cleanup().await;
}

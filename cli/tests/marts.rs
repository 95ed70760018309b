//! The BI marts against the real broker and Postgres: after a stream and after
//! a backfill each mart equals its defining query and reconciles with the KPI
//! views; a day beyond the data's first range appears in the marts and in
//! `dim_date`; the admin exports them as CSV and nobody else can.

mod helpers;

use chrono::{TimeDelta, Utc};
use globalcart::commands::replay::{self, ReplayArgs};
use globalcart_common::{db, marts, PgSettings};
use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use globalcart_schemas::{encode, Topic};
use helpers::{admin_session, mart_differences as differences, order, send, AdminSession, TestEnv};
use reqwest::header::COOKIE;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn assert_marts_are_current_and_reconcile(env: &TestEnv) {
    let client = env.client().await;
    // mart_customer_segments is a view over mart_customer_value (015): the
    // materialized half is the one that can be stale
    let names = marts::MARTS.iter().map(|m| m.name);
    for name in names.chain(["mart_customer_value"]) {
        assert_eq!(differences(&client, name).await, 0, "{name} is stale");
    }
    // each mart against the KPI views: the same numbers, not a second definition
    let checks: [(&str, &str); 11] = [
        (
            "select sum(line_net_profit_usd) from globalcart.mart_order_lines",
            "select net_profit_usd from globalcart.vw_kpi_totals",
        ),
        (
            "select sum(est_revenue_lost_usd) from globalcart.mart_abandoned_cart_lines",
            "select revenue_lost_cart_abandonment_usd from globalcart.vw_kpi_totals",
        ),
        (
            "select sum(net_revenue_usd) from globalcart.mart_exec_daily_kpis",
            "select net_revenue_usd from globalcart.vw_kpi_totals",
        ),
        (
            "select count(*)::numeric from globalcart.mart_finance_profitability",
            "select orders::numeric from globalcart.vw_kpi_totals",
        ),
        (
            "select sum(net_profit_usd) from globalcart.mart_finance_profitability",
            "select net_profit_usd from globalcart.vw_kpi_totals",
        ),
        (
            "select sum(net_revenue_usd) from globalcart.mart_product_performance",
            "select net_revenue_usd from globalcart.vw_kpi_totals",
        ),
        (
            "select sum(revenue_lost_cart_abandonment_usd) from globalcart.mart_product_performance",
            "select revenue_lost_cart_abandonment_usd from globalcart.vw_kpi_totals",
        ),
        (
            "select sum(revenue_lost_payment_failures_usd) from globalcart.mart_product_performance",
            "select revenue_lost_payment_failures_usd from globalcart.vw_kpi_totals",
        ),
        (
            "select sum(net_revenue_usd) from globalcart.mart_customer_segments",
            "select net_revenue_usd from globalcart.vw_kpi_totals",
        ),
        (
            "select count(*) filter (where lifecycle_segment <> 'PROSPECT')::numeric from globalcart.mart_customer_segments",
            "select active_customers::numeric from globalcart.vw_kpi_totals",
        ),
        (
            "select count(*)::numeric from globalcart.mart_customer_segments",
            "select count(*)::numeric from (select customer_id from globalcart.dim_customer
                                              union select customer_id from globalcart.vw_finance_customer_pnl) k",
        ),
    ];
    for (mart, view) in checks {
        let m: String = client
            .query_one(&format!("select coalesce(({mart}), 0)::text"), &[])
            .await
            .unwrap()
            .get(0);
        let v: String = client
            .query_one(&format!("select coalesce(({view}), 0)::text"), &[])
            .await
            .unwrap()
            .get(0);
        let same: bool = client
            // exact for sums of stored amounts; allocations divide, so allow 1e-6 relative
            .query_one(
                "select abs($1::text::numeric - $2::text::numeric) <= 0.000001 * greatest(1, abs($2::text::numeric))",
                &[&m, &v],
            )
            .await
            .unwrap()
            .get(0);
        assert!(same, "{mart} = {m} but {view} = {v}");
    }
    // the funnel mart summed over channel and device is the daily funnel
    let funnel_diff: i64 = client
        .query_one(
            "select count(*) from (
                 select event_dt, sum(sessions)::bigint, sum(product_views)::bigint, sum(add_to_cart)::bigint,
                        sum(checkout_started)::bigint, sum(orders_placed)::bigint, sum(abandoned_carts)::bigint
                 from globalcart.mart_funnel_conversion group by event_dt
                 except
                 select kpi_dt, sessions, product_views, add_to_cart, checkout_started, orders_placed, abandoned_carts
                 from globalcart.vw_funnel_daily_metrics where sessions > 0) d",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        funnel_diff, 0,
        "funnel mart disagrees with vw_funnel_daily_metrics"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_marts_equal_their_queries_after_a_stream_and_after_a_backfill_and_new_days_appear() {
    let env = TestEnv::new().await;
    env.produce(Preset::Tiny, 21, Faults::default()).await;
    env.consume_until_idle(3).await;
    let pool = db::pool(&env.database_url, 2).unwrap();
    let done = marts::refresh(&pool.get().await.unwrap(), "test", None, false)
        .await
        .expect("refresh");
    assert_eq!(done.len(), marts::MARTS.len());
    for d in &done {
        assert!(d.rows > 0, "{d:?}");
    }
    assert_marts_are_current_and_reconcile(&env).await;

    // an analytics run's RFM and churn results are in the customer mart as
    // soon as the run commits, with no refresh (a view over the materialized half)
    let refreshes_before: i64 = env
        .client()
        .await
        .query_one("select count(*) from globalcart.bi_mart_refreshes", &[])
        .await
        .unwrap()
        .get(0);
    let run = globalcart_analytics::run(&env.database_url, None)
        .await
        .expect("analytics run");
    let row = env
        .client()
        .await
        .query_one(
            "select (select count(*) from globalcart.analytics_rfm),
                    count(*) filter (where rfm_segment is not null and analytics_run_id = $1),
                    count(*) filter (where churn_probability is not null),
                    (select count(*) from globalcart.analytics_churn_scores),
                    (select count(*) from globalcart.bi_mart_refreshes)
             from globalcart.mart_customer_segments",
            &[&run.run_id],
        )
        .await
        .unwrap();
    let (rfm, in_mart, churn_in_mart, churn, refreshes_after): (i64, i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    assert!(rfm > 0, "the run scored customers");
    assert_eq!(in_mart, rfm, "every RFM row of the run is in the mart");
    assert_eq!(churn_in_mart, churn, "every churn score is in the mart");
    assert_eq!(refreshes_after, refreshes_before, "no refresh was needed");
    let mismatched: i64 = env
        .client()
        .await
        .query_one(
            "select count(*) from globalcart.mart_customer_segments m
             left join globalcart.analytics_rfm r using (customer_id)
             left join globalcart.analytics_churn_scores c using (customer_id)
             where m.rfm_segment is distinct from r.segment
                or m.rfm_score is distinct from r.rfm_score
                or m.kmeans_cluster is distinct from r.kmeans_cluster
                or m.churn_probability is distinct from c.churn_probability",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(mismatched, 0, "the mart shows the run's own values");
    // the marts were just refreshed, so a run reads them; --read-views forces the views
    assert!(
        matches!(run.source, globalcart_analytics::load::Source::Marts { .. }),
        "{:?}",
        run.source
    );
    let forced = globalcart_analytics::run_with(&env.database_url, None, true)
        .await
        .expect("analytics run reading the views");
    assert_eq!(forced.source, globalcart_analytics::load::Source::Views);
    assert_eq!(forced.segments, run.segments, "same data, same segments");

    // an order two days after the last one: a day the data never had (not
    // further: the event contract refuses times more than a day past now, and
    // the tiny history ends 2026-11-01)
    let client = env.client().await;
    let last: chrono::DateTime<Utc> = client
        .query_one("select max(order_ts) from globalcart.fact_orders", &[])
        .await
        .unwrap()
        .get(0);
    let new_ts = last + TimeDelta::days(2);
    let new_day = new_ts.date_naive();
    let new_date_id: i32 = new_day.format("%Y%m%d").to_string().parse().unwrap();
    let mut o = order(
        "DELIVERED",
        new_ts.timestamp_micros(),
        "9a0c0000-0000-4000-8000-000000000001",
    );
    o.order_id = 990_001;
    o.items[0].order_item_id = 990_001;
    o.order_ts = new_ts.timestamp_micros();
    send(&env, Topic::Orders, "990001", &encode(&o).unwrap()).await;

    // a backfill (a replay of every topic into the live database) loads it and
    // refreshes the marts when it ends
    let args = ReplayArgs {
        topics: Vec::new(),
        from_offset: None,
        from_timestamp: None,
        to_timestamp: None,
        into_database: None,
        group: None,
        until_idle: 3,
        batch_size: 5000,
        no_refresh_marts: false,
        no_reconcile: false,
    };
    let pg = PgSettings {
        database_url: env.database_url.clone(),
    };
    replay::run(&pg, &env.kafka, args).await.expect("replay");

    let by_backfill: i64 = client
        .query_one(
            "select count(distinct mart) from globalcart.bi_mart_refreshes where trigger = 'backfill'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        by_backfill,
        marts::MARTS.len() as i64,
        "the backfill refreshed every mart"
    );
    assert_marts_are_current_and_reconcile(&env).await;
    let row = client
        .query_one(
            "select orders, net_revenue_usd::float8,
                    (select count(*) from globalcart.dim_date where date_id = $1)
             from globalcart.mart_exec_daily_kpis where date_id = $1",
            &[&new_date_id],
        )
        .await
        .expect("the new day is in the exec mart");
    assert_eq!(row.get::<_, i64>(0), 1);
    assert!((row.get::<_, f64>(1) - 18.0).abs() < 1e-9, "1800 cents net");
    assert_eq!(row.get::<_, i64>(2), 1, "dim_date extended itself");
    let in_finance: i64 = client
        .query_one(
            "select count(*) from globalcart.mart_finance_profitability where order_id = 990001 and date_id = $1",
            &[&new_date_id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(in_finance, 1);

    // the admin: freshness, CSV exports, a refresh; nobody else
    let base = env.spawn_app_with(false).await;
    let http = reqwest::Client::new();
    let anon = http
        .get(format!("{base}/api/admin/marts/mart_exec_daily_kpis.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    let AdminSession { cookie, csrf } = admin_session(&http, &base).await;
    assert!(!csrf.is_empty(), "the sign-in returns a CSRF token");
    let get = |path: String| {
        http.get(format!("{base}{path}"))
            .header(COOKIE, &cookie)
            .send()
    };

    let list: Value = get("/api/admin/marts".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), marts::MARTS.len());
    assert!(
        items.iter().all(|m| m["last_refreshed_at"].is_string()),
        "{list}"
    );

    for m in marts::MARTS {
        let r = get(format!("/api/admin/marts/{}.csv", m.name))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", m.name);
        let body = r.text().await.unwrap();
        let rows: i64 = client
            .query_one(&format!("select count(*) from globalcart.{}", m.name), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(
            body.lines().count() as i64,
            rows + 1,
            "{}: header + rows",
            m.name
        );
    }
    let day = new_day.format("%Y-%m-%d");
    let one_day = get(format!(
        "/api/admin/marts/mart_exec_daily_kpis.csv?from={day}&to={day}"
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let lines: Vec<&str> = one_day.lines().collect();
    assert_eq!(lines.len(), 2, "{one_day}");
    assert!(
        lines[0].starts_with("exec_daily_sk,kpi_dt,date_id,orders"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains(&new_date_id.to_string()));

    let unknown = get("/api/admin/marts/pg_authid.csv".into()).await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let bad = get("/api/admin/marts/mart_exec_daily_kpis.csv?from=yesterday".into())
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("from"));

    let no_csrf = http
        .post(format!("{base}/api/admin/marts/refresh"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
    let refreshed: Value = http
        .post(format!("{base}/api/admin/marts/refresh"))
        .header(COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        refreshed["refreshed"].as_array().unwrap().len(),
        marts::MARTS.len(),
        "{refreshed}"
    );

    // the summary the Excel report shares: the new day alone is that one order
    let summary: Value = get(format!("/api/kpis/summary?from={day}&to={day}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(summary["kpis"]["orders"], json!(1), "{summary}");
    let bad_period = get(format!("/api/kpis/summary?from={day}&to=2000-01-01"))
        .await
        .unwrap();
    assert_eq!(bad_period.status(), StatusCode::BAD_REQUEST);
    env.drop_database().await;
}

//! The live KPI cache and API against the real services: after a live stream the
//! cache equals the KPI views over the same window, metric by metric; it follows
//! commits through LISTEN/NOTIFY; and the endpoints validate their input.

mod helpers;

use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use globalcart_api::kpis::{KpiCache, Measures, FINE_SPAN};
use globalcart_common::db;
use globalcart_producers::generator::{self, Preset};
use globalcart_producers::publish::Faults;
use globalcart_producers::run::produce_live;
use globalcart_schemas::{encode, ClickEvent, Topic};
use helpers::{config, eventually, send, TestEnv};
use tokio::sync::watch;

/// Streams live events (orders happening now) for `secs` seconds.
async fn stream_live(env: &TestEnv, secs: u64, id_base: i64) {
    let live = generator::live(&config(Preset::Tiny, 3), 400.0, 8640.0, id_base);
    let (stop, shutdown) = watch::channel(false);
    let k = env.kafka.clone();
    let producer =
        tokio::spawn(async move { produce_live(&k, live, Faults::default(), shutdown).await });
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.send(true).unwrap();
    producer.await.unwrap().expect("live producer");
}

/// The same measures computed straight from the KPI views.
async fn from_views(
    env: &TestEnv,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    region: Option<&str>,
) -> Measures {
    let c = env.client().await;
    let region_filter = region.map_or(String::new(), |r| format!(" and o.region = '{r}'"));
    let o = c
        .query_one(
            &format!(
                "select coalesce(sum(gross_usd), 0)::float8, coalesce(sum(net_revenue_usd), 0)::float8,
                        count(*)::int8,
                        coalesce((select sum(i.qty) from globalcart.fact_order_items i
                                  join globalcart.vw_orders_completed o on o.order_id = i.order_id
                                  where o.order_ts >= $1 and o.order_ts < $2{region_filter}), 0)::int8
                 from globalcart.vw_orders_completed o where order_ts >= $1 and order_ts < $2{region_filter}"
            ),
            &[&from, &to],
        )
        .await
        .unwrap();
    let r = c
        .query_one(
            &format!(
                "select coalesce(sum(r.refund_usd), 0)::float8 from globalcart.vw_returns_enriched r
                 join globalcart.vw_orders_core o on o.order_id = r.order_id
                 where r.is_completed_order and r.return_ts >= $1 and r.return_ts < $2{region_filter}"
            ),
            &[&from, &to],
        )
        .await
        .unwrap();
    let s = c
        .query_one(
            &format!(
                // the views' day rule (ship_dt): at the ship time, or the order time while unshipped
                "select count(*)::int8, count(*) filter (where s.sla_breached_flag)::int8
                 from globalcart.vw_shipments_enriched s join globalcart.vw_orders_core o on o.order_id = s.order_id
                 where s.is_completed_order and coalesce(s.shipped_ts, o.order_ts) >= $1
                   and coalesce(s.shipped_ts, o.order_ts) < $2{region_filter}"
            ),
            &[&from, &to],
        )
        .await
        .unwrap();
    let f = c
        .query_one(
            "select count(*) filter (where viewed_product)::int8, count(*) filter (where added_to_cart)::int8,
                    count(*) filter (where attempted_payment)::int8, count(*) filter (where payment_failed)::int8,
                    count(*) filter (where placed_order)::int8, count(*) filter (where abandoned_cart)::int8
             from globalcart.vw_funnel_sessions where started_at >= $1 and started_at < $2",
            &[&from, &to],
        )
        .await
        .unwrap();
    let pnl = c
        .query_one(
            &format!(
                "select coalesce(sum(o.cogs_usd), 0)::float8, coalesce(sum(o.shipping_cost_usd), 0)::float8,
                        coalesce(sum(o.gateway_fee_usd), 0)::float8, coalesce(sum(o.gross_profit_usd), 0)::float8,
                        coalesce(sum(o.net_profit_usd), 0)::float8, count(*) filter (where o.loss_order)::int8
                 from globalcart.vw_finance_order_pnl o where o.order_ts >= $1 and o.order_ts < $2{region_filter}"
            ),
            &[&from, &to],
        )
        .await
        .unwrap();
    let failed = c
        .query_one(
            &format!(
                "select count(*)::int8, coalesce(sum(f.net_revenue_usd), 0)::float8
                 from globalcart.vw_failed_payment_orders f
                 join globalcart.vw_orders_core o on o.order_id = f.order_id
                 where o.order_ts >= $1 and o.order_ts < $2{region_filter}"
            ),
            &[&from, &to],
        )
        .await
        .unwrap();
    let abandoned = c
        .query_one(
            "select coalesce(sum(l.list_price_usd), 0)::float8
             from globalcart.vw_funnel_abandoned_cart_lines l
             join globalcart.vw_funnel_sessions s on s.session_id = l.session_id
             where s.started_at >= $1 and s.started_at < $2",
            &[&from, &to],
        )
        .await
        .unwrap();
    let funnel = region.is_none();
    Measures {
        cogs_usd: pnl.get(0),
        shipping_cost_usd: pnl.get(1),
        gateway_fee_usd: pnl.get(2),
        gross_profit_usd: pnl.get(3),
        net_profit_usd: pnl.get(4),
        loss_orders: pnl.get(5),
        failed_payment_orders: failed.get(0),
        revenue_lost_payment_failures_usd: failed.get(1),
        abandoned_cart_list_usd: if funnel { abandoned.get(0) } else { 0.0 },
        gmv_usd: o.get(0),
        net_revenue_usd: o.get(1),
        orders: o.get(2),
        units: o.get(3),
        refunds_usd: r.get(0),
        shipments: s.get(0),
        sla_breaches: s.get(1),
        sessions_viewed: if funnel { f.get(0) } else { 0 },
        sessions_added: if funnel { f.get(1) } else { 0 },
        sessions_attempted: if funnel { f.get(2) } else { 0 },
        sessions_failed: if funnel { f.get(3) } else { 0 },
        sessions_placed: if funnel { f.get(4) } else { 0 },
        sessions_abandoned: if funnel { f.get(5) } else { 0 },
    }
}

fn assert_same(cache: &Measures, sql: &Measures, what: &str) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0);
    assert!(
        close(cache.gmv_usd, sql.gmv_usd),
        "{what} gmv: {cache:?} vs {sql:?}"
    );
    assert!(
        close(cache.net_revenue_usd, sql.net_revenue_usd),
        "{what} net revenue: {cache:?} vs {sql:?}"
    );
    let money = |m: &Measures| {
        [
            m.refunds_usd,
            m.cogs_usd,
            m.shipping_cost_usd,
            m.gateway_fee_usd,
            m.gross_profit_usd,
            m.net_profit_usd,
            m.revenue_lost_payment_failures_usd,
            m.abandoned_cart_list_usd,
        ]
    };
    for (i, (a, b)) in money(cache).into_iter().zip(money(sql)).enumerate() {
        assert!(
            close(a, b),
            "{what} money measure #{i}: {cache:?} vs {sql:?}"
        );
    }
    let ints = |m: &Measures| {
        [
            m.orders,
            m.units,
            m.shipments,
            m.sla_breaches,
            m.sessions_viewed,
            m.sessions_added,
            m.sessions_attempted,
            m.sessions_failed,
            m.sessions_placed,
            m.sessions_abandoned,
            m.loss_orders,
            m.failed_payment_orders,
        ]
    };
    assert_eq!(ints(cache), ints(sql), "{what}: counts differ");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_live_stream_the_cache_equals_the_kpi_views_over_the_same_window() {
    let env = TestEnv::new().await;
    let started = Utc::now();
    stream_live(&env, 12, Utc::now().timestamp_micros()).await;
    // a session of its own that starts before a bucket edge inside the stream and
    // goes on after it (the generated ones, at 8 640×, rarely last long enough)
    let edge = started.duration_trunc(TimeDelta::seconds(10)).unwrap() + TimeDelta::seconds(10);
    for (i, (at, stage)) in [
        (edge - TimeDelta::seconds(2), "VIEW_PRODUCT"),
        (edge + TimeDelta::seconds(2), "VIEW_CART"),
    ]
    .into_iter()
    .enumerate()
    {
        let click = ClickEvent {
            event_id: format!("00000000-0000-4000-8000-00000000020{i}"),
            session_id: "s-straddles-an-edge".into(),
            event_time: at.timestamp_micros(),
            updated_at: at.timestamp_micros(),
            stage: stage.into(),
            channel: "WEB".into(),
            device: "DESKTOP".into(),
            customer_id: None,
            product_id: None,
            order_id: None,
            failure_reason: None,
        };
        send(
            &env,
            Topic::Clickstream,
            &click.session_id,
            &encode(&click).unwrap(),
        )
        .await;
    }
    env.consume_until_idle(3).await;
    let pool = db::pool(&env.database_url, 2).unwrap();
    let now = Utc::now();
    let cache = KpiCache::default();
    cache
        .refresh(
            &pool,
            now - TimeDelta::hours(24),
            now + TimeDelta::minutes(1),
        )
        .await
        .unwrap();

    let (from, to) = (now - TimeDelta::hours(1), now + TimeDelta::minutes(2));
    let sums = cache.sums_between(from, to);
    let all = sums
        .get(&("all".into(), "all".into()))
        .copied()
        .unwrap_or_default();
    assert!(
        all.orders > 0 && all.sessions_viewed > 0,
        "the live stream placed orders: {all:?}"
    );
    assert_same(&all, &from_views(&env, from, to, None).await, "overall");
    for ((dim, value), m) in &sums {
        if dim == "region" {
            assert_same(m, &from_views(&env, from, to, Some(value)).await, value);
        }
    }
    // windows whose edge cuts the stream: sessions that started before the edge
    // and go on after it, shipments still unshipped (counted at their order time)
    assert!(
        edge < now - TimeDelta::seconds(1),
        "the stream crosses a bucket edge"
    );
    let c = env.client().await;
    let straddling: i64 = c
        .query_one(
            "select count(*)::int8 from (select session_id from globalcart.fact_funnel_events
             group by session_id having min(event_ts) < $1 and max(event_ts) >= $1) s",
            &[&edge],
        )
        .await
        .unwrap()
        .get(0);
    let unshipped: i64 = c
        .query_one(
            "select count(*)::int8 from globalcart.vw_shipments_enriched
             where shipped_ts is null and is_completed_order",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        straddling > 0 && unshipped > 0,
        "the windows hold straddling sessions ({straddling}) and unshipped shipments ({unshipped})"
    );
    let aligned_from = from.duration_trunc(TimeDelta::seconds(10)).unwrap();
    let aligned_to = to.duration_trunc(TimeDelta::seconds(10)).unwrap();
    for (a, b) in [(aligned_from, edge), (edge, aligned_to)] {
        let part = cache
            .sums_between(a, b)
            .get(&("all".into(), "all".into()))
            .copied()
            .unwrap_or_default();
        assert_same(
            &part,
            &from_views(&env, a, b, None).await,
            &format!("[{a}, {b})"),
        );
    }
    // a restart rebuilds the same numbers from Postgres
    let again = KpiCache::default();
    again
        .refresh(
            &pool,
            now - TimeDelta::hours(24),
            now + TimeDelta::minutes(1),
        )
        .await
        .unwrap();
    // (the same measures; money sums may differ in the last bit, as the
    // restarted cache adds the buckets in another order)
    let rebuilt = again.sums_between(from, to);
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        sums.keys().collect::<Vec<_>>()
    );
    for (key, m) in &sums {
        assert_same(&rebuilt[key], m, &format!("rebuilt {key:?}"));
    }
    // the one-second buckets summed into ten-second ones (what the cache does
    // once they are older than FINE_SPAN) hold the same measures
    again.consolidate(now + FINE_SPAN + TimeDelta::minutes(1));
    let consolidated = again.sums_between(from, to);
    assert_eq!(
        consolidated.keys().collect::<Vec<_>>(),
        sums.keys().collect::<Vec<_>>()
    );
    for (key, m) in &sums {
        assert_same(&consolidated[key], m, &format!("consolidated {key:?}"));
    }
    // the snapshot's windows come from the same buckets
    let snap = cache.snapshot();
    assert_eq!(snap.windows["last_1h"].overall.orders, all.orders);
    // revenue lost to abandonment = the list value × the history's sell-to-list
    // ratio = Σ est_revenue_lost_usd of vw_funnel_abandoned_cart_lines
    let c = env.client().await;
    let ratio: f64 = c
        .query_one(
            "select sell_to_list_ratio::float8 from globalcart.vw_sell_to_list_ratio",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let lost: f64 = c
        .query_one(
            "select coalesce(sum(l.est_revenue_lost_usd), 0)::float8
             from globalcart.vw_funnel_abandoned_cart_lines l
             join globalcart.vw_funnel_sessions s on s.session_id = l.session_id
             where s.started_at >= $1 and s.started_at < $2",
            &[&from, &to],
        )
        .await
        .unwrap()
        .get(0);
    let k = all.kpis(ratio);
    assert!(
        (k.revenue_lost_cart_abandonment_usd - lost).abs() < 0.01,
        "abandonment: {} vs {lost}",
        k.revenue_lost_cart_abandonment_usd
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cache_follows_each_commit_and_the_api_serves_it() {
    let env = TestEnv::new().await;
    let base = env.spawn_app().await;

    stream_live(&env, 3, Utc::now().timestamp_micros()).await;
    env.consume_until_idle(3).await;
    let expected = from_views(
        &env,
        Utc::now() - TimeDelta::hours(1),
        Utc::now() + TimeDelta::minutes(2),
        None,
    )
    .await;
    assert!(expected.orders > 0);
    let followed = eventually(10, || async {
        let live: serde_json::Value = reqwest::get(format!("{base}/api/kpis/live"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        live["windows"]["last_1h"]["overall"]["orders"] == expected.orders
    })
    .await;
    assert!(
        followed,
        "the live snapshot reached {} orders",
        expected.orders
    );

    // server-sent events: the first event carries the snapshot
    let mut sse = reqwest::get(format!("{base}/api/kpis/stream"))
        .await
        .unwrap();
    assert_eq!(sse.headers()["content-type"], "text/event-stream");
    let chunk = String::from_utf8(sse.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(
        chunk.starts_with("event: kpis") && chunk.contains("\"last_24h\""),
        "{chunk}"
    );

    // bad parameters are a 400 naming the parameter
    for (query, param) in [
        ("metric=nope", "metric"),
        ("grain=year", "grain"),
        ("by=planet", "by"),
        ("from=yesterday", "from"),
    ] {
        let r = reqwest::get(format!("{base}/api/kpis/timeseries?{query}"))
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{query}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains(param),
            "{body}"
        );
    }
    let series: serde_json::Value = reqwest::get(format!(
        "{base}/api/kpis/timeseries?metric=orders&grain=hour&by=all&from={}",
        (Utc::now() - TimeDelta::hours(2)).format("%Y-%m-%d")
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let total: i64 = series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_i64().unwrap_or(0))
        .sum();
    assert!(
        total >= expected.orders,
        "timeseries orders {total} vs {}",
        expected.orders
    );

    let doc: serde_json::Value = reqwest::get(format!("{base}/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/kpis/live",
        "/api/kpis/stream",
        "/api/kpis/timeseries",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    env.cleanup().await;
}

/// The live tiles recompute each ratio from additive sums (api/src/kpis/measures.rs);
/// over the whole history they equal `kpi_period`, the SQL definition.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_ratios_the_cache_recomputes_are_those_of_kpi_period() {
    let env = TestEnv::new().await;
    env.produce(Preset::Tiny, 5, Faults::default()).await;
    env.consume_until_idle(3).await;
    let c = env.client().await;
    let mut all = Measures::default();
    for r in c
        .query(
            "select * from globalcart.kpi_buckets('1970-01-01', '2200-01-01', 'month') where dim = 'all'",
            &[],
        )
        .await
        .unwrap()
    {
        all.add(&Measures::from_bucket_row(&r));
    }
    let ratio: f64 = c
        .query_one(
            "select coalesce(sell_to_list_ratio, 0)::float8 from globalcart.vw_sell_to_list_ratio",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let live = serde_json::to_value(all.kpis(ratio)).unwrap();
    let sql: serde_json::Value = c
        .query_one(
            "select to_jsonb(k) from globalcart.kpi_period(null, null) k",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(all.orders > 0, "a loaded history");
    for name in [
        "orders",
        "gmv_usd",
        "net_revenue_usd",
        "aov_usd",
        "gross_margin",
        "net_margin",
        "conversion_rate",
        "cart_abandonment_rate",
        "payment_failure_rate",
        "sla_breach_rate",
        "revenue_lost_payment_failures_usd",
    ] {
        let (a, b) = (live[name].as_f64(), sql[name].as_f64());
        let (Some(a), Some(b)) = (a, b) else {
            panic!("{name}: live {} vs kpi_period {}", live[name], sql[name]);
        };
        let tolerance = if name.ends_with("_usd") { 0.01 } else { 1e-9 };
        assert!(
            (a - b).abs() <= tolerance,
            "{name}: live {a} vs kpi_period {b}"
        );
    }
    env.cleanup().await;
}

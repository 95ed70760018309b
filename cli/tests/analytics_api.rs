//! The analytics results over HTTP: after `globalcart analytics run` on a
//! streamed tiny history, the admin charts and the CSV exports serve what the
//! run wrote.

mod helpers;

use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use helpers::{admin_session, TestEnv};
use reqwest::header::{CONTENT_TYPE, COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_reads_the_latest_analytics_run_as_charts_and_csv() {
    let env = TestEnv::new().await;
    env.produce(Preset::Tiny, 11, Faults::default()).await;
    env.consume_until_idle(3).await;
    let report = globalcart_analytics::run(&env.database_url, None)
        .await
        .expect("analytics run");
    let base = env.spawn_app_with(false).await;
    let http = reqwest::Client::new();
    let cookie = admin_session(&http, &base).await.cookie;
    let get = |path: &str| {
        http.get(format!("{base}{path}"))
            .header(COOKIE, &cookie)
            .send()
    };

    let rfm: Value = get("/api/admin/charts/rfm")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rfm["available"], json!(true), "{rfm}");
    let customers: i64 = rfm["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["customers"].as_i64().unwrap())
        .sum();
    let db = env.client().await;
    let in_mart: i64 = db
        .query_one("select count(*) from globalcart.analytics_rfm", &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        customers > 0 && customers == in_mart,
        "{customers} vs {in_mart}"
    );

    let cohorts: Value = get("/api/admin/charts/cohorts")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &cohorts["cohorts"][0];
    assert_eq!(
        first["retention"][0],
        json!(1.0),
        "month 0 is the whole cohort: {first}"
    );

    let fc: Value = get("/api/admin/charts/forecast?series=revenue")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let horizon: Vec<&Value> = fc["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["actual"].is_null())
        .collect();
    assert_eq!(horizon.len(), 30, "a 30-day horizon");
    for p in &horizon {
        let (lo95, lo80, pt, hi80, hi95) = (
            p["lower_95"].as_f64().unwrap(),
            p["lower_80"].as_f64().unwrap(),
            p["point"].as_f64().unwrap(),
            p["upper_80"].as_f64().unwrap(),
            p["upper_95"].as_f64().unwrap(),
        );
        assert!(
            lo95 <= lo80 && lo80 <= pt && pt <= hi80 && hi80 <= hi95,
            "{p}"
        );
    }
    assert_eq!(
        get("/api/admin/charts/forecast?series=nope")
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    let csv = get("/api/admin/analytics/segments.csv").await.unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("customer_id,run_id,recency_days"),
        "{}",
        &text[..80.min(text.len())]
    );
    assert_eq!(text.lines().count() as i64, in_mart + 1);
    let runs: Value = get("/api/admin/analytics/runs")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(runs["items"].as_array().unwrap().len(), 1, "{report:?}");
    env.cleanup().await;
}

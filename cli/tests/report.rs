//! The Excel management report: on a streamed tiny history, every KPI cell of
//! its summary sheet equals `/api/kpis/summary` for the same period, its
//! cross-tab and monthly trend add up to the period's net revenue, and the
//! admin download serves the same workbook to admins only.

mod helpers;

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, DataType, Range, Reader, Xlsx};
use chrono::{NaiveDate, TimeDelta};
use globalcart_producers::generator::Preset;
use globalcart_producers::publish::Faults;
use globalcart_reports::{Period, HEADER_ROW};
use helpers::{admin_session, TestEnv};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE};
use reqwest::StatusCode;
use serde_json::Value;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-12)
}

fn sheet(bytes: &[u8], name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx");
    wb.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn cell(r: &Range<Data>, row: u32, col: u32) -> Data {
    r.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

/// The table rows under the header: (row index, column A) until column A is empty.
fn rows(r: &Range<Data>) -> Vec<(u32, Data)> {
    (HEADER_ROW + 1..)
        .map(|row| (row, cell(r, row, 0)))
        .take_while(|(_, a)| !a.is_empty())
        .collect()
}

/// Every KPI of the summary sheet against the API's `kpis` object.
fn assert_summary_matches(bytes: &[u8], kpis: &Value, what: &str) {
    let s = sheet(bytes, "KPI summary");
    assert_eq!(
        cell(&s, HEADER_ROW, 0).get_string(),
        Some("KPI key"),
        "{what}: header row"
    );
    let api = kpis.as_object().expect("kpis is an object");
    let rows = rows(&s);
    assert_eq!(rows.len(), api.len(), "{what}: one row per KPI of the API");
    for (row, key) in rows {
        let key = key.get_string().expect("a key").to_string();
        let expected = api
            .get(&key)
            .unwrap_or_else(|| panic!("{what}: {key} is not a key of the API"));
        let got = cell(&s, row, 2);
        match expected {
            Value::Null => assert!(got.is_empty(), "{what}: {key} is null, the cell is {got:?}"),
            Value::Number(n) => {
                let want = n.as_f64().unwrap();
                let v = got
                    .as_f64()
                    .unwrap_or_else(|| panic!("{what}: {key} is {got:?}, want {want}"));
                assert!(close(v, want, 1e-9), "{what}: {key} = {v}, API {want}");
            }
            Value::String(day) => {
                let want: NaiveDate = day.parse().expect("a day");
                assert_eq!(got.as_date(), Some(want), "{what}: {key}");
            }
            other => panic!("{what}: {key} is {other}"),
        }
    }
}

/// The cross-tabs' grand totals and row totals, and the trend's months, all
/// equal the period's net revenue.
fn assert_totals_match(bytes: &[u8], net_revenue: f64, what: &str) {
    for name in ["Category x Region", "Channel x Month"] {
        let x = sheet(bytes, name);
        let header_cols = (0..)
            .take_while(|c| !cell(&x, HEADER_ROW, *c).is_empty())
            .count() as u32;
        assert_eq!(
            cell(&x, HEADER_ROW, header_cols - 1).get_string(),
            Some("Total"),
            "{what}: {name}"
        );
        let body = rows(&x);
        let (total_row, label) = body.last().expect("a total row").clone();
        assert_eq!(label.get_string(), Some("Total"), "{what}: {name}");
        let grand = cell(&x, total_row, header_cols - 1)
            .as_f64()
            .expect("a grand total");
        assert!(
            close(grand, net_revenue, 1e-6),
            "{what}: {name} grand total {grand} vs net revenue {net_revenue}"
        );
        let by_row: f64 = body[..body.len() - 1]
            .iter()
            .map(|(row, _)| cell(&x, *row, header_cols - 1).as_f64().unwrap())
            .sum();
        assert!(
            close(by_row, net_revenue, 1e-6),
            "{what}: {name} row totals {by_row}"
        );
    }

    let t = sheet(bytes, "Monthly trend");
    let mut months = 0;
    let mut sum = 0.0;
    for (row, a) in rows(&t) {
        if a.as_date().is_some() {
            months += 1;
            sum += cell(&t, row, 4).as_f64().unwrap_or(0.0);
        }
    }
    assert!(months > 0, "{what}: no month in the trend");
    assert!(
        close(sum, net_revenue, 1e-6),
        "{what}: Σ monthly net revenue {sum} vs {net_revenue}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_excel_report_shows_the_kpis_of_the_api_and_adds_up() {
    let env = TestEnv::new().await;
    env.produce(Preset::Tiny, 17, Faults::default()).await;
    env.consume_until_idle(3).await;
    globalcart_analytics::run(&env.database_url, None)
        .await
        .expect("analytics run");
    let base = env.spawn_app_with(false).await;
    let http = reqwest::Client::new();
    let cookie = admin_session(&http, &base).await.cookie;
    let get = |path: String| {
        http.get(format!("{base}{path}"))
            .header(COOKIE, &cookie)
            .send()
    };

    let db = env.client().await;
    let row = db
        .query_one(
            "select min(kpi_dt), max(kpi_dt) from globalcart.vw_kpi_daily",
            &[],
        )
        .await
        .unwrap();
    let (first, last): (NaiveDate, NaiveDate) = (row.get(0), row.get(1));
    let quarter = TimeDelta::days((last - first).num_days() / 4);
    let middle = Period {
        from: Some(first + quarter),
        to: Some(last - quarter),
    };
    let query = |p: &Period| {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        format!("from={}&to={}", day(p.from), day(p.to))
    };

    for period in [middle, Period::ALL] {
        let what = query(&period);
        let bytes = globalcart_reports::build(&db, &period)
            .await
            .expect("build the report");
        let summary: Value = get(format!("/api/kpis/summary?{what}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let kpis = &summary["kpis"];
        assert!(kpis["orders"].as_i64().unwrap() > 0, "{what}: {summary}");
        assert_summary_matches(&bytes, kpis, &what);
        assert_totals_match(&bytes, kpis["net_revenue_usd"].as_f64().unwrap(), &what);
    }

    // the admin download: the same workbook
    let r = get(format!("/api/admin/report.xlsx?{}", query(&middle)))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CONTENT_TYPE], XLSX);
    assert_eq!(
        r.headers()[CONTENT_DISPOSITION],
        "attachment; filename=\"globalcart-report.xlsx\""
    );
    let bytes = r.bytes().await.unwrap();
    let summary: Value = get(format!("/api/kpis/summary?{}", query(&middle)))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_summary_matches(&bytes, &summary["kpis"], "download");
    let wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "KPI summary",
            "Monthly trend",
            "Category x Region",
            "Category x Region profit",
            "Channel x Month",
            "Funnel",
            "Profit leakage",
            "RFM segments",
            "Forecast",
            "Definitions",
        ]
    );
    // the analytics sheets show the run: every RFM customer, a 30-day horizon
    let rfm = sheet(&bytes, "RFM segments");
    let segments = rows(&rfm);
    let (total_row, _) = segments.last().unwrap();
    let in_rfm: i64 = db
        .query_one("select count(*) from globalcart.analytics_rfm", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(cell(&rfm, *total_row, 1).as_f64(), Some(in_rfm as f64));
    let forecast = sheet(&bytes, "Forecast");
    let horizon = rows(&forecast)
        .iter()
        .filter(|(row, _)| cell(&forecast, *row, 1).is_empty())
        .count();
    assert_eq!(horizon, 30, "a 30-day horizon without actuals");
    // every KPI has its definition from the database comments
    let defs = sheet(&bytes, "Definitions");
    for (row, key) in rows(&defs) {
        let text = cell(&defs, row, 2);
        assert!(
            !text.get_string().unwrap_or("").starts_with("(no comment"),
            "{key:?} has no database comment"
        );
    }

    // a bad date is a 400 naming the parameter
    let r = get("/api/admin/report.xlsx?from=2026-02-30".to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("parameter from"),
        "{body}"
    );
    let r = get("/api/admin/report.xlsx?from=2026-03-01&to=2026-02-01".to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // no admin session, no report
    let r = reqwest::get(format!("{base}/api/admin/report.xlsx"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    env.cleanup().await;
}

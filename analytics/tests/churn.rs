//! The churn model on generated customers whose churn is driven by how often
//! and how recently they buy, and the whole run's outputs around it.

mod helpers;

use std::fmt::Write;

use helpers::{ts, TestDb};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The holdout AUC must beat a coin flip (0.5) by at least this margin.
const AUC_MARGIN: f64 = 0.15;

/// 600 customers over 420 days. Each buys at its own rate (every 5 to 60 days
/// on average) from its first day until it stops, after an exponential
/// lifetime of mean 250 days: churn follows recency and frequency.
fn generated() -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut sql = String::from(
        "insert into dim_geo values (1, 'C', 'Europe', 'X', 'USD', gen_random_uuid(), now());\n",
    );
    let mut orders = Vec::new();
    let mut order_id = 0;
    for c in 1..=600 {
        let start = rng.gen_range(0..300);
        let gap = rng.gen_range(5.0..60.0);
        let life = -250.0 * (1.0 - rng.gen::<f64>()).ln();
        let end = (start as f64 + life).min(420.0) as i32;
        writeln!(
            sql,
            "insert into dim_customer values ({c}, {}, 1, 'SEO', gen_random_uuid(), now());",
            ts(start)
        )
        .unwrap();
        let mut d = start as f64;
        while (d as i32) <= end {
            order_id += 1;
            let channel = if rng.gen_bool(0.5) { "APP" } else { "WEB" };
            let net = rng.gen_range(20.0..200.0_f64).round();
            orders.push(format!("({order_id}, {c}, 1, {}, 'DELIVERED', '{channel}', 'DESKTOP', 'USD', {net}, 0, 0, {net}, gen_random_uuid(), now())", ts(d as i32)));
            d += -gap * (1.0 - rng.gen::<f64>()).ln() + 1.0;
        }
    }
    writeln!(
        sql,
        "insert into fact_orders values {};",
        orders.join(",\n")
    )
    .unwrap();
    sql
}

#[tokio::test]
async fn the_churn_model_ranks_holdout_churners_above_chance() {
    let db = TestDb::new().await;
    db.exec(&generated()).await;
    let report = globalcart_analytics::run(&db.url, None).await.unwrap();

    assert_eq!(report.churn_status, "trained");
    let auc = report.churn_holdout_auc.expect("an AUC");
    println!("churn holdout AUC on generated data: {auc:.3}");
    assert!(auc > 0.5 + AUC_MARGIN, "holdout AUC {auc}");

    let m = db
        .client
        .query_one(
            "select holdout_auc, train_customers, holdout_customers, holdout_cutoff - train_cutoff
             from globalcart.analytics_churn_model",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(m.get::<_, Option<f64>>(0), Some(auc));
    assert!(
        m.get::<_, i64>(2) > m.get::<_, i64>(1),
        "the holdout snapshot is later and larger"
    );
    assert_eq!(m.get::<_, i32>(3), 90, "label windows are consecutive");

    // calibration: 10 deciles covering the holdout, predictions rising with the bins,
    // the top decile churning more than the bottom one
    let bins = db
        .client
        .query("select customers, mean_predicted, observed_rate from globalcart.analytics_churn_calibration order by bin", &[])
        .await
        .unwrap();
    assert_eq!(bins.len(), 10);
    let n: i64 = bins.iter().map(|b| b.get::<_, i64>(0)).sum();
    assert_eq!(n, m.get::<_, i64>(2));
    let pred: Vec<f64> = bins.iter().map(|b| b.get(1)).collect();
    assert!(pred.windows(2).all(|w| w[0] <= w[1]));
    assert!(bins[9].get::<_, f64>(2) > bins[0].get::<_, f64>(2));

    // the risk list: every customer scored, ranks 1..n by revenue at risk
    let ranked = db
        .client
        .query(
            "select revenue_at_risk_usd from globalcart.analytics_churn_scores order by risk_rank",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(ranked.len(), report.customers);
    let risk: Vec<f64> = ranked.iter().map(|r| r.get(0)).collect();
    assert!(risk.windows(2).all(|w| w[0] >= w[1]));
    // the rule flags exactly the customers silent for more than 90 days
    let rule: i64 = db
        .client
        .query_one("select count(*) from globalcart.analytics_churn_scores where rule_churned <> (recency_days > 90)", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(rule, 0);

    // the rest of the run: a revenue forecast with a backtest, and a run row
    let fc = db
        .client
        .query_one("select count(*) filter (where point is not null), count(*) filter (where actual is not null) from globalcart.analytics_forecast where series = 'revenue'", &[])
        .await
        .unwrap();
    assert_eq!(fc.get::<_, i64>(0), 30);
    assert_eq!(fc.get::<_, i64>(1), 180);
    let chosen: i64 = db
        .client
        .query_one("select count(*) from globalcart.analytics_backtest where series = 'revenue' and chosen", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(chosen, 1);

    // a second run replaces the results instead of adding to them
    let again = globalcart_analytics::run(&db.url, None).await.unwrap();
    let (runs, segments): (i64, i64) = {
        let r = db
            .client
            .query_one("select (select count(*) from globalcart.analytics_runs), (select count(*) from globalcart.analytics_rfm where run_id = $1)", &[&again.run_id])
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(runs, 2);
    assert_eq!(segments as usize, again.customers);

    // and the charts render from the stored results
    let dir = std::env::temp_dir().join(format!("gc_plots_{}", db.name));
    let files = globalcart_analytics::plots::render(&db.url, &dir)
        .await
        .unwrap();
    assert_eq!(files.len(), 4);
    for f in files {
        let svg = std::fs::read_to_string(&f).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("</svg>"),
            "{}",
            f.display()
        );
    }
    db.drop().await;
}

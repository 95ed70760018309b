//! Profit leakage on a hand-built day of trade: totals worked out by hand,
//! equal to the KPI views, and every breakdown summing to its total.

mod helpers;

use std::collections::HashMap;

use helpers::{Star, TestDb};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[tokio::test]
async fn leakage_totals_match_the_hand_computation_and_the_kpi_views() {
    let db = TestDb::new().await;
    let mut s = Star::default();
    s.geo(1, "Europe").geo(2, "North America");
    s.customer(1, 1, "SEO", 0).customer(2, 2, "ADS", 0);
    s.product(1, "Books", 10.0, 50.0)
        .product(2, "Toys", 20.0, 40.0)
        .product(3, "Games", 5.0, 20.0);
    // Order 1 (customer 1, WEB, Europe): line 11 = 2 × Books at 25 (list 50, cost 10),
    // line 12 = 1 × Toys at 40 (list 40, cost 35). Gross 140, discount 50 (> 30 %), net 90.
    s.order(
        1,
        1,
        1,
        0,
        "DELIVERED",
        "WEB",
        0.0,
        &[(11, 1, 2, 50.0, 25.0, 10.0), (12, 2, 1, 40.0, 40.0, 35.0)],
    );
    s.shipment(1, 1, "DHL", 30.0, 0)
        .payment(1, 1, "CAPTURED", 90.0, 2.0, 0);
    s.refund(1, 1, 11, 1, 50.0, 3); // line 11 refunded in full, not restocked
                                    // Order 2 (customer 1, APP, Europe): 2 × Toys at 40 (cost 20); net 80.
    s.order(
        2,
        1,
        1,
        1,
        "COMPLETED",
        "APP",
        0.0,
        &[(21, 2, 2, 40.0, 40.0, 20.0)],
    );
    s.shipment(2, 2, "UPS", 5.0, 1)
        .payment(2, 2, "CAPTURED", 80.0, 1.0, 1);
    // Order 3 (customer 2, WEB, North America): its payment failed and it was cancelled.
    s.order(
        3,
        2,
        2,
        1,
        "CANCELLED",
        "WEB",
        0.0,
        &[(31, 1, 1, 50.0, 45.0, 10.0)],
    );
    s.payment(3, 3, "FAILED", 45.0, 0.0, 1);
    // Session a (customer 2, APP) adds Games and Books to the cart and leaves; session b buys.
    s.funnel("a", 1, 0, 2, Some(3), "VIEW_PRODUCT", "APP")
        .funnel("a", 1, 1, 2, Some(3), "ADD_TO_CART", "APP")
        .funnel("a", 1, 2, 2, Some(1), "ADD_TO_CART", "APP")
        .funnel("b", 1, 0, 1, Some(2), "ADD_TO_CART", "WEB")
        .funnel("b", 1, 1, 1, None, "PAYMENT_ATTEMPTED", "WEB")
        .funnel("b", 1, 2, 1, Some(2), "ORDER_PLACED", "WEB");
    db.exec(&s.sql).await;
    globalcart_analytics::run(&db.url, None).await.unwrap();

    let rows = db
        .client
        .query("select driver, dimension, dim_value, amount_usd, occurrences from globalcart.analytics_leakage", &[])
        .await
        .unwrap();
    let mut cell: HashMap<(String, String, String), (f64, i64)> = HashMap::new();
    for r in &rows {
        cell.insert((r.get(0), r.get(1), r.get(2)), (r.get(3), r.get(4)));
    }
    let total = |d: &str| {
        cell.get(&(d.into(), "total".into(), "all".into()))
            .copied()
            .unwrap_or_else(|| panic!("no total for {d}"))
    };
    let get =
        |d: &str, dim: &str, v: &str| cell.get(&(d.into(), dim.into(), v.into())).map(|c| c.0);

    // Order 1 P&L: gross profit 90 − (20 + 35) = 35; net profit 35 − 30 − 2 − 50 = −47.
    // Line 11 (revenue share 50/90): 50 − 20 − 30·5/9 − 2·5/9 − 50; line 12: 40 − 35 − 30·4/9 − 2·4/9.
    let line11 = 50.0 - 20.0 - 30.0 * 5.0 / 9.0 - 2.0 * 5.0 / 9.0 - 50.0;
    let line12 = 40.0 - 35.0 - 30.0 * 4.0 / 9.0 - 2.0 * 4.0 / 9.0;
    // Order 2: 80 − 40 − 5 − 1 = 34. Customer 1: −47 + 34 = −13.
    // Shipping 35 on revenue 170; budget 1.5 × 35/170 of revenue; order 1 overruns, order 2 does not.
    let overrun = 30.0 - 1.5 * 35.0 / 170.0 * 90.0;
    // Abandoned: Games (list 20) and Books (list 50) at the sell/list ratio 170/220 of completed lines.
    let abandoned = (20.0 + 50.0) * 170.0 / 220.0;
    let expected = [
        ("refunds", 50.0, 1),
        ("discount_heavy_orders", 50.0, 1),
        ("shipping_overrun", overrun, 1),
        ("loss_orders", 47.0, 1),
        ("payment_failures", 45.0, 1),
        ("cart_abandonment", abandoned, 2),
        ("loss_products", -line11, 1),
        ("loss_customers", 13.0, 1),
    ];
    for (driver, amount, n) in expected {
        let (a, o) = total(driver);
        assert!(close(a, amount), "{driver}: {a} ≠ {amount}");
        assert_eq!(o, n, "{driver} occurrences");
    }
    // breakdowns by hand
    assert!(close(get("refunds", "category", "Books").unwrap(), 50.0));
    assert!(close(get("refunds", "carrier", "DHL").unwrap(), 50.0));
    assert!(close(
        get("loss_orders", "category", "Books").unwrap(),
        -line11
    ));
    assert!(close(
        get("loss_orders", "category", "Toys").unwrap(),
        -line12
    ));
    assert!(close(
        get("shipping_overrun", "category", "Toys").unwrap(),
        overrun * 4.0 / 9.0
    ));
    assert!(close(
        get("payment_failures", "region", "North America").unwrap(),
        45.0
    ));
    assert!(close(
        get("cart_abandonment", "category", "Games").unwrap(),
        20.0 * 170.0 / 220.0
    ));
    assert!(close(
        get("cart_abandonment", "channel", "APP").unwrap(),
        abandoned
    ));
    assert!(close(
        get("loss_customers", "region", "Europe").unwrap(),
        13.0
    ));

    // every dimension of a driver sums to its total
    let mut sums: HashMap<(String, String), f64> = HashMap::new();
    for r in &rows {
        let dim: String = r.get(1);
        if dim != "total" {
            *sums.entry((r.get(0), dim)).or_default() += r.get::<_, f64>(3);
        }
    }
    for ((driver, dim), sum) in &sums {
        assert!(
            close(*sum, total(driver).0),
            "{driver} by {dim}: {sum} ≠ {}",
            total(driver).0
        );
    }

    // and the totals are the KPI views' figures
    let view = |col: &str| format!("select {col}::float8 from globalcart.vw_revenue_leakage");
    assert!(close(
        total("refunds").0,
        db.f64(&view("refunds_leakage_usd")).await
    ));
    assert!(close(
        total("payment_failures").0,
        db.f64(&view("revenue_lost_payment_failures_usd")).await
    ));
    assert!(close(
        total("cart_abandonment").0,
        db.f64(&view("revenue_lost_cart_abandonment_usd")).await
    ));
    let totals = |col: &str| format!("select {col}::float8 from globalcart.vw_kpi_totals");
    assert_eq!(
        total("loss_orders").1 as f64,
        db.f64(&totals("loss_orders")).await
    );
    assert_eq!(
        total("discount_heavy_orders").1 as f64,
        db.f64(&totals("discount_heavy_orders")).await
    );
    let loss_sum = db.f64("select coalesce(-sum(net_profit_usd), 0)::float8 from globalcart.vw_finance_order_pnl where loss_order").await;
    assert!(close(total("loss_orders").0, loss_sum));
    let loss_products = db.f64("select coalesce(-sum(net_profit_usd), 0)::float8 from globalcart.vw_finance_product_pnl where loss_product").await;
    assert!(close(total("loss_products").0, loss_products));
    let loss_customers = db.f64("select coalesce(-sum(net_profit_usd), 0)::float8 from globalcart.vw_finance_customer_pnl where loss_customer").await;
    assert!(close(total("loss_customers").0, loss_customers));

    // once the marts are refreshed, a run reads them instead of the views and
    // finds exactly the same leakage
    let first = leakage_rows(&db).await;
    assert!(!first.is_empty());
    db.exec("select globalcart.refresh_bi_marts('test')").await;
    let report = globalcart_analytics::run(&db.url, None).await.unwrap();
    assert!(
        matches!(
            report.source,
            globalcart_analytics::load::Source::Marts { .. }
        ),
        "{:?}",
        report.source
    );
    let second = leakage_rows(&db).await;
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!((&a.0, &a.1, &a.2, a.4), (&b.0, &b.1, &b.2, b.4));
        assert!(close(a.3, b.3), "{a:?} vs {b:?}");
    }
    db.drop().await;
}

type LeakageRow = (String, String, String, f64, i64);

async fn leakage_rows(db: &TestDb) -> Vec<LeakageRow> {
    db.client
        .query(
            "select driver, dimension, dim_value, amount_usd, occurrences
             from globalcart.analytics_leakage order by 1, 2, 3",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect()
}

//! RFM scores and segments, and the cohort matrix, on hand-built orders.

mod helpers;

use helpers::{Star, TestDb};

/// Ten customers: customer i places i completed orders of 10·i USD each, so F
/// and M rank them 1..10. Their last orders are spread 10 days apart in the
/// order `RECENT_FIRST`, so R ranks them in that order.
const RECENT_FIRST: [i64; 10] = [1, 2, 9, 10, 5, 6, 3, 4, 7, 8];

#[tokio::test]
async fn rfm_scores_and_the_five_segments_follow_the_quintiles() {
    let db = TestDb::new().await;
    let mut s = Star::default();
    s.geo(1, "Europe");
    let mut order_id = 0;
    for (pos, &c) in RECENT_FIRST.iter().enumerate() {
        s.customer(c, 1, "SEO", 0);
        let last_day = 200 - 10 * pos as i32;
        for k in 0..c {
            order_id += 1;
            s.order(
                order_id,
                c,
                1,
                last_day - 3 * k as i32,
                "DELIVERED",
                "WEB",
                10.0 * c as f64,
                &[],
            );
        }
    }
    // a cancelled order is not a completed order: it changes nothing
    s.order(999, 1, 1, 205, "CANCELLED", "WEB", 5000.0, &[]);
    db.exec(&s.sql).await;

    let report = globalcart_analytics::run(&db.url, None).await.unwrap();
    // as of the day after the last completed order (day 200 + 1 = 2024-07-20)
    assert_eq!(
        report.as_of,
        chrono::NaiveDate::from_ymd_opt(2024, 7, 20).unwrap()
    );
    assert_eq!(report.customers, 10);

    let rows = db
        .client
        .query(
            "select customer_id, recency_days, frequency, monetary_usd, r_score, f_score, m_score, rfm_score, segment
             from globalcart.analytics_rfm order by customer_id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 10);
    for r in rows {
        let c: i64 = r.get(0);
        let pos = RECENT_FIRST.iter().position(|&x| x == c).unwrap() as i32;
        // recency: 1 day for the most recent, then +10 days per position
        assert_eq!(r.get::<_, i32>(1), 1 + 10 * pos, "recency of {c}");
        assert_eq!(r.get::<_, i32>(2) as i64, c, "frequency of {c}");
        assert!((r.get::<_, f64>(3) - 10.0 * (c * c) as f64).abs() < 1e-9);
        // ten distinct values: two per quintile. R: positions 0-1 → 5 … 8-9 → 1;
        // F and M: customers 1-2 → 1 … 9-10 → 5.
        let r_score = 5 - (pos / 2) as i16;
        let f_score = ((c + 1) / 2) as i16;
        assert_eq!(r.get::<_, i16>(4), r_score, "R of {c}");
        assert_eq!(r.get::<_, i16>(5), f_score, "F of {c}");
        assert_eq!(r.get::<_, i16>(6), f_score, "M of {c}");
        assert_eq!(r.get::<_, i16>(7), 100 * r_score + 11 * f_score);
        let expected = match c {
            1 | 2 => "New Customers",      // R 5, F 1
            9 | 10 => "Champions",         // R 4, F 5
            5 | 6 => "Potential Loyalist", // R 3, F 3
            3 | 4 => "Lost",               // R 2, F 2
            7 | 8 => "At Risk Loyal",      // R 1, F 4
            _ => unreachable!(),
        };
        assert_eq!(r.get::<_, String>(8), expected, "segment of {c}");
    }
    // every segment is present and k-means reported its chosen k
    assert_eq!(report.segments.len(), 5);
    let chosen: i64 = db
        .client
        .query_one(
            "select count(*) from globalcart.analytics_rfm_kmeans where chosen",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(chosen, 1);
    db.drop().await;
}

#[tokio::test]
async fn the_cohort_matrix_counts_returning_customers_per_month() {
    let db = TestDb::new().await;
    let mut s = Star::default();
    s.geo(1, "Europe");
    for c in 1..=5 {
        s.customer(c, 1, "SEO", 0);
    }
    // days: January = 0..30, February = 31..59, March = 60..90 (2024)
    let orders: [(i64, i32); 10] = [
        (1, 5),
        (1, 40),
        (1, 70), // January cohort, active in Feb and Mar
        (2, 10),
        (2, 65), // January cohort, active in Mar
        (3, 20), // January cohort, never back
        (4, 35),
        (4, 36),
        (4, 80), // February cohort (two orders in Feb count once), active in Mar
        (5, 50), // February cohort
    ];
    for (i, (c, d)) in orders.iter().enumerate() {
        s.order(i as i64 + 1, *c, 1, *d, "COMPLETED", "WEB", 10.0, &[]);
    }
    db.exec(&s.sql).await;
    globalcart_analytics::run(&db.url, None).await.unwrap();

    let rows = db
        .client
        .query(
            "select to_char(cohort_month, 'YYYY-MM'), cohort_size, retention
             from globalcart.analytics_cohort_matrix order by cohort_month",
            &[],
        )
        .await
        .unwrap();
    let matrix: Vec<(String, i64, Vec<f64>)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    // January: 3 customers; in February 1 of 3 came back, in March 2 of 3.
    // February: 2 customers; in March 1 of 2. Through March (the as-of month).
    assert_eq!(
        matrix,
        vec![
            ("2024-01".to_string(), 3, vec![1.0, 1.0 / 3.0, 2.0 / 3.0]),
            ("2024-02".to_string(), 2, vec![1.0, 0.5]),
        ]
    );
    // the long form holds the same cells with their counts
    let long: Vec<(i32, i64)> = db
        .client
        .query(
            "select month_offset, active_customers from globalcart.analytics_cohort_retention
             where cohort_month = date '2024-01-01' order by month_offset",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(long, vec![(0, 3), (1, 1), (2, 2)]);
    db.drop().await;
}

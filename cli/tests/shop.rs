//! The shop against the real app, Postgres and broker: accounts with one-time
//! codes, cart, promo, checkout with stock reservation, the simulated payment
//! and its signed webhook, the order's way through the stream into the star
//! schema, delivery and review; and that customers cannot reach each other.

mod helpers;

use std::time::Duration;

use helpers::shop::{seed_catalog, Shopper};
use helpers::TestEnv;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn wait_for<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..120 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_placed_in_the_shop_is_charged_with_its_promo_and_flows_through_the_stream() {
    let env = TestEnv::new().await;
    seed_catalog(&env).await;
    let base = env.spawn_app().await;
    let mut a = Shopper::new(&base).await;

    // browsing and search work anonymously; the cart too
    let (s, list) = a.get("/api/shop/products?q=kettle").await;
    assert_eq!(
        (s, list["total"].as_i64()),
        (StatusCode::OK, Some(1)),
        "{list}"
    );
    assert_eq!(list["items"][0]["sell_price"], json!(920.0)); // 1000 − 8 % (id 1)
    let (s, _) = a
        .post("/api/shop/cart/items", json!({"product_id": 1, "qty": 2}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = a
        .post("/api/shop/cart/items", json!({"product_id": 1, "qty": 21}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // no CSRF header: refused
    let r = a
        .http
        .post(format!("{base}/api/shop/cart/items"))
        .json(&json!({"product_id": 2, "qty": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (s, _) = a
        .post(
            "/api/shop/events",
            json!({"event_id": uuid::Uuid::new_v4(), "stage": "VIEW_CART"}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, _) = a
        .post(
            "/api/shop/events",
            json!({"event_id": uuid::Uuid::new_v4(), "stage": "ORDER_PLACED"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the server reports ORDER_PLACED itself"
    );

    // signing up keeps the visitor's cart
    let customer = a.sign_up("asha@example.com", "Asha Rao").await;
    let (_, cart) = a.get("/api/shop/cart").await;
    assert_eq!(cart["count"], json!(2), "{cart}");
    assert_eq!(cart["total"], json!(1968.8)); // 1840 + 7 % tax

    // the promo is validated and charged: 10 % of 1840 = 184 → (1656 + 115.92)
    let (_, promo) = a.get("/api/shop/promos/welcome10?subtotal=1840").await;
    assert_eq!(
        (promo["valid"].clone(), promo["discount"].clone()),
        (json!(true), json!(184.0))
    );
    let (_, bad) = a.get("/api/shop/promos/FLAT100?subtotal=100").await;
    assert_eq!(bad["valid"], json!(false));
    let key = uuid::Uuid::new_v4();
    let body = json!({"idempotency_key": key, "payment_method": "CARD", "promo_code": "WELCOME10",
                      "address": Shopper::address(), "save_address": true});
    let (s, order) = a.post("/api/shop/checkout", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{order}");
    assert_eq!(order["amount"], json!(1771.92));
    let order_id = order["order_id"].as_i64().unwrap();
    // a double click returns the same order
    let (s, again) = a.post("/api/shop/checkout", body).await;
    assert_eq!(
        (s, again["order_id"].as_i64()),
        (StatusCode::OK, Some(order_id))
    );
    let (_, cart) = a.get("/api/shop/cart").await;
    assert_eq!(cart["count"], json!(0));
    // WELCOME10 is once per customer
    a.post("/api/shop/cart/items", json!({"product_id": 1, "qty": 1}))
        .await;
    let (s, e) = a
        .post(
            "/api/shop/checkout",
            json!({"idempotency_key": uuid::Uuid::new_v4(), "payment_method": "CARD",
                   "promo_code": "WELCOME10", "address": Shopper::address()}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("once per customer"), "{e}");
    let (s, _) = a
        .send(Method::DELETE, "/api/shop/cart/items/1", json!({}))
        .await;
    assert!(s.is_success());

    // pay: the provider's signed webhook confirms it
    let (s, paid) = a
        .post(
            &format!("/api/shop/orders/{order_id}/pay"),
            json!({"outcome": "success"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{paid}");
    assert_eq!(
        (paid["status"].as_str(), paid["payment_status"].as_str()),
        (Some("CONFIRMED"), Some("CAPTURED"))
    );
    assert_eq!(
        (paid["promo_code"].as_str(), paid["promo_discount"].as_f64()),
        (Some("WELCOME10"), Some(184.0))
    );
    let (s, e) = a
        .post(
            &format!("/api/shop/orders/{order_id}/pay"),
            json!({"outcome": "success"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "paid twice: {e}");

    // the order, its payment, shipment and funnel events reach the star schema
    let db = env.client().await;
    // the shop clock ships and delivers it (1 s and 2 s after payment); the
    // relay publishes every event; then the consumers load them
    wait_for("delivery and every event published", || async {
        db.query_one(
            "select (select status from globalcart.shop_orders where order_id = $1) = 'DELIVERED'
                and not exists (select 1 from globalcart.shop_event_outbox where published_at is null)",
            &[&order_id],
        )
        .await
        .unwrap()
        .get(0)
    })
    .await;
    env.consume_until_idle(2).await;
    wait_for("the order in fact_orders, delivered", || async {
        db.query_opt(
            "select 1 from globalcart.fact_orders where order_id = $1 and order_status = 'DELIVERED'
               and net_amount + tax_amount = 1771.92 and customer_id = $2",
            &[&order_id, &customer],
        )
        .await
        .unwrap()
        .is_some()
    })
    .await;
    let stages: Vec<String> = db
        .query(
            "select stage::text from globalcart.fact_funnel_events where customer_id = $1 order by event_ts",
            &[&customer],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        stages.contains(&"PAYMENT_ATTEMPTED".into()) && stages.contains(&"ORDER_PLACED".into()),
        "{stages:?}"
    );
    assert_eq!(stages.iter().filter(|s| *s == "ORDER_PLACED").count(), 1);
    let payment: (String, f64) = {
        let r = db
            .query_one("select payment_status, amount::float8 from globalcart.fact_payments where order_id = $1", &[&order_id])
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(payment, ("CAPTURED".to_string(), 1771.92));
    // the tracking timeline comes from the shipment events
    wait_for("the timeline to show the delivery", || async {
        let (_, d) = a.get(&format!("/api/shop/orders/{order_id}")).await;
        d["timeline"]
            .as_array()
            .is_some_and(|t| t.iter().all(|s| !s["at"].is_null()))
    })
    .await;

    // delivered: the customer may review, once per product
    let (s, _) = a
        .post(
            "/api/shop/products/1/reviews",
            json!({"rating": 5, "title": "Great", "body": "Boils fast"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = a
        .post(
            "/api/shop/products/1/reviews",
            json!({"rating": 4, "title": "Good", "body": "Still fine"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, reviews) = a.get("/api/shop/products/1/reviews").await;
    assert_eq!(
        (
            reviews["rating_count"].as_i64(),
            reviews["rating_avg"].as_f64()
        ),
        (Some(1), Some(4.0))
    );
    let (s, _) = a
        .post(
            "/api/shop/products/2/reviews",
            json!({"rating": 1, "title": "x", "body": "y"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "never bought");

    // the inbox holds the order emails
    let (_, inbox) = a.get("/api/shop/inbox").await;
    let kinds: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "WELCOME",
        "ORDER_CONFIRMED",
        "ORDER_SHIPPED",
        "ORDER_DELIVERED",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    env.cleanup().await;
}

/// Every path an order can take in the shop (paid → shipped → delivered, a
/// failed payment, cancelled before and after capture, expired unpaid) emits
/// only events the loader accepts, and the star schema ends in the state the
/// shop shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shop_lifecycle_path_emits_events_the_loader_accepts() {
    let env = TestEnv::new().await;
    seed_catalog(&env).await;
    // the clock ships 4 s after payment, delivers at 5 s, expires unpaid at 4 s:
    // long enough to cancel a paid order before it ships
    let clock = globalcart_shop::ShopSettings {
        ship_after: Duration::from_secs(4),
        deliver_after: Duration::from_secs(5),
        reservation_ttl: Duration::from_secs(4),
        ..helpers::shop_settings()
    };
    let base = env.spawn_app_configured(true, clock, None).await;
    let mut a = Shopper::new(&base).await;
    a.sign_up("lifecycle@example.com", "Lee Cycle").await;
    async fn place(a: &Shopper) -> i64 {
        let (s, e) = a
            .post("/api/shop/cart/items", json!({"product_id": 2, "qty": 1}))
            .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let body = json!({"idempotency_key": uuid::Uuid::new_v4(), "payment_method": "CARD",
                          "address": Shopper::address()});
        let (s, order) = a.post("/api/shop/checkout", body).await;
        assert_eq!(s, StatusCode::CREATED, "{order}");
        order["order_id"].as_i64().unwrap()
    }
    async fn act(a: &Shopper, path: String, body: Value) {
        let (s, e) = a.post(&path, body).await;
        assert_eq!(s, StatusCode::OK, "{path}: {e}");
    }
    let delivered = place(&a).await;
    act(
        &a,
        format!("/api/shop/orders/{delivered}/pay"),
        json!({"outcome": "success"}),
    )
    .await;
    let failed = place(&a).await;
    act(
        &a,
        format!("/api/shop/orders/{failed}/pay"),
        json!({"outcome": "failure", "failure_reason": "CARD_EXPIRED"}),
    )
    .await;
    let unpaid_cancel = place(&a).await;
    act(
        &a,
        format!("/api/shop/orders/{unpaid_cancel}/cancel"),
        json!({"reason": "changed my mind"}),
    )
    .await;
    let paid_cancel = place(&a).await;
    act(
        &a,
        format!("/api/shop/orders/{paid_cancel}/pay"),
        json!({"outcome": "success"}),
    )
    .await;
    act(
        &a,
        format!("/api/shop/orders/{paid_cancel}/cancel"),
        json!({"reason": "found it cheaper"}),
    )
    .await;
    let expired = place(&a).await;

    let db = env.client().await;
    wait_for("delivery, expiry and every event published", || async {
        db.query_one(
            "select (select status from globalcart.shop_orders where order_id = $1) = 'DELIVERED'
                and (select status from globalcart.shop_orders where order_id = $2) = 'CANCELLED'
                and not exists (select 1 from globalcart.shop_event_outbox where published_at is null)",
            &[&delivered, &expired],
        )
        .await
        .unwrap()
        .get(0)
    })
    .await;
    let run = env.consume_until_idle(2).await;
    let rejects = env
        .column("select reason from globalcart.etl_ingest_rejects")
        .await;
    assert!(rejects.is_empty() && run.rejected == 0, "{rejects:?}");

    let state = |order_id: i64| {
        let db = &db;
        async move {
            let r = db
                .query_one(
                    "select o.order_status, p.payment_status, s.shipment_status,
                            (select count(*) from globalcart.fact_order_items i where i.order_id = o.order_id)
                     from globalcart.fact_orders o
                     left join globalcart.fact_payments p using (order_id)
                     left join globalcart.fact_shipments s using (order_id)
                     where o.order_id = $1",
                    &[&order_id],
                )
                .await
                .unwrap();
            let s: (String, Option<String>, Option<String>, i64) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            (s.0, s.1.unwrap_or_default(), s.2.unwrap_or_default(), s.3)
        }
    };
    let expect = |o: &str, p: &str, s: &str| (o.to_string(), p.to_string(), s.to_string(), 1);
    assert_eq!(
        state(delivered).await,
        expect("DELIVERED", "CAPTURED", "DELIVERED")
    );
    assert_eq!(state(failed).await, expect("CANCELLED", "FAILED", ""));
    assert_eq!(
        state(unpaid_cancel).await,
        expect("CANCELLED", "FAILED", "")
    );
    assert_eq!(
        state(paid_cancel).await,
        expect("CANCELLED", "REFUNDED", "CANCELLED")
    );
    assert_eq!(state(expired).await, expect("CANCELLED", "FAILED", ""));
    // the warehouse agrees with the shop's own record of every order
    let shop: Vec<(i64, String, String)> = db
        .query(
            "select order_id, status, payment_status from globalcart.shop_orders order by order_id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    for (order_id, status, payment) in shop {
        let (o, p, _, _) = state(order_id).await;
        assert_eq!((o, p), (status, payment), "order {order_id}");
    }
    // and with the stream the shop published, table by table; the one thing
    // not from the stream is the catalog this test seeded into dim_product
    let report = env.reconcile().await;
    for t in &report.tables {
        let keys: Vec<&str> = t.samples.iter().map(|d| d.key.as_str()).collect();
        if t.table == "dim_product" {
            assert_eq!((t.extra, t.differing, t.missing), (4, 0, 0), "{report}");
            assert_eq!(keys, ["1", "2", "3", "4"], "{report}");
        } else {
            assert_eq!(t.differences(), 0, "{report}");
        }
    }
    let orders = report.tables.iter().find(|t| t.table == "fact_orders");
    assert_eq!(orders.map(|t| t.matching), Some(5), "{report}");
    env.cleanup().await;
}

async fn checkout(s: &Shopper) -> (StatusCode, Value) {
    let body = json!({"idempotency_key": uuid::Uuid::new_v4(), "payment_method": "UPI", "address": Shopper::address()});
    s.post("/api/shop/checkout", body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_is_reserved_released_on_cancel_and_an_oversell_is_refused_with_the_items() {
    let env = TestEnv::new().await;
    seed_catalog(&env).await;
    let base = env.spawn_app().await;
    let mut a = Shopper::new(&base).await;
    let mut b = Shopper::new(&base).await;
    a.sign_up("a@example.com", "A").await;
    b.sign_up("b@example.com", "B").await;
    // product 3 starts with 25 + 3 = 28 units
    let (_, p) = a.get("/api/shop/products/3").await;
    assert_eq!(p["available"], json!(28));
    a.post("/api/shop/cart/items", json!({"product_id": 3, "qty": 20}))
        .await;
    let (s, first) = checkout(&a).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let (_, p) = a.get("/api/shop/products/3").await;
    assert_eq!(p["available"], json!(8));
    b.post("/api/shop/cart/items", json!({"product_id": 3, "qty": 20}))
        .await;
    let (s, e) = checkout(&b).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(
        e["error"]["details"]["items"],
        json!([{"product_id": 3, "name": "Desk Lamp", "requested": 20, "available": 8}])
    );
    // A cancels: the 20 units are free again and B's checkout goes through
    let id = first["order_id"].as_i64().unwrap();
    let (s, c) = a
        .post(
            &format!("/api/shop/orders/{id}/cancel"),
            json!({"reason": "Changed my mind"}),
        )
        .await;
    assert_eq!(
        (s, c["status"].as_str()),
        (StatusCode::OK, Some("CANCELLED")),
        "{c}"
    );
    let (s, c) = a
        .post(
            &format!("/api/shop/orders/{id}/cancel"),
            json!({"reason": "again"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{c}");
    let (_, p) = a.get("/api/shop/products/3").await;
    assert_eq!(p["available"], json!(28));
    let (s, second) = checkout(&b).await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    // a failed payment releases too
    let id = second["order_id"].as_i64().unwrap();
    let (s, f) = b
        .post(
            &format!("/api/shop/orders/{id}/pay"),
            json!({"outcome": "failure", "failure_reason": "INSUFFICIENT_FUNDS"}),
        )
        .await;
    assert_eq!(
        (s, f["status"].as_str(), f["payment_status"].as_str()),
        (StatusCode::OK, Some("CANCELLED"), Some("FAILED"))
    );
    let (_, p) = b.get("/api/shop/products/3").await;
    assert_eq!(p["available"], json!(28));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_cannot_reach_each_other_and_codes_are_guarded() {
    let env = TestEnv::new().await;
    seed_catalog(&env).await;
    let base = env.spawn_app().await;
    let mut a = Shopper::new(&base).await;
    let mut b = Shopper::new(&base).await;
    a.sign_up("owner@example.com", "Owner").await;
    b.sign_up("other@example.com", "Other").await;
    a.post("/api/shop/cart/items", json!({"product_id": 2, "qty": 1}))
        .await;
    let (_, order) = a
        .post("/api/shop/checkout", json!({"idempotency_key": uuid::Uuid::new_v4(), "payment_method": "CARD", "address": Shopper::address(), "save_address": true}))
        .await;
    let order_id = order["order_id"].as_i64().unwrap();
    let (_, addresses) = a.get("/api/shop/addresses").await;
    let address_id = addresses["items"][0]["address_id"].as_i64().unwrap();
    a.post("/api/shop/cart/items", json!({"product_id": 4, "qty": 3}))
        .await;

    // the demo inbox shows a code only to the browser that asked for it: B
    // requests a login code for A's address and for an unknown one, and sees
    // neither, nor A's sign-up code (the same empty answer for both addresses)
    for email in ["owner@example.com", "nobody@example.com"] {
        let (s, e) = b
            .post(
                "/api/shop/auth/otp",
                json!({"email": email, "purpose": "login"}),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{e}");
        let (s, inbox) = b.get(&format!("/api/shop/demo/inbox?email={email}")).await;
        assert_eq!(
            (s, &inbox["items"]),
            (StatusCode::OK, &json!([])),
            "{email}"
        );
        if email == "nobody@example.com" {
            let (_, mine) = a.get(&format!("/api/shop/demo/inbox?email={email}")).await;
            assert_eq!(mine["items"], json!([]), "A did not ask for these codes");
        }
    }
    let (_, own) = a.get("/api/shop/demo/inbox?email=owner@example.com").await;
    assert_eq!(
        own["items"].as_array().map(Vec::len),
        Some(1),
        "A's sign-up code: {own}"
    );

    // B sees none of it: 404 as if it did not exist
    for path in [format!("/api/shop/orders/{order_id}")] {
        assert_eq!(b.get(&path).await.0, StatusCode::NOT_FOUND);
    }
    for (m, path, body) in [
        (
            Method::POST,
            format!("/api/shop/orders/{order_id}/cancel"),
            json!({"reason": "mine now"}),
        ),
        (
            Method::POST,
            format!("/api/shop/orders/{order_id}/pay"),
            json!({"outcome": "success"}),
        ),
        (
            Method::POST,
            format!("/api/shop/orders/{order_id}/reorder"),
            json!({}),
        ),
        (
            Method::PUT,
            format!("/api/shop/addresses/{address_id}"),
            Shopper::address(),
        ),
        (
            Method::DELETE,
            format!("/api/shop/addresses/{address_id}"),
            json!({}),
        ),
    ] {
        let (s, e) = b.send(m.clone(), &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {path}: {e}");
    }
    let (_, b_cart) = b.get("/api/shop/cart").await;
    assert_eq!(b_cart["count"], json!(0), "B's cart is B's own");
    assert!(b.get("/api/shop/addresses").await.1["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(b.get("/api/shop/orders").await.1["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let (_, mine) = a.get(&format!("/api/shop/orders/{order_id}")).await;
    assert_eq!(mine["status"], json!("CREATED"), "untouched: {mine}");
    let (_, a_cart) = a.get("/api/shop/cart").await;
    assert_eq!(a_cart["count"], json!(3));
    // signed out: 401
    let anon = Shopper::new(&base).await;
    assert_eq!(
        anon.get("/api/shop/orders").await.0,
        StatusCode::UNAUTHORIZED
    );

    // codes: 5 wrong attempts, the 6th (even the right code) refused
    let c = Shopper::new(&base).await;
    let (s, _) = c.post("/api/shop/auth/otp", json!({"email": "c@example.com", "purpose": "signup", "display_name": "C", "password": "weak"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "password policy");
    let (s, _) = c.post("/api/shop/auth/otp", json!({"email": "c@example.com", "purpose": "signup", "display_name": "C", "password": "Correct-Horse-9"})).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let code = c.code_for("c@example.com").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for attempt in 1..=5 {
        let (s, e) = c
            .post(
                "/api/shop/auth/verify",
                json!({"email": "c@example.com", "otp": wrong}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {attempt}: {e}");
    }
    // used up: even the right code is refused, with the one answer every
    // failure gets, the same as for an address that has no account
    let (s, e) = c
        .post(
            "/api/shop/auth/verify",
            json!({"email": "c@example.com", "otp": code}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
    let (s2, e2) = c
        .post(
            "/api/shop/auth/verify",
            json!({"email": "nobody-here@example.com", "otp": "123456"}),
        )
        .await;
    assert_eq!(
        (s2, &e2["error"]["message"]),
        (s, &e["error"]["message"]),
        "no account enumeration: {e2}"
    );
    // the code never left the server in a response, and is stored hashed
    let db = env.client().await;
    let stored: Vec<String> = db
        .query(
            "select otp_hash from globalcart.shop_otps where email = 'c@example.com'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(stored.iter().all(|h| h.len() == 64 && !h.contains(&code)));
    // rate limit per address: 5 codes an hour
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        last = c
            .post(
                "/api/shop/auth/otp",
                json!({"email": "c@example.com", "purpose": "login"}),
            )
            .await
            .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // the webhook: a bad signature is refused, a replayed event processed once
    let http = reqwest::Client::new();
    let body =
        json!({"id": "evt_1", "type": "payment.captured", "data": {"provider_payment_id": "nope"}})
            .to_string();
    let r = http
        .post(format!("{base}/api/payments/webhook"))
        .header("x-signature", "00")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let sig = globalcart_shop::payments::sign(b"test-webhook-secret", body.as_bytes());
    for expected in [true, false] {
        let r = http
            .post(format!("{base}/api/payments/webhook"))
            .header("x-signature", &sig)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["processed"], json!(expected));
    }
    // a signed capture of the wrong amount or currency does not pay the order
    let provider_ref: String = db
        .query_one(
            "select provider_payment_id from globalcart.shop_payments where order_id = $1",
            &[&order_id],
        )
        .await
        .unwrap()
        .get(0);
    let (amount, currency): (i64, String) = {
        let (_, o) = a.get(&format!("/api/shop/orders/{order_id}")).await;
        (
            (o["total"].as_f64().unwrap() * 100.0).round() as i64,
            o["currency"].as_str().unwrap().to_string(),
        )
    };
    for (i, data) in [
        json!({"provider_payment_id": provider_ref, "amount": 1, "currency": currency}),
        json!({"provider_payment_id": provider_ref, "amount": amount, "currency": "USD"}),
        json!({"provider_payment_id": provider_ref}),
    ]
    .into_iter()
    .enumerate()
    {
        let body =
            json!({"id": format!("evt_under_{i}"), "type": "payment.captured", "data": data})
                .to_string();
        let sig = globalcart_shop::payments::sign(b"test-webhook-secret", body.as_bytes());
        let r = http
            .post(format!("{base}/api/payments/webhook"))
            .header("x-signature", &sig)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{data}");
    }
    let (_, o) = a.get(&format!("/api/shop/orders/{order_id}")).await;
    assert_eq!(
        (o["status"].as_str(), o["payment_status"].as_str()),
        (Some("CREATED"), Some("PENDING")),
        "{o}"
    );
    env.cleanup().await;
}

/// Sign-in limits count each attempt before the password check, atomically:
/// 100 parallel wrong guesses at one customer are checked at most 10 times,
/// and the admin sign-in has a limit too (issue 15, item 7).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_password_guesses_never_pass_the_sign_in_limits() {
    let env = TestEnv::new().await;
    seed_catalog(&env).await;
    let base = env.spawn_app().await;
    let mut owner = Shopper::new(&base).await;
    owner.sign_up("target@example.com", "Target").await;
    let guesser = std::sync::Arc::new(Shopper::new(&base).await);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(100));
    let tries: Vec<_> = (0..100)
        .map(|i| {
            let (g, b) = (guesser.clone(), barrier.clone());
            tokio::spawn(async move {
                b.wait().await;
                g.post(
                    "/api/shop/auth/login",
                    json!({"email": "target@example.com", "password": format!("Wrong-guess-{i:04}")}),
                )
                .await
                .0
            })
        })
        .collect();
    let mut checked = 0;
    for t in tries {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(checked <= 10, "{checked} guesses were checked (limit 10)");

    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            http.post(format!("{base}/api/admin/login"))
                .json(&json!({"password": "not-the-admin-password"}))
                .send()
                .await
                .unwrap()
                .status(),
        );
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
    env.cleanup().await;
}

/// Parallel checkouts (issue 15, item 11): five requests with one
/// idempotency key give one 201 and four 200 with the same order; five with
/// different keys check one cart out once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_checkouts_of_one_cart_make_one_order() {
    let env = TestEnv::new().await;
    seed_catalog(&env).await;
    let base = env.spawn_app().await;
    let mut a = Shopper::new(&base).await;
    a.sign_up("parallel@example.com", "Parallel").await;
    let a = std::sync::Arc::new(a);
    for same_key in [true, false] {
        a.post("/api/shop/cart/items", json!({"product_id": 2, "qty": 1}))
            .await;
        let key = uuid::Uuid::new_v4();
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(5));
        let runs: Vec<_> = (0..5)
            .map(|_| {
                let (a, b) = (a.clone(), barrier.clone());
                let key = if same_key { key } else { uuid::Uuid::new_v4() };
                tokio::spawn(async move {
                    b.wait().await;
                    a.post(
                        "/api/shop/checkout",
                        json!({"idempotency_key": key, "payment_method": "CARD", "address": Shopper::address()}),
                    )
                    .await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for r in runs {
            answers.push(r.await.unwrap());
        }
        let count = |s: StatusCode| answers.iter().filter(|(st, _)| *st == s).count();
        assert_eq!(count(StatusCode::CREATED), 1, "{answers:?}");
        if same_key {
            assert_eq!(count(StatusCode::OK), 4, "{answers:?}");
            let ids: std::collections::BTreeSet<_> = answers
                .iter()
                .map(|(_, v)| v["order_id"].as_i64())
                .collect();
            assert_eq!(ids.len(), 1, "one order: {answers:?}");
        } else {
            assert_eq!(
                count(StatusCode::UNPROCESSABLE_ENTITY),
                4,
                "the cart is empty: {answers:?}"
            );
        }
    }
    let orders: i64 = env
        .client()
        .await
        .query_one("select count(*)::bigint from globalcart.shop_orders", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(orders, 2);
    env.cleanup().await;
}

/// Anonymous page events are rate-limited per visit (and per client
/// address), so a script cannot inflate the funnel (issue 15, item 13).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_events_are_rate_limited_per_visit() {
    let env = TestEnv::new().await;
    let base = env.spawn_app().await;
    let v = Shopper::new(&base).await;
    let mut statuses = Vec::new();
    for _ in 0..globalcart_shop::events::EVENTS_PER_VISIT_PER_MINUTE + 5 {
        statuses.push(
            v.post(
                "/api/shop/events",
                json!({"event_id": uuid::Uuid::new_v4(), "stage": "VIEW_CART"}),
            )
            .await
            .0,
        );
    }
    let accepted = statuses
        .iter()
        .filter(|s| **s == StatusCode::ACCEPTED)
        .count();
    assert_eq!(
        accepted,
        globalcart_shop::events::EVENTS_PER_VISIT_PER_MINUTE as usize
    );
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
    env.cleanup().await;
}

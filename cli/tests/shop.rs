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
    let (s, e) = c
        .post(
            "/api/shop/auth/verify",
            json!({"email": "c@example.com", "otp": code}),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{e}");
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
    let sig = globalcart_api::shop::payments::sign(b"test-webhook-secret", body.as_bytes());
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
    env.cleanup().await;
}

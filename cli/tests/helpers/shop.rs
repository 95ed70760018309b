//! A shopper: a browser-like HTTP client (cookie jar, CSRF header) against a
//! spawned app, and a few products and a geography put straight into the
//! dimensions so shop tests need no generated history.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::TestEnv;

/// Products seeded by [`seed_catalog`]: (id, name, list price).
pub const PRODUCTS: [(i64, &str, f64); 4] = [
    (1, "Steel Kettle", 1000.0),
    (2, "Glass Teapot", 450.0),
    (3, "Desk Lamp", 2500.0),
    (4, "Cotton Towel", 199.0),
];

/// Puts India (geo 1), a fulfilment centre and [`PRODUCTS`] into the dimensions.
pub async fn seed_catalog(env: &TestEnv) {
    let c = env.client().await;
    c.batch_execute(
        "insert into globalcart.dim_geo (geo_id, country, region, city, currency, event_id, updated_at)
         values (1, 'India', 'APAC', 'Mumbai', 'INR', gen_random_uuid(), now());
         insert into globalcart.dim_fc (fc_id, fc_name, country, timezone, event_id, updated_at)
         values (1, 'Mumbai FC', 'India', 'Asia/Kolkata', gen_random_uuid(), now());",
    )
    .await
    .unwrap();
    for (id, name, list) in PRODUCTS {
        c.execute(
            "insert into globalcart.dim_product (product_id, sku, product_name, category_l1, category_l2,
                 brand, currency, unit_cost, list_price, event_id, updated_at)
             values ($1, 'SKU' || $1::bigint::text, $2, 'HOME', 'Kitchen', 'Acme', 'INR',
                     ($3::float8 / 2)::numeric, $3::float8::numeric, gen_random_uuid(), now())",
            &[&id, &name, &list],
        )
        .await
        .unwrap();
    }
}

/// One browser.
pub struct Shopper {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Shopper {
    /// A new visitor (reads its CSRF token from the session).
    pub async fn new(base: &str) -> Shopper {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let mut s = Shopper {
            http,
            base: base.to_string(),
            csrf: String::new(),
        };
        s.refresh().await;
        s
    }

    /// Re-reads the session (after sign-in or sign-out the CSRF token changes).
    pub async fn refresh(&mut self) -> Value {
        let (status, v) = self.get("/api/shop/session").await;
        assert_eq!(status, StatusCode::OK, "{v}");
        self.csrf = v["csrf_token"].as_str().unwrap().to_string();
        v
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A state-changing request with the CSRF header.
    pub async fn send(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, body).await
    }

    /// The latest one-time code sent to `email` (demo inbox).
    pub async fn code_for(&self, email: &str) -> String {
        let (status, v) = self
            .get(&format!("/api/shop/demo/inbox?email={email}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let subject = v["items"][0]["subject"]
            .as_str()
            .expect("a code email")
            .to_string();
        subject.rsplit(' ').next().unwrap().to_string()
    }

    /// Signs up `email` with a code; returns the customer id.
    pub async fn sign_up(&mut self, email: &str, name: &str) -> i64 {
        let (status, v) = self
            .post(
                "/api/shop/auth/otp",
                json!({"email": email, "purpose": "signup", "display_name": name, "password": "Correct-Horse-9"}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{v}");
        assert!(v.get("otp").is_none() && !v.to_string().contains(&self.code_for(email).await));
        let code = self.code_for(email).await;
        let (status, v) = self
            .post(
                "/api/shop/auth/verify",
                json!({"email": email, "otp": code}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        self.refresh().await;
        v["customer"]["customer_id"].as_i64().unwrap()
    }

    /// An address to check out with.
    pub fn address() -> Value {
        json!({"label": "Home", "recipient_name": "Asha Rao", "phone": "+91 98200 00000",
               "line1": "12 Marine Drive", "city": "Mumbai", "state": "Maharashtra",
               "postal_code": "400020", "country": "India"})
    }
}

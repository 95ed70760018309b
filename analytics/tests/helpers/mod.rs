//! A fresh, migrated database per test on the real Postgres (TEST_DATABASE_URL,
//! default postgres://postgres@127.0.0.1:5432/postgres), and small builders
//! that insert hand-made rows into the star tables.

#![allow(dead_code, clippy::too_many_arguments)]

use std::fmt::Write;

use globalcart_common::db;
use rand::Rng;
use tokio_postgres::NoTls;

pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// One test's database.
pub struct TestDb {
    pub url: String,
    pub name: String,
    pub client: tokio_postgres::Client,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let name = format!("gc_analytics_{:016x}", rand::thread_rng().gen::<u64>());
        let url = match admin_url().rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("TEST_DATABASE_URL has no database part"),
        };
        db::migrate(&url).await.unwrap_or_else(|e| {
            panic!("cannot create a test database ({e}); start Postgres with `make test-services`")
        });
        let (client, conn) = tokio_postgres::connect(&url, NoTls).await.expect("connect");
        tokio::spawn(conn);
        TestDb { url, name, client }
    }

    pub async fn exec(&self, sql: &str) {
        self.client
            .batch_execute(&format!("set search_path = globalcart; {sql}"))
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"));
    }

    pub async fn f64(&self, sql: &str) -> f64 {
        self.client
            .query_one(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}: {sql}"))
            .get(0)
    }

    pub async fn drop(self) {
        drop(self.client);
        let (admin, conn) = tokio_postgres::connect(&admin_url(), NoTls)
            .await
            .expect("connect");
        tokio::spawn(conn);
        let _ = admin
            .batch_execute(&format!(
                "drop database if exists \"{}\" with (force)",
                self.name
            ))
            .await;
    }
}

/// Day `d` of the test calendar (day 0 = 2024-01-01) at noon UTC.
pub fn ts(d: i32) -> String {
    format!("(timestamptz '2024-01-01 12:00:00+00' + interval '{d} days')")
}

/// SQL that inserts rows into the star tables; amounts in USD (fx 1), tax 0.
#[derive(Default)]
pub struct Star {
    pub sql: String,
}

impl Star {
    pub fn geo(&mut self, geo_id: i64, region: &str) -> &mut Self {
        writeln!(self.sql, "insert into dim_geo values ({geo_id}, 'Country {geo_id}', '{region}', 'City', 'USD', gen_random_uuid(), now());").unwrap();
        self
    }

    pub fn customer(&mut self, id: i64, geo_id: i64, channel: &str, created_day: i32) -> &mut Self {
        writeln!(self.sql, "insert into dim_customer values ({id}, {}, {geo_id}, '{channel}', gen_random_uuid(), now());", ts(created_day)).unwrap();
        self
    }

    pub fn product(&mut self, id: i64, category: &str, cost: f64, list: f64) -> &mut Self {
        writeln!(self.sql, "insert into dim_product values ({id}, 'SKU{id}', 'Product {id}', '{category}', 'Sub', 'Brand', 'USD', {cost}, {list}, gen_random_uuid(), now());").unwrap();
        self
    }

    /// An order whose header is the sum of its lines `(item_id, product, qty, list, sell, cost)`;
    /// `net` is used as the header net when there are no lines.
    pub fn order(
        &mut self,
        id: i64,
        customer: i64,
        geo: i64,
        day: i32,
        status: &str,
        channel: &str,
        net: f64,
        lines: &[(i64, i64, i32, f64, f64, f64)],
    ) -> &mut Self {
        let (mut gross, mut disc, mut n) = (0.0, 0.0, 0.0);
        for &(item, product, qty, list, sell, cost) in lines {
            let q = f64::from(qty);
            gross += list * q;
            disc += (list - sell) * q;
            n += sell * q;
            writeln!(self.sql, "insert into fact_order_items values ({item}, {id}, {product}, {qty}, {list}, {sell}, {cost}, {}, 0, {}, gen_random_uuid(), now());", (list - sell) * q, sell * q).unwrap();
        }
        if lines.is_empty() {
            (gross, n) = (net, net);
        }
        writeln!(self.sql, "insert into fact_orders values ({id}, {customer}, {geo}, {}, '{status}', '{channel}', 'DESKTOP', 'USD', {gross}, {disc}, 0, {n}, gen_random_uuid(), now());", ts(day)).unwrap();
        self
    }

    pub fn shipment(
        &mut self,
        id: i64,
        order: i64,
        carrier: &str,
        cost: f64,
        day: i32,
    ) -> &mut Self {
        writeln!(self.sql, "insert into fact_shipments values ({id}, {order}, 1, '{carrier}', 'DELIVERED', 'USD', {cost}, {}, ({})::date + 5, ({})::date + 3, false, gen_random_uuid(), now());", ts(day), ts(day), ts(day)).unwrap();
        self
    }

    pub fn payment(
        &mut self,
        id: i64,
        order: i64,
        status: &str,
        amount: f64,
        fee: f64,
        day: i32,
    ) -> &mut Self {
        writeln!(self.sql, "insert into fact_payments (payment_id, order_id, payment_method, payment_status, payment_provider, currency, amount, gateway_fee_amount, authorized_ts, event_id, updated_at) values ({id}, {order}, 'CARD', '{status}', 'Stripe', 'USD', {amount}, {fee}, {}, gen_random_uuid(), now());", ts(day)).unwrap();
        self
    }

    pub fn refund(
        &mut self,
        id: i64,
        order: i64,
        item: i64,
        product: i64,
        amount: f64,
        day: i32,
    ) -> &mut Self {
        writeln!(self.sql, "insert into fact_returns values ({id}, {order}, {item}, {product}, {}, 'DAMAGED', 'REFUNDED', 'USD', {amount}, false, gen_random_uuid(), now());", ts(day)).unwrap();
        self
    }

    pub fn funnel(
        &mut self,
        session: &str,
        day: i32,
        minute: i32,
        customer: i64,
        product: Option<i64>,
        stage: &str,
        channel: &str,
    ) -> &mut Self {
        let p = product.map_or("null".to_string(), |p| p.to_string());
        writeln!(self.sql, "insert into fact_funnel_events (event_id, event_ts, session_id, customer_id, product_id, stage, channel, device) values (gen_random_uuid(), {} + interval '{minute} minutes', '{session}', {customer}, {p}, '{stage}', '{channel}', 'MOBILE');", ts(day)).unwrap();
        self
    }
}

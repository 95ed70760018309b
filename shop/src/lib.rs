//! The customer shop (`/api/shop/…`, contract in `docs/shop-api.md`).
//!
//! # Layout
//! - [`visitor`]: the visitor, visit (funnel session) and customer cookies, CSRF.
//! - [`accounts`]: sign-up and sign-in with one-time codes or a password.
//! - [`catalog`]: the product catalog (an in-memory snapshot reloaded every few
//!   seconds), search, facets, product pages and their SVG pictures.
//! - [`pricing`]: list → sell price, tax, promo codes.
//! - [`cart`], [`wishlist`], [`addresses`], [`reviews`], [`inbox`]: the
//!   customer's resources, always looked up through the session's customer.
//! - [`checkout`]: the atomic checkout (stock reservation, idempotency key).
//! - [`payments`]: the simulated payment provider and its signed webhook.
//! - [`orders`]: order list, detail with the tracking timeline, cancel, reorder.
//! - [`fulfilment`]: the shop clock: ships and delivers paid orders, expires
//!   unpaid ones.
//! - [`events`]: funnel events from the pages.
//! - [`outbox`]: every event a shop action causes is written in the action's
//!   transaction and published to Kafka by the relay.
//! - this file: [`ShopState`] (built from the API's state), the router and
//!   the background tasks ([`run`]); errors are `globalcart_httpkit`'s.

pub mod accounts;
pub mod addresses;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod events;
pub mod fulfilment;
pub mod inbox;
pub mod lifecycle;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod pricing;
pub mod reviews;
pub mod visitor;
pub mod wishlist;

use globalcart_common::query;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use axum::Router;
use axum_extra::extract::cookie::Key;
use deadpool_postgres::Pool;
use globalcart_common::{kafka, KafkaSettings};
use globalcart_httpkit::client::TrustedProxies;
use rand::RngCore;
use rdkafka::producer::FutureProducer;
use tokio::sync::{watch, Notify};

/// The shop's errors are HTTP answers: the one `Error` of `globalcart_httpkit`,
/// shared with the API.
pub use globalcart_httpkit::{Error, Result};

/// What the operator sets for the shop.
#[derive(Debug, Clone)]
pub struct ShopSettings {
    /// Demo mode: the sign-in page may read one-time codes from the demo inbox.
    pub demo_mode: bool,
    /// Secret of the payment webhook signatures; generated and kept in the
    /// database when unset.
    pub webhook_secret: Option<String>,
    /// A paid order ships this long after payment.
    pub ship_after: Duration,
    /// … and is delivered this long after payment.
    pub deliver_after: Duration,
    /// An unpaid order is cancelled (its stock released) after this long.
    pub reservation_ttl: Duration,
}

impl Default for ShopSettings {
    fn default() -> Self {
        ShopSettings {
            demo_mode: false,
            webhook_secret: None,
            ship_after: Duration::from_secs(120),
            deliver_after: Duration::from_secs(300),
            reservation_ttl: Duration::from_secs(30 * 60),
        }
    }
}

struct Inner {
    settings: ShopSettings,
    producer: FutureProducer,
    topic_prefix: String,
    relay: Notify,
    catalog: catalog::CatalogCache,
    webhook_key: Vec<u8>,
    otp_key: Vec<u8>,
    login_attempts: globalcart_httpkit::limits::Attempts,
    /// Page events per visit and per client address ([`events`]).
    funnel_limits: (
        globalcart_httpkit::limits::Attempts,
        globalcart_httpkit::limits::Attempts,
    ),
}

/// The shop's shared state.
#[derive(Clone)]
pub struct Shop(Arc<Inner>);

/// What every shop handler and task can reach: the database, the shop, and
/// what it borrows from the app (the cookie key and the trusted proxies).
/// The API builds it from its own state (`FromRef`).
#[derive(Clone)]
pub struct ShopState {
    /// The app's Postgres pool (the shop's tables are in the same database).
    pub pool: Pool,
    /// The shop's own state: producer, relay, catalog, secrets, limits.
    pub shop: Shop,
    /// The app's cookie signing key (the shop's cookies are signed with it).
    pub key: Key,
    /// Proxies whose forwarded headers name the client.
    pub proxies: TrustedProxies,
}

impl FromRef<ShopState> for Key {
    fn from_ref(state: &ShopState) -> Key {
        state.key.clone()
    }
}

async fn secret(pool: &Pool, name: &str) -> Result<Vec<u8>> {
    let mut fresh = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let row = query!("app_secret_ensure")
        .one(&pool.get().await?, &[&name, &fresh])
        .await?;
    Ok(row.get("value"))
}

impl Shop {
    /// Prepares the shop: its Kafka producer and its secrets.
    pub async fn bootstrap(
        pool: &Pool,
        kafka: &KafkaSettings,
        settings: ShopSettings,
    ) -> Result<Shop> {
        let producer: FutureProducer = kafka::client_config(kafka)
            .set("linger.ms", "5")
            .set("partitioner", "murmur2_random")
            .set("message.timeout.ms", "30000")
            .create()
            .map_err(|e| Error::Unavailable(format!("kafka: {e}")))?;
        let webhook_key = match &settings.webhook_secret {
            Some(s) if !s.is_empty() => s.as_bytes().to_vec(),
            _ => secret(pool, "payment_webhook").await?,
        };
        let otp_key = secret(pool, "otp_key").await?;
        Ok(Shop(Arc::new(Inner {
            settings,
            producer,
            topic_prefix: kafka.topic_prefix.clone(),
            relay: Notify::new(),
            catalog: catalog::CatalogCache::default(),
            webhook_key,
            otp_key,
            login_attempts: globalcart_httpkit::limits::Attempts::new(
                accounts::LOGIN_ATTEMPTS_ALLOWED,
                Duration::from_secs(15 * 60),
            ),
            funnel_limits: (
                globalcart_httpkit::limits::Attempts::new(
                    events::EVENTS_PER_VISIT_PER_MINUTE,
                    Duration::from_secs(60),
                ),
                globalcart_httpkit::limits::Attempts::new(
                    events::EVENTS_PER_IP_PER_MINUTE,
                    Duration::from_secs(60),
                ),
            ),
        })))
    }

    pub fn settings(&self) -> &ShopSettings {
        &self.0.settings
    }

    /// Wakes the outbox relay (after a commit that wrote events).
    pub fn nudge(&self) {
        self.0.relay.notify_one();
    }

    pub fn catalog(&self) -> &catalog::CatalogCache {
        &self.0.catalog
    }
}

/// Every shop route, with the visitor layer (cookies, CSRF) and its state.
pub fn router(state: ShopState) -> Router {
    routes()
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            visitor::layer,
        ))
        .with_state(state)
}

/// The shop's background tasks until `stop` turns true: the outbox relay
/// (which publishes what is left before it returns) and the shop clock.
pub async fn run(state: ShopState, stop: watch::Receiver<bool>) {
    let relay = tokio::spawn(outbox::run(state.clone(), stop.clone()));
    let clock = tokio::spawn(fulfilment::run(state, stop));
    let _ = tokio::join!(relay, clock);
}

fn routes() -> Router<ShopState> {
    Router::new()
        .merge(accounts::router())
        .merge(catalog::router())
        .merge(cart::router())
        .merge(wishlist::router())
        .merge(addresses::router())
        .merge(reviews::router())
        .merge(checkout::router())
        .merge(payments::router())
        .merge(orders::router())
        .merge(inbox::router())
        .merge(events::router())
}

/// Amount in minor units → a JSON number.
pub fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// Microseconds since the epoch, now.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

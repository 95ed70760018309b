//! `globalcart serve`: the HTTP API alone.

use std::time::Duration;

use anyhow::Context;
use clap::Args;
use globalcart_api::auth::AuthSettings;
use globalcart_api::{App, AppSettings};
use globalcart_common::{db, KafkaSettings, PgSettings};
use globalcart_httpkit::client::TrustedProxies;
use globalcart_shop::ShopSettings;

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on: loopback unless told otherwise (0.0.0.0 serves
    /// every interface; put a TLS proxy in front).
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8000)]
    pub port: u16,
    /// Admin password (stored argon2-hashed); when unset one is generated at
    /// first start and printed once.
    #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Secret (32+ bytes) that signs session cookies; when unset one is
    /// generated once and kept in the database.
    #[arg(long, env = "SESSION_SECRET", hide_env_values = true)]
    pub session_secret: Option<String>,
    /// Serve `/api/kpis/*` without an admin session (trusted networks only:
    /// it shows revenue).
    #[arg(long, env = "PUBLIC_KPIS", default_value_t = false, value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub public_kpis: bool,
    /// Proxies whose X-Forwarded-For / CF-Connecting-IP name the client
    /// (comma-separated addresses; empty trusts none). The default trusts a
    /// proxy or tunnel on this machine.
    #[arg(long, env = "TRUSTED_PROXIES", default_value = "127.0.0.1,::1")]
    pub trusted_proxies: String,
    /// Bearer token Prometheus must send to scrape `/metrics` (it shows
    /// revenue); unset = `/metrics` answers direct loopback requests only.
    #[arg(long, env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Demo mode: the shop's sign-in page shows the one-time codes of the
    /// address being signed up (there is no mail server in the demo).
    #[arg(long, env = "DEMO_MODE", default_value_t = false, value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub demo_mode: bool,
    /// Allow demo mode on an address other than loopback. Demo mode lets a
    /// browser read the sign-in codes it requested, so anyone who can reach
    /// the server can create accounts without owning the address: only for a
    /// demo behind a tunnel or a container whose port is published on
    /// loopback.
    #[arg(long, env = "DEMO_ON_NETWORK", default_value_t = false, value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub demo_on_network: bool,
    /// Secret of the payment provider's webhook signatures (HMAC-SHA256);
    /// generated once and kept in the database when unset.
    #[arg(long, env = "PAYMENT_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Seconds after payment a shop order ships.
    #[arg(long, env = "SHOP_SHIP_AFTER_SECS", default_value_t = 120)]
    pub ship_after_secs: u64,
    /// Seconds after payment a shop order is delivered.
    #[arg(long, env = "SHOP_DELIVER_AFTER_SECS", default_value_t = 300)]
    pub deliver_after_secs: u64,
    /// Seconds an unpaid shop order holds its stock before it is cancelled.
    #[arg(long, env = "SHOP_RESERVATION_TTL_SECS", default_value_t = 1800)]
    pub reservation_ttl_secs: u64,
}

impl ServeArgs {
    /// The shop settings of these arguments.
    pub fn shop(&self) -> ShopSettings {
        ShopSettings {
            demo_mode: self.demo_mode,
            webhook_secret: self.webhook_secret.clone().filter(|s| !s.is_empty()),
            ship_after: Duration::from_secs(self.ship_after_secs),
            deliver_after: Duration::from_secs(self.deliver_after_secs.max(self.ship_after_secs)),
            reservation_ttl: Duration::from_secs(self.reservation_ttl_secs),
        }
    }
}

impl ServeArgs {
    /// The API's settings of these arguments.
    pub fn settings(&self) -> anyhow::Result<AppSettings> {
        // an empty variable (e.g. `ADMIN_PASSWORD=` in docker compose) counts as unset
        let set = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        Ok(AppSettings {
            host: self.host.clone(),
            port: self.port,
            demo_on_network: self.demo_on_network,
            auth: AuthSettings {
                admin_password: set(&self.admin_password),
                session_secret: set(&self.session_secret),
                public_kpis: self.public_kpis,
                metrics_token: set(&self.metrics_token),
                trusted_proxies: TrustedProxies::parse(&self.trusted_proxies)
                    .map_err(anyhow::Error::msg)?,
            },
            shop: self.shop(),
        })
    }

    /// The API of these arguments, bound; prints a generated admin password
    /// (the only time it is shown).
    pub async fn build(
        &self,
        pool: &deadpool_postgres::Pool,
        database_url: &str,
        kafka: &KafkaSettings,
    ) -> anyhow::Result<App> {
        let app = App::build(pool.clone(), database_url, kafka, self.settings()?)
            .await
            .context("starting the API")?;
        if let Some(p) = app.generated_password() {
            println!(
                "Admin password (generated now, shown once; set ADMIN_PASSWORD to choose one): {p}"
            );
        }
        Ok(app)
    }
}

pub async fn run(pg: &PgSettings, kafka: &KafkaSettings, args: ServeArgs) -> anyhow::Result<()> {
    db::migrate(&pg.database_url)
        .await
        .context("applying migrations")?;
    let pool = db::pool(&pg.database_url, 8)?;
    let app = args.build(&pool, &pg.database_url, kafka).await?;
    app.run_until_stopped(crate::shutdown::on_signal()).await?;
    Ok(())
}

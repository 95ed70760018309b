//! Postgres: pools, database creation and the versioned migration runner.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::{Config, NoTls};

use crate::error::{Error, Result};

/// One migration file, compiled in.
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $file,
            sql: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../sql/migrations/",
                $file
            )),
        }
    };
}

/// Every migration, in order. Each runs once, in its own transaction.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "001_star_schema.sql"),
    migration!(2, "002_reference_data.sql"),
    migration!(3, "003_etl.sql"),
    migration!(4, "004_audit.sql"),
    migration!(5, "005_kpi_views.sql"),
    migration!(6, "006_kpi_snapshots.sql"),
    migration!(7, "007_kpi_buckets.sql"),
    migration!(8, "008_pnl_between.sql"),
    migration!(9, "009_kpi_buckets_pnl.sql"),
    migration!(10, "010_app_auth.sql"),
    migration!(11, "011_funnel_session_index.sql"),
    migration!(12, "012_shop.sql"),
    migration!(13, "013_analytics.sql"),
    migration!(14, "014_bi_marts.sql"),
    migration!(15, "015_customer_mart_split.sql"),
    migration!(16, "016_fast_spine.sql"),
    migration!(17, "017_live_shipments_rule.sql"),
    migration!(18, "018_event_contract.sql"),
    migration!(19, "019_shop_hardening.sql"),
    migration!(20, "020_reconcile.sql"),
    migration!(21, "021_schema_definitions.sql"),
    migration!(22, "022_kpi_daily_rollup.sql"),
    migration!(23, "023_incremental_marts.sql"),
];

/// Parses a database URL.
pub fn parse_url(url: &str) -> Result<Config> {
    url.parse::<Config>().map_err(|e| Error::BadDatabaseUrl {
        url: url.to_string(),
        reason: e.to_string(),
    })
}

/// A connection pool of `size` connections to `url`.
pub fn pool(url: &str, size: usize) -> Result<Pool> {
    let cfg = parse_url(url)?;
    let mgr = Manager::from_config(
        cfg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(mgr)
        .max_size(size)
        .build()
        .map_err(|e| Error::PoolSetup(e.to_string()))
}

/// Creates the database named in `url` if it does not exist (connecting to the
/// `postgres` maintenance database of the same server).
pub async fn ensure_database(url: &str) -> Result<()> {
    let cfg = parse_url(url)?;
    let name = cfg.get_dbname().unwrap_or("postgres").to_string();
    let mut admin = cfg.clone();
    admin.dbname("postgres");
    let (client, conn) = admin.connect(NoTls).await?;
    let task = tokio::spawn(conn);
    let exists = client
        .query_opt("select 1 from pg_database where datname = $1", &[&name])
        .await?
        .is_some();
    if !exists {
        let quoted = name.replace('"', "\"\"");
        match client
            .batch_execute(&format!("create database \"{quoted}\""))
            .await
        {
            Ok(()) => tracing::info!(database = %name, "database created"),
            // created concurrently by another process
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => {}
            Err(e) => return Err(e.into()),
        }
    }
    drop(client);
    let _ = task.await;
    Ok(())
}

/// Applies every pending migration, then re-creates the definitions of
/// `sql/definitions/` if they changed ([`crate::definitions`]); safe to run
/// concurrently (advisory lock). Returns the versions applied.
pub async fn migrate(url: &str) -> Result<Vec<i32>> {
    ensure_database(url).await?;
    let (mut client, conn) = parse_url(url)?.connect(NoTls).await?;
    let task = tokio::spawn(conn);
    client
        .batch_execute(
            "set client_min_messages = warning;
             select pg_advisory_lock(3600360);
             create schema if not exists globalcart;
             create table if not exists globalcart.etl_schema_migrations (
                 version integer primary key,
                 name text not null,
                 applied_at timestamptz not null default now());",
        )
        .await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let done = client
            .query_opt(
                "select 1 from globalcart.etl_schema_migrations where version = $1",
                &[&m.version],
            )
            .await?
            .is_some();
        if done {
            continue;
        }
        let tx = client.transaction().await?;
        let step = async {
            tx.batch_execute(m.sql).await?;
            tx.execute(
                "insert into globalcart.etl_schema_migrations (version, name) values ($1, $2)",
                &[&m.version, &m.name],
            )
            .await?;
            tx.commit().await
        };
        step.await.map_err(|source| Error::Migration {
            version: m.version,
            name: m.name.to_string(),
            source,
        })?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        applied.push(m.version);
    }
    let tx = client.transaction().await?;
    crate::definitions::apply(&tx).await?;
    tx.commit().await?;
    client
        .batch_execute("select pg_advisory_unlock(3600360)")
        .await?;
    drop(client);
    let _ = task.await;
    Ok(applied)
}

/// A fresh, migrated database beside the one in `url`, named
/// `<its name>_<label>_<time>` (benchmarks, scratch replays); returns its URL
/// and name. [`drop_database`] removes it.
pub async fn scratch_database(url: &str, label: &str) -> Result<(String, String)> {
    let cfg = parse_url(url)?;
    let base = cfg.get_dbname().unwrap_or("globalcart");
    let name = format!(
        "{base}_{label}_{}",
        chrono::Utc::now().format("%Y%m%d%H%M%S")
    );
    let new_url = match url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => {
            return Err(Error::BadDatabaseUrl {
                url: url.to_string(),
                reason: "no database part to replace".into(),
            })
        }
    };
    migrate(&new_url).await?;
    Ok((new_url, name))
}

/// Drops database `name` of the server of `url`, closing its connections.
pub async fn drop_database(url: &str, name: &str) -> Result<()> {
    let mut cfg = parse_url(url)?;
    cfg.dbname("postgres");
    let (client, conn) = cfg.connect(NoTls).await?;
    let task = tokio::spawn(conn);
    let quoted = name.replace('"', "\"\"");
    client
        .batch_execute(&format!(
            "drop database if exists \"{quoted}\" with (force)"
        ))
        .await?;
    drop(client);
    let _ = task.await;
    Ok(())
}

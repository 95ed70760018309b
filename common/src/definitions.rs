//! The repeatable half of the schema: every view, materialized view, function,
//! trigger and row type, in `sql/definitions/`, each in its current form only.
//!
//! `sql/migrations/` holds what must be changed in place (tables, indexes,
//! data) and runs once per version; the definitions are re-created as a whole
//! whenever their checksum differs from the one the database last applied
//! (Flyway calls these repeatable migrations). A definition is changed by
//! editing its file, never by a new migration, so the current definition of a
//! KPI is always in exactly one place.

use tokio_postgres::Transaction;

use crate::error::{Error, Result};

/// One file of `sql/definitions/`, compiled in.
pub struct Definition {
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! definition {
    ($file:literal) => {
        Definition {
            name: $file,
            sql: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../sql/definitions/",
                $file
            )),
        }
    };
}

/// Every definitions file, in the order they are created (a file only uses
/// what the files before it define).
pub const DEFINITIONS: &[Definition] = &[
    definition!("01_dim_date.sql"),
    definition!("02_audit.sql"),
    definition!("03_event_contract.sql"),
    definition!("04_kpi_formulas.sql"),
    definition!("05_mart_dirty_days.sql"),
    definition!("10_orders.sql"),
    definition!("11_pnl.sql"),
    definition!("12_funnel.sql"),
    definition!("13_kpis.sql"),
    definition!("14_kpi_snapshots.sql"),
    definition!("15_kpi_buckets.sql"),
    definition!("20_bi_marts.sql"),
];

/// The files' text in order, each preceded by its name: what the checksum covers.
fn text() -> String {
    DEFINITIONS
        .iter()
        .map(|d| format!("-- {}\n{}", d.name, d.sql))
        .collect()
}

/// Re-creates every definition in `tx` unless the database last applied these
/// very files; returns whether it did. Run after the migrations, under their lock.
pub async fn apply(tx: &Transaction<'_>) -> Result<bool> {
    let text = text();
    let checksum: String = tx.query_one("select md5($1)", &[&text]).await?.get(0);
    let stored: Option<String> = tx
        .query_opt(crate::sql!("schema_definitions_checksum"), &[])
        .await?
        .map(|r| r.get("checksum"));
    if stored.as_deref() == Some(checksum.as_str()) {
        return Ok(false);
    }
    tx.batch_execute(crate::sql!("schema_definitions_drop"))
        .await
        .map_err(|source| Error::Definition {
            name: "dropping the previous definitions".into(),
            source,
        })?;
    for d in DEFINITIONS {
        tx.batch_execute(d.sql)
            .await
            .map_err(|source| Error::Definition {
                name: d.name.to_string(),
                source,
            })?;
    }
    let files = DEFINITIONS.len() as i32;
    tx.execute(
        crate::sql!("schema_definitions_record"),
        &[&checksum, &files],
    )
    .await?;
    tracing::info!(files, %checksum, "definitions re-created");
    Ok(true)
}

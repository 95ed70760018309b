//! `globalcart migrate`.

use anyhow::Context;
use globalcart_common::{db, PgSettings};

pub async fn run(pg: &PgSettings) -> anyhow::Result<()> {
    let applied = db::migrate(&pg.database_url)
        .await
        .context("applying migrations")?;
    if applied.is_empty() {
        println!("database is up to date");
    } else {
        println!("applied migrations {applied:?}");
    }
    Ok(())
}

//! The loader's one helper over [`globalcart_common::query::Query`] (the
//! runner every crate shares): an upsert that reports what it did.

use globalcart_common::query::{Connection, Query};
use tokio_postgres::types::ToSql;

use crate::error::Result;

/// Runs an upsert that returns its counts in columns `inserted`, `updated`
/// (required: a statement without them panics in every test that loads) and
/// optionally `duplicates` (0 when the statement has no such column).
pub async fn upsert<C: Connection>(
    client: &C,
    q: Query,
    params: &[&(dyn ToSql + Sync)],
) -> Result<(u64, u64, u64)> {
    let rows = q.rows(client, params).await?;
    let row = rows.first();
    let count = |r: &tokio_postgres::Row, name: &str| r.get::<_, i64>(name).max(0) as u64;
    let duplicates = row
        .filter(|r| r.columns().iter().any(|c| c.name() == "duplicates"))
        .map_or(0, |r| count(r, "duplicates"));
    Ok((
        row.map_or(0, |r| count(r, "inserted")),
        row.map_or(0, |r| count(r, "updated")),
        duplicates,
    ))
}

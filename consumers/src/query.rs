//! The loader's one helper over [`globalcart_common::query::Query`] (the
//! runner every crate shares): an upsert that reports what it did.

use globalcart_common::query::{Connection, Query};
use tokio_postgres::types::ToSql;

use crate::error::Result;

/// Runs an upsert that returns `(inserted, updated[, duplicates])` counts.
pub async fn upsert<C: Connection>(
    client: &C,
    q: Query,
    params: &[&(dyn ToSql + Sync)],
) -> Result<(u64, u64, u64)> {
    let rows = q.rows(client, params).await?;
    let row = rows.first();
    let get = |i: usize| {
        row.filter(|r| r.len() > i)
            .map_or(0, |r| r.get::<_, i64>(i).max(0) as u64)
    };
    Ok((get(0), get(1), get(2)))
}

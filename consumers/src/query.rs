//! The SQL statements of `sql/queries/`, one per file, and the helper that runs
//! them as prepared statements (cached per connection).

use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use globalcart_common::metrics::QUERY_SECONDS;

use crate::error::Result;

/// One statement, named after its file.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! query {
    ($name:literal) => {
        $crate::query::Query {
            name: $name,
            sql: globalcart_common::sql!($name),
        }
    };
}
pub(crate) use query;

/// Runs `q` and returns its rows, logging slow statements by file name.
pub async fn query_rows<C: deadpool_postgres::GenericClient + Sync>(
    client: &C,
    q: Query,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>> {
    let started = std::time::Instant::now();
    let stmt = client.prepare_cached(q.sql).await?;
    let rows = client.query(&stmt, params).await;
    let elapsed = started.elapsed();
    QUERY_SECONDS
        .with_label_values(&[q.name])
        .observe(elapsed.as_secs_f64());
    if elapsed.as_millis() > 2000 {
        tracing::warn!(
            query = q.name,
            ms = elapsed.as_millis() as u64,
            "slow query"
        );
    }
    Ok(rows?)
}

/// Runs an upsert that returns `(inserted, updated[, duplicates])` counts.
pub async fn upsert<C: deadpool_postgres::GenericClient + Sync>(
    client: &C,
    q: Query,
    params: &[&(dyn ToSql + Sync)],
) -> Result<(u64, u64, u64)> {
    let rows = query_rows(client, q, params).await?;
    let row = rows.first();
    let get = |i: usize| {
        row.filter(|r| r.len() > i)
            .map_or(0, |r| r.get::<_, i64>(i).max(0) as u64)
    };
    Ok((get(0), get(1), get(2)))
}

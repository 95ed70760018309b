//! The statements of `sql/queries/report_*.sql` and the one helper that runs
//! them: errors carry the file name, durations are logged under it.

use std::time::Instant;

use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{Client, Row};

use crate::error::{Error, Result};

/// One statement of `sql/queries/`, named by its file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Query {
    pub name: &'static str,
    pub sql: &'static str,
}

/// `query!("report_x")`: the statement of `sql/queries/report_x.sql`.
macro_rules! query {
    ($name:literal) => {
        $crate::sql::Query {
            name: $name,
            sql: globalcart_common::sql!($name),
        }
    };
}
pub(crate) use query;

impl Query {
    /// Runs the statement.
    pub async fn rows(&self, client: &Client, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let started = Instant::now();
        let rows = client
            .query(self.sql, params)
            .await
            .map_err(|source| self.error(source))?;
        tracing::debug!(
            query = self.name,
            rows = rows.len(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1e3,
            "report query"
        );
        Ok(rows)
    }

    /// Column `idx` of `row`, decoded (a type mismatch is an error of this query).
    pub fn get<'a, T: FromSql<'a>>(&self, row: &'a Row, idx: usize) -> Result<T> {
        row.try_get(idx).map_err(|source| self.error(source))
    }

    fn error(&self, source: tokio_postgres::Error) -> Error {
        Error::Query {
            query: self.name,
            source,
        }
    }
}

//! The one way to run a statement of `sql/queries/`: prepared (and cached per
//! pooled connection), timed under its file name in
//! `globalcart_sql_duration_seconds{query}`, slow runs logged, and any error
//! carrying the file name and Postgres' own error as its source.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio_postgres::row::RowIndex;
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{GenericClient, Row, Statement};

use crate::error::{Error, Result};
use crate::metrics::QUERY_SECONDS;

/// A statement slower than this is logged.
const SLOW: Duration = Duration::from_secs(2);

/// What a statement runs on: a pooled connection or its transaction (whose
/// prepared statements are cached per connection), or a plain client or
/// transaction (prepared per call).
pub trait Connection: Sync {
    /// The tokio-postgres client or transaction underneath.
    type Inner: GenericClient + Sync;
    fn inner(&self) -> &Self::Inner;
    /// `sql`, prepared (from the connection's cache where it has one).
    fn statement(
        &self,
        sql: &str,
    ) -> impl Future<Output = Result<Statement, tokio_postgres::Error>> + Send;
}

/// `Connection` for a client type: what it derefs to, and how it prepares.
macro_rules! connection {
    ($(impl$(<$a:lifetime>)? for $ty:ty => $inner:ty, $prepare:ident;)*) => {
        $(
            impl$(<$a>)? Connection for $ty {
                type Inner = $inner;
                fn inner(&self) -> &$inner {
                    self
                }
                fn statement(
                    &self,
                    sql: &str,
                ) -> impl Future<Output = Result<Statement, tokio_postgres::Error>> + Send {
                    self.$prepare(sql)
                }
            }
        )*
    };
}

connection! {
    impl for deadpool_postgres::Client => tokio_postgres::Client, prepare_cached;
    impl<'a> for deadpool_postgres::Transaction<'a> => tokio_postgres::Transaction<'a>, prepare_cached;
    impl for tokio_postgres::Client => tokio_postgres::Client, prepare;
    impl<'a> for tokio_postgres::Transaction<'a> => tokio_postgres::Transaction<'a>, prepare;
}

impl<T: Connection> Connection for &T {
    type Inner = T::Inner;
    fn inner(&self) -> &T::Inner {
        (**self).inner()
    }
    fn statement(
        &self,
        sql: &str,
    ) -> impl Future<Output = Result<Statement, tokio_postgres::Error>> + Send {
        (**self).statement(sql)
    }
}

/// One statement of `sql/queries/`, named after its file.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    pub name: &'static str,
    pub sql: &'static str,
}

/// `query!("name")`: the [`Query`] of `sql/queries/name.sql`.
#[macro_export]
macro_rules! query {
    ($name:literal) => {
        $crate::query::Query {
            name: $name,
            sql: $crate::sql!($name),
        }
    };
}

/// The four ways to run a statement, alike but for what they return.
macro_rules! runs {
    ($($(#[$doc:meta])* $name:ident -> $out:ty = $method:ident;)*) => {
        $(
            $(#[$doc])*
            pub async fn $name<C: Connection>(
                &self,
                client: &C,
                params: &[&(dyn ToSql + Sync)],
            ) -> Result<$out> {
                self.timed(async {
                    let stmt = client.statement(self.sql).await?;
                    client.inner().$method(&stmt, params).await
                })
                .await
            }
        )*
    };
}

impl Query {
    runs! {
        /// Every row.
        rows -> Vec<Row> = query;
        /// Exactly one row (no row, or more than one, is an error).
        one -> Row = query_one;
        /// At most one row.
        opt -> Option<Row> = query_opt;
        /// The number of rows changed.
        execute -> u64 = execute;
    }

    /// Column `idx` of `row` as a `T` (a type mismatch is an error of this query).
    pub fn get<'a, T: FromSql<'a>, I: RowIndex + std::fmt::Display>(
        &self,
        row: &'a Row,
        idx: I,
    ) -> Result<T> {
        row.try_get(idx).map_err(|source| self.error(source))
    }

    fn error(&self, source: tokio_postgres::Error) -> Error {
        Error::Query {
            query: self.name,
            source,
        }
    }

    async fn timed<T>(
        &self,
        run: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        let started = Instant::now();
        let result = run.await;
        let elapsed = started.elapsed();
        QUERY_SECONDS
            .with_label_values(&[self.name])
            .observe(elapsed.as_secs_f64());
        if elapsed > SLOW {
            tracing::warn!(
                query = self.name,
                ms = elapsed.as_millis() as u64,
                "slow query"
            );
        }
        result.map_err(|source| self.error(source))
    }
}

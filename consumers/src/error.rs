//! The crate's one error type, classified retryable or not.

use globalcart_common::error::describe;
use tokio_postgres::error::SqlState;

/// What can stop a batch from loading.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("postgres: {}", describe(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error(transparent)]
    Common(#[from] globalcart_common::Error),
    #[error("dead-letter topic: {0}")]
    DeadLetter(String),
    #[error("stopped before the batch could commit (it will be redelivered)")]
    Stopped,
    /// The batch breaks the event contract in a way only the batch as a whole
    /// shows (two orders claiming one order line): not retryable, so the batch
    /// is loaded message by message and the offending message rejected.
    #[error("event contract: {0}")]
    Contract(String),
    /// Another member of the group loaded part of the batch first (two members
    /// briefly owning one partition): the batch was rolled back; its messages
    /// below these stored next offsets are already loaded.
    #[error("partitions loaded past the batch's start by another group member: {0:?}")]
    Fenced(Vec<((String, i32), i64)>),
    /// A loader thread or task panicked: a bug, not a transient failure, so
    /// the process stops instead of retrying (the batch was not committed and
    /// is redelivered to the next run).
    #[error("panic in {0}")]
    Panicked(String),
}

impl Error {
    /// Transient failures (connection, pool, broker, deadlock): back off and retry
    /// the same batch. Anything else is a data problem in the batch.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Postgres(e) => postgres_retryable(e),
            // a statement of sql/queries: as its Postgres error says
            Error::Common(e) => e.postgres().is_none_or(postgres_retryable),
            Error::Pool(_) | Error::Kafka(_) | Error::DeadLetter(_) => true,
            Error::Stopped | Error::Contract(_) | Error::Fenced(_) | Error::Panicked(_) => false,
        }
    }
}

/// Connection, resource and concurrency failures pass; data errors do not.
fn postgres_retryable(e: &tokio_postgres::Error) -> bool {
    match e.code() {
        None => true, // I/O, closed connection
        Some(code) => {
            let class = &code.code()[..2];
            *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::T_R_SERIALIZATION_FAILURE
                || matches!(class, "08" | "53" | "57" | "58")
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

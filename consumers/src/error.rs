//! The crate's one error type, classified retryable or not.

use tokio_postgres::error::SqlState;

/// What can stop a batch from loading.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("postgres: {0}")]
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
}

impl Error {
    /// Transient failures (connection, pool, broker, deadlock): back off and retry
    /// the same batch. Anything else is a data problem in the batch.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Postgres(e) => match e.code() {
                None => true, // I/O, closed connection
                Some(code) => {
                    let class = &code.code()[..2];
                    *code == SqlState::T_R_DEADLOCK_DETECTED
                        || *code == SqlState::T_R_SERIALIZATION_FAILURE
                        || matches!(class, "08" | "53" | "57" | "58")
                }
            },
            Error::Pool(_) | Error::Kafka(_) | Error::DeadLetter(_) => true,
            Error::Common(_) => true,
            Error::Stopped => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

//! The crate's one error type.

/// Why producing failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error("encoding an event: {0}")]
    Encode(globalcart_schemas::Error),
    #[error(transparent)]
    Topics(#[from] globalcart_common::Error),
    #[error("{0} messages were not delivered")]
    Undelivered(u64),
    #[error("writing the manifest {path}: {source}")]
    Manifest {
        path: String,
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

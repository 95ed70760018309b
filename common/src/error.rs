//! The crate's one error type.

/// Errors of the shared plumbing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("postgres pool setup: {0}")]
    PoolSetup(String),
    #[error("invalid database url {url:?}: {reason}")]
    BadDatabaseUrl { url: String, reason: String },
    #[error("kafka: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    #[error("topic {topic}: {reason}")]
    Topic { topic: String, reason: String },
    #[error("{} not on the broker at {brokers}: {}; create the topics first with `globalcart topics create` (same KAFKA_BROKERS and TOPIC_PREFIX)", plural(.topics), .topics.join(", "))]
    UnknownTopics {
        topics: Vec<String>,
        brokers: String,
    },
    #[error("migration {version} ({name}): {source}")]
    Migration {
        version: i32,
        name: String,
        source: tokio_postgres::Error,
    },
    #[error("sql/queries/{query}.sql: {source}")]
    Query {
        query: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("sql/definitions/{name}: {source}")]
    Definition {
        name: String,
        source: tokio_postgres::Error,
    },
}

fn plural(topics: &[String]) -> &'static str {
    if topics.len() == 1 {
        "the topic is"
    } else {
        "these topics are"
    }
}

impl Error {
    /// The Postgres error behind this one, if any (to classify it: retryable,
    /// unique violation, closed connection).
    pub fn postgres(&self) -> Option<&tokio_postgres::Error> {
        match self {
            Error::Postgres(e) => Some(e),
            Error::Query { source, .. }
            | Error::Migration { source, .. }
            | Error::Definition { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

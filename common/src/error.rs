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
    #[error("migration {version} ({name}): {}", describe(.source))]
    Migration {
        version: i32,
        name: String,
        source: tokio_postgres::Error,
    },
    #[error("sql/queries/{query}.sql: {}", describe(.source))]
    Query {
        query: &'static str,
        #[source]
        source: tokio_postgres::Error,
    },
    #[error("sql/definitions/{name}: {}", describe(.source))]
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

/// The database's own words for a refusal: severity, SQLSTATE, message, and
/// the detail, hint, table, column and constraint when Postgres gives them
/// (tokio-postgres alone prints only "db error").
pub fn describe(e: &tokio_postgres::Error) -> String {
    let Some(db) = e.as_db_error() else {
        return match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        };
    };
    let mut s = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
    let parts = [
        ("detail", db.detail()),
        ("hint", db.hint()),
        ("table", db.table()),
        ("column", db.column()),
        ("constraint", db.constraint()),
    ];
    for (name, value) in parts {
        if let Some(v) = value {
            s.push_str(&format!("; {name}: {v}"));
        }
    }
    s
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

//! Settings shared by every command, from flags or the environment.

use clap::Args;

/// Where PostgreSQL is.
#[derive(Debug, Clone, Args)]
pub struct PgSettings {
    /// PostgreSQL connection URL; the database is created if missing.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/globalcart",
        global = true
    )]
    pub database_url: String,
}

/// Where the Kafka-protocol broker is, and which topics are ours.
#[derive(Debug, Clone, Args)]
pub struct KafkaSettings {
    /// Bootstrap brokers, comma separated.
    #[arg(
        long,
        env = "KAFKA_BROKERS",
        default_value = "127.0.0.1:9092",
        global = true
    )]
    pub brokers: String,
    /// Prefix of every topic name (`<prefix>.orders`); isolates tests and benchmarks.
    #[arg(
        long,
        env = "TOPIC_PREFIX",
        default_value = "globalcart",
        global = true
    )]
    pub topic_prefix: String,
    /// Consumer group; defaults to `<prefix>-loader`.
    #[arg(long, env = "CONSUMER_GROUP", global = true)]
    pub group: Option<String>,
}

impl KafkaSettings {
    /// The consumer group name: the explicit one, else derived from the prefix.
    pub fn group(&self) -> String {
        self.group
            .clone()
            .unwrap_or_else(|| format!("{}-loader", self.topic_prefix))
    }
}

//! Settings of `globalcart consume`.

use clap::Args;

/// How the consumer batches and when it stops.
#[derive(Debug, Clone, Args)]
pub struct ConsumerSettings {
    /// Most messages loaded in one transaction.
    #[arg(long, env = "BATCH_SIZE", default_value_t = 5000)]
    pub batch_size: usize,
    /// Longest wait, in milliseconds, to fill a batch once its first message arrived.
    #[arg(long, env = "BATCH_WAIT_MS", default_value_t = 50)]
    pub batch_wait_ms: u64,
    /// Exit after this many seconds without a new message (scripts, tests, benchmarks).
    #[arg(long)]
    pub until_idle: Option<u64>,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        ConsumerSettings {
            batch_size: 5000,
            batch_wait_ms: 50,
            until_idle: None,
        }
    }
}

//! Settings of `globalcart consume`.

use clap::Args;
use globalcart_schemas::Topic;

/// Where a partition without an offset stored in Postgres starts (replays).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StartAt {
    /// Its first record.
    #[default]
    Beginning,
    /// This offset (the partition's start if it is below it).
    Offset(i64),
    /// The first record whose timestamp is at or after this time (Unix ms).
    Timestamp(i64),
}

/// How the consumer batches and when it stops.
#[derive(Debug, Clone, Args)]
pub struct ConsumerSettings {
    /// Most messages loaded in one transaction.
    #[arg(long, env = "BATCH_SIZE", default_value_t = 5000)]
    pub batch_size: usize,
    /// Longest wait, in milliseconds, to fill a batch once its first message arrived.
    #[arg(long, env = "BATCH_WAIT_MS", default_value_t = 20)]
    pub batch_wait_ms: u64,
    /// Loads that run at once, each on its own connection and its own share of
    /// the partitions (partition mod lanes), so each lane stores only its own
    /// partitions' offsets and the lanes never wait on each other's rows.
    #[arg(long, env = "LOAD_LANES", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub lanes: u16,
    /// Members of the consumer group this process runs, each on its own
    /// thread with its own broker connection, fetches and load lanes (the group
    /// shares the partitions among them). Tansu 0.6 serves one fetch of many
    /// partitions far slower than several fetches of few (docs/benchmarks.md).
    /// A partition two members briefly own at once (Tansu 0.6 joins) is still
    /// loaded once: each batch claims its partitions' stored offsets first
    /// (`etl_consumer_offsets_claim.sql`).
    #[arg(long, env = "CONSUMER_MEMBERS", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub members: u16,
    /// Exit after this many seconds without a new message (scripts, tests, benchmarks).
    #[arg(long)]
    pub until_idle: Option<u64>,
    /// Where partitions without a stored offset start (`globalcart replay`).
    #[arg(skip)]
    pub start: StartAt,
    /// Records with a later timestamp (Unix ms) are skipped (`replay --to-timestamp`).
    #[arg(skip)]
    pub until_timestamp: Option<i64>,
    /// The topics to read; every event topic when empty (`replay --topics`).
    #[arg(skip)]
    pub topics: Vec<Topic>,
}

impl ConsumerSettings {
    /// Postgres connections the loads use at once (members × lanes): a pool
    /// should hold at least this many.
    pub fn connections(&self) -> usize {
        usize::from(self.members.max(1)) * usize::from(self.lanes.max(1))
    }
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        ConsumerSettings {
            batch_size: 5000,
            batch_wait_ms: 20,
            lanes: 2,
            members: 3,
            until_idle: None,
            start: StartAt::Beginning,
            until_timestamp: None,
            topics: Vec::new(),
        }
    }
}

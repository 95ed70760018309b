//! `globalcart bench upsert`: the upsert stage alone (decoded batches into
//! Postgres, no broker), against the physical ceiling of a binary COPY of the
//! same rows into unindexed copies of the tables.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use globalcart_common::{db, KafkaSettings, PgSettings};
use globalcart_consumers::decode::{Batch, RawMessage};
use globalcart_consumers::load::load;
use globalcart_producers::generator;

use super::machine;
use crate::commands::produce::GenerateArgs;

#[derive(Debug, Args)]
pub struct UpsertArgs {
    #[command(flatten)]
    pub generate: GenerateArgs,
    #[arg(long, default_value_t = 5000)]
    pub batch_size: usize,
    /// Loads at once, as the consumer's `--lanes` (messages get the partition
    /// of their key among `--partitions`, as the producer's partitioner would).
    #[arg(long, default_value_t = 2)]
    pub lanes: u16,
    #[arg(long, default_value_t = 6)]
    pub partitions: i32,
    #[arg(long)]
    pub keep: bool,
}

pub async fn run(pg: &PgSettings, _kafka: &KafkaSettings, args: UpsertArgs) -> anyhow::Result<()> {
    let UpsertArgs {
        generate,
        batch_size,
        lanes,
        partitions,
        keep,
    } = args;
    let (url, name) = db::scratch_database(&pg.database_url, "bench").await?;
    let pool = db::pool(&url, usize::from(lanes).max(2))?;
    let prefix = "bench";
    let t = Instant::now();
    let messages: Vec<RawMessage> = generator::history(&generate.config())
        .enumerate()
        .map(|(i, e)| -> anyhow::Result<RawMessage> {
            let key = e.key();
            Ok(RawMessage {
                topic: e.topic().name(prefix),
                partition: partition_of(&key, partitions),
                offset: i as i64,
                key: Some(key.into_bytes()),
                payload: Some(e.encode().context("encoding")?),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let generated = t.elapsed();
    let (mut decode_time, mut load_time, mut rows) = (Duration::ZERO, Duration::ZERO, 0u64);
    for chunk in messages.chunks(batch_size) {
        let t = Instant::now();
        let batches: Vec<Batch> = globalcart_consumers::consumer::lanes(chunk.to_vec(), lanes)
            .iter()
            .map(|m| Batch::decode(prefix, m))
            .collect();
        decode_time += t.elapsed();
        let t = Instant::now();
        let reports =
            futures::future::try_join_all(batches.iter().map(|b| load(&pool, "bench", b))).await?;
        load_time += t.elapsed();
        rows += reports.iter().map(|r| r.rows_written()).sum::<u64>();
    }
    let n = messages.len() as f64;
    println!("| machine | {} |", machine());
    println!(
        "| preset | {:?}, seed {}, batch {batch_size}, {lanes} lane(s) over {partitions} partitions |",
        generate.scale, generate.seed
    );
    println!(
        "| events | {} (generated and encoded in {:.1} s) |",
        messages.len(),
        generated.as_secs_f64()
    );
    println!(
        "| decode + dedupe | {:.1} s, {:.0} events/s |",
        decode_time.as_secs_f64(),
        n / decode_time.as_secs_f64()
    );
    let rate = rows as f64 / load_time.as_secs_f64();
    println!(
        "| upsert stage (one transaction per batch) | {:.1} s, {} rows, {:.0} rows/s |",
        load_time.as_secs_f64(),
        rows,
        rate
    );
    let client = pool.get().await?;
    let copies = super::copy_ceiling::measure(&client).await?;
    drop(client);
    let (crows, csecs) = copies.iter().fold((0u64, 0f64), |(r, s), c| {
        (r + c.rows, s + c.elapsed.as_secs_f64())
    });
    let ceiling = crows as f64 / csecs;
    println!(
        "| ceiling: binary COPY of the loaded rows into unindexed copies | {csecs:.1} s, {crows} rows, {ceiling:.0} rows/s |"
    );
    println!(
        "| upsert stage / ceiling | **{:.1} %** (goal ≥ 25 %) |",
        100.0 * rate / ceiling
    );
    println!();
    println!("| table | rows | binary COPY rows/s |");
    println!("|---|---|---|");
    for c in &copies {
        println!(
            "| {} | {} | {:.0} |",
            c.table,
            c.rows,
            c.rows as f64 / c.elapsed.as_secs_f64().max(1e-9)
        );
    }
    print_query_profile();
    if !keep {
        drop(pool);
        db::drop_database(&pg.database_url, &name).await?;
    }
    Ok(())
}

/// The partition of `key` among `n`, as a hash partitioner spreads keys: every
/// version of a key in one partition.
fn partition_of(key: &str, n: i32) -> i32 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    (h.finish() % n.max(1) as u64) as i32
}

/// Where the upsert time went: total seconds per SQL file, from the
/// `globalcart_sql_duration_seconds` histogram.
fn print_query_profile() {
    use prometheus::core::Collector;
    let mut rows: Vec<(String, f64, u64)> = globalcart_common::metrics::QUERY_SECONDS
        .collect()
        .iter()
        .flat_map(|f| f.get_metric().to_vec())
        .map(|m| {
            let name = m
                .get_label()
                .iter()
                .find(|l| l.name() == "query")
                .map_or(String::new(), |l| l.value().to_string());
            let h = m.get_histogram();
            (name, h.get_sample_sum(), h.get_sample_count())
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!();
    println!("| statement (sql/queries) | total s | calls |");
    println!("|---|---|---|");
    for (name, secs, calls) in rows {
        println!("| {name} | {secs:.1} | {calls} |");
    }
}

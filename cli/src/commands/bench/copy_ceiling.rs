//! The physical ceiling of the write path on this machine, for `bench upsert`:
//! the rows the benchmark just loaded, copied with a plain binary `COPY` into
//! unindexed copies of their tables (no keys, no triggers, one transaction per
//! table, synchronous commit). The loader's rows/s over this rate is the
//! fraction of the machine's write speed it reaches.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::{pin_mut, SinkExt, TryStreamExt};

/// The tables the loader writes, facts and dimensions.
const TABLES: [&str; 11] = [
    "fact_funnel_events",
    "fact_orders",
    "fact_order_items",
    "fact_payments",
    "fact_shipments",
    "fact_returns",
    "dim_customer",
    "dim_product",
    "dim_geo",
    "dim_fc",
    "dim_date",
];

/// One table's copy: rows and time.
pub struct TableCopy {
    pub table: &'static str,
    pub rows: u64,
    pub elapsed: Duration,
}

/// Copies every loaded table into an unindexed copy of itself (binary COPY
/// from memory, timed) and drops the copies.
pub async fn measure(client: &tokio_postgres::Client) -> anyhow::Result<Vec<TableCopy>> {
    let mut out = Vec::new();
    for table in TABLES {
        let copy = format!("globalcart.ceiling_{table}");
        client
            .batch_execute(&format!(
                "create table {copy} (like globalcart.{table} including defaults)"
            ))
            .await?;
        let stream = client
            .copy_out(&format!(
                "copy globalcart.{table} to stdout (format binary)"
            ))
            .await?;
        let chunks: Vec<Bytes> = stream.try_collect().await?;
        let started = Instant::now();
        let sink = client
            .copy_in::<_, Bytes>(&format!("copy {copy} from stdin (format binary)"))
            .await?;
        pin_mut!(sink);
        for c in chunks {
            sink.feed(c).await?;
        }
        let rows = sink.as_mut().finish().await?;
        let elapsed = started.elapsed();
        client.batch_execute(&format!("drop table {copy}")).await?;
        out.push(TableCopy {
            table,
            rows,
            elapsed,
        });
    }
    Ok(out)
}

//! `globalcart bench freshness`: how long an event takes from the producer to
//! `/api/kpis/live`, under a sustained live load.
//!
//! Everything runs as in `globalcart up` ([`super::pipeline`]: consumer, KPI
//! cache fed by LISTEN/NOTIFY, HTTP API on a free port), against a fresh
//! database and the topics of `--topic-prefix`. A live producer streams `--rate` events per
//! second; meanwhile a probe publishes, one at a time, a completed order in a
//! region of its own ("Freshness probe") through the same producer client and
//! schemas, and waits until that region's order count includes it. The
//! latency of a probe is the time from handing the event to the producer to
//! the first snapshot that shows it.
//!
//! How the snapshots are watched (`--watch`):
//! - `stream` (default): one `GET /api/kpis/stream` (server-sent events, the
//!   same JSON as `/api/kpis/live`, pushed as each snapshot is published, as
//!   the admin tiles receive it); the row's commit is noticed on the loader's
//!   own `NOTIFY globalcart_kpis`. The watcher costs a JSON parse per snapshot.
//! - `poll`: `GET /api/kpis/live` and a query of the warehouse every
//!   millisecond, as before: on 2 cores this busy loop takes CPU from the
//!   pipeline it measures (docs/benchmarks.md compares the two).

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use globalcart_common::{KafkaSettings, PgSettings};
use globalcart_consumers::ConsumerSettings;
use globalcart_producers::publish::{Faults, Publisher};
use globalcart_schemas::events::{AnyEvent, CustomerEvent, OrderEvent, OrderItem, ProductEvent};

use super::pipeline::Pipeline;

use crate::commands::produce::GenerateArgs;

/// Region (and ids) of the probe orders, far from the generator's.
const PROBE_REGION: &str = "Freshness probe";
const PROBE_ID: i64 = 9_000_000_000_000;

#[derive(Debug, Args)]
pub struct FreshnessArgs {
    #[command(flatten)]
    pub generate: GenerateArgs,
    /// Background live events per second.
    #[arg(long, default_value_t = 5000.0)]
    pub rate: f64,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Seconds of load before the first probe.
    #[arg(long, default_value_t = 10)]
    pub warmup: u64,
    /// Pause between a probe becoming visible and the next one, milliseconds.
    #[arg(long, default_value_t = 100)]
    pub gap_ms: u64,
    /// Partitions of each topic (as `up --partitions`). On Tansu 0.6 every
    /// partition a fetch covers costs the broker time, so fewer partitions
    /// show events sooner (docs/benchmarks.md, "Where the freshness time goes").
    #[arg(long, default_value_t = 6)]
    pub partitions: i32,
    #[command(flatten)]
    pub consumer: ConsumerSettings,
    /// Keep the benchmark database.
    #[arg(long)]
    pub keep: bool,
    /// How the probes are watched (see the module docs).
    #[arg(long, value_enum, default_value_t = Watch::Stream)]
    pub watch: Watch,
}

/// How `bench freshness` notices a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Watch {
    /// Server-sent snapshots and the loader's notifications.
    Stream,
    /// A busy poll of `/api/kpis/live` and the warehouse.
    Poll,
}

/// The newest count seen and when it was first seen, per watcher.
type Seen = tokio::sync::watch::Sender<(i64, Instant)>;

/// Reads `/api/kpis/stream` and publishes the probes each snapshot shows.
async fn watch_stream(url: String, seen: Seen) -> anyhow::Result<()> {
    let mut response = reqwest::get(&url)
        .await
        .context("GET /api/kpis/stream")?
        .error_for_status()?;
    let mut buffer: Vec<u8> = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let at = Instant::now();
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let event: Vec<u8> = buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&event);
            let data: String = text
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim_start)
                .collect();
            if data.is_empty() {
                continue;
            }
            let body: serde_json::Value = serde_json::from_str(&data)?;
            let n = probes_seen(&body);
            seen.send_if_modified(|s| (n > s.0).then(|| *s = (n, at)).is_some());
        }
    }
    Ok(())
}

/// Listens to the loader's `globalcart_kpis` notifications (sent by each
/// commit that touched the live window) and publishes the newest probe order
/// committed after each.
async fn watch_commits(database_url: String, seen: Seen) -> anyhow::Result<()> {
    use futures::StreamExt;
    let (client, mut conn) = tokio_postgres::connect(&database_url, tokio_postgres::NoTls).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(Ok(m)) = messages.next().await {
            if let tokio_postgres::AsyncMessage::Notification(_) = m {
                let _ = tx.send(Instant::now());
            }
        }
    });
    client
        .batch_execute(&format!("listen {}", globalcart_api::kpis::CHANNEL))
        .await?;
    let newest = client
        .prepare("select coalesce(max(order_id), $1) - $1 from globalcart.fact_orders where order_id > $1")
        .await?;
    while let Some(mut at) = rx.recv().await {
        while let Ok(later) = rx.try_recv() {
            at = later;
        }
        let n: i64 = client.query_one(&newest, &[&PROBE_ID]).await?.get(0);
        seen.send_if_modified(|s| (n > s.0).then(|| *s = (n, at)).is_some());
    }
    driver.abort();
    Ok(())
}

/// Waits until `seen` counts `n` probes; when it first did.
async fn first_seen(
    seen: &mut tokio::sync::watch::Receiver<(i64, Instant)>,
    n: i64,
) -> anyhow::Result<Instant> {
    let s = tokio::time::timeout(Duration::from_secs(30), seen.wait_for(|s| s.0 >= n))
        .await
        .with_context(|| format!("probe {n} was not visible after 30 s"))??;
    Ok(s.1)
}

fn probe_dims(now_us: i64) -> [AnyEvent; 2] {
    let id = uuid::Uuid::new_v4().to_string();
    [
        AnyEvent::Customer(CustomerEvent {
            event_id: id.clone(),
            customer_id: PROBE_ID,
            event_time: now_us,
            updated_at: now_us,
            customer_created_at: now_us,
            geo_id: PROBE_ID,
            country: "Probe".into(),
            region: PROBE_REGION.into(),
            city: "Probe".into(),
            currency: "USD".into(),
            acquisition_channel: "ORGANIC".into(),
        }),
        AnyEvent::Product(ProductEvent {
            event_id: uuid::Uuid::new_v4().to_string(),
            product_id: PROBE_ID,
            event_time: now_us,
            updated_at: now_us,
            sku: "PROBE-1".into(),
            product_name: "Freshness probe".into(),
            category_l1: "Probe".into(),
            category_l2: "Probe".into(),
            brand: "Probe".into(),
            currency: "USD".into(),
            unit_cost: 500,
            list_price: 1000,
        }),
    ]
}

fn probe_order(n: i64, now_us: i64) -> AnyEvent {
    AnyEvent::Order(OrderEvent {
        event_id: uuid::Uuid::new_v4().to_string(),
        order_id: PROBE_ID + n,
        event_time: now_us,
        updated_at: now_us,
        customer_id: PROBE_ID,
        geo_id: PROBE_ID,
        order_ts: now_us,
        order_status: globalcart_schemas::OrderStatus::Confirmed.into(),
        channel: "WEB".into(),
        device: "DESKTOP".into(),
        currency: "USD".into(),
        gross_amount: 1000,
        discount_amount: 0,
        tax_amount: 0,
        net_amount: 1000,
        items: vec![OrderItem {
            order_item_id: PROBE_ID + n,
            product_id: PROBE_ID,
            qty: 1,
            unit_list_price: 1000,
            unit_sell_price: 1000,
            unit_cost: 500,
            line_discount: 0,
            line_tax: 0,
            line_net_revenue: 1000,
        }],
    })
}

/// Probe orders visible in a `/api/kpis/live` body (last 24 hours).
fn probes_seen(body: &serde_json::Value) -> i64 {
    body["windows"]["last_24h"]["by"]["region"][PROBE_REGION]["orders"]
        .as_i64()
        .unwrap_or(0)
}

/// One table row: p50, p90, p99 and max of `sorted` (milliseconds).
fn print_latencies(what: &str, sorted: &[f64]) {
    println!(
        "| {what} | p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms |",
        percentile(sorted, 50.0),
        percentile(sorted, 90.0),
        percentile(sorted, 99.0),
        sorted.last().copied().unwrap_or(f64::NAN)
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub async fn run(
    pg: &PgSettings,
    kafka: &KafkaSettings,
    args: FreshnessArgs,
) -> anyhow::Result<()> {
    let pipeline = Pipeline::start(
        pg,
        kafka,
        &args.generate.config(),
        args.rate,
        args.consumer.clone(),
        args.partitions,
    )
    .await?;
    let live_url = format!("{}/api/kpis/live", pipeline.api_url);
    let mut probe = Publisher::live(kafka, Faults::default())?;
    for e in probe_dims(chrono::Utc::now().timestamp_micros()) {
        probe.send(&e)?;
    }
    tokio::time::sleep(Duration::from_secs(args.warmup)).await;

    let (visible_tx, mut visible_rx) = tokio::sync::watch::channel((0, Instant::now()));
    let (commit_tx, mut commit_rx) = tokio::sync::watch::channel((0, Instant::now()));
    let watchers = (args.watch == Watch::Stream).then(|| {
        (
            tokio::spawn(watch_stream(
                format!("{}/api/kpis/stream", pipeline.api_url),
                visible_tx,
            )),
            tokio::spawn(watch_commits(pipeline.database_url.clone(), commit_tx)),
        )
    });
    let http = reqwest::Client::new();
    let db = pipeline.pool.get().await?;
    let committed_stmt = db
        .prepare("select 1 from globalcart.fact_orders where order_id = $1")
        .await?;
    let mut latencies = Vec::new();
    // produced → the order's row committed (a separate poll of the warehouse)
    let mut committed = Vec::new();
    // produced → acknowledged by the broker (the probe's delivery report)
    let mut acked = Vec::new();
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(args.seconds) {
        n += 1;
        let sent = Instant::now();
        let delivered = probe.delivered();
        probe.send(&probe_order(n, chrono::Utc::now().timestamp_micros()))?;
        if args.watch == Watch::Stream {
            while probe.delivered() == delivered && sent.elapsed() < Duration::from_secs(30) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            acked.push(sent.elapsed().as_secs_f64() * 1000.0);
            let visible = first_seen(&mut visible_rx, n).await? - sent;
            let in_db = first_seen(&mut commit_rx, n).await? - sent;
            latencies.push(visible.as_secs_f64() * 1000.0);
            committed.push(in_db.min(visible).as_secs_f64() * 1000.0);
            tokio::time::sleep(Duration::from_millis(args.gap_ms)).await;
            continue;
        }
        let mut in_db: Option<Duration> = None;
        let seen = loop {
            if in_db.is_none()
                && !db
                    .query(&committed_stmt, &[&(PROBE_ID + n)])
                    .await?
                    .is_empty()
            {
                in_db = Some(sent.elapsed());
            }
            let body: serde_json::Value = http
                .get(&live_url)
                .send()
                .await
                .context("GET /api/kpis/live")?
                .json()
                .await?;
            if probes_seen(&body) >= n {
                let visible = sent.elapsed();
                committed.push(in_db.unwrap_or(visible).as_secs_f64() * 1000.0);
                break Some(visible);
            }
            if sent.elapsed() > Duration::from_secs(30) {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        match seen {
            Some(d) => latencies.push(d.as_secs_f64() * 1000.0),
            None => anyhow::bail!("probe {n} was not visible after 30 s"),
        }
        tokio::time::sleep(Duration::from_millis(args.gap_ms)).await;
    }
    drop(db);
    if let Some((stream, commits)) = watchers {
        stream.abort();
        commits.abort();
    }
    let ran = pipeline.stop(args.keep).await?;
    tokio::task::block_in_place(|| probe.finish())?;

    latencies.sort_by(f64::total_cmp);
    committed.sort_by(f64::total_cmp);
    acked.sort_by(f64::total_cmp);
    let measured = started.elapsed().as_secs_f64() + args.warmup as f64;
    println!("| machine | {} |", super::machine());
    println!(
        "| load | {:.0} live events/s requested, {:.0} events/s produced over {:.0} s, topics of {} partitions |",
        args.rate,
        ran.produced.events as f64 / measured,
        measured,
        args.partitions
    );
    println!(
        "| consumer | {} batches, {} rows written |",
        ran.consumed.batches, ran.consumed.rows_written
    );
    println!(
        "| probes | {} (one at a time), watched by {} |",
        latencies.len(),
        match args.watch {
            Watch::Stream => "/api/kpis/stream and the loader's notifications",
            Watch::Poll => "polling /api/kpis/live and the warehouse every millisecond",
        }
    );
    print_latencies("produced → visible in /api/kpis/live", &latencies);
    print_latencies("… of which produced → row committed", &committed);
    if !acked.is_empty() {
        print_latencies("… of which produced → acknowledged by the broker", &acked);
    }
    use globalcart_common::metrics::{
        quantile_bound, BATCH_COMMIT_SECONDS, EVENT_AGE_SECONDS, FETCH_DELAY_SECONDS,
        KPI_CACHE_SECONDS, QUERY_SECONDS,
    };
    let ms = |h: &prometheus::Histogram, q: f64| {
        quantile_bound(h, q).map_or("—".to_string(), |s| format!("≤ {:.0} ms", s * 1000.0))
    };
    let h = BATCH_COMMIT_SECONDS.with_label_values::<&str>(&[]);
    println!(
        "| every batch's load transaction, begin → commit (histogram buckets) | p50 {}, p99 {} |",
        ms(&h, 0.5),
        ms(&h, 0.99)
    );
    let rows = [
        (
            "records: producer → polled by the loader",
            FETCH_DELAY_SECONDS.with_label_values::<&str>(&[]),
        ),
        (
            "orders: event time → committed",
            EVENT_AGE_SECONDS.with_label_values(&["orders"]),
        ),
        (
            "live cache: one second reloaded (lock and pool waits included)",
            KPI_CACHE_SECONDS.with_label_values(&["reload_second"]),
        ),
        (
            "live cache: a ten-second bucket reloaded",
            KPI_CACHE_SECONDS.with_label_values(&["reload_bucket"]),
        ),
        (
            "live cache: kpi_live_buckets, the query alone",
            QUERY_SECONDS.with_label_values(&["kpi_live_buckets"]),
        ),
        (
            "live cache: windows folded and serialized",
            KPI_CACHE_SECONDS.with_label_values(&["rebuild"]),
        ),
    ];
    for (what, h) in rows {
        println!(
            "| {what} ({} times; histogram buckets) | p50 {}, p99 {} |",
            h.get_sample_count(),
            ms(&h, 0.5),
            ms(&h, 0.99)
        );
    }
    Ok(())
}

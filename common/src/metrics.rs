//! Every Prometheus metric of GlobalCart 360, registered once in one registry.
//!
//! Names follow the Prometheus conventions (`globalcart_` prefix, base units,
//! `_total` counters, `_seconds` histograms); labels are bounded: topic base
//! names, outcomes, partitions, SQL file names, route templates — never an id.

use std::sync::LazyLock;

use prometheus::{
    exponential_buckets, Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The process-wide registry `/metrics` renders.
pub static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let r = Registry::new();
    #[cfg(target_os = "linux")]
    {
        let _ = r.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ));
    }
    r
});

fn register<C: prometheus::core::Collector + Clone + 'static>(c: C) -> C {
    // a name clash is a programming error caught by the tests
    REGISTRY
        .register(Box::new(c.clone()))
        .expect("metric registered once");
    c
}

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    register(IntCounterVec::new(Opts::new(name, help), labels).expect("valid counter"))
}

fn histogram(name: &str, help: &str, labels: &[&str], buckets: Vec<f64>) -> HistogramVec {
    register(
        HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets), labels)
            .expect("valid histogram"),
    )
}

fn gauge(name: &str, help: &str) -> Gauge {
    register(Gauge::with_opts(Opts::new(name, help)).expect("valid gauge"))
}

/// Latency buckets from 0.5 ms to ~65 s.
fn latency_buckets() -> Vec<f64> {
    exponential_buckets(0.0005, 2.0, 18).expect("valid buckets")
}

pub static EVENTS_CONSUMED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "globalcart_events_consumed_total",
        "Events consumed, by topic and outcome (loaded, duplicate, stale, rejected).",
        &["topic", "outcome"],
    )
});

pub static DEAD_LETTERS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "globalcart_dead_letters_total",
        "Messages sent to the dead-letter topic, by source topic.",
        &["topic"],
    )
});

pub static BATCH_MESSAGES: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "globalcart_consumer_batch_messages",
        "Messages per consumer batch.",
        &[],
        exponential_buckets(1.0, 2.0, 15).expect("valid buckets"),
    )
});

pub static BATCH_COMMIT_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "globalcart_batch_commit_duration_seconds",
        "Duration of one batch transaction, from begin to commit.",
        &[],
        latency_buckets(),
    )
});

pub static KPI_CACHE_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "globalcart_kpi_cache_duration_seconds",
        "Duration of one step of the live KPI cache: `reload` (a span's buckets from kpi_buckets, query included), `rebuild` (folding the buckets into the windows and serializing the snapshot).",
        &["step"],
        latency_buckets(),
    )
});

pub static QUERY_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "globalcart_sql_duration_seconds",
        "Duration of one SQL statement of sql/queries (run by globalcart_common::query::Query), by file name.",
        &["query"],
        latency_buckets(),
    )
});

pub static CONSUMER_LAG: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register(
        IntGaugeVec::new(
            Opts::new(
                "globalcart_consumer_lag_messages",
                "Messages between the partition's high watermark and the next offset to load.",
            ),
            &["topic", "partition"],
        )
        .expect("valid gauge"),
    )
});

pub static FENCED_BATCHES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "globalcart_consumer_fenced_batches_total",
        "Batches rolled back because another group member had loaded part of them first (a rebalance overlap); their remaining messages were loaded again.",
        &[],
    )
});

pub static FETCH_DELAY_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "globalcart_consumer_fetch_delay_seconds",
        "Time from a record's broker timestamp (its producer's create time) to the consumer polling it.",
        &[],
        latency_buckets(),
    )
});

/// The upper bound of the bucket of `h` that holds its `q` quantile (None when
/// empty): what benchmarks print of an in-process histogram.
pub fn quantile_bound(h: &prometheus::Histogram, q: f64) -> Option<f64> {
    use prometheus::core::Metric;
    let m = h.metric();
    let hist = m.get_histogram();
    let total = hist.get_sample_count();
    if total == 0 {
        return None;
    }
    let rank = (q * total as f64).ceil() as u64;
    hist.get_bucket()
        .iter()
        .find(|b| b.cumulative_count() >= rank)
        .map_or(Some(f64::INFINITY), |b| Some(b.upper_bound()))
}

pub static EVENT_AGE_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "globalcart_event_age_at_commit_seconds",
        "Time from an event's event time to the commit of the batch that loaded it.",
        &["topic"],
        vec![
            0.01,
            0.025,
            0.05,
            0.1,
            0.25,
            0.5,
            1.0,
            2.5,
            5.0,
            10.0,
            30.0,
            60.0,
            300.0,
            3600.0,
            86_400.0,
            2_592_000.0,
            31_536_000.0,
        ],
    )
});

pub static PRODUCER_MESSAGES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "globalcart_producer_messages_total",
        "Messages the broker acknowledged, by topic.",
        &["topic"],
    )
});

pub static PRODUCER_ERRORS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "globalcart_producer_errors_total",
        "Messages the producer failed to deliver, by topic.",
        &["topic"],
    )
});

pub static HTTP_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "globalcart_http_requests_total",
        "HTTP requests, by route template, method and status.",
        &["route", "method", "status"],
    )
});

pub static HTTP_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram(
        "globalcart_http_request_duration_seconds",
        "HTTP request latency, by route template and method.",
        &["route", "method"],
        exponential_buckets(0.0001, 2.0, 18).expect("valid buckets"),
    )
});

pub static NET_REVENUE_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_net_revenue_today_usd",
        "Net revenue (net of discount, excluding tax) of today's completed orders, USD.",
    )
});

pub static ORDERS_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_orders_today",
        "Completed orders placed today (UTC).",
    )
});

pub static CONVERSION_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_conversion_rate_today",
        "Sessions that placed an order / sessions that viewed a product, today (ratio 0-1).",
    )
});

pub static AOV_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_aov_today_usd",
        "Average order value (net revenue / completed orders) today, USD.",
    )
});

pub static REFUNDS_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_refund_amount_today_usd",
        "Refunds issued today (returns dated today), USD including tax.",
    )
});

pub static SLA_BREACH_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_sla_breach_rate_today",
        "Breached shipments / shipments promised for today (ratio 0-1).",
    )
});

pub static CART_ABANDONMENT_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_cart_abandonment_rate_today",
        "Sessions that added to cart but never attempted payment / sessions that added to cart, today (ratio 0-1).",
    )
});

pub static PAYMENT_FAILURE_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_payment_failure_rate_today",
        "Sessions with a failed payment / sessions that attempted payment, today (ratio 0-1).",
    )
});

pub static NET_PROFIT_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_net_profit_today_usd",
        "Net profit (revenue - COGS - shipping - gateway fees - refunds ex tax + restocked COGS) of today's completed orders, USD.",
    )
});

pub static NET_MARGIN_TODAY: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_net_margin_today",
        "Net profit / net revenue of today's completed orders (ratio; 0 without revenue).",
    )
});

pub static SHOP_EVENTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "globalcart_shop_events_total",
        "Shop events by topic and step: queued (written to the outbox with the action) and published (acknowledged by the broker).",
        &["topic", "step"],
    )
});

pub static MART_REFRESH_SECONDS: LazyLock<GaugeVec> = LazyLock::new(|| {
    register(
        GaugeVec::new(
            Opts::new(
                "globalcart_bi_mart_refresh_duration_seconds",
                "Wall time of the latest refresh of each BI mart (refresh_bi_marts).",
            ),
            &["mart"],
        )
        .expect("valid gauge"),
    )
});

pub static MART_REFRESHED_AT: LazyLock<GaugeVec> = LazyLock::new(|| {
    register(
        GaugeVec::new(
            Opts::new(
                "globalcart_bi_mart_last_refresh_timestamp_seconds",
                "Unix time of the latest refresh of each BI mart by this process (alert on time() - this).",
            ),
            &["mart"],
        )
        .expect("valid gauge"),
    )
});

pub static MART_ROWS: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register(
        IntGaugeVec::new(
            Opts::new(
                "globalcart_bi_mart_rows",
                "Rows of each BI mart after its latest refresh.",
            ),
            &["mart"],
        )
        .expect("valid gauge"),
    )
});

// What the API measures itself every 10 s for the alerts (api/src/monitor.rs),
// from the shared database and broker: the same in `up` and in `serve`.

pub static DEPENDENCY_UP: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register(
        IntGaugeVec::new(
            Opts::new(
                "globalcart_dependency_up",
                "1 when the latest readiness check (the checks of /readyz, run every 10 s) reached the dependency (postgres, kafka), else 0.",
            ),
            &["dependency"],
        )
        .expect("valid gauge"),
    )
});

pub static GROUP_LAG: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register(
        IntGaugeVec::new(
            Opts::new(
                "globalcart_consumer_group_lag_messages",
                "Messages the loader group has not loaded, by topic: high watermark minus the next offset stored in Postgres, summed over partitions; measured by the API whether or not a loader runs in its process.",
            ),
            &["topic"],
        )
        .expect("valid gauge"),
    )
});

pub static READY_MAX_LAG: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_ready_max_lag_messages",
        "The consumer lag /readyz accepts (READY_MAX_LAG); the lag alert fires above it.",
    )
});

pub static MART_AGE_SECONDS: LazyLock<GaugeVec> = LazyLock::new(|| {
    register(
        GaugeVec::new(
            Opts::new(
                "globalcart_bi_mart_age_seconds",
                "Seconds since the latest refresh of each BI mart by any process (vw_bi_mart_freshness); no sample for a mart never refreshed.",
            ),
            &["mart"],
        )
        .expect("valid gauge"),
    )
});

/// Registers every metric now, so `/metrics` lists them all from the start.
pub fn init() {
    LazyLock::force(&MART_REFRESH_SECONDS);
    LazyLock::force(&MART_REFRESHED_AT);
    LazyLock::force(&MART_ROWS);
    LazyLock::force(&MART_AGE_SECONDS);
    LazyLock::force(&DEPENDENCY_UP);
    LazyLock::force(&GROUP_LAG);
    LazyLock::force(&READY_MAX_LAG);
    LazyLock::force(&EVENTS_CONSUMED);
    LazyLock::force(&SHOP_EVENTS);
    LazyLock::force(&DEAD_LETTERS);
    LazyLock::force(&BATCH_MESSAGES);
    LazyLock::force(&BATCH_COMMIT_SECONDS);
    LazyLock::force(&QUERY_SECONDS);
    LazyLock::force(&CONSUMER_LAG);
    LazyLock::force(&EVENT_AGE_SECONDS);
    LazyLock::force(&FETCH_DELAY_SECONDS);
    LazyLock::force(&FENCED_BATCHES);
    LazyLock::force(&PRODUCER_MESSAGES);
    LazyLock::force(&PRODUCER_ERRORS);
    LazyLock::force(&HTTP_REQUESTS);
    LazyLock::force(&HTTP_SECONDS);
    LazyLock::force(&RECONCILE_DIFFERENCES);
    LazyLock::force(&RECONCILE_LAST_RUN);
    LazyLock::force(&RECONCILE_LAST_SUCCESS);
    for g in [
        &NET_REVENUE_TODAY,
        &ORDERS_TODAY,
        &CONVERSION_TODAY,
        &AOV_TODAY,
        &REFUNDS_TODAY,
        &SLA_BREACH_TODAY,
        &CART_ABANDONMENT_TODAY,
        &PAYMENT_FAILURE_TODAY,
        &NET_PROFIT_TODAY,
        &NET_MARGIN_TODAY,
    ] {
        LazyLock::force(g);
    }
}

/// Renders the registry in the Prometheus text format.
pub fn render() -> String {
    let mut buf = Vec::new();
    let encoder = TextEncoder::new();
    if let Err(e) = encoder.encode(&REGISTRY.gather(), &mut buf) {
        tracing::error!(error = %e, "encoding metrics");
    }
    String::from_utf8(buf).unwrap_or_default()
}

pub static RECONCILE_DIFFERENCES: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register(
        IntGaugeVec::new(
            Opts::new(
                "globalcart_reconcile_differences",
                "Keys that differ, are missing or are extra in each table at the latest globalcart reconcile (etl_ingest_rejects: rejected messages the warehouse did not record); 0 = the warehouse agrees with the stream.",
            ),
            &["table"],
        )
        .expect("valid gauge"),
    )
});

pub static RECONCILE_LAST_RUN: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_reconcile_last_run_timestamp_seconds",
        "Unix time of the latest globalcart reconcile run (0: none recorded).",
    )
});

pub static RECONCILE_LAST_SUCCESS: LazyLock<Gauge> = LazyLock::new(|| {
    gauge(
        "globalcart_reconcile_last_success_timestamp_seconds",
        "Unix time of the latest globalcart reconcile run that found no difference (0: none recorded).",
    )
});

//! The two ways to produce: a preset's history as fast as the broker takes it,
//! and live events at a rate until stopped.

use std::time::{Duration, Instant};

use globalcart_common::KafkaSettings;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

use crate::error::{Error, Result};
use crate::generator::{self, GeneratorConfig, Live};
use crate::publish::{Faults, PublishReport, Publisher};

fn progress(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{elapsed_precise}] {wide_bar} {pos}/{len} events ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("producing");
    bar
}

/// Fails with the missing topics' names (and the command that creates them)
/// instead of librdkafka's `UnknownTopic` on every delivery.
fn require_event_topics(settings: &KafkaSettings) -> Result<()> {
    let names: Vec<String> = globalcart_schemas::Topic::EVENTS
        .iter()
        .map(|t| t.name(&settings.topic_prefix))
        .collect();
    globalcart_common::kafka::require_topics(settings, &names)?;
    Ok(())
}

/// Streams the history of `cfg` and waits until the broker has it all; writes
/// the manifest to `manifest` if given. Returns the report and the generator, to
/// continue live.
pub fn produce_history(
    settings: &KafkaSettings,
    cfg: &GeneratorConfig,
    faults: Faults,
    manifest: Option<&str>,
) -> Result<(PublishReport, generator::History)> {
    let started = Instant::now();
    require_event_topics(settings)?;
    let mut publisher = Publisher::new(settings, faults)?;
    let mut history = generator::history(cfg);
    let bar = progress(history.estimated_events());
    let mut n = 0u64;
    for event in history.by_ref() {
        publisher.send(&event)?;
        n += 1;
        if n % 4096 == 0 {
            bar.set_position(n);
        }
    }
    bar.set_position(n);
    let report = publisher.finish()?;
    bar.finish_and_clear();
    if let Some(path) = manifest {
        std::fs::write(path, history.manifest().to_json()).map_err(|source| Error::Manifest {
            path: path.to_string(),
            source,
        })?;
    }
    let secs = started.elapsed().as_secs_f64();
    tracing::info!(
        events = report.events,
        messages = report.messages,
        duplicates = report.duplicates,
        reordered = report.reordered,
        secs = format!("{secs:.1}"),
        rate = (report.messages as f64 / secs) as u64,
        "history produced"
    );
    Ok((report, history))
}

/// Streams live events until `shutdown` turns true.
pub async fn produce_live(
    settings: &KafkaSettings,
    mut live: Live,
    faults: Faults,
    mut shutdown: watch::Receiver<bool>,
) -> Result<PublishReport> {
    let s = settings.clone();
    if let Ok(checked) = tokio::task::spawn_blocking(move || require_event_topics(&s)).await {
        checked?;
    }
    let mut publisher = Publisher::live(settings, faults)?;
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let mut last_log = Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.wait_for(|s| *s) => break,
        }
        let now = chrono::Utc::now().timestamp_micros();
        while let Some(event) = live.next_due(now) {
            publisher.send(&event)?;
        }
        if last_log.elapsed() >= Duration::from_secs(30) {
            tracing::info!(delivered = publisher.delivered(), "live producer");
            last_log = Instant::now();
        }
    }
    let report = tokio::task::block_in_place(|| publisher.finish())?;
    tracing::info!(events = report.events, "live producer stopped");
    Ok(report)
}

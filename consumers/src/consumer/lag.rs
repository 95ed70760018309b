//! What the loop reports besides rows: the lag of every assigned partition and
//! broker errors while polling.

use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::Offset;

use super::offsets::OffsetsContext;

/// Sets the lag gauge of every assigned partition: high watermark − position.
/// (On Tansu 0.6 the high watermark is the last record batch's base offset + 1, so
/// the lag reads low by up to one batch.)
pub(super) fn record_lag(consumer: &BaseConsumer<OffsetsContext>) {
    let Ok(positions) = consumer.position() else {
        return;
    };
    for e in positions.elements() {
        let Offset::Offset(pos) = e.offset() else {
            continue;
        };
        if let Ok((_, hi)) =
            consumer.fetch_watermarks(e.topic(), e.partition(), Duration::from_secs(2))
        {
            let base = e.topic().rsplit('.').next().unwrap_or("unknown");
            globalcart_common::metrics::CONSUMER_LAG
                .with_label_values(&[base, &e.partition().to_string()])
                .set((hi - pos).max(0));
        }
    }
}

pub(super) fn log_poll_error(e: &KafkaError) {
    tracing::warn!(error = %e, "broker error while polling; librdkafka reconnects by itself");
}

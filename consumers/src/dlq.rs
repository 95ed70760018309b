//! The dead-letter topic: every rejected message is published there (Avro
//! `DeadLetter` with the raw bytes and the reason) before the batch that rejects
//! it commits, so a reject is never lost; a crash in between only repeats it.

use globalcart_common::{kafka, KafkaSettings};
use globalcart_schemas::codec::encode_dead_letter;
use globalcart_schemas::{DeadLetter, Topic};
use rdkafka::producer::{FutureProducer, FutureRecord};

use crate::decode::Reject;
use crate::error::{Error, Result};

/// Publishes rejects to `<prefix>.dead_letter`.
pub struct DeadLetters {
    producer: FutureProducer,
    topic: String,
}

impl DeadLetters {
    pub fn new(settings: &KafkaSettings) -> Result<DeadLetters> {
        let producer = kafka::client_config(settings)
            .set("message.timeout.ms", "30000")
            .set("partitioner", "murmur2_random")
            .create()?;
        Ok(DeadLetters {
            producer,
            topic: Topic::DeadLetter.name(&settings.topic_prefix),
        })
    }

    /// Publishes every reject and waits for the broker to acknowledge them.
    pub async fn publish(&self, rejects: &[Reject]) -> Result<()> {
        let now = chrono::Utc::now().timestamp_micros();
        let mut pending = Vec::with_capacity(rejects.len());
        for r in rejects {
            let dl = DeadLetter {
                source_topic: r.message.topic.clone(),
                source_partition: r.message.partition,
                source_offset: r.message.offset,
                reason: r.reason.clone(),
                rejected_at: now,
                key: r.message.key.clone(),
                payload: r.message.payload.clone(),
            };
            let bytes = encode_dead_letter(&dl).map_err(|e| Error::DeadLetter(e.to_string()))?;
            let key = format!(
                "{}/{}/{}",
                dl.source_topic, dl.source_partition, dl.source_offset
            );
            let record = FutureRecord::to(&self.topic).key(&key).payload(&bytes);
            let delivery = self
                .producer
                .send_result(record)
                .map_err(|(e, _)| Error::DeadLetter(e.to_string()))?;
            pending.push(delivery);
        }
        for p in pending {
            match p.await {
                Ok(Ok(_)) => {}
                Ok(Err((e, _))) => return Err(Error::DeadLetter(e.to_string())),
                Err(_) => return Err(Error::DeadLetter("delivery cancelled".into())),
            }
        }
        Ok(())
    }
}

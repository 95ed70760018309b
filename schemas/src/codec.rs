//! One codec for every topic: Avro single-object encoding.
//!
//! A message is `0xC3 0x01`, the 8-byte little-endian CRC-64-AVRO (Rabin)
//! fingerprint of the writer schema's Parsing Canonical Form
//! ([`crate::fingerprint`]), then the Avro binary datum. Messages written before
//! 2026-12-05 carry apache-avro's variant of the fingerprint; the registry knows
//! every schema under both, so old and new messages of one topic both decode. The reader looks the
//! writer schema up by fingerprint in a [`Registry`] (the schemas compiled in, plus
//! any registered later) and resolves it against the reader's schema, so a newer
//! writer with an added optional field and an older one both read cleanly.

use std::collections::HashMap;
use std::sync::OnceLock;

use apache_avro::{from_avro_datum, from_value, Schema};

use crate::error::{Error, Result};
use crate::events::{Event, ALL_SCHEMAS};
use crate::fingerprint::{fingerprint, legacy_fingerprint};

const MARKER: [u8; 2] = [0xC3, 0x01];
const HEADER_LEN: usize = 10;

/// A parsed schema with its specification fingerprint.
#[derive(Debug, Clone)]
struct Known {
    schema: Schema,
    name: String,
    fingerprint: u64,
}

/// Writer schemas by fingerprint (the specification's and the legacy one).
#[derive(Debug, Default)]
pub struct Registry {
    by_fingerprint: HashMap<u64, Known>,
}

fn full_name(schema: &Schema) -> String {
    match schema {
        Schema::Record(r) => r.name.fullname(None),
        other => format!("{other:?}"),
    }
}

/// The writer-schema fingerprint of a single-object message.
pub fn header(bytes: &[u8]) -> Result<u64> {
    if bytes.len() < HEADER_LEN {
        return Err(Error::TooShort(bytes.len()));
    }
    if bytes[..2] != MARKER {
        return Err(Error::BadMarker(bytes[0], bytes[1]));
    }
    Ok(u64::from_le_bytes(
        bytes[2..HEADER_LEN].try_into().expect("8 bytes"),
    ))
}

/// The datum after a message's header, written with `writer` (resolved to
/// `reader` when given); every byte must belong to it.
fn datum(
    writer: &Schema,
    bytes: &[u8],
    reader: Option<&Schema>,
) -> Result<apache_avro::types::Value> {
    let mut body = &bytes[HEADER_LEN..];
    let value = from_avro_datum(writer, &mut body, reader)?;
    if !body.is_empty() {
        return Err(Error::Invalid(format!(
            "{} trailing bytes after the datum",
            body.len()
        )));
    }
    Ok(value)
}

/// A message decoded by its writer schema alone, whatever its type.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The header's fingerprint (the specification's or the legacy one).
    pub fingerprint: u64,
    /// The record's full name.
    pub schema: String,
    /// The datum as JSON (Avro's JSON mapping: timestamps as numbers).
    pub value: serde_json::Value,
}

impl Registry {
    /// A registry holding every schema compiled into this crate.
    pub fn compiled_in() -> Registry {
        let mut r = Registry::default();
        for text in ALL_SCHEMAS {
            r.register(text).expect("compiled-in schemas parse");
        }
        r
    }

    /// Adds a writer schema (for example an older or newer version of a topic's
    /// schema) under its specification fingerprint, which it returns, and its
    /// legacy one.
    pub fn register(&mut self, schema_text: &str) -> Result<u64> {
        let schema = Schema::parse_str(schema_text)?;
        let fp = fingerprint(schema_text)?;
        let legacy = legacy_fingerprint(&schema);
        let name = full_name(&schema);
        let known = Known {
            schema,
            name,
            fingerprint: fp,
        };
        self.by_fingerprint.insert(legacy, known.clone());
        self.by_fingerprint.insert(fp, known);
        Ok(fp)
    }

    /// The full name of the record a fingerprint (either kind) stands for.
    pub fn name_of(&self, fp: u64) -> Option<&str> {
        self.by_fingerprint.get(&fp).map(|k| k.name.as_str())
    }

    /// Encodes `event` with the schema text `writer` (normally `E::SCHEMA`).
    pub fn encode_with<E: Event>(&self, writer_fp: u64, event: &E) -> Result<Vec<u8>> {
        let known = self
            .by_fingerprint
            .get(&writer_fp)
            .ok_or(Error::UnknownSchema(writer_fp))?;
        let mut out = Vec::with_capacity(128);
        out.extend_from_slice(&MARKER);
        out.extend_from_slice(&writer_fp.to_le_bytes());
        apache_avro::write_avro_datum_ref(&known.schema, event, &mut out)?;
        Ok(out)
    }

    /// Decodes `bytes` into `E`, resolving the writer schema against `reader_fp`.
    pub fn decode_as<E: Event>(&self, reader_fp: u64, bytes: &[u8]) -> Result<E> {
        let writer_fp = header(bytes)?;
        let writer = self
            .by_fingerprint
            .get(&writer_fp)
            .ok_or(Error::UnknownSchema(writer_fp))?;
        let reader = self
            .by_fingerprint
            .get(&reader_fp)
            .ok_or(Error::UnknownSchema(reader_fp))?;
        if writer.name != reader.name {
            return Err(Error::WrongType {
                writer: writer.name.clone(),
                reader: reader.name.clone(),
            });
        }
        let resolve_to = (writer.fingerprint != reader.fingerprint).then_some(&reader.schema);
        let value = datum(&writer.schema, bytes, resolve_to)?;
        Ok(from_value::<E>(&value)?)
    }
}

impl Registry {
    /// Decodes any message whose writer schema this registry knows.
    pub fn decode_any(&self, bytes: &[u8]) -> Result<Decoded> {
        let fp = header(bytes)?;
        let known = self
            .by_fingerprint
            .get(&fp)
            .ok_or(Error::UnknownSchema(fp))?;
        let value = datum(&known.schema, bytes, None)?;
        Ok(Decoded {
            fingerprint: fp,
            schema: known.name.clone(),
            value: serde_json::Value::try_from(value)?,
        })
    }
}

/// [`Registry::decode_any`] with the schemas compiled in.
pub fn decode_any(bytes: &[u8]) -> Result<Decoded> {
    defaults().registry.decode_any(bytes)
}

struct Defaults {
    registry: Registry,
}

fn defaults() -> &'static Defaults {
    static D: OnceLock<Defaults> = OnceLock::new();
    D.get_or_init(|| Defaults {
        registry: Registry::compiled_in(),
    })
}

/// The fingerprint of an event type's compiled-in schema.
pub fn schema_fingerprint<E: Event>() -> u64 {
    static CACHE: OnceLock<std::sync::Mutex<HashMap<&'static str, u64>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().expect("fingerprint cache poisoned");
    *cache
        .entry(E::SCHEMA)
        .or_insert_with(|| fingerprint(E::SCHEMA).expect("compiled-in schema parses"))
}

/// Encodes an event with its compiled-in schema.
pub fn encode<E: Event>(event: &E) -> Result<Vec<u8>> {
    defaults()
        .registry
        .encode_with(schema_fingerprint::<E>(), event)
}

/// Decodes an event written with any compiled-in version of its schema.
pub fn decode<E: Event>(bytes: &[u8]) -> Result<E> {
    defaults()
        .registry
        .decode_as(schema_fingerprint::<E>(), bytes)
}

/// Encodes a dead-letter record.
pub fn encode_dead_letter(dl: &crate::events::DeadLetter) -> Result<Vec<u8>> {
    let schema = Schema::parse_str(crate::events::DEAD_LETTER_SCHEMA)?;
    let fp = fingerprint(crate::events::DEAD_LETTER_SCHEMA)?;
    let mut out = Vec::with_capacity(64 + dl.payload.as_ref().map_or(0, Vec::len));
    out.extend_from_slice(&MARKER);
    out.extend_from_slice(&fp.to_le_bytes());
    apache_avro::write_avro_datum_ref(&schema, dl, &mut out)?;
    Ok(out)
}

/// Decodes a dead-letter record.
pub fn decode_dead_letter(bytes: &[u8]) -> Result<crate::events::DeadLetter> {
    let fp = header(bytes)?;
    let schema = Schema::parse_str(crate::events::DEAD_LETTER_SCHEMA)?;
    if fp != fingerprint(crate::events::DEAD_LETTER_SCHEMA)? && fp != legacy_fingerprint(&schema) {
        return Err(Error::UnknownSchema(fp));
    }
    Ok(from_value(&datum(&schema, bytes, None)?)?)
}

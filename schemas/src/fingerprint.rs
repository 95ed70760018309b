//! Schema fingerprints as the Avro specification defines them: the CRC-64-AVRO
//! (Rabin) fingerprint of the schema's Parsing Canonical Form.
//!
//! The apache-avro crate (0.21) keeps a logical type's primitive as an object in
//! its canonical form (`{"type":"long"}` where the specification's
//! [PRIMITIVES] rule gives `"long"`), so its fingerprints differ from every other
//! implementation's for any schema with a logical type (docs/architecture.md,
//! "Avro fingerprints"). This module computes the canonical form from the
//! schema's JSON text itself; [`legacy_fingerprint`] is the crate's variant,
//! which messages written before 2026-12-05 carry and which the registry still
//! reads.

use std::collections::HashSet;

use apache_avro::rabin::Rabin;
use apache_avro::Schema;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// The Parsing Canonical Form of the schema `text` (specification, "Parsing
/// Canonical Form for Schemas"): primitives in their simple form, full names,
/// only the attributes that matter for parsing, in the specification's order,
/// no whitespace, and each named type spelled out once.
pub fn canonical_form(text: &str) -> Result<String> {
    let json: Value =
        serde_json::from_str(text).map_err(|e| Error::Invalid(format!("schema JSON: {e}")))?;
    let mut out = String::with_capacity(text.len() / 2);
    write(&json, "", &mut HashSet::new(), &mut out)?;
    Ok(out)
}

/// The CRC-64-AVRO fingerprint of `text`'s canonical form, as the little-endian
/// `u64` a single-object header carries.
pub fn fingerprint(text: &str) -> Result<u64> {
    Ok(crc64_avro(canonical_form(text)?.as_bytes()))
}

/// The fingerprint apache-avro 0.21 computes (its own canonical form): what
/// messages written before the specification's fingerprint carry.
pub fn legacy_fingerprint(schema: &Schema) -> u64 {
    let bytes = schema.fingerprint::<Rabin>().bytes;
    u64::from_le_bytes(
        bytes[..8]
            .try_into()
            .expect("rabin fingerprints are 8 bytes"),
    )
}

/// CRC-64-AVRO of `bytes`, by the crate's digest of the specification's algorithm.
fn crc64_avro(bytes: &[u8]) -> u64 {
    use digest::Digest;
    let out = Rabin::digest(bytes);
    u64::from_le_bytes(out[..8].try_into().expect("rabin digests are 8 bytes"))
}

fn quoted(s: &str, out: &mut String) {
    // serde_json writes non-ASCII as UTF-8 and escapes only what JSON requires
    // ([STRINGS])
    out.push_str(&serde_json::to_string(s).expect("a string serializes"));
}

/// The full name of `name` in the enclosing namespace `ns` ([FULLNAMES]).
fn full_name(name: &str, ns: &str) -> String {
    if name.contains('.') || ns.is_empty() {
        name.to_string()
    } else {
        format!("{ns}.{name}")
    }
}

fn write(schema: &Value, ns: &str, defined: &mut HashSet<String>, out: &mut String) -> Result<()> {
    match schema {
        Value::String(s) if PRIMITIVES.contains(&s.as_str()) => quoted(s, out),
        Value::String(s) => quoted(&full_name(s, ns), out),
        Value::Array(branches) => {
            out.push('[');
            for (i, b) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(b, ns, defined, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => write_object(map, ns, defined, out)?,
        other => return Err(Error::Invalid(format!("not a schema: {other}"))),
    }
    Ok(())
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Result<&'a str> {
    map.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Invalid(format!("schema object without a string {key:?}")))
}

fn write_object(
    map: &Map<String, Value>,
    ns: &str,
    defined: &mut HashSet<String>,
    out: &mut String,
) -> Result<()> {
    let kind = match map.get("type") {
        Some(Value::String(t)) => t.as_str(),
        // {"type": {...}}: the inner schema is the schema
        Some(inner) => return write(inner, ns, defined, out),
        None => return Err(Error::Invalid("schema object without \"type\"".into())),
    };
    match kind {
        // [PRIMITIVES] and [STRIP]: logicalType and every other attribute go
        _ if PRIMITIVES.contains(&kind) => quoted(kind, out),
        "array" => {
            out.push_str(r#"{"type":"array","items":"#);
            write(map.get("items").unwrap_or(&Value::Null), ns, defined, out)?;
            out.push('}');
        }
        "map" => {
            out.push_str(r#"{"type":"map","values":"#);
            write(map.get("values").unwrap_or(&Value::Null), ns, defined, out)?;
            out.push('}');
        }
        "record" | "error" | "enum" | "fixed" => {
            let name = text(map, "name")?;
            let own_ns = map.get("namespace").and_then(Value::as_str).unwrap_or(ns);
            let full = full_name(name, own_ns);
            if !defined.insert(full.clone()) {
                quoted(&full, out);
                return Ok(());
            }
            let inner_ns = full.rsplit_once('.').map_or("", |(n, _)| n).to_string();
            out.push_str(r#"{"name":"#);
            quoted(&full, out);
            out.push_str(r#","type":"#);
            quoted(kind, out);
            match kind {
                "enum" => {
                    out.push_str(r#","symbols":"#);
                    let symbols = map.get("symbols").cloned().unwrap_or(Value::Array(vec![]));
                    out.push_str(&symbols.to_string());
                }
                "fixed" => {
                    // [INTEGERS]: no quotes, no leading zeros
                    let size = match map.get("size") {
                        Some(Value::Number(n)) => n.as_u64(),
                        Some(Value::String(s)) => s.parse().ok(),
                        _ => None,
                    }
                    .ok_or_else(|| Error::Invalid(format!("fixed {full} without a size")))?;
                    out.push_str(&format!(r#","size":{size}"#));
                }
                _ => {
                    out.push_str(r#","fields":["#);
                    let fields = map.get("fields").and_then(Value::as_array);
                    for (i, f) in fields.into_iter().flatten().enumerate() {
                        let f = f
                            .as_object()
                            .ok_or_else(|| Error::Invalid(format!("a field of {full}")))?;
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(r#"{"name":"#);
                        quoted(text(f, "name")?, out);
                        out.push_str(r#","type":"#);
                        write(
                            f.get("type").unwrap_or(&Value::Null),
                            &inner_ns,
                            defined,
                            out,
                        )?;
                        out.push('}');
                    }
                    out.push(']');
                }
            }
            out.push('}');
        }
        // {"type": "SomeRecord"}: a reference to a named type
        other => quoted(&full_name(other, ns), out),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_and_the_specification_vector() {
        // the specification's reference code gives 0x7275d51a3f395c8f for "int"
        assert_eq!(fingerprint(r#""int""#).unwrap(), 0x7275_d51a_3f39_5c8f);
        assert_eq!(
            fingerprint(r#"{"type":"int"}"#).unwrap().to_le_bytes(),
            [0x8f, 0x5c, 0x39, 0x3f, 0x1a, 0xd5, 0x75, 0x72]
        );
        assert_eq!(
            canonical_form(r#"{"type": "long", "logicalType": "timestamp-micros"}"#).unwrap(),
            r#""long""#
        );
    }

    #[test]
    fn names_are_full_and_spelled_out_once() {
        let s = r#"{"type":"record","name":"A","namespace":"x.y","doc":"d","fields":[
            {"name":"b","type":{"type":"record","name":"B","fields":[{"name":"n","type":"int","default":1}]}},
            {"name":"c","type":["null","B"]},
            {"name":"e","type":{"type":"enum","name":"E","symbols":["P","Q"]}},
            {"name":"f","type":{"type":"fixed","name":"z.F","size":"016"}},
            {"name":"m","type":{"type":"map","values":{"type":"array","items":"string"}}}]}"#;
        assert_eq!(
            canonical_form(s).unwrap(),
            concat!(
                r#"{"name":"x.y.A","type":"record","fields":["#,
                r#"{"name":"b","type":{"name":"x.y.B","type":"record","fields":[{"name":"n","type":"int"}]}},"#,
                r#"{"name":"c","type":["null","x.y.B"]},"#,
                r#"{"name":"e","type":{"name":"x.y.E","type":"enum","symbols":["P","Q"]}},"#,
                r#"{"name":"f","type":{"name":"z.F","type":"fixed","size":16}},"#,
                r#"{"name":"m","type":{"type":"map","values":{"type":"array","items":"string"}}}]}"#
            )
        );
    }
}

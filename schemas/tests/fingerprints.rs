//! The fingerprints this crate writes are the Avro specification's, as computed
//! by independent implementations (fastavro and Avro's Java
//! `SchemaNormalization`, committed as fixtures by
//! `schemas/interop/fingerprints.py`), and messages carrying the legacy
//! fingerprint of earlier releases still decode.

use std::collections::BTreeMap;

use globalcart_schemas::codec::Registry;
use globalcart_schemas::fingerprint::{canonical_form, fingerprint, legacy_fingerprint};
use globalcart_schemas::{decode, encode, ClickEvent};

#[derive(serde::Deserialize)]
struct Fixture {
    canonical_form: String,
    header_fingerprint_hex: String,
}

fn fixtures() -> BTreeMap<String, Fixture> {
    let text = include_str!("../interop/fingerprints.json");
    serde_json::from_str(text).expect("fixtures parse")
}

fn schema_text(file: &str) -> String {
    let path = format!("{}/avro/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("schema file")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_schema_has_the_fingerprint_independent_implementations_compute() {
    let fixtures = fixtures();
    let files: Vec<String> = std::fs::read_dir(format!("{}/avro", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".avsc"))
        .collect();
    assert_eq!(
        files.len(),
        fixtures.len(),
        "a schema without a fixture: rerun fingerprints.py"
    );
    for file in &files {
        let f = &fixtures[file];
        let text = schema_text(file);
        assert_eq!(canonical_form(&text).unwrap(), f.canonical_form, "{file}");
        assert_eq!(
            hex(&fingerprint(&text).unwrap().to_le_bytes()),
            f.header_fingerprint_hex,
            "{file}"
        );
    }
}

#[test]
fn messages_carry_the_specification_fingerprint() {
    let click = click();
    let bytes = encode(&click).unwrap();
    let expected = &fixtures()["clickstream.avsc"].header_fingerprint_hex;
    assert_eq!(&hex(&bytes[2..10]), expected);
}

#[test]
fn messages_with_the_legacy_fingerprint_still_decode() {
    let click = click();
    let mut bytes = encode(&click).unwrap();
    let schema = apache_avro::Schema::parse_str(&schema_text("clickstream.avsc")).unwrap();
    let legacy = legacy_fingerprint(&schema);
    assert_ne!(
        legacy,
        fingerprint(&schema_text("clickstream.avsc")).unwrap(),
        "the crate's canonical form keeps logical-type primitives as objects"
    );
    bytes[2..10].copy_from_slice(&legacy.to_le_bytes());
    assert_eq!(decode::<ClickEvent>(&bytes).unwrap(), click);
    let registry = Registry::compiled_in();
    assert_eq!(
        registry.name_of(legacy),
        registry.name_of(fingerprint(&schema_text("clickstream.avsc")).unwrap())
    );
}

fn click() -> ClickEvent {
    ClickEvent {
        event_id: "5f0c2a39-8f5e-4a53-9f0a-3b8f6f2d9a12".into(),
        session_id: "s1".into(),
        event_time: 1,
        updated_at: 1,
        stage: "VIEW_CART".into(),
        channel: "WEB".into(),
        device: "DESKTOP".into(),
        customer_id: None,
        product_id: None,
        order_id: None,
        failure_reason: None,
    }
}

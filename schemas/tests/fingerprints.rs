//! The fingerprints this crate writes are the Avro specification's, as computed
//! by independent implementations (fastavro and Avro's Java
//! `SchemaNormalization`, committed as fixtures by
//! `schemas/interop/fingerprints.py`). (That messages carry them, and that the
//! legacy ones still decode: tests/codec.rs.)

use std::collections::BTreeMap;

use globalcart_schemas::fingerprint::{canonical_form, fingerprint};

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

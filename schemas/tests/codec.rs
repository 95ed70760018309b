//! The codec round-trips every event, resolves schema evolution both ways and
//! rejects garbage with a clear error.

use globalcart_schemas::codec::Registry;
use globalcart_schemas::events::Event;
use globalcart_schemas::{decode, encode, ClickEvent, Error, OrderEvent, OrderItem};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

fn order() -> OrderEvent {
    OrderEvent {
        event_id: "5f0c2a39-8f5e-4a53-9f0a-3b8f6f2d9a11".into(),
        order_id: 42,
        event_time: 1_700_000_000_000_000,
        updated_at: 1_700_000_000_000_001,
        customer_id: 7,
        geo_id: 3,
        order_ts: 1_700_000_000_000_000,
        order_status: "CREATED".into(),
        channel: "WEB".into(),
        device: "MOBILE".into(),
        currency: "EUR".into(),
        gross_amount: 1000,
        discount_amount: 100,
        tax_amount: 63,
        net_amount: 900,
        items: vec![OrderItem {
            order_item_id: 1,
            product_id: 9,
            qty: 2,
            unit_list_price: 500,
            unit_sell_price: 450,
            unit_cost: 300,
            line_discount: 100,
            line_tax: 63,
            line_net_revenue: 900,
        }],
    }
}

#[test]
fn an_order_round_trips_through_single_object_encoding() {
    let o = order();
    let bytes = encode(&o).unwrap();
    assert_eq!(&bytes[..2], &[0xC3, 0x01]);
    assert_eq!(decode::<OrderEvent>(&bytes).unwrap(), o);
    assert!(o.validate().is_ok());
}

#[test]
fn a_click_with_nulls_round_trips() {
    let c = ClickEvent {
        event_id: "5f0c2a39-8f5e-4a53-9f0a-3b8f6f2d9a12".into(),
        session_id: "s1".into(),
        event_time: 1,
        updated_at: 1,
        stage: "VIEW_CART".into(),
        channel: "WEB".into(),
        device: "DESKTOP".into(),
        customer_id: None,
        product_id: Some(3),
        order_id: None,
        failure_reason: None,
    };
    assert_eq!(decode::<ClickEvent>(&encode(&c).unwrap()).unwrap(), c);
}

/// The clickstream event of a future schema version with one more optional field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ClickEventV2 {
    event_id: String,
    session_id: String,
    event_time: i64,
    updated_at: i64,
    stage: String,
    channel: String,
    device: String,
    customer_id: Option<i64>,
    product_id: Option<i64>,
    order_id: Option<i64>,
    failure_reason: Option<String>,
    referrer: Option<String>,
}

impl Event for ClickEventV2 {
    const TOPIC: globalcart_schemas::Topic = globalcart_schemas::Topic::Clickstream;
    const SCHEMA: &'static str = "";
    fn event_id(&self) -> &str {
        &self.event_id
    }
    fn updated_at(&self) -> i64 {
        self.updated_at
    }
    fn event_time(&self) -> i64 {
        self.event_time
    }
    fn key(&self) -> String {
        self.session_id.clone()
    }
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

fn v2_schema() -> String {
    ClickEvent::SCHEMA.replace(
        r#"{"name": "failure_reason", "type": ["null", "string"], "default": null}"#,
        r#"{"name": "failure_reason", "type": ["null", "string"], "default": null},
    {"name": "referrer", "type": ["null", "string"], "default": null}"#,
    )
}

#[test]
fn a_newer_writer_with_an_added_optional_field_is_read_by_the_current_reader_and_the_reverse() {
    let v2_text = v2_schema();
    assert_ne!(v2_text, ClickEvent::SCHEMA, "the test schema must differ");
    let mut registry = Registry::compiled_in();
    let v2 = registry.register(&v2_text).unwrap();
    let v1 = registry.register(ClickEvent::SCHEMA).unwrap();
    assert_ne!(v1, v2);

    let newer = ClickEventV2 {
        event_id: "5f0c2a39-8f5e-4a53-9f0a-3b8f6f2d9a13".into(),
        session_id: "s2".into(),
        event_time: 5,
        updated_at: 6,
        stage: "ORDER_PLACED".into(),
        channel: "APP".into(),
        device: "MOBILE".into(),
        customer_id: Some(1),
        product_id: None,
        order_id: Some(99),
        failure_reason: None,
        referrer: Some("newsletter".into()),
    };
    // newer writer, current reader: the extra field is skipped
    let bytes = registry.encode_with(v2, &newer).unwrap();
    let read: ClickEvent = registry.decode_as(v1, &bytes).unwrap();
    assert_eq!(read.order_id, Some(99));
    assert_eq!(read.session_id, "s2");

    // current writer, newer reader: the missing field takes its default
    let current = read.clone();
    let bytes = registry.encode_with(v1, &current).unwrap();
    let read2: ClickEventV2 = registry.decode_as(v2, &bytes).unwrap();
    assert_eq!(read2.referrer, None);
    assert_eq!(read2.order_id, Some(99));
}

#[test]
fn garbage_and_unknown_schemas_are_clear_errors() {
    assert!(matches!(
        decode::<OrderEvent>(b"hello world"),
        Err(Error::BadMarker(b'h', b'e'))
    ));
    assert!(matches!(
        decode::<OrderEvent>(b"\xc3"),
        Err(Error::TooShort(1))
    ));
    let mut bytes = encode(&order()).unwrap();
    bytes[2] ^= 0xFF;
    assert!(matches!(
        decode::<OrderEvent>(&bytes),
        Err(Error::UnknownSchema(_))
    ));
    let click = encode(&anonymous_click()).unwrap();
    let err = decode::<OrderEvent>(&click).unwrap_err();
    assert!(err.to_string().contains("cannot be read as"), "{err}");
}

/// A click of a visitor not signed in (every optional field null).
fn anonymous_click() -> ClickEvent {
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

#[test]
fn messages_with_the_legacy_fingerprint_still_decode() {
    use globalcart_schemas::fingerprint::{fingerprint, legacy_fingerprint};
    let click = anonymous_click();
    let text = ClickEvent::SCHEMA;
    let legacy = legacy_fingerprint(&apache_avro::Schema::parse_str(text).unwrap());
    assert_ne!(
        legacy,
        fingerprint(text).unwrap(),
        "apache-avro's canonical form keeps logical-type primitives as objects"
    );
    let mut bytes = encode(&click).unwrap();
    assert_eq!(bytes[2..10], fingerprint(text).unwrap().to_le_bytes());
    bytes[2..10].copy_from_slice(&legacy.to_le_bytes());
    assert_eq!(decode::<ClickEvent>(&bytes).unwrap(), click);
    let registry = Registry::compiled_in();
    assert_eq!(
        registry.name_of(legacy),
        Some("com.globalcart.events.ClickEvent")
    );
}

#[test]
fn a_truncated_order_is_an_error_not_a_panic() {
    let bytes = encode(&order()).unwrap();
    for cut in 10..bytes.len() {
        assert!(decode::<OrderEvent>(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}

proptest! {
    #[test]
    fn the_decoder_never_panics_on_arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = encode(&order()).unwrap()[..10].to_vec();
        bytes.extend_from_slice(&body);
        let _ = decode::<OrderEvent>(&bytes);
        let _ = decode::<OrderEvent>(&body);
    }
}

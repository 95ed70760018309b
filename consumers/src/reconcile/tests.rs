//! The comparison's rules without services: the stream side keeps what the
//! loader keeps, and differences are counted and named as they should be.

use std::collections::HashMap;

use globalcart_schemas::{encode, ClickEvent, PaymentEvent, Topic};

use super::collect::{Collected, Origin};
use super::compare::{Kind, Versioned};
use super::rows::{PaymentRow, Record};
use super::sessions::{Click, Sessions};

fn payment(id: i64, updated_at: i64, event_id: &str, status: &str) -> PaymentEvent {
    PaymentEvent {
        event_id: event_id.into(),
        payment_id: id,
        order_id: 7,
        event_time: updated_at,
        updated_at,
        payment_method: "CARD".into(),
        payment_status: status.into(),
        payment_provider: "Stripe".into(),
        currency: "USD".into(),
        amount: 1000,
        gateway_fee_amount: 30,
        refund_amount: 0,
        authorized_ts: Some(updated_at),
        captured_ts: None,
        failure_reason: None,
        chargeback_flag: false,
    }
}

fn click(id: &str, session: &str, stage: &str) -> ClickEvent {
    ClickEvent {
        event_id: id.into(),
        session_id: session.into(),
        event_time: 1_760_000_000_000_000,
        updated_at: 1_760_000_000_000_000,
        stage: stage.into(),
        channel: "WEB".into(),
        device: "MOBILE".into(),
        customer_id: Some(1),
        product_id: Some(2),
        order_id: None,
        failure_reason: None,
    }
}

fn feed(c: &mut Collected, topic: Topic, bytes: &[u8]) {
    let from = Origin {
        topic,
        name: "t",
        partition: 0,
        offset: c.messages as i64,
    };
    c.accept(from, Some(bytes), false);
}

const T: i64 = 1_760_000_000_000_000;
const ID_A: &str = "00000000-0000-4000-8000-00000000000a";
const ID_B: &str = "00000000-0000-4000-8000-0000000000b0";

#[test]
fn the_newest_version_wins_whatever_the_order_and_a_tie_goes_to_the_greater_event_id() {
    let versions = [
        payment(1, T, ID_A, "PENDING"),
        payment(1, T + 5, ID_A, "CAPTURED"),
        payment(1, T + 5, ID_B, "REFUNDED"), // same time, greater id
        payment(1, T + 1, ID_B, "FAILED"),
    ];
    for order in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]] {
        let mut c = Collected::default();
        for i in order {
            feed(&mut c, Topic::Payments, &encode(&versions[i]).unwrap());
        }
        assert_eq!(c.payments[&1].payment_status, "REFUNDED", "{order:?}");
        assert_eq!(c.superseded, 3);
    }
}

#[test]
fn poison_is_set_aside_with_the_loaders_reason() {
    let mut c = Collected::default();
    feed(&mut c, Topic::Payments, b"not avro");
    let mut bad = payment(2, T, ID_A, "CAPTURED");
    bad.refund_amount = 5000;
    feed(&mut c, Topic::Payments, &encode(&bad).unwrap());
    assert!(c.payments.is_empty());
    let reasons: Vec<&str> = c.poison.iter().map(|p| p.reason.as_str()).collect();
    assert!(reasons[0].starts_with("undecodable"), "{reasons:?}");
    assert!(
        reasons[1].contains("refund_amount 5000 exceeds"),
        "{reasons:?}"
    );
}

fn rows(statuses: &[(i64, &str)]) -> HashMap<i64, PaymentRow> {
    statuses
        .iter()
        .map(|(id, s)| (*id, PaymentRow::from(payment(*id, T, ID_A, s))))
        .collect()
}

#[test]
fn differences_are_counted_and_the_first_keys_named_with_their_columns() {
    let stream = rows(&[
        (1, "CAPTURED"),
        (2, "CAPTURED"),
        (3, "CAPTURED"),
        (4, "FAILED"),
    ]);
    let mut cmp = Versioned::new(stream, false, 2);
    for (id, r) in rows(&[
        (1, "CAPTURED"),
        (2, "FAILED"),
        (3, "REFUNDED"),
        (9, "PENDING"),
    ]) {
        cmp.warehouse(id, r);
    }
    let t = cmp.finish();
    assert_eq!((t.matching, t.differing, t.missing, t.extra), (1, 2, 1, 1));
    let named: Vec<(&str, Kind)> = t.samples.iter().map(|d| (d.key.as_str(), d.kind)).collect();
    assert_eq!(named, [("2", Kind::Differs), ("3", Kind::Differs)]);
    let c = &t.samples[0].columns;
    assert_eq!(c.len(), 1);
    assert_eq!(
        (
            c[0].column.as_str(),
            c[0].stream.as_str(),
            c[0].warehouse.as_str()
        ),
        ("payment_status", "\"CAPTURED\"", "\"FAILED\"")
    );
    let amount = t.totals.iter().find(|s| s.column == "amount").unwrap();
    assert_eq!(
        (amount.stream, amount.warehouse, amount.money),
        (4000, 4000, true)
    );
}

#[test]
fn a_window_ignores_other_keys_and_newer_warehouse_versions() {
    let stream = rows(&[(1, "PENDING"), (2, "PENDING")]);
    let mut cmp = Versioned::new(stream, true, 10);
    let newer = PaymentRow::from(payment(1, T + 1, ID_A, "CAPTURED"));
    assert!(newer.version() > PaymentRow::from(payment(1, T, ID_A, "PENDING")).version());
    cmp.warehouse(1, newer);
    let older = PaymentRow::from(payment(2, T - 1, ID_A, "CREATED"));
    cmp.warehouse(2, older);
    cmp.warehouse(3, PaymentRow::from(payment(3, T, ID_A, "PENDING")));
    let t = cmp.finish();
    assert_eq!((t.newer_in_warehouse, t.differing, t.extra), (1, 1, 0));
    assert_eq!(
        t.warehouse_rows, 2,
        "the key outside the window is not counted"
    );
}

#[test]
fn a_session_counts_each_event_once_and_names_what_the_warehouse_lacks() {
    let ids = [
        "00000000-0000-4000-8000-000000000001",
        "00000000-0000-4000-8000-000000000002",
        "00000000-0000-4000-8000-000000000003",
    ];
    let events = [
        click(ids[0], "s-1", "VIEW_PRODUCT"),
        click(ids[1], "s-1", "ADD_TO_CART"),
        click(ids[0], "s-1", "VIEW_PRODUCT"), // redelivered
        click(ids[2], "s-1", "VIEW_CART"),
    ];
    let mut c = Collected::default();
    for e in &events {
        feed(&mut c, Topic::Clickstream, &encode(e).unwrap());
    }
    c.seal();
    assert_eq!(c.superseded, 1);
    let mut cmp = Sessions::new(std::mem::take(&mut c.sessions), false, 10);
    // the warehouse holds the first two, the second with another product
    let (s, held) = Click::of(events[0].clone());
    cmp.warehouse(s, held);
    let mut changed = events[1].clone();
    changed.product_id = Some(3);
    let (s, held) = Click::of(changed);
    cmp.warehouse(s, held);
    let t = cmp.finish();
    assert_eq!((t.stream_rows, t.differing), (1, 1));
    let d = &t.samples[0];
    let col = |name: &str| d.columns.iter().find(|c| c.column == name).cloned();
    assert_eq!(
        col("events").map(|c| (c.stream, c.warehouse)),
        Some(("3".into(), "2".into()))
    );
    assert_eq!(col("VIEW_CART").map(|c| c.warehouse), Some("0".into()));
    assert_eq!(col("events missing").map(|c| c.stream), Some(ids[2].into()));
    assert_eq!(
        col("events with other columns").map(|c| c.stream),
        Some(ids[1].into())
    );
    assert_eq!(t.totals[0].stream, 3);
}

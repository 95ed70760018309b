//! Fulfilment of a confirmed order: shipment from a fulfilment centre, delivery
//! against the promised date (or COD refused at the door), completion, and
//! returns with their refunds.

use globalcart_schemas::events::{ReturnEvent, ShipmentEvent};
use globalcart_schemas::{OrderStatus, PaymentStatus, ReturnStatus};
use rand::Rng;

use super::basket::shipping_cost;
use super::geo::{carrier, COUNTRIES};
use super::run::{Action, Run};
use super::state::OrderState;
use super::util::{day_of, pick, scale, span, weighted, Rng8, DAY, HOUR, MIN, SEC};
use super::world::World;

const RETURN_REASONS: [&str; 5] = [
    "DAMAGED",
    "NOT_AS_DESCRIBED",
    "SIZE_ISSUE",
    "QUALITY_ISSUE",
    "CHANGED_MIND",
];

/// What fulfilment needs to know about a confirmed order.
pub(crate) struct Fulfilment<'a> {
    /// Catalog indices of the basket, in line order.
    pub products: &'a [usize],
    /// Country index of the customer.
    pub country: usize,
    /// Plan-clock time of the order.
    pub t: i64,
    /// Real timestamp of the order (drives dates).
    pub real: i64,
    /// Plan-clock time of the confirmation.
    pub confirm: i64,
    pub prepaid: bool,
}

/// Plans the shipment, its delivery (about a tenth late, more for local and
/// cross-border carriers) and what follows it.
pub(crate) fn plan_fulfilment(
    w: &World,
    rng: &mut Rng8,
    run: &mut Run,
    st: &mut OrderState,
    o: Fulfilment,
) {
    let country = &COUNTRIES[o.country];
    let Some(fc) = w.fcs.pick(rng, o.country) else {
        return;
    };
    let cross = fc.country != o.country;
    let carrier = carrier(rng, cross);
    let promised = day_of(o.real)
        + if cross {
            span(rng, 4, 6)
        } else {
            span(rng, 2, 5)
        } as i32;
    let label = o.confirm + span(rng, HOUR, 12 * HOUR);
    let shipped = label + span(rng, 2 * HOUR, 16 * HOUR);
    let breach = rng.gen_bool(carrier.breach + if cross { 0.05 } else { 0.0 });
    let late: i32 = weighted(rng, &[(1, 0.6), (2, 0.25), (3, 0.15)]);
    let early: i32 = weighted(rng, &[(0, 0.45), (1, 0.35), (2, 0.2)]);
    let day = (if breach {
        promised + late
    } else {
        promised - early
    })
    .max(day_of(o.real + (shipped - o.t)) + 1);
    let breached = day > promised;
    let delivered = o.t + (i64::from(day) * DAY + span(rng, 8 * HOUR, 20 * HOUR) - o.real);
    st.shipment = Some(ShipmentEvent {
        event_id: String::new(),
        shipment_id: 0,
        order_id: st.order.order_id,
        event_time: 0,
        updated_at: 0,
        fc_id: fc.id,
        fc_name: fc.name.clone(),
        fc_country: COUNTRIES[fc.country].name.to_owned(),
        fc_timezone: COUNTRIES[fc.country].timezone.to_owned(),
        carrier: carrier.name.to_owned(),
        shipment_status: String::new(),
        currency: st.order.currency.clone(),
        shipping_cost: shipping_cost(w, rng, o.products, &st.order, country, cross),
        shipped_ts: None,
        promised_delivery_dt: promised,
        delivered_dt: None,
        sla_breached_flag: false,
    });
    run.at(label, Action::ShipLabel);
    run.at(shipped, Action::ShipShipped);
    run.at(
        shipped + span(rng, SEC, MIN),
        Action::Order(OrderStatus::Shipped),
    );
    if !o.prepaid && rng.gen_bool(0.03) {
        run.at(delivered, Action::ShipRto);
        let refused = delivered + span(rng, HOUR, 24 * HOUR);
        let (status, reason) = (PaymentStatus::Declined, "COD_RTO");
        run.at(refused, Action::PayFailed { status, reason });
        run.at(
            refused + span(rng, SEC, MIN),
            Action::Order(OrderStatus::Cancelled),
        );
    } else {
        run.at(
            delivered,
            Action::ShipDelivered {
                date: day,
                breached,
            },
        );
        run.at(
            delivered + span(rng, SEC, MIN),
            Action::Order(OrderStatus::Delivered),
        );
        if !o.prepaid {
            run.at(
                delivered + span(rng, 5 * MIN, 4 * HOUR),
                Action::PayCaptured { fee: 0 },
            );
        }
        if rng.gen_bool(0.028 + if breached { 0.035 } else { 0.0 }) {
            plan_return(run, rng, st, delivered, breached);
        } else if rng.gen_bool(0.4) {
            run.at(
                delivered + span(rng, 2 * DAY, 10 * DAY),
                Action::Order(OrderStatus::Completed),
            );
        }
    }
}

/// One returned line: requested 3-25 days after delivery, received, refunded;
/// the order turns RETURNED and the payment REFUNDED.
fn plan_return(run: &mut Run, rng: &mut Rng8, st: &mut OrderState, delivered: i64, breached: bool) {
    let o = &st.order;
    let item = &o.items[rng.gen_range(0..o.items.len())];
    let amount = scale(
        item.line_net_revenue + item.line_tax,
        rng.gen_range(0.85..=1.0),
    );
    let reason = if breached && rng.gen_bool(0.4) {
        "LATE_DELIVERY"
    } else {
        pick(rng, &RETURN_REASONS)
    };
    let restocked = rng.gen_bool(0.65);
    st.ret = Some(ReturnEvent {
        event_id: String::new(),
        return_id: 0,
        order_id: o.order_id,
        order_item_id: item.order_item_id,
        product_id: item.product_id,
        event_time: 0,
        updated_at: 0,
        return_ts: 0,
        return_reason: reason.to_owned(),
        return_status: String::new(),
        currency: o.currency.clone(),
        refund_amount: amount,
        restocked_flag: false,
    });
    let requested = delivered + span(rng, 3 * DAY, 25 * DAY);
    let received = requested + span(rng, 2 * DAY, 7 * DAY);
    let refunded = received + span(rng, DAY, 5 * DAY);
    let status = ReturnStatus::Requested;
    run.at(
        requested,
        Action::Return {
            status,
            restocked: false,
        },
    );
    run.at(
        received,
        Action::Return {
            status: ReturnStatus::Received,
            restocked,
        },
    );
    run.at(
        refunded,
        Action::Return {
            status: ReturnStatus::Refunded,
            restocked,
        },
    );
    run.at(
        refunded + span(rng, SEC, 10 * MIN),
        Action::Order(OrderStatus::Returned),
    );
    let at = refunded + span(rng, MIN, HOUR);
    refund(run, rng, at, amount);
}

/// A refund of the payment at `t`, disputed later in 0.4 % of cases.
pub(crate) fn refund(run: &mut Run, rng: &mut Rng8, t: i64, amount: i64) {
    run.at(t, Action::PayRefunded { amount });
    if rng.gen_bool(0.004) {
        run.at(t + span(rng, 10 * DAY, 60 * DAY), Action::Chargeback);
    }
}

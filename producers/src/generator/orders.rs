//! One order's plan: its sessions, then its lifecycle (payment, confirmation,
//! shipment, delivery, completion, cancellation, return, refund, chargeback).
//!
//! Final status mix (before the window cut): CREATED ~5 %, CANCELLED ~8 %
//! (payment failures, customer cancellations, COD refused at the door),
//! RETURNED ~3-4 %, COMPLETED ~33 %, DELIVERED the rest.

use globalcart_schemas::events::PaymentEvent;
use globalcart_schemas::{OrderStatus, PaymentStatus};
use rand::Rng;

use super::basket::{basket, gateway_fee, payment_method, price};
use super::fulfilment::{plan_fulfilment, refund, Fulfilment};
use super::funnel::{channel_device, order_session, research_session};
use super::geo::COUNTRIES;
use super::run::{Action, Run};
use super::state::OrderState;
use super::util::{month_of, span, weighted, Rng8, HOUR, MIN, SEC};
use super::world::World;

const FAILURES: [(&str, f64); 4] = [
    ("INSUFFICIENT_FUNDS", 0.35),
    ("BANK_DECLINE", 0.3),
    ("NETWORK_ERROR", 0.25),
    ("FRAUD_FLAG", 0.1),
];

/// Plans order `t` of customer index `cust` into `run` (which must be empty).
/// Step times are in the plan's clock; `real_ts(first_step)` gives the real
/// timestamp of the order, whose date drives discounts and delivery dates.
pub(crate) fn plan_order(
    w: &mut World,
    rng: &mut Rng8,
    run: &mut Run,
    (t, cust): (i64, usize),
    real_ts: impl FnOnce(i64) -> i64,
) {
    let order_id = w.ids.order;
    w.ids.order += 1;
    let geo = &w.geos[w.customers.geo[cust] as usize];
    let (geo_id, country_idx) = (geo.id, geo.country);
    let country = &COUNTRIES[country_idx];
    let customer_id = w.customers.id(cust);
    let products = basket(w, rng);
    let cd = channel_device(rng);
    let (method, provider) = payment_method(rng, country);
    let stuck = rng.gen_bool(0.05);
    let failure = (!stuck && method != "COD" && rng.gen_bool(0.045)).then(|| {
        let status = if rng.gen_bool(0.55) {
            PaymentStatus::Failed
        } else {
            PaymentStatus::Declined
        };
        (status, weighted(rng, &FAILURES))
    });

    let ids: Vec<i64> = products
        .iter()
        .map(|&p| w.catalog.products[p].product_id)
        .collect();
    let who = (customer_id, order_id);
    let mut first = order_session(run, rng, w, t, &ids, cd, who, failure.map(|f| f.1));
    if rng.gen_bool(0.45) {
        let end = first - span(rng, HOUR, 72 * HOUR);
        let not_before = w.customers.created[cust].max(w.start);
        if let Some(start) = research_session(run, rng, w, (end, not_before), &ids, who) {
            first = start;
        }
    }
    let real = real_ts(first);
    let mut order = price(
        w,
        rng,
        &products,
        (order_id, customer_id, geo_id),
        country,
        month_of(real),
    );
    order.channel = cd.0.to_owned();
    order.device = cd.1.to_owned();
    let amount = order.net_amount + order.tax_amount;
    let fee = gateway_fee(rng, method, amount, country.fx);
    let payment = PaymentEvent {
        event_id: String::new(),
        payment_id: 0,
        order_id,
        event_time: 0,
        updated_at: 0,
        payment_method: method.to_owned(),
        payment_status: String::new(),
        payment_provider: provider.to_owned(),
        currency: order.currency.clone(),
        amount,
        gateway_fee_amount: 0,
        refund_amount: 0,
        authorized_ts: None,
        captured_ts: None,
        failure_reason: None,
        chargeback_flag: false,
    };
    let mut st = Box::new(OrderState {
        order,
        payment,
        shipment: None,
        ret: None,
    });

    run.at(t, Action::Order(OrderStatus::Created));
    let pending = t + span(rng, 2 * SEC, 20 * SEC);
    let prepaid = method != "COD";
    run.at(
        pending,
        Action::PayPending {
            authorized: prepaid && !stuck && failure.is_none(),
        },
    );
    if stuck {
        run.state = Some(st);
        return run.sort();
    }
    if let Some((status, reason)) = failure {
        let f = pending + span(rng, 10 * SEC, 180 * SEC);
        run.at(f, Action::PayFailed { status, reason });
        run.at(
            f + span(rng, 30 * SEC, 300 * SEC),
            Action::Order(OrderStatus::Cancelled),
        );
        run.state = Some(st);
        return run.sort();
    }
    let confirm = if prepaid {
        let capture = pending
            + match method {
                "CARD" => span(rng, 5 * MIN, 30 * MIN),
                "UPI" => span(rng, 10 * SEC, 180 * SEC),
                _ => span(rng, 10 * SEC, 300 * SEC),
            };
        run.at(capture, Action::PayCaptured { fee });
        capture + span(rng, 30 * SEC, 10 * MIN)
    } else {
        t + span(rng, 2 * MIN, 20 * MIN)
    };
    run.at(confirm, Action::Order(OrderStatus::Confirmed));
    if prepaid && rng.gen_bool(0.04) {
        let cancel = confirm + span(rng, 10 * MIN, 6 * HOUR);
        run.at(cancel, Action::Order(OrderStatus::Cancelled));
        let at = cancel + span(rng, MIN, HOUR);
        refund(run, rng, at, amount);
        run.state = Some(st);
        return run.sort();
    }
    let order = Fulfilment {
        products: &products,
        country: country_idx,
        t,
        real,
        confirm,
        prepaid,
    };
    plan_fulfilment(w, rng, run, &mut st, order);
    run.state = Some(st);
    run.sort();
}

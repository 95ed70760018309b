//! The entities of one order (order, payment, shipment, return) and how a
//! lifecycle step turns them into a new version.

use globalcart_schemas::events::{AnyEvent, OrderEvent, PaymentEvent, ReturnEvent, ShipmentEvent};
use globalcart_schemas::{OrderStatus, PaymentStatus, ShipmentStatus};

use super::run::Action;
use super::util::{uuid, Rng8};
use super::world::Ids;

/// The current state of an order's entities; templates until first emitted.
#[derive(Debug)]
pub(crate) struct OrderState {
    pub order: OrderEvent,
    pub payment: PaymentEvent,
    pub shipment: Option<ShipmentEvent>,
    pub ret: Option<ReturnEvent>,
}

macro_rules! stamp {
    ($e:expr, $t:expr, $rng:expr) => {{
        $e.event_id = uuid($rng);
        $e.event_time = $t;
        $e.updated_at = $t;
    }};
}

impl OrderState {
    /// Applies an order, payment, shipment or return step at `t` and returns the
    /// entity's new full state (`None` for steps that are not about this order).
    pub(crate) fn apply(
        &mut self,
        action: Action,
        t: i64,
        ids: &mut Ids,
        rng: &mut Rng8,
    ) -> Option<AnyEvent> {
        let st = self;
        Some(match action {
            Action::Order(status) => {
                let o = &mut st.order;
                if status == OrderStatus::Created {
                    o.order_ts = t;
                }
                o.order_status = status.into();
                stamp!(o, t, rng);
                AnyEvent::Order(o.clone())
            }
            Action::PayPending { authorized } => {
                st.payment.authorized_ts = authorized.then_some(t);
                pay(&mut st.payment, ids, PaymentStatus::Pending, t, rng)
            }
            Action::PayCaptured { fee } => {
                st.payment.captured_ts = Some(t);
                st.payment.gateway_fee_amount = fee;
                pay(&mut st.payment, ids, PaymentStatus::Captured, t, rng)
            }
            Action::PayFailed { status, reason } => {
                st.payment.failure_reason = Some(reason.to_owned());
                pay(&mut st.payment, ids, status, t, rng)
            }
            Action::PayRefunded { amount } => {
                let p = &mut st.payment;
                p.refund_amount = (p.refund_amount + amount).min(p.amount);
                pay(p, ids, PaymentStatus::Refunded, t, rng)
            }
            Action::Chargeback => {
                let p = &mut st.payment;
                p.chargeback_flag = true;
                stamp!(p, t, rng);
                AnyEvent::Payment(p.clone())
            }
            Action::ShipLabel
            | Action::ShipShipped
            | Action::ShipDelivered { .. }
            | Action::ShipRto => {
                let s = st.shipment.as_mut()?;
                if s.shipment_id == 0 {
                    s.shipment_id = ids.shipment;
                    ids.shipment += 1;
                }
                s.shipment_status = match action {
                    Action::ShipLabel => ShipmentStatus::LabelCreated,
                    Action::ShipShipped => {
                        s.shipped_ts = Some(t);
                        ShipmentStatus::Shipped
                    }
                    Action::ShipDelivered { date, breached } => {
                        s.delivered_dt = Some(date);
                        s.sla_breached_flag = breached;
                        ShipmentStatus::Delivered
                    }
                    _ => ShipmentStatus::Rto,
                }
                .into();
                stamp!(s, t, rng);
                AnyEvent::Shipment(s.clone())
            }
            Action::Return { status, restocked } => {
                let r = st.ret.as_mut()?;
                if r.return_id == 0 {
                    r.return_id = ids.ret;
                    ids.ret += 1;
                    r.return_ts = t;
                }
                r.return_status = status.into();
                r.restocked_flag = restocked;
                stamp!(r, t, rng);
                AnyEvent::Return(r.clone())
            }
            Action::Click { .. } | Action::Price { .. } | Action::Customer { .. } => return None,
        })
    }
}

/// Stamps a payment version with `status`, assigning its id on first use.
fn pay(
    p: &mut PaymentEvent,
    ids: &mut Ids,
    status: PaymentStatus,
    t: i64,
    rng: &mut Rng8,
) -> AnyEvent {
    if p.payment_id == 0 {
        p.payment_id = ids.payment;
        ids.payment += 1;
    }
    p.payment_status = status.into();
    stamp!(p, t, rng);
    AnyEvent::Payment(p.clone())
}

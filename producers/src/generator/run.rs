//! A run: the planned, time-stamped steps of one unit of activity (an order with
//! its sessions and lifecycle, a browsing session, a price change, a sign-up),
//! and how one step becomes an event.
//!
//! Steps are planned up front but materialized one at a time, so history can stop
//! a run at the end of its window and live mode can finish it later in wall-clock
//! time. Materializing assigns the payment, shipment and return ids (so they are
//! sequential in emission order) and stamps `event_time = updated_at`.

use globalcart_schemas::events::{AnyEvent, ClickEvent};
use globalcart_schemas::{OrderStatus, PaymentStatus, ReturnStatus};

use super::state::OrderState;
use super::util::{uuid, Rng8};
use super::world::World;

/// What one step does.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Action {
    /// A funnel event of session `session` of the run.
    Click {
        session: u8,
        stage: &'static str,
        product: Option<i64>,
        with_order: bool,
        reason: Option<&'static str>,
    },
    /// A new order version with this status (`CREATED` also sets `order_ts`).
    Order(OrderStatus),
    PayPending {
        authorized: bool,
    },
    PayCaptured {
        fee: i64,
    },
    PayFailed {
        status: PaymentStatus,
        reason: &'static str,
    },
    PayRefunded {
        amount: i64,
    },
    Chargeback,
    ShipLabel,
    ShipShipped,
    ShipDelivered {
        date: i32,
        breached: bool,
    },
    ShipRto,
    Return {
        status: ReturnStatus,
        restocked: bool,
    },
    /// A product version with its list price scaled by `factor`.
    Price {
        product: usize,
        factor: f64,
    },
    /// The (first) version of customer index `idx`.
    Customer {
        idx: usize,
    },
}

/// A funnel session.
#[derive(Debug)]
pub(crate) struct Session {
    pub id: String,
    pub channel: &'static str,
    pub device: &'static str,
    pub customer: Option<i64>,
}

/// Planned steps and the state they act on.
#[derive(Debug)]
pub(crate) struct Run {
    pub steps: Vec<(i64, Action)>,
    pub next: usize,
    pub sessions: Vec<Session>,
    pub state: Option<Box<OrderState>>,
    /// Time of the last materialized step.
    pub last: i64,
}

impl Default for Run {
    fn default() -> Run {
        Run {
            steps: Vec::with_capacity(48),
            next: 0,
            sessions: Vec::with_capacity(2),
            state: None,
            last: i64::MIN,
        }
    }
}

impl Run {
    /// Empties the run for reuse.
    pub(crate) fn reset(&mut self) {
        self.steps.clear();
        self.next = 0;
        self.sessions.clear();
        self.state = None;
        self.last = i64::MIN;
    }

    pub(crate) fn at(&mut self, t: i64, action: Action) {
        self.steps.push((t, action));
    }

    /// Puts the steps in time order (stable: equal times keep their plan order).
    pub(crate) fn sort(&mut self) {
        self.steps.sort_by_key(|s| s.0);
    }

    /// Drops the steps already materialized and any spare capacity, for runs
    /// that stay in flight for a while.
    pub(crate) fn compact(&mut self) {
        self.steps.drain(..self.next);
        self.next = 0;
        self.steps.shrink_to_fit();
    }

    /// Whether steps remain.
    pub(crate) fn pending(&self) -> bool {
        self.next < self.steps.len()
    }

    /// The time step `next` would be stamped with if it is due at `due`.
    pub(crate) fn stamp_time(&self, due: i64) -> i64 {
        due.max(self.last.saturating_add(1))
    }

    /// Materializes step `next` at `t` (or just after the previous step) and advances.
    pub(crate) fn apply(&mut self, t: i64, w: &mut World, rng: &mut Rng8) -> Option<AnyEvent> {
        let (_, action) = *self.steps.get(self.next)?;
        self.next += 1;
        let t = self.stamp_time(t);
        self.last = t;
        if let Action::Click {
            session,
            stage,
            product,
            with_order,
            reason,
        } = action
        {
            let s = self.sessions.get(session as usize)?;
            let order_id = if with_order {
                self.state.as_ref().map(|st| st.order.order_id)
            } else {
                None
            };
            return Some(AnyEvent::Click(ClickEvent {
                event_id: uuid(rng),
                session_id: s.id.clone(),
                event_time: t,
                updated_at: t,
                stage: stage.to_owned(),
                channel: s.channel.to_owned(),
                device: s.device.to_owned(),
                customer_id: s.customer,
                product_id: product,
                order_id,
                failure_reason: reason.map(str::to_owned),
            }));
        }
        match action {
            Action::Price { product, factor } => {
                return Some(AnyEvent::Product(
                    w.catalog.reprice(rng, product, factor, t),
                ))
            }
            Action::Customer { idx } => {
                return Some(AnyEvent::Customer(w.customers.event(rng, idx, &w.geos, t)))
            }
            _ => {}
        }
        self.state.as_deref_mut()?.apply(action, t, &mut w.ids, rng)
    }
}

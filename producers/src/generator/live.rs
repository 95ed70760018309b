//! Live mode: new activity in wall-clock time, with each unit's later steps
//! (payment, shipping, delivery, returns) compressed by `speedup`.
//!
//! Units (an order with its sessions and lifecycle, a browse or abandon session,
//! a sign-up, a price change) arrive in the same mix as in history; after a unit
//! of `k` events the next one comes `k / rate` seconds later on average, so the
//! long-run output is `rate` events per second (arrivals missed while the caller
//! stalled for more than a minute are skipped). Every step is stamped with the
//! wall-clock time it becomes due (`event_time = updated_at`), so versions of an
//! entity are newer than the ones before. Timestamps are compressed; business
//! dates (promised and delivered dates) keep their real spacing in days, so SLA
//! figures mean the same as in history.
//!
//! Memory grows with `rate` times the span of a lifecycle divided by `speedup`
//! (runs stay in flight until their last step): keep `speedup` high for high rates.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use globalcart_schemas::events::AnyEvent;
use rand::{Rng, SeedableRng};

use super::funnel::extra_session;
use super::orders::plan_order;
use super::run::{Action, Run};
use super::util::{weighted, Rng8};
use super::world::World;
use super::GeneratorConfig;

/// How much wall time of missed arrivals is made up after a stall.
const MAX_CATCH_UP_US: i64 = 60_000_000;

/// A run in flight and how its plan clock maps to the wall clock.
struct Scheduled {
    run: Run,
    sim0: i64,
    wall0: i64,
}

#[derive(Clone, Copy)]
enum Unit {
    Order,
    Browse,
    Abandon,
    SignUp,
    Price,
}

/// The live event source; see the module docs.
pub struct Live {
    w: World,
    rng: Rng8,
    rate: f64,
    speedup: f64,
    /// Wall-clock time of the first call to [`Live::next_due`].
    anchor: Option<i64>,
    /// Runs to start at the anchor, with their plan-clock origin.
    boot: Vec<(Run, i64)>,
    runs: Vec<Option<Scheduled>>,
    free: Vec<usize>,
    heap: BinaryHeap<Reverse<(i64, u64, usize)>>,
    seq: u64,
    next_spawn: i64,
    mix: [(Unit, f64); 5],
}

/// Live mode without history: the world of `cfg` with every id starting at
/// `id_base`. Its customers and products are emitted first, all due at once.
pub fn live(cfg: &GeneratorConfig, rate: f64, speedup: f64, id_base: i64) -> Live {
    let mut rng = Rng8::seed_from_u64(cfg.seed ^ 0x6c69_7665);
    let w = World::new(&mut rng, cfg, id_base);
    let mut dims = Run::default();
    for idx in 0..w.customers.len() {
        dims.at(0, Action::Customer { idx });
    }
    for product in 0..w.catalog.products.len() {
        dims.at(
            0,
            Action::Price {
                product,
                factor: 1.0,
            },
        );
    }
    Live::new(w, rng, vec![(dims, 0)], rate, speedup)
}

impl Live {
    /// Continues a history: `carry` holds the runs cut at the window end.
    pub(crate) fn after_history(
        w: World,
        rng: Rng8,
        carry: Vec<Run>,
        rate: f64,
        speedup: f64,
    ) -> Live {
        let end = w.end;
        Live::new(
            w,
            rng,
            carry.into_iter().map(|r| (r, end)).collect(),
            rate,
            speedup,
        )
    }

    fn new(w: World, rng: Rng8, boot: Vec<(Run, i64)>, rate: f64, speedup: f64) -> Live {
        let s = w.size;
        let prices = s.products as f64 * 0.02 * 12.0 / s.orders.max(1) as f64;
        Live {
            w,
            rng,
            rate: if rate.is_finite() && rate > 0.0 {
                rate
            } else {
                0.0
            },
            speedup: if speedup.is_finite() && speedup > 0.0 {
                speedup
            } else {
                1.0
            },
            anchor: None,
            boot,
            runs: Vec::new(),
            free: Vec::new(),
            heap: BinaryHeap::new(),
            seq: 0,
            next_spawn: 0,
            mix: [
                (Unit::Order, 1.0),
                (Unit::Browse, 0.18),
                (Unit::Abandon, 0.22),
                (Unit::SignUp, 0.05),
                (Unit::Price, prices),
            ],
        }
    }

    /// The next event due at wall-clock `now_us` (microseconds), or `None` if
    /// nothing is due yet. Call it in a loop until `None`, then again later.
    pub fn next_due(&mut self, now_us: i64) -> Option<AnyEvent> {
        if self.anchor.is_none() {
            self.anchor = Some(now_us);
            self.next_spawn = now_us;
            for (run, sim0) in std::mem::take(&mut self.boot) {
                self.schedule(run, sim0, now_us);
            }
        }
        // A caller that stalls does not get a flood: at most a minute is caught up.
        self.next_spawn = self.next_spawn.max(now_us.saturating_sub(MAX_CATCH_UP_US));
        while self.rate > 0.0 && self.next_spawn <= now_us {
            let at = self.next_spawn;
            let events = self.spawn(at) as f64;
            let gap = events / self.rate * self.rng.gen_range(0.5..1.5) * 1e6;
            self.next_spawn = at + (gap as i64).max(1);
        }
        loop {
            let &Reverse((due, _, slot)) = self.heap.peek()?;
            if due > now_us {
                return None;
            }
            self.heap.pop();
            let Some(mut s) = self.runs.get_mut(slot).and_then(Option::take) else {
                continue;
            };
            let event = s.run.apply(due, &mut self.w, &mut self.rng);
            if s.run.pending() {
                self.runs[slot] = Some(s);
                self.push(slot);
            } else {
                self.free.push(slot);
            }
            if event.is_some() {
                return event;
            }
        }
    }

    /// Plans one unit starting at wall time `at`; returns its number of events.
    fn spawn(&mut self, at: i64) -> usize {
        let (w, rng) = (&mut self.w, &mut self.rng);
        let mut run = Run::default();
        let mut sim0 = at;
        let unit = match weighted(rng, &self.mix) {
            Unit::Order if w.customers.len() == 0 => Unit::SignUp,
            unit => unit,
        };
        match unit {
            Unit::Order => {
                let cust = w.customers.buyer(rng, i64::MAX).unwrap_or(0);
                let speedup = self.speedup;
                let real = |first: i64| at + ((at - first) as f64 / speedup).round() as i64;
                plan_order(w, rng, &mut run, (at, cust), real);
                sim0 = run.steps.first().map_or(at, |s| s.0);
            }
            Unit::Browse => extra_session(&mut run, rng, w, at, false),
            Unit::Abandon => extra_session(&mut run, rng, w, at, true),
            Unit::SignUp => {
                let geo = rng.gen_range(0..w.geos.len().max(1));
                let idx = w.customers.push(rng, at, geo);
                run.at(at, Action::Customer { idx });
            }
            Unit::Price => {
                let product = rng.gen_range(0..w.catalog.products.len().max(1));
                let factor = 1.0 + rng.gen_range(-0.03..0.06);
                run.at(at, Action::Price { product, factor });
            }
        }
        let events = run.steps.len();
        self.schedule(run, sim0, at);
        events
    }

    /// Starts a run whose plan time `sim0` maps to wall time `wall0`.
    fn schedule(&mut self, mut run: Run, sim0: i64, wall0: i64) {
        if !run.pending() {
            return;
        }
        run.compact();
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.runs.push(None);
                self.runs.len() - 1
            }
        };
        self.runs[slot] = Some(Scheduled { run, sim0, wall0 });
        self.push(slot);
    }

    /// Queues the next step of the run in `slot` at its wall-clock due time.
    fn push(&mut self, slot: usize) {
        let Some(s) = self.runs.get(slot).and_then(Option::as_ref) else {
            return;
        };
        let Some(&(sim, _)) = s.run.steps.get(s.run.next) else {
            return;
        };
        let wall = s.wall0 + ((sim - s.sim0) as f64 / self.speedup).round() as i64;
        let due = s.run.stamp_time(wall);
        self.heap.push(Reverse((due, self.seq, slot)));
        self.seq += 1;
    }
}

//! Deterministic synthetic GlobalCart 360 events: a year of history, then live.
//!
//! [`history`] yields, lazily and byte-for-byte reproducibly from the seed, one
//! customer event per customer, one product event per product, then the window's
//! activity in time order: each order with its funnel session(s) and lifecycle
//! (payment, shipment, delivery, returns) emitted consecutively, extra browse and
//! abandon sessions, and product price changes. Steps of an order that fall at or
//! after the window end are not emitted in history; [`History::into_live`] finishes
//! them in live mode. [`History::manifest`] summarizes the final state of every
//! emitted row per warehouse table.
//!
//! # Layout
//! - `mod.rs`: [`History`] and [`history`].
//! - `preset`: [`Preset`], [`PresetSize`], [`GeneratorConfig`].
//! - `world`: the generated world, id counters and the seasonal calendar.
//! - `geo`: countries, regions, currencies, cities, fulfilment centres, carriers.
//! - `fx`: the fixed FX table [`FX_INR_PER_UNIT`].
//! - `catalog`: categories, unique product names, popularity, price drift.
//! - `customers`: sign-up times and the power law of ordering.
//! - `basket`: basket, line pricing, payment method, fees, shipping cost.
//! - `orders`: one order's plan (sessions, payment, confirmation).
//! - `fulfilment`: shipment, delivery, completion, returns and refunds.
//! - `funnel`: funnel sessions.
//! - `run`: planned steps and how a step becomes an event.
//! - `state`: an order's entities and how lifecycle steps version them.
//! - `live`: [`Live`], the wall-clock continuation.
//! - `manifest`: [`Manifest`].
//! - `util`: time units, deterministic UUIDs, weighted picks.

mod basket;
mod catalog;
mod customers;
mod fulfilment;
mod funnel;
pub mod fx;
mod geo;
mod live;
mod manifest;
mod orders;
mod preset;
mod run;
mod state;
mod util;
mod world;

use std::collections::VecDeque;

use globalcart_schemas::events::AnyEvent;
use rand::{Rng, SeedableRng};

pub use fx::{inr_per_unit, FX_INR_PER_UNIT};
pub use live::{live, Live};
pub use manifest::{format_minor, Manifest, TableManifest};
pub use preset::{GeneratorConfig, Preset, PresetSize};

use funnel::extra_session;
use manifest::ManifestBuilder;
use orders::plan_order;
use run::{Action, Run};
use util::{day_of, Rng8, DAY};
use world::{moment, Calendar, World};

#[derive(Debug, Clone, Copy)]
enum Unit {
    Order,
    Browse,
    Abandon,
    Price,
}

enum Phase {
    Customers(usize),
    Products(usize),
    Days,
    Done,
}

/// The history of the window, as an iterator of events (see the module docs).
pub struct History {
    w: World,
    rng: Rng8,
    cal: Calendar,
    phase: Phase,
    day: usize,
    slots: Vec<(i64, Unit)>,
    slot: usize,
    out: VecDeque<AnyEvent>,
    run: Run,
    carry: Vec<Run>,
    manifest: ManifestBuilder,
    estimated: u64,
}

/// The history of `cfg` (ids start at 1).
pub fn history(cfg: &GeneratorConfig) -> History {
    let mut rng = Rng8::seed_from_u64(cfg.seed);
    let w = World::new(&mut rng, cfg, 1);
    let s = w.size;
    let orders = s.orders as u64;
    let browse = ((orders as f64 * 0.18).round() as u64).min(120_000);
    let abandon = ((orders as f64 * 0.22).round() as u64).min(150_000);
    let prices = (s.products as f64 * 0.02 * 12.0).round() as u64;
    let cal = Calendar::build(
        &mut rng,
        day_of(w.start),
        365,
        [orders, browse, abandon, prices],
    );
    // Measured: ~21.6 + 0.2 x max_items events per order (sessions included),
    // ~4 per browse and ~8 per abandon session.
    let per_order = 21.6 + 0.2 * s.max_items as f64;
    let estimated = (s.customers + s.products) as u64
        + prices
        + (orders as f64 * per_order) as u64
        + browse * 4
        + abandon * 8;
    History {
        w,
        rng,
        cal,
        phase: Phase::Customers(0),
        day: 0,
        slots: Vec::new(),
        slot: 0,
        out: VecDeque::with_capacity(64),
        run: Run::default(),
        carry: Vec::new(),
        manifest: ManifestBuilder::default(),
        estimated,
    }
}

impl History {
    /// The manifest of the events emitted so far: complete once the iterator has
    /// returned `None`, partial before.
    pub fn manifest(&self) -> Manifest {
        self.manifest.build()
    }

    /// Roughly how many events the history holds (for a progress bar).
    pub fn estimated_events(&self) -> u64 {
        self.estimated
    }

    /// Live mode after this history: ids continue, and the steps of orders cut
    /// at the window end are emitted as their (compressed) time comes. Call it
    /// once the iterator is exhausted; events not yet pulled are dropped.
    pub fn into_live(self, rate: f64, speedup: f64) -> Live {
        Live::after_history(self.w, self.rng, self.carry, rate, speedup)
    }

    /// Lays out the next day's units in time order.
    fn fill_day(&mut self) {
        let d = self.day;
        self.day += 1;
        let day_start = self.w.start + d as i64 * DAY;
        let (rng, slots) = (&mut self.rng, &mut self.slots);
        slots.clear();
        self.slot = 0;
        for (count, unit) in [
            (self.cal.orders[d], Unit::Order),
            (self.cal.browse[d], Unit::Browse),
            (self.cal.abandon[d], Unit::Abandon),
        ] {
            slots.extend((0..count).map(|_| (moment(rng, day_start), unit)));
        }
        let prices = self.cal.prices[d];
        slots.extend((0..prices).map(|_| (day_start + rng.gen_range(0..DAY), Unit::Price)));
        slots.sort_by_key(|s| s.0);
    }

    /// Plans one unit and emits its steps that fall inside the window.
    fn process(&mut self, (t, unit): (i64, Unit)) {
        let (w, rng, run) = (&mut self.w, &mut self.rng, &mut self.run);
        run.reset();
        match unit {
            Unit::Order => {
                let cust = w.customers.buyer(rng, t).unwrap_or(0);
                plan_order(w, rng, run, (t, cust), |_| t);
            }
            Unit::Browse => extra_session(run, rng, w, t, false),
            Unit::Abandon => extra_session(run, rng, w, t, true),
            Unit::Price => {
                let product = rng.gen_range(0..w.catalog.products.len().max(1));
                let factor = 1.0 + rng.gen_range(-0.03..0.06);
                run.at(t, Action::Price { product, factor });
            }
        }
        while let Some(&(due, _)) = run.steps.get(run.next) {
            if run.stamp_time(due) >= w.end {
                let mut cut = std::mem::take(run);
                cut.compact();
                self.carry.push(cut);
                break;
            }
            if let Some(e) = run.apply(due, w, rng) {
                self.out.push_back(e);
            }
        }
    }
}

impl std::iter::FusedIterator for History {}

impl Iterator for History {
    type Item = AnyEvent;

    fn next(&mut self) -> Option<AnyEvent> {
        loop {
            if let Some(e) = self.out.pop_front() {
                self.manifest.observe(&e);
                return Some(e);
            }
            match self.phase {
                Phase::Customers(i) if i < self.w.customers.len() => {
                    self.phase = Phase::Customers(i + 1);
                    let t = self.w.customers.created[i];
                    let c = self.w.customers.event(&mut self.rng, i, &self.w.geos, t);
                    self.out.push_back(AnyEvent::Customer(c));
                }
                Phase::Customers(_) => self.phase = Phase::Products(0),
                Phase::Products(i) if i < self.w.catalog.products.len() => {
                    self.phase = Phase::Products(i + 1);
                    let p = self.w.catalog.products[i].clone();
                    self.out.push_back(AnyEvent::Product(p));
                }
                Phase::Products(_) => self.phase = Phase::Days,
                Phase::Days if self.slot < self.slots.len() => {
                    let s = self.slots[self.slot];
                    self.slot += 1;
                    self.process(s);
                }
                Phase::Days if self.day < self.cal.orders.len() => self.fill_day(),
                Phase::Days => self.phase = Phase::Done,
                Phase::Done => return None,
            }
        }
    }
}

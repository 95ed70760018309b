//! Customers: creation times (a pre-existing base plus growth over the window),
//! home geography, acquisition channel and a power-law propensity to order.

use globalcart_schemas::events::CustomerEvent;
use rand::Rng;

use super::geo::Geo;
use super::util::{from_cumulative, uuid, weighted, Rng8, DAY};

const CHANNELS: [(&str, f64); 5] = [
    ("ORGANIC", 0.32),
    ("PAID_SEARCH", 0.24),
    ("SOCIAL", 0.18),
    ("AFFILIATES", 0.14),
    ("EMAIL", 0.12),
];

/// Share of customers registered before the window starts.
const PRE_EXISTING: f64 = 0.3;
/// Share of customers that never order.
const NEVER_ORDER: f64 = 0.06;
/// Pareto shape of the ordering propensity (smaller = heavier tail).
const PARETO_ALPHA: f64 = 1.8;

/// Every customer, in creation order (index = customer_id - id_base).
pub(crate) struct Customers {
    pub id_base: i64,
    pub created: Vec<i64>,
    pub geo: Vec<u32>,
    channel: Vec<&'static str>,
    /// Cumulative ordering propensity in id order.
    cum: Vec<f64>,
}

impl Customers {
    /// `n` customers created before `end`: 30 % before `start`, the rest over the
    /// window with a growing sign-up rate. Every geography gets a customer.
    pub(crate) fn build(
        rng: &mut Rng8,
        n: usize,
        geos: usize,
        id_base: i64,
        (start, end): (i64, i64),
    ) -> Customers {
        let window = (end - start) as f64;
        let mut created: Vec<i64> = (0..n)
            .map(|_| {
                if rng.gen_bool(PRE_EXISTING) {
                    start - rng.gen_range(1..730 * DAY)
                } else {
                    // Density 1 + 0.6 x over the window, sampled by inversion.
                    let u: f64 = rng.gen();
                    let x = ((1.0 + 1.56 * u).sqrt() - 1.0) / 0.6;
                    (start + (x * window) as i64).min(end - 1)
                }
            })
            .collect();
        created.sort_unstable();
        if let Some(first) = created.first_mut() {
            // Someone must exist for the first order of the window.
            *first = (*first).min(start - DAY);
        }
        let mut c = Customers {
            id_base,
            created: Vec::with_capacity(n),
            geo: Vec::with_capacity(n),
            channel: Vec::with_capacity(n),
            cum: Vec::with_capacity(n),
        };
        for (i, t) in created.into_iter().enumerate() {
            let geo = if i < geos {
                i
            } else {
                rng.gen_range(0..geos.max(1))
            };
            c.push(rng, t, geo);
        }
        c
    }

    /// Adds a customer created at `t` in geography index `geo`; returns its index.
    pub(crate) fn push(&mut self, rng: &mut Rng8, t: i64, geo: usize) -> usize {
        let first = self.cum.is_empty();
        let w = if !first && rng.gen_bool(NEVER_ORDER) {
            0.0
        } else {
            let u: f64 = rng.gen();
            (1.0 - u).powf(-1.0 / PARETO_ALPHA).min(80.0)
        };
        self.created.push(t);
        self.geo.push(geo as u32);
        self.channel.push(weighted(rng, &CHANNELS));
        self.cum.push(self.cum.last().copied().unwrap_or(0.0) + w);
        self.created.len() - 1
    }

    pub(crate) fn len(&self) -> usize {
        self.created.len()
    }

    /// A customer created before `t`, drawn by ordering propensity.
    pub(crate) fn buyer(&self, rng: &mut Rng8, t: i64) -> Option<usize> {
        let k = self.created.partition_point(|&c| c < t);
        from_cumulative(rng, &self.cum[..k]).or(k.checked_sub(1))
    }

    /// Any customer created before `t`, uniformly (browsers need not buy).
    pub(crate) fn visitor(&self, rng: &mut Rng8, t: i64) -> Option<usize> {
        let k = self.created.partition_point(|&c| c < t);
        (k > 0).then(|| rng.gen_range(0..k))
    }

    pub(crate) fn id(&self, i: usize) -> i64 {
        self.id_base + i as i64
    }

    /// The full state of customer `i`, as of `t`.
    pub(crate) fn event(&self, rng: &mut Rng8, i: usize, geos: &[Geo], t: i64) -> CustomerEvent {
        let geo = &geos[self.geo[i] as usize];
        let country = geo.country();
        CustomerEvent {
            event_id: uuid(rng),
            customer_id: self.id(i),
            event_time: t,
            updated_at: t,
            customer_created_at: self.created[i],
            geo_id: geo.id,
            country: country.name.to_owned(),
            region: country.region.to_owned(),
            city: geo.city.to_owned(),
            currency: country.currency.to_owned(),
            acquisition_channel: self.channel[i].to_owned(),
        }
    }
}

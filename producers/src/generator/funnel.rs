//! Funnel sessions: the session that ends in an order (with an optional earlier
//! research session) and the sessions that only browse or abandon a cart.

use rand::seq::SliceRandom;
use rand::Rng;

use super::run::{Action, Run, Session};
use super::util::{hex8, span, Rng8, SEC};
use super::world::World;

/// Share of extra sessions made by a known customer (the rest are guests).
const KNOWN_VISITOR: f64 = 0.62;

/// WEB or APP, and the device: always MOBILE on APP, MOBILE 65 % of the time on WEB.
pub(crate) fn channel_device(rng: &mut Rng8) -> (&'static str, &'static str) {
    let channel = if rng.gen_bool(0.5) { "WEB" } else { "APP" };
    let device = if channel == "APP" || rng.gen_bool(0.65) {
        "MOBILE"
    } else {
        "DESKTOP"
    };
    (channel, device)
}

/// Plans clicks with offsets relative to the session start, then shifts them.
struct Clicks<'a> {
    run: &'a mut Run,
    from: usize,
    session: u8,
    rel: i64,
}

impl<'a> Clicks<'a> {
    fn open(
        run: &'a mut Run,
        id: String,
        customer: Option<i64>,
        cd: (&'static str, &'static str),
    ) -> Self {
        let session = run.sessions.len() as u8;
        run.sessions.push(Session {
            id,
            channel: cd.0,
            device: cd.1,
            customer,
        });
        let from = run.steps.len();
        Clicks {
            run,
            from,
            session,
            rel: 0,
        }
    }

    /// A click `gap` seconds (range) after the previous one.
    fn click(
        &mut self,
        rng: &mut Rng8,
        gap: (i64, i64),
        stage: &'static str,
        product: Option<i64>,
    ) {
        self.step(rng, gap, stage, product, false, None);
    }

    fn step(
        &mut self,
        rng: &mut Rng8,
        gap: (i64, i64),
        stage: &'static str,
        product: Option<i64>,
        with_order: bool,
        reason: Option<&'static str>,
    ) {
        if self.run.steps.len() > self.from {
            self.rel += span(rng, gap.0 * SEC, gap.1 * SEC);
        }
        let session = self.session;
        let action = Action::Click {
            session,
            stage,
            product,
            with_order,
            reason,
        };
        self.run.at(self.rel, action);
    }

    /// Places the session so that it starts at `start`; returns its end.
    fn start_at(self, start: i64) -> i64 {
        for s in &mut self.run.steps[self.from..] {
            s.0 += start;
        }
        start + self.rel
    }

    /// Places the session so that it ends at `end`; returns its start.
    fn end_at(self, end: i64) -> i64 {
        let start = end - self.rel;
        self.start_at(start);
        start
    }
}

/// Views of the products (1-`max_views` each), adding each product flagged
/// `true` to the cart with probability `p_add`.
fn views(c: &mut Clicks, rng: &mut Rng8, products: &[(i64, bool)], max_views: u32, p_add: f64) {
    for &(product, add) in products {
        for _ in 0..rng.gen_range(1..=max_views) {
            c.click(rng, (5, 35), "VIEW_PRODUCT", Some(product));
        }
        if add && rng.gen_bool(p_add) {
            c.click(rng, (3, 20), "ADD_TO_CART", Some(product));
        }
    }
}

/// The buying session of an order, ending just before `t_order`: views of the
/// basket (plus 0-2 other products), cart, checkout, payment attempt and outcome.
/// Returns the session start.
#[allow(clippy::too_many_arguments)]
pub(crate) fn order_session(
    run: &mut Run,
    rng: &mut Rng8,
    w: &World,
    t_order: i64,
    basket: &[i64],
    cd: (&'static str, &'static str),
    (customer, order): (i64, i64),
    failure: Option<&'static str>,
) -> i64 {
    let mut products: Vec<(i64, bool)> = basket.iter().map(|&p| (p, true)).collect();
    for _ in 0..rng.gen_range(0..=2) {
        let extra = w.catalog.products[w.catalog.popular(rng)].product_id;
        if !products.iter().any(|&(p, _)| p == extra) {
            products.push((extra, false));
        }
    }
    products.shuffle(rng);
    let id = format!("s-{order}-{}", hex8(rng));
    let mut c = Clicks::open(run, id, Some(customer), cd);
    views(&mut c, rng, &products, 3, 0.92);
    c.click(rng, (5, 30), "VIEW_CART", None);
    c.click(rng, (10, 60), "CHECKOUT_STARTED", None);
    c.step(rng, (15, 90), "PAYMENT_ATTEMPTED", None, true, None);
    match failure {
        Some(reason) => c.step(rng, (3, 20), "PAYMENT_FAILED", None, true, Some(reason)),
        None => c.step(rng, (3, 20), "ORDER_PLACED", None, true, None),
    }
    c.end_at(t_order - span(rng, SEC, 5 * SEC))
}

/// An earlier session of the same customer looking at part of the basket,
/// ending at `end`. Returns its start, or `None` (and plans nothing) if it would
/// start before `not_before`.
pub(crate) fn research_session(
    run: &mut Run,
    rng: &mut Rng8,
    w: &World,
    (end, not_before): (i64, i64),
    basket: &[i64],
    (customer, order): (i64, i64),
) -> Option<i64> {
    let mut products: Vec<(i64, bool)> = basket
        .iter()
        .take(rng.gen_range(1..=basket.len().max(1)))
        .map(|&p| (p, true))
        .collect();
    for _ in 0..rng.gen_range(0..=3) {
        products.push((w.catalog.products[w.catalog.popular(rng)].product_id, false));
    }
    products.shuffle(rng);
    let id = format!("s-{order}-{}", hex8(rng));
    let cd = channel_device(rng);
    let (steps, sessions) = (run.steps.len(), run.sessions.len());
    let mut c = Clicks::open(run, id, Some(customer), cd);
    views(&mut c, rng, &products, 2, 0.3);
    let start = c.end_at(end);
    if start > not_before {
        Some(start)
    } else {
        run.steps.truncate(steps);
        run.sessions.truncate(sessions);
        None
    }
}

/// A session that never pays, starting at `t`: browse (views only) or abandon
/// (views, cart, sometimes checkout). 62 % are known customers.
pub(crate) fn extra_session(run: &mut Run, rng: &mut Rng8, w: &mut World, t: i64, abandon: bool) {
    let customer = if rng.gen_bool(KNOWN_VISITOR) {
        w.customers.visitor(rng, t).map(|i| w.customers.id(i))
    } else {
        None
    };
    let n = w.ids.session;
    w.ids.session += 1;
    let id = format!("s-x{n}-{}", hex8(rng));
    let cd = channel_device(rng);
    let viewed = if abandon {
        rng.gen_range(1..=6)
    } else {
        rng.gen_range(1..=4)
    };
    let added = if abandon {
        rng.gen_range(1..=viewed.min(4))
    } else {
        0
    };
    let products: Vec<(i64, bool)> = (0..viewed)
        .map(|k| {
            (
                w.catalog.products[w.catalog.popular(rng)].product_id,
                k < added,
            )
        })
        .collect();
    let mut c = Clicks::open(run, id, customer, cd);
    views(&mut c, rng, &products, 2, 1.0);
    if abandon && rng.gen_bool(0.65) {
        c.click(rng, (5, 40), "VIEW_CART", None);
        if rng.gen_bool(0.5) {
            c.click(rng, (10, 90), "CHECKOUT_STARTED", None);
        }
    }
    c.start_at(t);
}

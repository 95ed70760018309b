//! What an order contains and costs: basket size and products, line pricing in
//! the customer's currency, payment method, gateway fee and shipping cost.

use globalcart_schemas::events::{OrderEvent, OrderItem};
use rand::Rng;

use super::fx::{from_inr, INR_PER_USD};
use super::geo::Country;
use super::util::{weighted, Rng8};
use super::world::World;

/// Product indices of a new basket: 1..max_items distinct products, mostly small
/// baskets, products drawn by popularity.
pub(crate) fn basket(w: &World, rng: &mut Rng8) -> Vec<usize> {
    let max = w.size.max_items.max(1);
    let mut weights = [0.0; 16];
    let mut p = 1.0;
    for wk in weights.iter_mut().take(max.min(16)) {
        *wk = p;
        p *= 0.55;
    }
    let sizes: Vec<(usize, f64)> = (1..=max.min(16)).map(|k| (k, weights[k - 1])).collect();
    let n = weighted(rng, &sizes).min(w.catalog.products.len());
    let mut picked: Vec<usize> = Vec::with_capacity(n);
    let mut tries = 0;
    while picked.len() < n && tries < 50 * n {
        tries += 1;
        let i = w.catalog.popular(rng);
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    if picked.is_empty() {
        picked.push(0);
    }
    picked
}

/// Prices the basket into an order (ids, amounts and lines; status and times are
/// set when the order is emitted). `month` (1-12) drives holiday discounting.
pub(crate) fn price(
    w: &mut World,
    rng: &mut Rng8,
    products: &[usize],
    (order_id, customer_id, geo_id): (i64, i64, i64),
    country: &Country,
    month: u32,
) -> OrderEvent {
    let holiday = month >= 11;
    let mut items = Vec::with_capacity(products.len());
    let (mut gross, mut discount, mut tax, mut net) = (0, 0, 0, 0);
    for &p in products {
        let cat = w.catalog.category_of(p);
        let prod = &w.catalog.products[p];
        let list = from_inr(prod.list_price, country.fx);
        let cost = from_inr(prod.unit_cost, country.fx);
        let mut d: f64 = rng.gen_range(0.02..0.18);
        if holiday {
            d += rng.gen_range(0.05..0.18);
        }
        if cat.l1 == "BEAUTY" {
            d += rng.gen_range(0.02..0.08);
        }
        let sell = (list as f64 * (1.0 - d.min(0.55))).round() as i64;
        let qty: i64 = weighted(rng, &[(1, 0.72), (2, 0.2), (3, 0.08)]);
        let line_net = sell * qty;
        let line_tax = (line_net * 7 + 50).div_euclid(100);
        let line_discount = (list - sell) * qty;
        gross += list * qty;
        discount += line_discount;
        tax += line_tax;
        net += line_net;
        items.push(OrderItem {
            order_item_id: w.ids.item,
            product_id: prod.product_id,
            qty: qty as i32,
            unit_list_price: list,
            unit_sell_price: sell,
            unit_cost: cost,
            line_discount,
            line_tax,
            line_net_revenue: line_net,
        });
        w.ids.item += 1;
    }
    OrderEvent {
        event_id: String::new(),
        order_id,
        event_time: 0,
        updated_at: 0,
        customer_id,
        geo_id,
        order_ts: 0,
        order_status: String::new(),
        channel: String::new(),
        device: String::new(),
        currency: country.currency.to_owned(),
        gross_amount: gross,
        discount_amount: discount,
        tax_amount: tax,
        net_amount: net,
        items,
    }
}

/// Payment method and a provider consistent with it. UPI exists only in India.
pub(crate) fn payment_method(rng: &mut Rng8, country: &Country) -> (&'static str, &'static str) {
    let method = if country.upi {
        weighted(
            rng,
            &[("CARD", 0.3), ("UPI", 0.4), ("WALLET", 0.12), ("COD", 0.18)],
        )
    } else {
        weighted(rng, &[("CARD", 0.65), ("WALLET", 0.27), ("COD", 0.08)])
    };
    let provider = match method {
        "CARD" => weighted(
            rng,
            &[("VISA", 0.45), ("MASTERCARD", 0.35), ("STRIPE", 0.2)],
        ),
        "UPI" => "RAZORPAY",
        "WALLET" if country.upi => weighted(rng, &[("RAZORPAY", 0.7), ("PAYPAL", 0.3)]),
        "WALLET" => "PAYPAL",
        _ => "COD",
    };
    (method, provider)
}

/// Gateway fee of a captured prepaid payment: 1.5-2.5 % (UPI 1.0-1.6 %) plus a
/// fixed part worth 2-25 rupees.
pub(crate) fn gateway_fee(rng: &mut Rng8, method: &str, amount: i64, fx: f64) -> i64 {
    let rate = if method == "UPI" {
        rng.gen_range(0.010..0.016)
    } else {
        rng.gen_range(0.015..0.025)
    };
    let fixed = from_inr(rng.gen_range(200..=2500), fx);
    (amount as f64 * rate).round() as i64 + fixed
}

/// Shipping cost in the order currency: a parcel base by country plus freight by
/// category and quantity; cross-border parcels cost 60 % more.
pub(crate) fn shipping_cost(
    w: &World,
    rng: &mut Rng8,
    products: &[usize],
    order: &OrderEvent,
    country: &Country,
    cross_border: bool,
) -> i64 {
    let freight: f64 = products
        .iter()
        .zip(&order.items)
        .map(|(&p, item)| w.catalog.category_of(p).freight_usd * f64::from(item.qty))
        .sum();
    let mut usd = (country.ship_base_usd + freight) * rng.gen_range(0.85..1.2);
    if cross_border {
        usd *= 1.6;
    }
    (usd * 100.0 * INR_PER_USD / country.fx).round() as i64
}

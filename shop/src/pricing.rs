//! Prices, tax and promo codes, all in minor units of the catalog currency.
//!
//! - Sell price = list × (1 − d), d ∈ {5, 8, 10, 12, 15, 18, 20} % by
//!   `product_id mod 7`: a stable shelf discount, as in the reference.
//! - Tax = 7 % of each line's net (after the promo share), rounded half up.
//! - A promo code takes PERCENT of the subtotal (capped by `max_discount`) or
//!   a FLAT amount, never more than the subtotal, and only from its minimum
//!   order amount; its discount is spread over the lines pro rata, so every
//!   line's net revenue and tax reflect what is actually charged.

use serde_json::json;

/// The shelf discount of a product, in percent.
pub fn discount_pct(product_id: i64) -> i64 {
    [5, 8, 10, 12, 15, 18, 20][product_id.rem_euclid(7) as usize]
}

/// The sell price of a product listed at `list` (minor units).
pub fn sell_price(product_id: i64, list: i64) -> i64 {
    (list * (100 - discount_pct(product_id)) + 50).div_euclid(100)
}

/// 7 % tax of a line net, rounded half up.
pub fn tax(net: i64) -> i64 {
    (net * 7 + 50).div_euclid(100)
}

/// A promo code as stored (amounts in minor units).
#[derive(Debug, Clone)]
pub struct Promo {
    pub code: String,
    pub percent: Option<i64>,
    pub flat: Option<i64>,
    pub max_discount: Option<i64>,
    pub min_order: i64,
    pub active: bool,
    pub expired: bool,
    /// Each customer may use it on one order that is not cancelled.
    pub once_per_customer: bool,
}

impl Promo {
    /// The discount on `subtotal`, or why the code does not apply.
    pub fn discount(&self, subtotal: i64) -> Result<i64, String> {
        if !self.active || self.expired {
            return Err(format!("{} has expired", self.code));
        }
        if subtotal < self.min_order {
            return Err(format!(
                "{} needs an order of at least {:.2}",
                self.code,
                self.min_order as f64 / 100.0
            ));
        }
        let mut d = match (self.percent, self.flat) {
            (Some(p), _) => (subtotal * p + 50).div_euclid(100),
            (None, Some(f)) => f,
            _ => 0,
        };
        if let Some(max) = self.max_discount {
            d = d.min(max);
        }
        Ok(d.min(subtotal))
    }
}

/// One line to price: product, units, list price and unit cost.
#[derive(Debug, Clone)]
pub struct LineIn {
    pub product_id: i64,
    pub name: String,
    pub qty: i64,
    pub list: i64,
    pub cost: i64,
}

/// A priced line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub product_id: i64,
    pub name: String,
    pub qty: i64,
    pub unit_list: i64,
    pub unit_sell: i64,
    pub unit_cost: i64,
    /// Shelf discount plus the line's share of the promo.
    pub discount: i64,
    pub promo_share: i64,
    pub net: i64,
    pub tax: i64,
}

/// Totals of a priced basket.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    pub lines: Vec<Line>,
    pub gross: i64,
    /// Σ sell × qty, before the promo.
    pub subtotal: i64,
    pub discount: i64,
    pub promo_discount: i64,
    pub tax: i64,
    /// What the customer pays: gross − discount + tax.
    pub total: i64,
}

/// Prices `lines`, spreading `promo_discount` over them pro rata (the last
/// line takes the rounding rest, so the shares add up exactly).
pub fn price(lines: &[LineIn], promo_discount: i64) -> Totals {
    let subtotal: i64 = lines
        .iter()
        .map(|l| sell_price(l.product_id, l.list) * l.qty)
        .sum();
    let mut left = promo_discount;
    let mut out = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let unit_sell = sell_price(l.product_id, l.list);
        let sell = unit_sell * l.qty;
        let share = if i + 1 == lines.len() {
            left
        } else if subtotal > 0 {
            (promo_discount as i128 * sell as i128 / subtotal as i128) as i64
        } else {
            0
        };
        left -= share;
        let net = sell - share;
        out.push(Line {
            product_id: l.product_id,
            name: l.name.clone(),
            qty: l.qty,
            unit_list: l.list,
            unit_sell,
            unit_cost: l.cost,
            discount: (l.list - unit_sell) * l.qty + share,
            promo_share: share,
            net,
            tax: tax(net),
        });
    }
    let gross = lines.iter().map(|l| l.list * l.qty).sum();
    let discount = out.iter().map(|l| l.discount).sum();
    let tax = out.iter().map(|l| l.tax).sum();
    Totals {
        gross,
        subtotal,
        discount,
        promo_discount,
        tax,
        total: gross - discount + tax,
        lines: out,
    }
}

/// The JSON of a promo check.
pub fn promo_json(code: &str, result: &Result<i64, String>) -> serde_json::Value {
    match result {
        Ok(d) => json!({"code": code, "valid": true, "discount": super::money(*d),
                        "message": format!("{code} applied")}),
        Err(m) => json!({"code": code, "valid": false, "discount": 0.0, "message": m}),
    }
}

#[cfg(test)]
// amounts in minor units: 100_00 reads as 100.00
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn line(id: i64, qty: i64, list: i64) -> LineIn {
        LineIn {
            product_id: id,
            name: format!("p{id}"),
            qty,
            list,
            cost: list / 2,
        }
    }

    #[test]
    fn shelf_discount_follows_the_product_id() {
        assert_eq!(discount_pct(7), 5);
        assert_eq!(discount_pct(13), 20);
        assert_eq!(sell_price(7, 100_00), 95_00);
        assert_eq!(sell_price(13, 999), 799); // 799.2 rounds to 799
    }

    #[test]
    fn a_promo_is_spread_over_the_lines_and_changes_tax_and_total() {
        // sells: 95.00 × 2 = 190.00 and 80.00 × 1 = 80.00 → subtotal 270.00
        let t = price(&[line(7, 2, 100_00), line(13, 1, 100_00)], 27_00);
        assert_eq!(t.subtotal, 270_00);
        assert_eq!(t.lines[0].promo_share, 19_00);
        assert_eq!(t.lines[1].promo_share, 8_00);
        assert_eq!(t.lines[0].net, 171_00);
        assert_eq!(t.lines[0].tax, 11_97);
        assert_eq!(t.lines[1].tax, 5_04);
        assert_eq!(t.gross, 300_00);
        assert_eq!(t.discount, 30_00 + 27_00);
        assert_eq!(t.total, 300_00 - 57_00 + 17_01);
        let without = price(&[line(7, 2, 100_00), line(13, 1, 100_00)], 0);
        assert_eq!(without.total, 270_00 + 18_90);
    }

    #[test]
    fn promo_rules() {
        let welcome = Promo {
            code: "WELCOME10".into(),
            percent: Some(10),
            flat: None,
            max_discount: Some(250_00),
            min_order: 0,
            active: true,
            expired: false,
            once_per_customer: false,
        };
        assert_eq!(welcome.discount(1000_00), Ok(100_00));
        assert_eq!(welcome.discount(10_000_00), Ok(250_00));
        let flat = Promo {
            code: "FLAT100".into(),
            percent: None,
            flat: Some(100_00),
            max_discount: None,
            min_order: 499_00,
            active: true,
            expired: false,
            once_per_customer: false,
        };
        assert!(flat.discount(498_99).is_err());
        assert_eq!(flat.discount(499_00), Ok(100_00));
        let gone = Promo {
            expired: true,
            ..flat
        };
        assert!(gone.discount(1000_00).is_err());
    }
}

//! The fixed FX table: how many Indian rupees one unit of each currency buys.
//!
//! The catalog is priced in INR; orders are charged in the customer's currency
//! by dividing INR amounts by the rate. The warehouse is seeded with the same table.

/// INR per one unit of each order currency.
pub const FX_INR_PER_UNIT: [(&str, f64); 9] = [
    ("USD", 83.0),
    ("CAD", 61.0),
    ("GBP", 105.0),
    ("EUR", 90.0),
    ("INR", 1.0),
    ("SGD", 62.0),
    ("AUD", 55.0),
    ("JPY", 0.56),
    ("BRL", 16.5),
];

/// INR per unit of `currency`, if it is in the table.
pub fn inr_per_unit(currency: &str) -> Option<f64> {
    FX_INR_PER_UNIT
        .iter()
        .find(|(code, _)| *code == currency)
        .map(|&(_, rate)| rate)
}

/// An INR amount (minor units) converted to a currency whose rate is `inr_per_unit`,
/// rounded to minor units.
pub(crate) fn from_inr(minor_inr: i64, inr_per_unit: f64) -> i64 {
    (minor_inr as f64 / inr_per_unit).round() as i64
}

/// INR per US dollar, for costs specified in dollars.
pub(crate) const INR_PER_USD: f64 = FX_INR_PER_UNIT[0].1;

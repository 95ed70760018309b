//! The semantic contract: the rules an event must keep beyond its Avro schema.
//!
//! Each rule is one small function returning `Err(reason)` with a reason a
//! person can act on (the field, the value, the rule). The per-event rule lists
//! are in [`crate::events`] (`validate`); docs/architecture.md ("The event
//! contract") lists them in prose. The consumers reject a violating message to
//! the dead-letter topic with that reason; the generator and the shop cannot
//! emit one, because [`crate::AnyEvent::encode`] validates before it encodes.

/// Currencies the warehouse can convert (`dim_currency`, seeded by migration
/// 002; a test checks the two agree). An amount in any other currency would
/// have no USD value and drop out of every KPI, so it is rejected.
pub const CURRENCIES: [&str; 9] = [
    "USD", "CAD", "GBP", "EUR", "INR", "SGD", "AUD", "JPY", "BRL",
];

/// The earliest time an event may carry: 2000-01-01T00:00:00Z (microseconds).
pub const EARLIEST_MICROS: i64 = 946_684_800_000_000;
/// How far past the consumer's clock an event time may be (clock skew): 1 day.
pub const MAX_AHEAD_MICROS: i64 = 86_400_000_000;
/// How far past the consumer's clock a promised delivery date may be: 400 days.
pub const MAX_AHEAD_DAYS: i32 = 400;

const MICROS_PER_DAY: i64 = 86_400_000_000;

fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// `value` is one of `allowed`.
pub fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!("{field} {value:?} is not one of {allowed:?}"))
    }
}

/// Money and counts are never negative.
pub fn non_negative(field: &str, value: i64) -> Result<(), String> {
    if value >= 0 {
        Ok(())
    } else {
        Err(format!("{field} is negative ({value})"))
    }
}

/// Entity and reference ids are positive. An id the warehouse has not seen
/// yet is accepted (topics are not ordered with each other: an order may
/// arrive before its customer); the views join dimensions with left joins,
/// so such a row shows null attributes until its dimension event arrives.
pub fn id(field: &str, value: i64) -> Result<(), String> {
    if value > 0 {
        Ok(())
    } else {
        Err(format!("{field} must be a positive id (got {value})"))
    }
}

/// An optional reference id is absent or positive.
pub fn opt_id(field: &str, value: Option<i64>) -> Result<(), String> {
    value.map_or(Ok(()), |v| id(field, v))
}

/// A currency the warehouse knows ([`CURRENCIES`]).
pub fn currency(value: &str) -> Result<(), String> {
    if CURRENCIES.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "currency {value:?} is not one the warehouse converts ({CURRENCIES:?}); add it to dim_currency and to schemas::contract::CURRENCIES first"
        ))
    }
}

/// A time (microseconds since the epoch) between 2000-01-01 and a day past now.
pub fn time(field: &str, micros: i64) -> Result<(), String> {
    let latest = now_micros() + MAX_AHEAD_MICROS;
    if (EARLIEST_MICROS..=latest).contains(&micros) {
        Ok(())
    } else {
        let shown = chrono_like(micros);
        Err(format!(
            "{field} {shown} is outside the accepted window (2000-01-01 to one day past the consumer's clock)"
        ))
    }
}

/// An optional time is absent or within [`time`]'s window.
pub fn opt_time(field: &str, micros: Option<i64>) -> Result<(), String> {
    micros.map_or(Ok(()), |t| time(field, t))
}

/// A date (days since the epoch) between 2000-01-01 and 400 days past now.
pub fn date(field: &str, days: i32) -> Result<(), String> {
    let earliest = (EARLIEST_MICROS / MICROS_PER_DAY) as i32;
    let latest = (now_micros() / MICROS_PER_DAY) as i32 + MAX_AHEAD_DAYS;
    if (earliest..=latest).contains(&days) {
        Ok(())
    } else {
        Err(format!(
            "{field} (day {days} since 1970-01-01) is outside 2000-01-01 to 400 days from now"
        ))
    }
}

/// `a * b` without overflow, as a reason when it would overflow.
pub fn product(field: &str, a: i64, b: i64) -> Result<i64, String> {
    a.checked_mul(b)
        .ok_or_else(|| format!("{field} overflows ({a} × {b})"))
}

/// `Σ values` without overflow.
pub fn sum(field: &str, values: impl IntoIterator<Item = i64>) -> Result<i64, String> {
    values
        .into_iter()
        .try_fold(0i64, |acc, v| acc.checked_add(v))
        .ok_or_else(|| format!("{field} overflows"))
}

/// A header amount equals the sum of its lines.
pub fn adds_up(field: &str, header: i64, lines_field: &str, lines: i64) -> Result<(), String> {
    if header == lines {
        Ok(())
    } else {
        Err(format!(
            "{field} {header} differs from the sum of the lines' {lines_field} {lines}"
        ))
    }
}

/// A microsecond time as a date for reasons (raw microseconds when chrono
/// cannot represent it).
fn chrono_like(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| format!("{micros} µs since 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_render_as_dates() {
        assert_eq!(chrono_like(0), "1970-01-01");
        assert_eq!(chrono_like(EARLIEST_MICROS), "2000-01-01");
        assert_eq!(chrono_like(253_402_214_400_000_000), "9999-12-31");
    }

    #[test]
    fn the_window_refuses_the_far_future_and_the_distant_past() {
        assert!(time("t", now_micros()).is_ok());
        assert!(time("t", EARLIEST_MICROS).is_ok());
        let e = time("order_ts", 253_402_214_400_000_000).unwrap_err();
        assert!(e.contains("order_ts 9999-12-31"), "{e}");
        assert!(time("t", EARLIEST_MICROS - 1).is_err());
        assert!(date("d", 20_000).is_ok());
        assert!(date("d", 0).is_err());
    }

    #[test]
    fn ids_money_and_currencies() {
        assert!(id("customer_id", -1).unwrap_err().contains("positive"));
        assert!(id("customer_id", 0).is_err());
        assert!(opt_id("x", None).is_ok());
        assert!(non_negative("discount_amount", -5).is_err());
        assert!(currency("ZZZ").unwrap_err().contains("dim_currency"));
        assert!(currency("USD").is_ok());
        assert!(product("x", i64::MAX, 2).is_err());
        assert!(sum("x", [i64::MAX, 1]).is_err());
    }
}

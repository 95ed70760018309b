//! The report period: inclusive UTC days, either end open.

use chrono::NaiveDate;

use crate::error::{Error, Result};

/// Inclusive UTC days; `None` = unbounded on that side. The SQL functions
/// take the same pair (`kpi_period(from, to)`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// Every day with data.
    pub const ALL: Period = Period {
        from: None,
        to: None,
    };

    /// An error when `from` is after `to`.
    pub fn check(&self) -> Result<()> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if from > to => Err(Error::Period { from, to }),
            _ => Ok(()),
        }
    }

    /// The period in words, for the title rows.
    pub fn describe(&self) -> String {
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("{f} to {t} (UTC days, inclusive)"),
            (Some(f), None) => format!("from {f} (UTC days, inclusive), no end"),
            (None, Some(t)) => format!("every day up to {t} (UTC days, inclusive)"),
            (None, None) => "every day with data (no bounds)".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_period_that_ends_before_it_starts_is_refused() {
        let p = Period {
            from: Some(day("2026-02-01")),
            to: Some(day("2026-01-31")),
        };
        assert!(matches!(p.check(), Err(Error::Period { .. })));
        assert!(Period::ALL.check().is_ok());
        let one_day = Period {
            from: Some(day("2026-02-01")),
            to: Some(day("2026-02-01")),
        };
        assert!(one_day.check().is_ok());
    }
}

//! The `from` / `to` query parameters of the period endpoints (KPI summary,
//! mart exports, the Excel report): UTC days, both inclusive, either may be
//! absent or empty; a bad one is a 400 naming it.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD`.
#[derive(Debug, Deserialize)]
pub struct Days {
    from: Option<String>,
    to: Option<String>,
}

impl Days {
    /// The two days, checked: each a date, `from` not after `to`.
    pub fn parse(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
        let (from, to) = (day("from", &self.from)?, day("to", &self.to)?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(Error::BadRequest(
                    "parameter from: must not be after to".into(),
                ));
            }
        }
        Ok((from, to))
    }
}

fn day(name: &str, v: &Option<String>) -> Result<Option<NaiveDate>> {
    v.as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                Error::BadRequest(format!(
                    "parameter {name}: {s:?} is not a date (YYYY-MM-DD)"
                ))
            })
        })
        .transpose()
}

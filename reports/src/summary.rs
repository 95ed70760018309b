//! Sheet "KPI summary": one row per column of `kpi_period(from, to)`, the
//! function behind `GET /api/kpis/summary`, in the function's column order.
//!
//! Layout: rows 1–3 title, period and as-of line; the header is on row 5
//! ([`HEADER_ROW`](crate::HEADER_ROW) = 4, 0-based), frozen, with an
//! autofilter; one KPI per row from row 6: A = KPI key (the JSON key of the
//! API), B = label, C = value (blank when the KPI is null, e.g. a ratio over
//! a zero denominator), D = unit.

use chrono::NaiveDate;
use rust_xlsxwriter::Worksheet;
use tokio_postgres::Client;

use crate::error::{Error, Result};
use crate::format::{self, Formats, Kind, HEADER_ROW};
use crate::report::Context;
use crate::Period;
use globalcart_common::query;

/// Sheet name.
pub const SHEET: &str = "KPI summary";

/// One KPI of the period.
#[derive(Debug, Clone)]
pub(crate) struct Kpi {
    pub key: String,
    pub value: Option<f64>,
    pub day: Option<NaiveDate>,
}

impl Kpi {
    pub fn kind(&self) -> Kind {
        if self.day.is_some() {
            Kind::Date
        } else {
            Kind::of(&self.key)
        }
    }
}

/// Every KPI of the period.
#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    pub kpis: Vec<Kpi>,
}

impl Data {
    pub fn get(&self, key: &str) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.key == key)
    }

    pub fn value(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(|k| k.value)
    }

    pub fn day(&self, key: &str) -> Option<NaiveDate> {
        self.get(key).and_then(|k| k.day)
    }

    pub fn keys(&self) -> Vec<String> {
        self.kpis.iter().map(|k| k.key.clone()).collect()
    }
}

/// The period's KPIs, computed once (`kpi_period`) as a JSON object in the
/// function's column order: the summary, funnel and leakage sheets all read it.
pub(crate) async fn period_row(client: &Client, period: &Period) -> Result<String> {
    let q = query!("report_kpi_period_row");
    let rows = q.rows(client, &[&period.from, &period.to]).await?;
    match rows.first() {
        Some(r) => Ok(q.get(r, 0)?),
        None => Err(Error::NoRow("report_kpi_period_row")),
    }
}

pub(crate) async fn load(client: &Client, period_row: &str) -> Result<Data> {
    let q = query!("report_kpi_summary");
    let rows = q.rows(client, &[&period_row]).await?;
    let kpis = rows
        .iter()
        .map(|r| {
            Ok(Kpi {
                key: q.get(r, "key")?,
                value: q.get(r, "value")?,
                day: q.get(r, "day")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Data { kpis })
}

pub(crate) fn write(ws: &mut Worksheet, f: &Formats, ctx: &Context, data: &Data) -> Result<()> {
    ws.set_name(SHEET)?;
    format::title_rows(ws, f, "KPI summary", &ctx.lines())?;
    format::header(
        ws,
        f,
        HEADER_ROW,
        &["KPI key", "Label", "Value", "Unit"],
        true,
    )?;
    let mut row = HEADER_ROW;
    for k in &data.kpis {
        row += 1;
        let kind = k.kind();
        ws.write_string(row, 0, &k.key)?;
        ws.write_string(row, 1, format::label(&k.key))?;
        match k.day {
            Some(d) => {
                ws.write_date_with_format(row, 2, d, &f.date)?;
            }
            None => format::number(ws, row, 2, k.value, f.of(kind))?,
        }
        ws.write_string(row, 3, kind.unit())?;
    }
    ws.autofilter(HEADER_ROW, 0, row, 3)?;
    ws.set_column_width(0, 36)?;
    ws.set_column_width(1, 36)?;
    ws.set_column_width(2, 18)?;
    ws.set_column_width(3, 22)?;
    Ok(())
}

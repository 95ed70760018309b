//! Sheet "Definitions": for every KPI key of the summary sheet, its
//! definition as the database states it: the comment of the column of
//! `vw_kpi_totals` (which is `kpi_period` over all time, same columns) or,
//! when that column has none, of `vw_kpi_daily`; so the text cannot drift
//! from the SQL. Then the conventions of the numbers, headed by the comment
//! of `kpi_period` itself.
//!
//! Layout: header on row 5 ([`HEADER_ROW`](crate::HEADER_ROW)), one KPI per
//! row in the order of the summary (A = KPI key, B = label, C = definition,
//! D = the view the comment comes from); the notes start two rows below.

use rust_xlsxwriter::Worksheet;
use tokio_postgres::Client;

use crate::error::Result;
use crate::format::{self, Formats, HEADER_ROW};
use crate::report::Context;
use globalcart_common::query;

/// Sheet name.
pub const SHEET: &str = "Definitions";

#[derive(Debug, Clone)]
pub(crate) struct Definition {
    pub key: String,
    pub text: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    pub definitions: Vec<Definition>,
    /// The comment of `kpi_period(date, date)`.
    pub scope: Option<String>,
}

pub(crate) async fn load(client: &Client, keys: &[String]) -> Result<Data> {
    let q = query!("report_definitions");
    let definitions = q
        .rows(client, &[&keys])
        .await?
        .iter()
        .map(|r| {
            Ok(Definition {
                key: q.get(r, "key")?,
                text: q.get(r, "definition")?,
                source: q.get(r, "source")?,
            })
        })
        .collect::<Result<_>>()?;
    let q = query!("report_kpi_period_comment");
    let scope = match q.rows(client, &[]).await?.first() {
        Some(r) => q.get(r, 0)?,
        None => None,
    };
    Ok(Data { definitions, scope })
}

/// The conventions every number of the report follows (docs/kpi_definitions.md).
const CONVENTIONS: [&str; 6] = [
    "Money: every amount is in USD (each row converted from its own currency with dim_currency.fx_to_reporting); amounts are exact in the database and rounded only for display.",
    "Revenue: net revenue = gross − discount, excluding tax. There is no other revenue; refunds are subtracted from profit without their tax.",
    "Scope: a completed order is paid and not cancelled (CONFIRMED, SHIPPED, DELIVERED, COMPLETED, RETURNED); revenue, profit, shipping, refunds and SLA count completed orders only. The funnel and payment attempts see every session and attempt.",
    "Days: UTC calendar days; the period is inclusive at both ends. Orders and their whole P&L fall on the order day, shipments on the ship day, refunds issued on the return day, sessions on the day they started.",
    "Ratios: 0–1 in the database (shown as percentages here), recomputed from the period's sums, never averaged; blank when the denominator is 0.",
    "Totals in the cross-tab sheets are Excel SUM formulas whose stored result is the total computed by PostgreSQL; the RFM and forecast sheets show the latest analytics run, whatever the period.",
];

pub(crate) fn write(ws: &mut Worksheet, f: &Formats, ctx: &Context, data: &Data) -> Result<()> {
    ws.set_name(SHEET)?;
    format::title_rows(ws, f, "Definitions and conventions", &ctx.lines())?;
    format::header(
        ws,
        f,
        HEADER_ROW,
        &[
            "KPI key",
            "Label",
            "Definition (database comment)",
            "Source",
        ],
        true,
    )?;
    let mut row = HEADER_ROW;
    for d in &data.definitions {
        row += 1;
        ws.write_string_with_format(row, 0, &d.key, &f.wrap)?;
        ws.write_string_with_format(row, 1, format::label(&d.key), &f.wrap)?;
        let text = d
            .text
            .as_deref()
            .unwrap_or("(no comment in vw_kpi_totals or vw_kpi_daily)");
        ws.write_string_with_format(row, 2, text, &f.wrap)?;
        ws.write_string_with_format(row, 3, d.source.as_deref().unwrap_or(""), &f.wrap)?;
    }
    ws.autofilter(HEADER_ROW, 0, row, 3)?;
    row += 2;
    ws.write_string_with_format(row, 0, "Conventions", &f.title)?;
    if let Some(scope) = &data.scope {
        row += 1;
        ws.write_string_with_format(row, 0, "kpi_period", &f.wrap)?;
        ws.merge_range(row, 1, row, 3, scope, &f.wrap)?;
        ws.set_row_height(row, 60)?;
    }
    for note in CONVENTIONS {
        row += 1;
        ws.merge_range(row, 0, row, 3, note, &f.wrap)?;
        ws.set_row_height(row, 32)?;
    }
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 30)?;
    ws.set_column_width(2, 90)?;
    ws.set_column_width(3, 14)?;
    Ok(())
}

//! Sheet "Funnel": the sessions of the period reaching each stage (from
//! `kpi_period`), the step conversion from the previous stage and the share
//! of all sessions (both computed in SQL), the funnel ratios of `kpi_period`
//! (conversion, cart abandonment, payment failure), and a bar chart.
//!
//! Layout: header on row 5 ([`HEADER_ROW`](crate::HEADER_ROW)), one stage per
//! row (A = stage key, the `kpi_period` column); two rows below the stages a
//! second small table of the ratios (A = KPI key).

use rust_xlsxwriter::{Chart, ChartType, Worksheet};
use tokio_postgres::Client;

use crate::error::Result;
use crate::format::{self, Formats, HEADER_ROW};
use crate::report::Context;
use crate::summary;
use globalcart_common::query;

/// Sheet name.
pub const SHEET: &str = "Funnel";

/// The ratios shown under the stages (columns of `kpi_period`).
pub const RATIOS: [&str; 3] = [
    "conversion_rate",
    "cart_abandonment_rate",
    "payment_failure_rate",
];

#[derive(Debug, Clone)]
pub(crate) struct Stage {
    pub key: String,
    pub sessions: i64,
    pub step_conversion: Option<f64>,
    pub share_of_sessions: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    pub stages: Vec<Stage>,
}

/// `period_row`: the report's `kpi_period` row ([`summary::period_row`]).
pub(crate) async fn load(client: &Client, period_row: &str) -> Result<Data> {
    let q = query!("report_funnel");
    let stages = q
        .rows(client, &[&period_row])
        .await?
        .iter()
        .map(|r| {
            Ok(Stage {
                key: q.get(r, "stage")?,
                sessions: q.get(r, "sessions")?,
                step_conversion: q.get(r, "step_conversion")?,
                share_of_sessions: q.get(r, "share_of_sessions")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Data { stages })
}

pub(crate) fn write(
    ws: &mut Worksheet,
    f: &Formats,
    ctx: &Context,
    data: &Data,
    kpis: &summary::Data,
) -> Result<()> {
    ws.set_name(SHEET)?;
    format::title_rows(ws, f, "Funnel: sessions per stage", &ctx.lines())?;
    format::header(
        ws,
        f,
        HEADER_ROW,
        &[
            "Stage key",
            "Stage",
            "Sessions",
            "Step conversion (of the previous stage)",
            "Share of sessions",
        ],
        true,
    )?;
    let first = HEADER_ROW + 1;
    let mut row = HEADER_ROW;
    for s in &data.stages {
        row += 1;
        ws.write_string(row, 0, &s.key)?;
        ws.write_string(row, 1, format::label(&s.key))?;
        ws.write_number_with_format(row, 2, s.sessions as f64, &f.count)?;
        format::number(ws, row, 3, s.step_conversion, &f.percent)?;
        format::number(ws, row, 4, s.share_of_sessions, &f.percent)?;
    }
    let last = row;
    ws.autofilter(HEADER_ROW, 0, last, 4)?;
    row += 2;
    format::header(ws, f, row, &["KPI key", "Ratio", "Value"], false)?;
    for key in RATIOS {
        row += 1;
        ws.write_string(row, 0, key)?;
        ws.write_string(row, 1, format::label(key))?;
        format::number(ws, row, 2, kpis.value(key), &f.percent)?;
    }
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 24)?;
    ws.set_column_width(2, 14)?;
    ws.set_column_width(3, 22)?;
    ws.set_column_width(4, 14)?;
    if !data.stages.is_empty() {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_name((SHEET, HEADER_ROW, 2))
            .set_categories((SHEET, first, 1, last, 1))
            .set_values((SHEET, first, 2, last, 2));
        chart.title().set_name("Sessions reaching each stage");
        // in a bar chart the categories are on the vertical (y) axis
        chart.y_axis().set_reverse();
        chart.x_axis().set_num_format("#,##0");
        chart.legend().set_hidden();
        chart.set_width(640).set_height(320);
        ws.insert_chart(HEADER_ROW, 6, &chart)?;
    }
    Ok(())
}

//! Sheet "Forecast": the overall daily net revenue series of the latest
//! analytics run (`globalcart.analytics_forecast`, series `revenue`): the
//! last 180 days of actuals, then the forecast of the chosen model with its
//! 80 % and 95 % bounds, and a line chart. Not bounded by the report period.
//! Before the first run the sheet says so in one cell.
//!
//! Layout: header on row 5 ([`HEADER_ROW`](crate::HEADER_ROW)), one day per
//! row: A = day, B = actual (blank on forecast days), C = forecast, D–G =
//! bounds, H = model.

use chrono::NaiveDate;
use rust_xlsxwriter::{Chart, ChartLine, ChartLineDashType, ChartType, Worksheet};
use tokio_postgres::Client;

use crate::error::Result;
use crate::format::{self, Formats, HEADER_ROW};
use crate::report::Context;
use crate::rfm;
use globalcart_common::query;

/// Sheet name.
pub const SHEET: &str = "Forecast";

#[derive(Debug, Clone)]
pub(crate) struct Point {
    pub dt: NaiveDate,
    /// actual, point, lower 80, upper 80, lower 95, upper 95.
    pub values: [Option<f64>; 6],
    pub model: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    pub points: Vec<Point>,
}

pub(crate) async fn load(client: &Client) -> Result<Data> {
    let q = query!("report_forecast");
    let points = q
        .rows(client, &[])
        .await?
        .iter()
        .map(|r| {
            Ok(Point {
                dt: q.get(r, "dt")?,
                values: [
                    q.get(r, "actual")?,
                    q.get(r, "point")?,
                    q.get(r, "lower_80")?,
                    q.get(r, "upper_80")?,
                    q.get(r, "lower_95")?,
                    q.get(r, "upper_95")?,
                ],
                model: q.get(r, "model")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Data { points })
}

const HEADERS: [&str; 8] = [
    "Day",
    "Actual net revenue (USD)",
    "Forecast (USD)",
    "Lower 80 % (USD)",
    "Upper 80 % (USD)",
    "Lower 95 % (USD)",
    "Upper 95 % (USD)",
    "Model",
];

pub(crate) fn write(ws: &mut Worksheet, f: &Formats, ctx: &Context, data: &Data) -> Result<()> {
    ws.set_name(SHEET)?;
    let Some(run) = &ctx.run else {
        format::title_rows(ws, f, "Net revenue forecast", &[rfm::no_run_line()])?;
        format::message(
            ws,
            f,
            "No analytics run yet: run `globalcart analytics run`, then build the report again.",
        )?;
        ws.set_column_width(0, 24)?;
        return Ok(());
    };
    let model = data
        .points
        .iter()
        .rev()
        .find(|p| p.values[1].is_some())
        .map(|p| p.model.clone());
    let title = match &model {
        Some(m) => format!("Net revenue forecast (USD per day), chosen model: {m}"),
        None => "Net revenue forecast (USD per day)".to_string(),
    };
    format::title_rows(ws, f, &title, &[rfm::run_line(run), ctx.generated_line()])?;
    if data.points.is_empty() {
        format::message(ws, f, "The latest analytics run wrote no revenue forecast.")?;
        return Ok(());
    }
    format::header(ws, f, HEADER_ROW, &HEADERS, true)?;
    let first = HEADER_ROW + 1;
    let mut row = HEADER_ROW;
    for p in &data.points {
        row += 1;
        ws.write_date_with_format(row, 0, p.dt, &f.date)?;
        for (i, v) in p.values.iter().enumerate() {
            format::number(ws, row, 1 + i as u16, *v, &f.usd)?;
        }
        ws.write_string(row, 7, &p.model)?;
    }
    let last = row;
    ws.autofilter(HEADER_ROW, 0, last, 7)?;
    ws.set_column_width(0, 12)?;
    for col in 1..=6 {
        ws.set_column_width(col, 16)?;
    }
    ws.set_column_width(7, 22)?;
    let mut chart = Chart::new(ChartType::Line);
    let styles: [(u16, u32, ChartLineDashType); 6] = [
        (1, 0x1F3A5F, ChartLineDashType::Solid),
        (2, 0xD97706, ChartLineDashType::Dash),
        (3, 0xF2B56B, ChartLineDashType::RoundDot),
        (4, 0xF2B56B, ChartLineDashType::RoundDot),
        (5, 0xBFBFBF, ChartLineDashType::RoundDot),
        (6, 0xBFBFBF, ChartLineDashType::RoundDot),
    ];
    for (col, color, dash) in styles {
        chart
            .add_series()
            .set_name((SHEET, HEADER_ROW, col))
            .set_categories((SHEET, first, 0, last, 0))
            .set_values((SHEET, first, col, last, col))
            .set_format(
                ChartLine::new()
                    .set_color(color)
                    .set_dash_type(dash)
                    .set_width(if col <= 2 { 2.0 } else { 1.0 }),
            );
    }
    chart
        .title()
        .set_name("Daily net revenue: actuals and forecast (USD)");
    chart.x_axis().set_num_format(format::DATE);
    chart.y_axis().set_num_format("$#,##0");
    chart.set_width(960).set_height(400);
    ws.insert_chart(HEADER_ROW, 9, &chart)?;
    Ok(())
}

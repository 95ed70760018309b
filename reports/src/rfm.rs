//! Sheet "RFM segments": the customers of the latest analytics run
//! (`globalcart.analytics_rfm`, written by `globalcart analytics run`) grouped
//! by segment: customers and their share, mean recency and frequency, Σ
//! monetary and its share (all computed in SQL), a total row and a chart.
//! The run is not bounded by the report period: its as-of day is in row 3.
//! Before the first run the sheet says so in one cell.
//!
//! Layout: header on row 5 ([`HEADER_ROW`](crate::HEADER_ROW)), one segment
//! per row, then the "Total" row (every customer).

use rust_xlsxwriter::{Chart, ChartType, Worksheet};
use tokio_postgres::Client;

use crate::error::Result;
use crate::format::{self, Formats, HEADER_ROW};
use crate::report::{AnalyticsRun, Context};
use globalcart_common::query;

/// Sheet name.
pub const SHEET: &str = "RFM segments";

#[derive(Debug, Clone, Default)]
pub(crate) struct Segment {
    /// `None` for the total.
    pub segment: Option<String>,
    pub customers: i64,
    pub customer_share: Option<f64>,
    pub avg_recency_days: Option<f64>,
    pub avg_frequency: Option<f64>,
    pub monetary_usd: f64,
    pub monetary_share: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    pub segments: Vec<Segment>,
    pub total: Segment,
}

pub(crate) async fn load(client: &Client) -> Result<Data> {
    let q = query!("report_rfm_segments");
    let mut data = Data::default();
    for r in q.rows(client, &[]).await? {
        let all: bool = q.get(&r, "all_segments")?;
        let s = Segment {
            segment: q.get(&r, "segment")?,
            customers: q.get(&r, "customers")?,
            customer_share: q.get(&r, "customer_share")?,
            avg_recency_days: q.get(&r, "avg_recency_days")?,
            avg_frequency: q.get(&r, "avg_frequency")?,
            monetary_usd: q.get(&r, "monetary_usd")?,
            monetary_share: q.get(&r, "monetary_share")?,
        };
        if all {
            data.total = s;
        } else {
            data.segments.push(s);
        }
    }
    Ok(data)
}

const HEADERS: [&str; 7] = [
    "Segment",
    "Customers",
    "Share of customers",
    "Mean recency (days)",
    "Mean frequency (orders)",
    "Monetary (USD)",
    "Share of monetary",
];

pub(crate) fn write(ws: &mut Worksheet, f: &Formats, ctx: &Context, data: &Data) -> Result<()> {
    ws.set_name(SHEET)?;
    let Some(run) = &ctx.run else {
        format::title_rows(ws, f, "RFM segments", &[no_run_line()])?;
        format::message(
            ws,
            f,
            "No analytics run yet: run `globalcart analytics run`, then build the report again.",
        )?;
        ws.set_column_width(0, 24)?;
        return Ok(());
    };
    format::title_rows(
        ws,
        f,
        "RFM segments (latest analytics run)",
        &[run_line(run), ctx.generated_line()],
    )?;
    if data.segments.is_empty() {
        format::message(
            ws,
            f,
            "The latest analytics run found no customer with a completed order.",
        )?;
        return Ok(());
    }
    format::header(ws, f, HEADER_ROW, &HEADERS, true)?;
    let first = HEADER_ROW + 1;
    let mut row = HEADER_ROW;
    for s in data.segments.iter().chain([&data.total]) {
        row += 1;
        let total = s.segment.is_none();
        let (label, count, pct, dec, usd) = if total {
            (
                &f.total_label,
                &f.count_total,
                &f.percent_total,
                &f.decimal_total,
                &f.usd_total,
            )
        } else {
            (&f.text, &f.count, &f.percent, &f.decimal, &f.usd)
        };
        ws.write_string_with_format(row, 0, s.segment.as_deref().unwrap_or("Total"), label)?;
        ws.write_number_with_format(row, 1, s.customers as f64, count)?;
        format::number(ws, row, 2, s.customer_share, pct)?;
        format::number(ws, row, 3, s.avg_recency_days, dec)?;
        format::number(ws, row, 4, s.avg_frequency, dec)?;
        ws.write_number_with_format(row, 5, s.monetary_usd, usd)?;
        format::number(ws, row, 6, s.monetary_share, pct)?;
    }
    let last = row - 1;
    ws.autofilter(HEADER_ROW, 0, last, HEADERS.len() as u16 - 1)?;
    ws.set_column_width(0, 22)?;
    for col in 1..=6 {
        ws.set_column_width(col, 16)?;
    }
    let mut chart = Chart::new(ChartType::Column);
    chart
        .add_series()
        .set_name((SHEET, HEADER_ROW, 5))
        .set_categories((SHEET, first, 0, last, 0))
        .set_values((SHEET, first, 5, last, 5));
    chart
        .title()
        .set_name("Monetary value by RFM segment (USD)");
    chart.y_axis().set_num_format("$#,##0");
    chart.legend().set_hidden();
    chart.set_width(640).set_height(320);
    ws.insert_chart(row + 2, 0, &chart)?;
    Ok(())
}

/// Row 2 of the analytics sheets.
pub(crate) fn run_line(run: &AnalyticsRun) -> String {
    format!(
        "Analytics run #{} as of {} (orders placed before that day), finished {} UTC; not bounded by the report period",
        run.run_id,
        run.as_of,
        run.finished_at.format("%Y-%m-%d %H:%M")
    )
}

pub(crate) fn no_run_line() -> String {
    "No analytics run yet".to_string()
}

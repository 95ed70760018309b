//! Sheet "Monthly trend": per calendar month of the period, the additive KPIs
//! of `vw_kpi_daily` summed and the ratios recomputed from the month's sums
//! (as `kpi_period` does), a total row, and a chart of net revenue (columns)
//! and net profit (line) by month.
//!
//! Layout: header on row 5 ([`HEADER_ROW`](crate::HEADER_ROW)), one month per
//! row (A = first day of the month), then the total row (A = "Total"; the
//! additive columns are `SUM` formulas whose cached result is SQL's total).

use chrono::NaiveDate;
use rust_xlsxwriter::{Chart, ChartType, Worksheet};
use tokio_postgres::Client;

use crate::error::Result;
use crate::format::{self, Formats, HEADER_ROW};
use crate::report::Context;
use crate::Period;
use globalcart_common::query;

/// Sheet name.
pub const SHEET: &str = "Monthly trend";

/// The measures of one month (or of the whole period).
#[derive(Debug, Clone, Default)]
pub(crate) struct Month {
    /// First day of the month; `None` for the total.
    pub month: Option<NaiveDate>,
    pub days: i64,
    /// orders, gmv, net revenue, gross profit, net profit (additive).
    pub sums: [f64; 5],
    /// aov, gross margin, net margin, conversion rate (null when undefined).
    pub ratios: [Option<f64>; 4],
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    pub months: Vec<Month>,
    pub total: Month,
}

pub(crate) async fn load(client: &Client, period: &Period) -> Result<Data> {
    let q = query!("report_monthly_trend");
    let mut data = Data::default();
    for r in q.rows(client, &[&period.from, &period.to]).await? {
        let m = Month {
            month: q.get(&r, "month")?,
            days: q.get(&r, "days")?,
            sums: [
                q.get(&r, "orders")?,
                q.get(&r, "gmv_usd")?,
                q.get(&r, "net_revenue_usd")?,
                q.get(&r, "gross_profit_usd")?,
                q.get(&r, "net_profit_usd")?,
            ],
            ratios: [
                q.get(&r, "aov_usd")?,
                q.get(&r, "gross_margin")?,
                q.get(&r, "net_margin")?,
                q.get(&r, "conversion_rate")?,
            ],
        };
        match m.month {
            Some(_) => data.months.push(m),
            None => data.total = m,
        }
    }
    Ok(data)
}

const HEADERS: [&str; 11] = [
    "Month",
    "Days",
    "Orders",
    "GMV (USD)",
    "Net revenue (USD)",
    "Gross profit (USD)",
    "Net profit (USD)",
    "AOV (USD)",
    "Gross margin",
    "Net margin",
    "Conversion rate",
];

pub(crate) fn write(ws: &mut Worksheet, f: &Formats, ctx: &Context, data: &Data) -> Result<()> {
    ws.set_name(SHEET)?;
    format::title_rows(ws, f, "Monthly trend", &ctx.lines())?;
    format::header(ws, f, HEADER_ROW, &HEADERS, true)?;
    let first = HEADER_ROW + 1;
    let mut row = HEADER_ROW;
    for m in &data.months {
        row += 1;
        if let Some(d) = m.month {
            ws.write_date_with_format(row, 0, d, &f.month)?;
        }
        ws.write_number_with_format(row, 1, m.days as f64, &f.count)?;
        ws.write_number_with_format(row, 2, m.sums[0], &f.count)?;
        for (i, v) in m.sums[1..].iter().enumerate() {
            ws.write_number_with_format(row, 3 + i as u16, *v, &f.usd)?;
        }
        format::number(ws, row, 7, m.ratios[0], &f.usd)?;
        for (i, v) in m.ratios[1..].iter().enumerate() {
            format::number(ws, row, 8 + i as u16, *v, &f.percent)?;
        }
    }
    let last = row;
    ws.autofilter(HEADER_ROW, 0, last, HEADERS.len() as u16 - 1)?;
    // the total row: SUM formulas over the months, cached result from SQL
    let t = &data.total;
    row += 1;
    ws.write_string_with_format(row, 0, "Total", &f.total_label)?;
    format::sum(
        ws,
        row,
        1,
        (first, 1, last, 1),
        t.days as f64,
        &f.count_total,
    )?;
    format::sum(ws, row, 2, (first, 2, last, 2), t.sums[0], &f.count_total)?;
    for (i, v) in t.sums[1..].iter().enumerate() {
        let col = 3 + i as u16;
        format::sum(ws, row, col, (first, col, last, col), *v, &f.usd_total)?;
    }
    format::number(ws, row, 7, t.ratios[0], &f.usd_total)?;
    for (i, v) in t.ratios[1..].iter().enumerate() {
        format::number(ws, row, 8 + i as u16, *v, &f.percent_total)?;
    }
    ws.set_column_width(0, 12)?;
    ws.set_column_width(1, 8)?;
    ws.set_column_width(2, 10)?;
    for col in 3..=7 {
        ws.set_column_width(col, 17)?;
    }
    for col in 8..=10 {
        ws.set_column_width(col, 13)?;
    }
    if !data.months.is_empty() {
        ws.insert_chart(row + 2, 0, &chart(first, last))?;
    }
    Ok(())
}

/// Net revenue as columns, net profit as a line, by month.
fn chart(first: u32, last: u32) -> Chart {
    let mut columns = Chart::new(ChartType::Column);
    columns
        .add_series()
        .set_name((SHEET, HEADER_ROW, 4))
        .set_categories((SHEET, first, 0, last, 0))
        .set_values((SHEET, first, 4, last, 4));
    let mut line = Chart::new(ChartType::Line);
    line.add_series()
        .set_name((SHEET, HEADER_ROW, 6))
        .set_categories((SHEET, first, 0, last, 0))
        .set_values((SHEET, first, 6, last, 6));
    columns.combine(&line);
    columns
        .title()
        .set_name("Net revenue and net profit by month (USD)");
    columns
        .x_axis()
        .set_text_axis(true)
        .set_num_format(format::MONTH);
    columns.y_axis().set_num_format("$#,##0");
    columns.set_width(900).set_height(380);
    columns
}

//! Sheet "Channel x Month": net revenue (USD) of completed orders by calendar
//! month × sales channel from `vw_kpi_daily_by_dim` (`dim = 'channel'`), with
//! totals, and a stacked column chart of the channels by month.
//!
//! Layout: header on row 5 ([`HEADER_ROW`](crate::HEADER_ROW)): A = "Month",
//! one column per channel, then "Total"; one month per row, then the "Total"
//! row. Totals are `SUM` formulas whose cached result is SQL's (`group by
//! cube`).

use chrono::NaiveDate;
use rust_xlsxwriter::{Chart, ChartType, Worksheet};
use tokio_postgres::Client;

use crate::crosstab::Cube;
use crate::error::Result;
use crate::format::{self, Formats, HEADER_ROW};
use crate::report::Context;
use crate::Period;
use globalcart_common::query;

/// Sheet name.
pub const SHEET: &str = "Channel x Month";

/// Months (rows) × channels (columns), net revenue in USD.
pub(crate) type Data = Cube<NaiveDate, String, f64>;

pub(crate) async fn load(client: &Client, period: &Period) -> Result<Data> {
    let q = query!("report_channel_month");
    let mut d = Data::default();
    for r in q.rows(client, &[&period.from, &period.to]).await? {
        d.add(
            q.get(&r, "all_months")?,
            q.get(&r, "all_channels")?,
            q.get(&r, "month")?,
            q.get(&r, "channel")?,
            q.get(&r, "net_revenue_usd")?,
        );
    }
    Ok(d)
}

pub(crate) fn write(ws: &mut Worksheet, f: &Formats, ctx: &Context, data: &Data) -> Result<()> {
    ws.set_name(SHEET)?;
    format::title_rows(
        ws,
        f,
        "Net revenue (USD) by sales channel × month: completed orders",
        &ctx.lines(),
    )?;
    let channels: Vec<&String> = data.cols.iter().collect();
    let total_col = channels.len() as u16 + 1;
    let mut names = vec!["Month"];
    names.extend(channels.iter().map(|c| c.as_str()));
    names.push("Total");
    format::header(ws, f, HEADER_ROW, &names, true)?;
    let first = HEADER_ROW + 1;
    let mut row = HEADER_ROW;
    for m in &data.rows {
        row += 1;
        ws.write_date_with_format(row, 0, *m, &f.month)?;
        for (i, c) in channels.iter().enumerate() {
            let v = data.cells.get(&(*m, (*c).clone())).copied();
            format::number(ws, row, 1 + i as u16, v, &f.usd)?;
        }
        let total = data.row_totals.get(m).copied().unwrap_or(0.0);
        format::sum(
            ws,
            row,
            total_col,
            (row, 1, row, total_col - 1),
            total,
            &f.usd_total,
        )?;
    }
    let last = row;
    ws.autofilter(HEADER_ROW, 0, last.max(first), total_col)?;
    row = last + 1;
    ws.write_string_with_format(row, 0, "Total", &f.total_label)?;
    for (i, c) in channels.iter().enumerate() {
        let col = 1 + i as u16;
        let total = data.col_totals.get(*c).copied().unwrap_or(0.0);
        format::sum(ws, row, col, (first, col, last, col), total, &f.usd_total)?;
    }
    format::sum(
        ws,
        row,
        total_col,
        (first, total_col, last, total_col),
        data.total,
        &f.usd_total,
    )?;
    ws.set_column_width(0, 12)?;
    for col in 1..=total_col {
        ws.set_column_width(col, 16)?;
    }
    if !data.rows.is_empty() && !channels.is_empty() {
        let mut chart = Chart::new(ChartType::ColumnStacked);
        for i in 0..channels.len() as u16 {
            chart
                .add_series()
                .set_name((SHEET, HEADER_ROW, 1 + i))
                .set_categories((SHEET, first, 0, last, 0))
                .set_values((SHEET, first, 1 + i, last, 1 + i));
        }
        chart
            .title()
            .set_name("Net revenue by channel and month (USD)");
        chart
            .x_axis()
            .set_text_axis(true)
            .set_num_format(format::MONTH);
        chart.y_axis().set_num_format("$#,##0");
        chart.set_width(800).set_height(360);
        ws.insert_chart(row + 2, 0, &chart)?;
    }
    Ok(())
}

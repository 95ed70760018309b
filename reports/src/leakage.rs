//! Sheet "Profit leakage": the leakage drivers of `kpi_period` (discounts,
//! shipping, gateway fees, refunds ex tax, revenue lost to abandoned carts
//! and failed payments; loss-making and discount-heavy orders), each with its
//! share of net revenue (of completed orders for the counts); then the same
//! costs per top-level category from `vw_finance_item_pnl` (shipping and fees
//! allocated by line revenue). Every share is computed in SQL. Two charts.
//!
//! Layout: the drivers' header on row 5 ([`HEADER_ROW`](crate::HEADER_ROW)),
//! one driver per row (A = its `kpi_period` column); two rows below, a caption
//! and the by-category header, one category per row, then the "Total" row.

use rust_xlsxwriter::{Chart, ChartType, RowNum, Worksheet};
use tokio_postgres::Client;

use crate::error::Result;
use crate::format::{self, Formats, HEADER_ROW};
use crate::report::Context;
use crate::Period;
use globalcart_common::query;

/// Sheet name.
pub const SHEET: &str = "Profit leakage";

#[derive(Debug, Clone)]
pub(crate) struct Driver {
    pub key: String,
    pub value: f64,
    /// `USD` or `orders`.
    pub unit: String,
    pub share: Option<f64>,
    /// What the share is of.
    pub share_of: String,
}

/// Net revenue, discount, shipping, fees, refunds ex tax, their sum (USD),
/// and the sum's share of net revenue.
#[derive(Debug, Clone, Default)]
pub(crate) struct Category {
    /// `None` for the total.
    pub category: Option<String>,
    pub amounts: [f64; 6],
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Data {
    pub drivers: Vec<Driver>,
    pub categories: Vec<Category>,
    pub total: Category,
}

/// `period_row`: the report's `kpi_period` row ([`summary::period_row`]).
pub(crate) async fn load(client: &Client, period: &Period, period_row: &str) -> Result<Data> {
    let q = query!("report_leakage_drivers");
    let drivers = q
        .rows(client, &[&period_row])
        .await?
        .iter()
        .map(|r| {
            Ok(Driver {
                key: q.get(r, "driver")?,
                value: q.get(r, "value")?,
                unit: q.get(r, "unit")?,
                share: q.get(r, "share")?,
                share_of: q.get(r, "share_of")?,
            })
        })
        .collect::<Result<_>>()?;
    let q = query!("report_leakage_by_category");
    let mut data = Data {
        drivers,
        ..Data::default()
    };
    for r in q.rows(client, &[&period.from, &period.to]).await? {
        let all: bool = q.get(&r, "all_categories")?;
        let c = Category {
            category: q.get(&r, "category")?,
            amounts: [
                q.get(&r, "net_revenue_usd")?,
                q.get(&r, "discount_usd")?,
                q.get(&r, "shipping_cost_usd")?,
                q.get(&r, "gateway_fee_usd")?,
                q.get(&r, "refund_ex_tax_usd")?,
                q.get(&r, "leakage_usd")?,
            ],
            share: q.get(&r, "leakage_share")?,
        };
        if all {
            data.total = c;
        } else {
            data.categories.push(c);
        }
    }
    Ok(data)
}

const CATEGORY_HEADERS: [&str; 8] = [
    "Category",
    "Net revenue (USD)",
    "Discount (USD)",
    "Allocated shipping (USD)",
    "Allocated gateway fees (USD)",
    "Refunds ex tax (USD)",
    "Leakage total (USD)",
    "Leakage share of net revenue",
];

pub(crate) fn write(ws: &mut Worksheet, f: &Formats, ctx: &Context, data: &Data) -> Result<()> {
    ws.set_name(SHEET)?;
    format::title_rows(ws, f, "Profit leakage", &ctx.lines())?;
    format::header(
        ws,
        f,
        HEADER_ROW,
        &["Driver key", "Driver", "Value", "Unit", "Share", "Share of"],
        true,
    )?;
    let mut row = HEADER_ROW;
    let mut money_rows = 0;
    for d in &data.drivers {
        row += 1;
        let usd = d.unit == "USD";
        if usd {
            money_rows += 1;
        }
        ws.write_string(row, 0, &d.key)?;
        ws.write_string(row, 1, format::label(&d.key))?;
        let fmt = if usd { &f.usd } else { &f.count };
        ws.write_number_with_format(row, 2, d.value, fmt)?;
        ws.write_string(row, 3, &d.unit)?;
        format::number(ws, row, 4, d.share, &f.percent)?;
        ws.write_string(row, 5, &d.share_of)?;
    }
    ws.autofilter(HEADER_ROW, 0, row, 5)?;
    if money_rows > 0 {
        let first = HEADER_ROW + 1;
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_name("Amount (USD)")
            .set_categories((SHEET, first, 1, first + money_rows - 1, 1))
            .set_values((SHEET, first, 2, first + money_rows - 1, 2));
        chart.title().set_name("Leakage drivers (USD)");
        chart.y_axis().set_reverse();
        chart.x_axis().set_num_format("$#,##0");
        chart.legend().set_hidden();
        chart.set_width(620).set_height(300);
        ws.insert_chart(HEADER_ROW, 7, &chart)?;
    }
    row += 2;
    ws.write_string_with_format(
        row,
        0,
        "By category: completed order lines placed in the period (vw_finance_item_pnl)",
        &f.subtitle,
    )?;
    row += 1;
    by_category(ws, f, row, data)
}

/// The by-category table with its header at `header_row`, and its chart.
fn by_category(ws: &mut Worksheet, f: &Formats, header_row: RowNum, data: &Data) -> Result<()> {
    format::header(ws, f, header_row, &CATEGORY_HEADERS, false)?;
    let first = header_row + 1;
    let mut row = header_row;
    for c in &data.categories {
        row += 1;
        ws.write_string(row, 0, c.category.as_deref().unwrap_or("UNKNOWN"))?;
        for (i, v) in c.amounts.iter().enumerate() {
            ws.write_number_with_format(row, 1 + i as u16, *v, &f.usd)?;
        }
        format::number(ws, row, 7, c.share, &f.percent)?;
    }
    let last = row;
    row += 1;
    ws.write_string_with_format(row, 0, "Total", &f.total_label)?;
    for (i, v) in data.total.amounts.iter().enumerate() {
        let col = 1 + i as u16;
        format::sum(ws, row, col, (first, col, last, col), *v, &f.usd_total)?;
    }
    format::number(ws, row, 7, data.total.share, &f.percent_total)?;
    ws.set_column_width(0, 36)?;
    ws.set_column_width(1, 36)?;
    for col in 2..=7 {
        ws.set_column_width(col, 17)?;
    }
    if !data.categories.is_empty() {
        let mut chart = Chart::new(ChartType::ColumnStacked);
        for col in 2..=5u16 {
            chart
                .add_series()
                .set_name((SHEET, header_row, col))
                .set_categories((SHEET, first, 0, last, 0))
                .set_values((SHEET, first, col, last, col));
        }
        chart.title().set_name("Leakage by category (USD)");
        chart.y_axis().set_num_format("$#,##0");
        chart.set_width(760).set_height(340);
        ws.insert_chart(row + 2, 0, &chart)?;
    }
    Ok(())
}

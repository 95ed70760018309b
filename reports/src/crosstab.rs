//! Sheets "Category x Region" (net revenue) and "Category x Region profit"
//! (net profit): the completed order lines of `vw_finance_item_pnl` placed in
//! the period, top-level categories as rows × regions as columns, with row,
//! column and grand totals.
//!
//! Layout: header on row 5 ([`HEADER_ROW`](crate::HEADER_ROW)): A =
//! "Category", one column per region, then "Total"; one category per row,
//! then the "Total" row. Every total is an Excel `SUM` whose cached result is
//! the total computed by SQL (`group by cube`), so readers without
//! recalculation see the same number. An empty cell: no line of that
//! category in that region.

use std::collections::{BTreeMap, BTreeSet};

use rust_xlsxwriter::Worksheet;
use tokio_postgres::Client;

use crate::error::Result;
use crate::format::{self, Formats, HEADER_ROW};
use crate::report::Context;
use crate::Period;
use globalcart_common::query;

/// Sheet of the net revenue.
pub const REVENUE_SHEET: &str = "Category x Region";
/// Sheet of the net profit.
pub const PROFIT_SHEET: &str = "Category x Region profit";

/// Net revenue and net profit (USD).
pub(crate) type Pair = (f64, f64);

/// A two-dimension `group by cube` result: the cells, the totals per row key
/// and per column key, and the grand total. This sheet's and the channel
/// sheet's data.
#[derive(Debug, Clone)]
pub(crate) struct Cube<R, C, V> {
    pub rows: BTreeSet<R>,
    pub cols: BTreeSet<C>,
    pub cells: BTreeMap<(R, C), V>,
    pub row_totals: BTreeMap<R, V>,
    pub col_totals: BTreeMap<C, V>,
    pub total: V,
}

impl<R, C, V: Default> Default for Cube<R, C, V> {
    fn default() -> Self {
        Cube {
            rows: BTreeSet::new(),
            cols: BTreeSet::new(),
            cells: BTreeMap::new(),
            row_totals: BTreeMap::new(),
            col_totals: BTreeMap::new(),
            total: V::default(),
        }
    }
}

impl<R: Ord + Clone, C: Ord + Clone, V> Cube<R, C, V> {
    /// Files one row of the cube by its `grouping()` flags: a cell, a row
    /// total (all columns), a column total (all rows) or the grand total.
    pub fn add(&mut self, all_rows: bool, all_cols: bool, row: Option<R>, col: Option<C>, v: V) {
        match (all_rows, all_cols, row, col) {
            (false, false, Some(r), Some(c)) => {
                self.rows.insert(r.clone());
                self.cols.insert(c.clone());
                self.cells.insert((r, c), v);
            }
            (false, true, Some(r), _) => {
                self.rows.insert(r.clone());
                self.row_totals.insert(r, v);
            }
            (true, false, _, Some(c)) => {
                self.cols.insert(c.clone());
                self.col_totals.insert(c, v);
            }
            _ => self.total = v,
        }
    }
}

/// Categories (rows) × regions (columns).
pub(crate) type Data = Cube<String, String, Pair>;

pub(crate) async fn load(client: &Client, period: &Period) -> Result<Data> {
    let q = query!("report_category_region");
    let mut d = Data::default();
    for r in q.rows(client, &[&period.from, &period.to]).await? {
        let pair = (q.get(&r, "net_revenue_usd")?, q.get(&r, "net_profit_usd")?);
        d.add(
            q.get(&r, "all_categories")?,
            q.get(&r, "all_regions")?,
            q.get(&r, "category")?,
            q.get(&r, "region")?,
            pair,
        );
    }
    Ok(d)
}

/// Which half of the pair a sheet shows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Measure {
    NetRevenue,
    NetProfit,
}

impl Measure {
    fn pick(self, p: &Pair) -> f64 {
        match self {
            Measure::NetRevenue => p.0,
            Measure::NetProfit => p.1,
        }
    }
}

pub(crate) fn write(
    ws: &mut Worksheet,
    f: &Formats,
    ctx: &Context,
    data: &Data,
    measure: Measure,
) -> Result<()> {
    let (sheet, title) = match measure {
        Measure::NetRevenue => (
            REVENUE_SHEET,
            "Net revenue (USD) by category × region: completed order lines (line_net_revenue_usd)",
        ),
        Measure::NetProfit => (
            PROFIT_SHEET,
            "Net profit (USD) by category × region: completed order lines (line_net_profit_usd)",
        ),
    };
    ws.set_name(sheet)?;
    format::title_rows(ws, f, title, &ctx.lines())?;
    let regions: Vec<&String> = data.cols.iter().collect();
    let total_col = regions.len() as u16 + 1;
    let mut names = vec!["Category"];
    names.extend(regions.iter().map(|r| r.as_str()));
    names.push("Total");
    format::header(ws, f, HEADER_ROW, &names, true)?;
    ws.set_freeze_panes(HEADER_ROW + 1, 1)?;
    let first = HEADER_ROW + 1;
    let mut row = HEADER_ROW;
    for c in &data.rows {
        row += 1;
        ws.write_string(row, 0, c)?;
        for (i, g) in regions.iter().enumerate() {
            let v = data.cells.get(&(c.clone(), (*g).clone()));
            format::number(ws, row, 1 + i as u16, v.map(|p| measure.pick(p)), &f.usd)?;
        }
        let total = data.row_totals.get(c).map_or(0.0, |p| measure.pick(p));
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
    for (i, g) in regions.iter().enumerate() {
        let col = 1 + i as u16;
        let total = data.col_totals.get(*g).map_or(0.0, |p| measure.pick(p));
        format::sum(ws, row, col, (first, col, last, col), total, &f.usd_total)?;
    }
    let grand = measure.pick(&data.total);
    format::sum(
        ws,
        row,
        total_col,
        (first, total_col, last, total_col),
        grand,
        &f.usd_total,
    )?;
    ws.set_column_width(0, 24)?;
    for col in 1..=total_col {
        ws.set_column_width(col, 16)?;
    }
    Ok(())
}

//! Cell formats and the furniture every sheet shares: the title rows, the
//! header row, number cells that stay blank for a SQL null, and the kind of a
//! KPI (money, ratio, count, day) read from its name.

use rust_xlsxwriter::{
    utility, Color, Format, FormatAlign, FormatBorder, Formula, RowNum, Worksheet,
};

use crate::error::Result;

/// Row (0-based) of the header of every table sheet: rows 1–3 (0–2) hold the
/// title, the period and the as-of line, row 4 (3) is blank, so the header is
/// Excel row 5 and the data start on row 6. Panes are frozen below it.
pub const HEADER_ROW: RowNum = 4;

/// Money in USD.
pub const USD: &str = "$#,##0.00";
/// Ratios 0–1, shown as percentages.
pub const PERCENT: &str = "0.00%";
/// Counts.
pub const COUNT: &str = "#,##0";
/// Averages of counts (days, orders).
pub const DECIMAL: &str = "#,##0.00";
/// Days.
pub const DATE: &str = "yyyy-mm-dd";
/// Calendar months.
pub const MONTH: &str = "mmm yyyy";

const ACCENT: u32 = 0x1F3A5F;

/// The formats of the workbook, built once.
#[derive(Debug, Clone)]
pub(crate) struct Formats {
    pub title: Format,
    pub subtitle: Format,
    pub note: Format,
    pub header: Format,
    pub text: Format,
    pub wrap: Format,
    pub total_label: Format,
    pub usd: Format,
    pub usd_total: Format,
    pub percent: Format,
    pub percent_total: Format,
    pub count: Format,
    pub count_total: Format,
    pub decimal: Format,
    pub decimal_total: Format,
    pub date: Format,
    pub month: Format,
}

impl Formats {
    pub fn new() -> Formats {
        let total = |f: Format| f.set_bold().set_border_top(FormatBorder::Thin);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_font_color(Color::RGB(ACCENT)),
            subtitle: Format::new().set_font_color(Color::RGB(0x404040)),
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x606060)),
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(Color::RGB(ACCENT))
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter),
            text: Format::new(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            total_label: total(Format::new()),
            usd: Format::new().set_num_format(USD),
            usd_total: total(Format::new().set_num_format(USD)),
            percent: Format::new().set_num_format(PERCENT),
            percent_total: total(Format::new().set_num_format(PERCENT)),
            count: Format::new().set_num_format(COUNT),
            count_total: total(Format::new().set_num_format(COUNT)),
            decimal: Format::new().set_num_format(DECIMAL),
            decimal_total: total(Format::new().set_num_format(DECIMAL)),
            date: Format::new()
                .set_num_format(DATE)
                .set_align(FormatAlign::Left),
            month: Format::new()
                .set_num_format(MONTH)
                .set_align(FormatAlign::Left),
        }
    }

    /// The number format of a KPI kind.
    pub fn of(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Usd => &self.usd,
            Kind::Ratio => &self.percent,
            Kind::Count => &self.count,
            Kind::Date => &self.date,
        }
    }
}

/// What a KPI measures, from the naming convention of the SQL layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `*_usd`: money in USD.
    Usd,
    /// `*_rate`, `*_margin`, `*_ratio`: a ratio 0–1.
    Ratio,
    /// `*_dt`: a UTC day.
    Date,
    /// Everything else: a count.
    Count,
}

impl Kind {
    pub fn of(key: &str) -> Kind {
        if key.ends_with("_usd") {
            Kind::Usd
        } else if key.ends_with("_rate") || key.ends_with("_margin") || key.ends_with("_ratio") {
            Kind::Ratio
        } else if key.ends_with("_dt") {
            Kind::Date
        } else {
            Kind::Count
        }
    }

    /// The unit shown beside the value.
    pub fn unit(self) -> &'static str {
        match self {
            Kind::Usd => "USD",
            Kind::Ratio => "ratio 0–1 (shown as %)",
            Kind::Date => "UTC day",
            Kind::Count => "count",
        }
    }
}

/// A readable label for a KPI key: `refund_ex_tax_usd` → "Refund ex tax (USD)".
pub fn label(key: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    for w in key.split('_').filter(|w| !w.is_empty() && *w != "usd") {
        words.push(match w {
            "aov" => "AOV",
            "gmv" => "GMV",
            "cogs" => "COGS",
            "sla" => "SLA",
            "dt" => "day",
            other => other,
        });
    }
    let mut s = words.join(" ");
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    if key.ends_with("_usd") {
        s.push_str(" (USD)");
    }
    s
}

/// Rows 0–2: the sheet title and up to two lines under it (period, as-of).
pub(crate) fn title_rows(
    ws: &mut Worksheet,
    f: &Formats,
    title: &str,
    lines: &[String],
) -> Result<()> {
    ws.write_string_with_format(0, 0, title, &f.title)?;
    ws.set_row_height(0, 20)?;
    for (i, line) in lines.iter().take(2).enumerate() {
        ws.write_string_with_format(1 + i as RowNum, 0, line, &f.subtitle)?;
    }
    Ok(())
}

/// A header row at `row`; with `freeze`, the panes are frozen below it.
pub(crate) fn header(
    ws: &mut Worksheet,
    f: &Formats,
    row: RowNum,
    names: &[&str],
    freeze: bool,
) -> Result<()> {
    for (col, name) in names.iter().enumerate() {
        ws.write_string_with_format(row, col as u16, *name, &f.header)?;
    }
    ws.set_row_height(row, 30)?;
    if freeze {
        ws.set_freeze_panes(row + 1, 0)?;
    }
    Ok(())
}

/// A number, or a blank cell (same format) for a SQL null.
pub(crate) fn number(
    ws: &mut Worksheet,
    row: RowNum,
    col: u16,
    value: Option<f64>,
    format: &Format,
) -> Result<()> {
    match value {
        Some(v) => ws.write_number_with_format(row, col, v, format)?,
        None => ws.write_blank(row, col, format)?,
    };
    Ok(())
}

/// `=SUM(range)` whose cached result is `total` (computed by SQL), so readers
/// that do not recalculate still see the number.
pub(crate) fn sum(
    ws: &mut Worksheet,
    row: RowNum,
    col: u16,
    range: (RowNum, u16, RowNum, u16),
    total: f64,
    format: &Format,
) -> Result<()> {
    let (r1, c1, r2, c2) = range;
    let formula = if r2 < r1 || c2 < c1 {
        Formula::new("=0").set_result("0")
    } else {
        Formula::new(format!("=SUM({})", utility::cell_range(r1, c1, r2, c2)))
            .set_result(total.to_string())
    };
    ws.write_formula_with_format(row, col, formula, format)?;
    Ok(())
}

/// A one-cell message where a table would be (no data yet).
pub(crate) fn message(ws: &mut Worksheet, f: &Formats, text: &str) -> Result<()> {
    ws.write_string_with_format(HEADER_ROW, 0, text, &f.note)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_labels_follow_the_column_names() {
        assert_eq!(Kind::of("net_revenue_usd"), Kind::Usd);
        assert_eq!(Kind::of("aov_usd"), Kind::Usd);
        assert_eq!(Kind::of("conversion_rate"), Kind::Ratio);
        assert_eq!(Kind::of("net_margin"), Kind::Ratio);
        assert_eq!(Kind::of("shipping_cost_ratio"), Kind::Ratio);
        assert_eq!(Kind::of("churn_as_of_dt"), Kind::Date);
        assert_eq!(Kind::of("orders"), Kind::Count);
        assert_eq!(label("refund_ex_tax_usd"), "Refund ex tax (USD)");
        assert_eq!(label("aov_usd"), "AOV (USD)");
        assert_eq!(label("first_dt"), "First day");
        assert_eq!(label("sla_breach_rate"), "SLA breach rate");
    }
}

//! Polars helpers: build a frame from streamed rows, read typed columns back,
//! and the epoch-day calendar used by every frame (days since 1970-01-01).

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use tokio_postgres::Row;

use crate::{Error, Result};

/// The type of one column of a query.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    I64,
    I32,
    F64,
    Str,
    Bool,
}

/// Column buffers filled row by row from a streamed query, then turned into a frame.
pub struct FrameBuilder {
    names: Vec<&'static str>,
    cols: Vec<Buf>,
    rows: usize,
}

enum Buf {
    I64(Vec<i64>),
    I32(Vec<i32>),
    F64(Vec<f64>),
    Str(Vec<String>),
    Bool(Vec<bool>),
}

impl FrameBuilder {
    pub fn new(spec: &[(&'static str, Kind)]) -> FrameBuilder {
        FrameBuilder {
            names: spec.iter().map(|(n, _)| *n).collect(),
            cols: spec
                .iter()
                .map(|(_, k)| match k {
                    Kind::I64 => Buf::I64(Vec::new()),
                    Kind::I32 => Buf::I32(Vec::new()),
                    Kind::F64 => Buf::F64(Vec::new()),
                    Kind::Str => Buf::Str(Vec::new()),
                    Kind::Bool => Buf::Bool(Vec::new()),
                })
                .collect(),
            rows: 0,
        }
    }

    /// Appends one row; columns are matched by position.
    pub fn push(&mut self, row: &Row) -> Result<()> {
        for (i, buf) in self.cols.iter_mut().enumerate() {
            let bad = |e: tokio_postgres::Error| Error::Column {
                column: self.names[i].to_string(),
                reason: e.to_string(),
            };
            match buf {
                Buf::I64(v) => v.push(row.try_get(i).map_err(bad)?),
                Buf::I32(v) => v.push(row.try_get(i).map_err(bad)?),
                Buf::F64(v) => v.push(row.try_get(i).map_err(bad)?),
                Buf::Str(v) => v.push(row.try_get(i).map_err(bad)?),
                Buf::Bool(v) => v.push(row.try_get(i).map_err(bad)?),
            }
        }
        self.rows += 1;
        Ok(())
    }

    pub fn finish(self) -> Result<DataFrame> {
        let columns = self
            .names
            .into_iter()
            .zip(self.cols)
            .map(|(n, b)| match b {
                Buf::I64(v) => Column::new(n.into(), v),
                Buf::I32(v) => Column::new(n.into(), v),
                Buf::F64(v) => Column::new(n.into(), v),
                Buf::Str(v) => Column::new(n.into(), v),
                Buf::Bool(v) => Column::new(n.into(), v),
            })
            .collect();
        Ok(DataFrame::new(self.rows, columns)?)
    }
}

fn series(df: &DataFrame, name: &str, dtype: &DataType) -> Result<Series> {
    Ok(df
        .column(name)?
        .as_materialized_series()
        .cast(dtype)?
        .rechunk())
}

/// A numeric column as f64 (nulls become 0).
pub fn f64s(df: &DataFrame, name: &str) -> Result<Vec<f64>> {
    let s = series(df, name, &DataType::Float64)?;
    Ok(s.f64()?.iter().map(|v| v.unwrap_or(0.0)).collect())
}

/// An integer column as i64 (nulls become 0).
pub fn i64s(df: &DataFrame, name: &str) -> Result<Vec<i64>> {
    let s = series(df, name, &DataType::Int64)?;
    Ok(s.i64()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// An integer column as i32 (nulls become 0).
pub fn i32s(df: &DataFrame, name: &str) -> Result<Vec<i32>> {
    let s = series(df, name, &DataType::Int32)?;
    Ok(s.i32()?.iter().map(|v| v.unwrap_or(0)).collect())
}

/// A text column (nulls become "UNKNOWN").
pub fn strs(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    let s = series(df, name, &DataType::String)?;
    Ok(s.str()?
        .iter()
        .map(|v| v.unwrap_or("UNKNOWN").to_string())
        .collect())
}

/// A boolean column (nulls become false).
pub fn bools(df: &DataFrame, name: &str) -> Result<Vec<bool>> {
    let s = series(df, name, &DataType::Boolean)?;
    Ok(s.bool()?.iter().map(|v| v.unwrap_or(false)).collect())
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");

/// Days since 1970-01-01 of a date.
pub fn day_of(d: NaiveDate) -> i32 {
    (d - EPOCH).num_days() as i32
}

/// The date of an epoch day.
pub fn date_of(day: i32) -> NaiveDate {
    EPOCH + chrono::Duration::days(i64::from(day))
}

/// Months since January 1970 of an epoch day (the cohort calendar).
pub fn month_of(day: i32) -> i32 {
    let d = date_of(day);
    d.year() * 12 + d.month0() as i32 - 1970 * 12
}

/// First day of a month counted by [`month_of`].
pub fn month_start(month: i32) -> NaiveDate {
    let y = 1970 + month.div_euclid(12);
    let m = month.rem_euclid(12) as u32 + 1;
    NaiveDate::from_ymd_opt(y, m, 1).expect("valid month")
}

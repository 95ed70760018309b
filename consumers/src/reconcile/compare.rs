//! Entity by entity: the stream's newest version of each key against the
//! warehouse row, as the warehouse rows stream past (nothing of the warehouse
//! is held but the first differing keys).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;

use super::rows::Record;

/// How a key differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// On the stream, not in the warehouse.
    Missing,
    /// In the warehouse, not on the stream.
    Extra,
    /// On both sides, with different columns.
    Differs,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Extra => "extra",
            Kind::Differs => "differs",
        }
    }
}

/// One column of a differing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub column: String,
    pub stream: String,
    pub warehouse: String,
}

/// One differing key.
#[derive(Debug, Clone)]
pub struct Difference {
    pub key: String,
    pub kind: Kind,
    pub columns: Vec<Column>,
}

/// A column summed on both sides: money in minor units (mixed currencies: a
/// checksum, not a business figure) or a count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub column: &'static str,
    pub money: bool,
    pub stream: i128,
    pub warehouse: i128,
}

/// What reconcile found for one table.
#[derive(Debug, Clone)]
pub struct TableReport {
    pub table: &'static str,
    pub key: &'static str,
    /// Keys on the stream (in the window).
    pub stream_rows: u64,
    /// Warehouse rows compared (in a window: those of the window's keys).
    pub warehouse_rows: u64,
    pub totals: Vec<Totals>,
    pub matching: u64,
    pub differing: u64,
    pub missing: u64,
    pub extra: u64,
    /// Keys whose warehouse row is a newer version than the window's newest
    /// (a window only: written by a record after it; not a difference).
    pub newer_in_warehouse: u64,
    /// The first differing keys (in key order), up to `--show`.
    pub samples: Vec<Difference>,
}

impl TableReport {
    pub fn differences(&self) -> u64 {
        self.differing + self.missing + self.extra
    }
}

/// Counts differences and keeps the details of the first `show` keys.
pub struct Tally<K> {
    pub report: TableReport,
    show: usize,
    samples: BTreeMap<K, Difference>,
}

impl<K: Ord + Display> Tally<K> {
    pub fn new(table: &'static str, key: &'static str, show: usize) -> Self {
        Tally {
            report: TableReport {
                table,
                key,
                stream_rows: 0,
                warehouse_rows: 0,
                totals: Vec::new(),
                matching: 0,
                differing: 0,
                missing: 0,
                extra: 0,
                newer_in_warehouse: 0,
                samples: Vec::new(),
            },
            show,
            samples: BTreeMap::new(),
        }
    }

    /// Counts a difference of `key`; `columns` is only called for a key among
    /// the first `show`.
    pub fn note(&mut self, key: K, kind: Kind, columns: impl FnOnce() -> Vec<Column>) {
        match kind {
            Kind::Missing => self.report.missing += 1,
            Kind::Extra => self.report.extra += 1,
            Kind::Differs => self.report.differing += 1,
        }
        if self.show == 0
            || (self.samples.len() >= self.show
                && self.samples.last_key_value().is_some_and(|(k, _)| &key > k))
        {
            return;
        }
        let d = Difference {
            key: key.to_string(),
            kind,
            columns: columns(),
        };
        self.samples.insert(key, d);
        if self.samples.len() > self.show {
            self.samples.pop_last();
        }
    }

    pub fn finish(mut self) -> TableReport {
        self.report.samples = self.samples.into_values().collect();
        self.report
    }
}

/// The columns where `stream` and `warehouse` differ.
pub fn columns_between<R: Record>(stream: &R, warehouse: &R) -> Vec<Column> {
    stream
        .fields()
        .into_iter()
        .zip(warehouse.fields())
        .filter(|((_, s), (_, w))| s != w)
        .map(|((c, s), (_, w))| Column {
            column: c.to_string(),
            stream: s,
            warehouse: w,
        })
        .collect()
}

/// The version columns of a row present on one side only.
fn version_of<R: Record>(row: &R, on_stream: bool) -> Vec<Column> {
    row.fields()
        .into_iter()
        .filter(|(c, _)| *c == "event_id" || *c == "updated_at")
        .map(|(c, v)| {
            let absent = "(absent)".to_string();
            let (stream, warehouse) = if on_stream { (v, absent) } else { (absent, v) };
            Column {
                column: c.to_string(),
                stream,
                warehouse,
            }
        })
        .collect()
}

/// Compares one versioned table: built from the stream's newest row per key,
/// fed the warehouse rows one by one.
pub struct Versioned<R: Record> {
    stream: HashMap<i64, R>,
    partial: bool,
    sums: Vec<(i128, bool)>,
    tally: Tally<i64>,
}

impl<R: Record> Versioned<R> {
    /// `partial`: the stream side is a window (a time or offset range): keys
    /// outside it are not compared, and a newer warehouse version is no difference.
    pub fn new(stream: HashMap<i64, R>, partial: bool, show: usize) -> Self {
        let mut tally = Tally::new(R::TABLE, R::KEY, show);
        tally.report.stream_rows = stream.len() as u64;
        let mut sums = vec![(0, false); R::TOTALS.len()];
        for row in stream.values() {
            row.add_totals(&mut sums);
        }
        let stream_sums = sums.clone();
        tally.report.totals = R::TOTALS
            .iter()
            .zip(stream_sums)
            .map(|(c, (s, money))| Totals {
                column: c,
                money,
                stream: s,
                warehouse: 0,
            })
            .collect();
        sums.iter_mut().for_each(|s| s.0 = 0);
        Versioned {
            stream,
            partial,
            sums,
            tally,
        }
    }

    /// One warehouse row.
    pub fn warehouse(&mut self, key: i64, row: R) {
        match self.stream.remove(&key) {
            Some(s) => {
                self.count(&row);
                if s == row {
                    self.tally.report.matching += 1;
                } else if self.partial && row.version() > s.version() {
                    self.tally.report.newer_in_warehouse += 1;
                } else {
                    self.tally
                        .note(key, Kind::Differs, || columns_between(&s, &row));
                }
            }
            None if self.partial => {}
            None => {
                self.count(&row);
                self.tally
                    .note(key, Kind::Extra, || version_of(&row, false));
            }
        }
    }

    fn count(&mut self, row: &R) {
        self.tally.report.warehouse_rows += 1;
        row.add_totals(&mut self.sums);
    }

    /// The keys left on the stream are missing from the warehouse.
    pub fn finish(mut self) -> TableReport {
        for (key, s) in std::mem::take(&mut self.stream) {
            self.tally.note(key, Kind::Missing, || version_of(&s, true));
        }
        for (t, (w, money)) in self.tally.report.totals.iter_mut().zip(&self.sums) {
            t.warehouse = *w;
            t.money = t.money || *money;
        }
        self.tally.finish()
    }
}

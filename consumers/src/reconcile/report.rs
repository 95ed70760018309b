//! The outcome of a run, and its text form (what `globalcart reconcile` and
//! `globalcart replay` print).

use std::fmt;

use chrono::{DateTime, Utc};

use super::cells::amount;
use super::compare::{Kind, TableReport};

/// What a reconcile run found.
#[derive(Debug, Clone)]
pub struct Report {
    pub topic_prefix: String,
    /// The topics and window compared, in words.
    pub scope: String,
    /// A window (offset or time bounds) rather than whole topics.
    pub partial: bool,
    pub run_at: DateTime<Utc>,
    pub seconds: f64,
    pub stream_seconds: f64,
    pub warehouse_seconds: f64,
    /// Messages read from the topics (in the window).
    pub messages: u64,
    /// Versions that lost to a newer one, and redelivered events.
    pub superseded: u64,
    /// Valid messages the warehouse refused (recorded as rejects): not compared.
    pub refused: u64,
    /// Messages read that no loader group has stored an offset past yet: while
    /// above 0, differences may be lag rather than loss.
    pub not_loaded: u64,
    /// Per table; `etl_ingest_rejects` holds the poison messages (stream) and
    /// how many the warehouse recorded.
    pub tables: Vec<TableReport>,
}

impl Report {
    /// Differing, missing and extra keys over every table.
    pub fn differences(&self) -> u64 {
        self.tables.iter().map(TableReport::differences).sum()
    }

    /// Whether the warehouse agrees with the stream.
    pub fn agrees(&self) -> bool {
        self.differences() == 0
    }

    /// The differing keys of `table` listed in the report (up to `--show`).
    pub fn sample_keys(&self, table: &str) -> Vec<String> {
        self.tables
            .iter()
            .filter(|t| t.table == table)
            .flat_map(|t| t.samples.iter().map(|d| d.key.clone()))
            .collect()
    }
}

fn kind_words(kind: Kind) -> &'static str {
    match kind {
        Kind::Missing => "missing from the warehouse",
        Kind::Extra => "in the warehouse only",
        Kind::Differs => "differs",
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "reconcile {} ({}): {} messages in {:.1} s (stream {:.1} s, warehouse {:.1} s); \
             {} superseded versions or redeliveries; {} valid messages refused by the warehouse",
            self.topic_prefix,
            self.scope,
            self.messages,
            self.seconds,
            self.stream_seconds,
            self.warehouse_seconds,
            self.superseded,
            self.refused,
        )?;
        writeln!(
            f,
            "{:<20} {:<16} {:>10} {:>10} {:>10} {:>8} {:>8} {:>8}",
            "table", "key", "stream", "warehouse", "agree", "differ", "missing", "extra"
        )?;
        for t in &self.tables {
            writeln!(
                f,
                "{:<20} {:<16} {:>10} {:>10} {:>10} {:>8} {:>8} {:>8}",
                t.table,
                t.key,
                t.stream_rows,
                t.warehouse_rows,
                t.matching,
                t.differing,
                t.missing,
                t.extra
            )?;
        }
        writeln!(f, "totals (stream / warehouse):")?;
        for t in self.tables.iter().filter(|t| !t.totals.is_empty()) {
            let cells: Vec<String> = t
                .totals
                .iter()
                .map(|s| {
                    let show = |v: i128| if s.money { amount(v) } else { v.to_string() };
                    let mark = if s.stream == s.warehouse { "" } else { "  ≠" };
                    format!(
                        "{} {} / {}{mark}",
                        s.column,
                        show(s.stream),
                        show(s.warehouse)
                    )
                })
                .collect();
            writeln!(f, "  {:<20} {}", t.table, cells.join(", "))?;
        }
        if self.partial {
            let newer: u64 = self.tables.iter().map(|t| t.newer_in_warehouse).sum();
            writeln!(
                f,
                "a window: keys outside it not compared; {newer} keys hold a newer version written after it"
            )?;
        }
        for t in &self.tables {
            for d in &t.samples {
                writeln!(f, "{} {} {}: {}", t.table, t.key, d.key, kind_words(d.kind))?;
                for c in &d.columns {
                    writeln!(
                        f,
                        "    {}: stream {}, warehouse {}",
                        c.column, c.stream, c.warehouse
                    )?;
                }
            }
        }
        if self.not_loaded > 0 {
            writeln!(
                f,
                "note: {} messages read are past every loader's stored offset (not loaded yet): \
                 differences may be lag; run again once the consumer lag is 0",
                self.not_loaded
            )?;
        }
        if self.agrees() {
            write!(f, "the warehouse agrees with the stream")
        } else {
            write!(
                f,
                "{} differences: the warehouse does not agree with the stream",
                self.differences()
            )
        }
    }
}

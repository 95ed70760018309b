//! Which records a run compares: whole topics, or a window of them.

use std::fmt;

use chrono::{DateTime, Utc};
use globalcart_schemas::Topic;

/// Which records are compared: whole topics, or a window of them.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// The event topics (empty: all of them).
    pub topics: Vec<Topic>,
    /// Every partition from this offset on.
    pub from_offset: Option<i64>,
    /// Every partition from its first record stamped at or after this time.
    pub from_timestamp: Option<DateTime<Utc>>,
    /// Records stamped after this time are left out.
    pub to_timestamp: Option<DateTime<Utc>>,
}

impl Window {
    /// Bounds in time or offsets: keys outside are not compared.
    pub fn is_partial(&self) -> bool {
        self.from_offset.is_some() || self.from_timestamp.is_some() || self.to_timestamp.is_some()
    }

    /// The event topics of the window (the dead-letter topic is not loaded).
    pub(crate) fn topics(&self) -> Vec<Topic> {
        if self.topics.is_empty() {
            Topic::EVENTS.to_vec()
        } else {
            let mut t = self.topics.clone();
            t.retain(|t| *t != Topic::DeadLetter);
            t.sort();
            t.dedup();
            t
        }
    }

    pub(crate) fn start_ms(&self) -> Option<i64> {
        self.from_timestamp.map(|t| t.timestamp_millis())
    }

    pub(crate) fn end_ms(&self) -> Option<i64> {
        self.to_timestamp.map(|t| t.timestamp_millis())
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.topics().iter().map(|t| t.base()).collect();
        write!(f, "{}", names.join(","))?;
        if let Some(o) = self.from_offset {
            write!(f, "; from offset {o}")?;
        }
        if let Some(t) = self.from_timestamp {
            write!(f, "; stamped from {}", t.to_rfc3339())?;
        }
        if let Some(t) = self.to_timestamp {
            write!(f, "; stamped up to {}", t.to_rfc3339())?;
        }
        if !self.is_partial() {
            write!(f, "; every record")?;
        }
        Ok(())
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub window: Window,
    /// Differing keys listed per table.
    pub show: usize,
    /// Consumers reading partitions in parallel.
    pub readers: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            window: Window::default(),
            show: 10,
            readers: 6,
        }
    }
}

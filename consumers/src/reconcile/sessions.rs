//! The clickstream, compared per session (`fact_funnel_events` grouped by
//! `session_id`): which events the session holds, how many per funnel stage,
//! and each event's content as a 64-bit digest of every loaded column. A
//! clickstream event is immutable and loaded once (a redelivery is skipped),
//! so the first delivery of an event id is the one the warehouse keeps.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use globalcart_schemas::events::FUNNEL_STAGES;
use globalcart_schemas::ClickEvent;
use tokio_postgres::Row;

use super::cells::{EventId, Micros, Show};
use super::compare::{Column, Kind, TableReport, Tally, Totals};

/// Not yet matched / matched with the same content / matched, content differs.
const UNSEEN: u8 = 0;
const SAME: u8 = 1;
const DIFFERS: u8 = 2;

/// One clickstream event, reduced to what the comparison needs.
#[derive(Debug, Clone, Copy)]
pub struct Click {
    pub id: u128,
    pub digest: u64,
    /// Index in [`FUNNEL_STAGES`] (`u8::MAX`: none of them).
    pub stage: u8,
    seen: u8,
}

/// The digest of an event's loaded columns (the session is the grouping key).
#[allow(clippy::too_many_arguments)]
fn digest(
    id: u128,
    ts: i64,
    stage: &str,
    channel: &str,
    device: &str,
    ids: [Option<i64>; 3],
    failure_reason: Option<&str>,
) -> u64 {
    let mut h = DefaultHasher::new();
    (id, ts, stage, channel, device, ids, failure_reason).hash(&mut h);
    h.finish()
}

fn stage_index(stage: &str) -> u8 {
    FUNNEL_STAGES
        .iter()
        .position(|s| *s == stage)
        .map_or(u8::MAX, |i| i as u8)
}

impl Click {
    /// The session of `e` and the event.
    pub fn of(e: ClickEvent) -> (String, Click) {
        let id = EventId::parse(&e.event_id).0;
        let digest = digest(
            id,
            e.event_time,
            &e.stage,
            &e.channel,
            &e.device,
            [e.customer_id, e.product_id, e.order_id],
            e.failure_reason.as_deref(),
        );
        let click = Click {
            id,
            digest,
            stage: stage_index(&e.stage),
            seen: UNSEEN,
        };
        (e.session_id, click)
    }

    /// The session and event of a row of `reconcile_fact_funnel_events_select.sql`.
    pub fn from_row(row: &Row) -> Result<(String, Click), tokio_postgres::Error> {
        let session: String = row.try_get("session_id")?;
        let id = row.try_get::<_, EventId>("event_id")?.0;
        let ts = row.try_get::<_, Micros>("event_ts")?.0;
        let stage: &str = row.try_get("stage")?;
        let digest = digest(
            id,
            ts,
            stage,
            row.try_get("channel")?,
            row.try_get("device")?,
            [
                row.try_get("customer_id")?,
                row.try_get("product_id")?,
                row.try_get("order_id")?,
            ],
            row.try_get("failure_reason")?,
        );
        let click = Click {
            id,
            digest,
            stage: stage_index(stage),
            seen: UNSEEN,
        };
        Ok((session, click))
    }
}

/// A session's events on the stream, and what the warehouse holds of it.
#[derive(Debug, Default)]
pub struct Session {
    /// In delivery order while collecting; by id, first delivery kept, once sealed.
    clicks: Vec<Click>,
    /// The warehouse's events of the session per stage.
    held: [u32; 8],
    /// Warehouse events that are not on the stream.
    extra: u32,
}

impl Session {
    pub fn push(&mut self, c: Click) {
        self.clicks.push(c);
    }

    pub fn append(&mut self, other: Session) {
        self.clicks.extend(other.clicks);
    }

    /// Sorts by id and drops redeliveries; returns how many were dropped.
    pub fn seal(&mut self) -> u64 {
        let before = self.clicks.len();
        self.clicks.sort_by_key(|c| c.id); // stable: the first delivery stays first
        self.clicks.dedup_by_key(|c| c.id);
        (before - self.clicks.len()) as u64
    }
}

fn slot(stage: u8) -> usize {
    usize::from(stage).min(FUNNEL_STAGES.len())
}

/// Compares the sessions: built from the sealed stream sessions, fed the
/// warehouse's clickstream rows one by one.
pub struct Sessions {
    stream: HashMap<String, Session>,
    /// Full comparison only: warehouse sessions that are not on the stream.
    outside: HashMap<String, [u32; 8]>,
    partial: bool,
    show: usize,
}

impl Sessions {
    pub fn new(stream: HashMap<String, Session>, partial: bool, show: usize) -> Self {
        Sessions {
            stream,
            outside: HashMap::new(),
            partial,
            show,
        }
    }

    /// One warehouse event.
    pub fn warehouse(&mut self, session: String, c: Click) {
        let Some(s) = self.stream.get_mut(&session) else {
            if !self.partial {
                self.outside.entry(session).or_default()[slot(c.stage)] += 1;
            }
            return;
        };
        s.held[slot(c.stage)] += 1;
        match s.clicks.binary_search_by_key(&c.id, |k| k.id) {
            Ok(i) if s.clicks[i].seen == UNSEEN => {
                s.clicks[i].seen = if s.clicks[i].digest == c.digest {
                    SAME
                } else {
                    DIFFERS
                };
            }
            _ => s.extra += 1,
        }
    }

    pub fn finish(self) -> TableReport {
        let mut tally = Tally::new("fact_funnel_events", "session_id", self.show);
        let (mut stream_events, mut held_events) = (0i128, 0i128);
        tally.report.stream_rows = self.stream.len() as u64;
        for (id, s) in self.stream {
            let mut counts = [0u32; 8];
            for c in &s.clicks {
                counts[slot(c.stage)] += 1;
            }
            let held: u32 = s.held.iter().sum();
            stream_events += s.clicks.len() as i128;
            held_events += i128::from(held);
            if held > 0 {
                tally.report.warehouse_rows += 1;
            }
            let unseen = s.clicks.iter().filter(|c| c.seen == UNSEEN).count();
            let changed = s.clicks.iter().filter(|c| c.seen == DIFFERS).count();
            let agrees = unseen == 0 && changed == 0 && (self.partial || s.extra == 0);
            if agrees {
                tally.report.matching += 1;
                continue;
            }
            let kind = if held == 0 {
                Kind::Missing
            } else {
                Kind::Differs
            };
            tally.note(id, kind, || describe(&s, counts, self.partial));
        }
        for (id, held) in self.outside {
            let n: u32 = held.iter().sum();
            held_events += i128::from(n);
            tally.report.warehouse_rows += 1;
            tally.note(id, Kind::Extra, || {
                vec![Column {
                    column: "events".into(),
                    stream: "0".into(),
                    warehouse: n.to_string(),
                }]
            });
        }
        tally.report.totals = vec![Totals {
            column: "events",
            money: false,
            stream: stream_events,
            warehouse: held_events,
        }];
        tally.finish()
    }
}

/// The differing columns of a session: its event count and stage counts (a
/// full comparison), and the events missing from the warehouse or stored with
/// other content.
fn describe(s: &Session, counts: [u32; 8], partial: bool) -> Vec<Column> {
    let col = |column: &str, stream: String, warehouse: String| Column {
        column: column.to_string(),
        stream,
        warehouse,
    };
    let mut out = Vec::new();
    if !partial {
        let (n, held) = (s.clicks.len() as u32, s.held.iter().sum::<u32>());
        if n != held {
            out.push(col("events", n.to_string(), held.to_string()));
        }
        for (i, stage) in FUNNEL_STAGES.iter().enumerate() {
            if counts[i] != s.held[i] {
                out.push(col(stage, counts[i].to_string(), s.held[i].to_string()));
            }
        }
    }
    let ids = |seen: u8| {
        let v: Vec<String> = s
            .clicks
            .iter()
            .filter(|c| c.seen == seen)
            .map(|c| EventId(c.id).show())
            .collect();
        v.join(" ")
    };
    let missing = ids(UNSEEN);
    if !missing.is_empty() {
        out.push(col("events missing", missing, "(absent)".into()));
    }
    let changed = ids(DIFFERS);
    if !changed.is_empty() {
        out.push(col("events with other columns", changed.clone(), changed));
    }
    out
}

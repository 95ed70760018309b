//! The warehouse side: one query per table whose rows stream through the
//! comparison (none is held), every table read in one snapshot shared by two
//! connections; and the bookkeeping reconcile reads (the loader's rejects and
//! offsets) and writes (its runs).

use std::collections::HashMap;
use std::time::Instant;

use deadpool_postgres::{Object, Pool};
use futures::{pin_mut, TryStreamExt};
use globalcart_common::metrics::QUERY_SECONDS;
use globalcart_schemas::Topic;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::compare::{TableReport, Versioned};
use super::report::Report;
use super::rows::Record;
use super::sessions::{Click, Sessions};
use super::stream::Recorded;
use super::Result;
use globalcart_common::query;
use globalcart_common::query::Query;

/// Runs `q` and hands each row to `f` as it arrives.
async fn each_row(
    client: &Object,
    q: Query,
    mut f: impl FnMut(&Row) -> Result<(), tokio_postgres::Error>,
) -> Result<u64> {
    let started = Instant::now();
    let stmt = client.prepare_cached(q.sql).await?;
    let rows = client
        .query_raw(&stmt, std::iter::empty::<&(dyn ToSql + Sync)>())
        .await?;
    pin_mut!(rows);
    let mut n = 0;
    while let Some(row) = rows.try_next().await? {
        f(&row)?;
        n += 1;
    }
    QUERY_SECONDS
        .with_label_values(&[q.name])
        .observe(started.elapsed().as_secs_f64());
    Ok(n)
}

/// Compares one versioned table with the rows of `q`.
pub async fn versioned<R: Record>(
    client: &Object,
    q: Query,
    mut cmp: Versioned<R>,
) -> Result<TableReport> {
    each_row(client, q, |row| {
        let (key, r) = R::from_row(row)?;
        cmp.warehouse(key, r);
        Ok(())
    })
    .await?;
    Ok(cmp.finish())
}

/// Compares the sessions with the clickstream rows (on a connection of its
/// own, whose snapshot transaction it ends).
pub async fn sessions(client: Object, mut cmp: Sessions) -> Result<TableReport> {
    each_row(
        &client,
        query!("reconcile_fact_funnel_events_select"),
        |row| {
            let (session, click) = Click::from_row(row)?;
            cmp.warehouse(session, click);
            Ok(())
        },
    )
    .await?;
    client.batch_execute("commit").await?;
    Ok(cmp.finish())
}

/// Two connections in one repeatable-read snapshot: the tables they read
/// are as of one moment even while a loader writes.
pub async fn snapshot(pool: &Pool) -> Result<(Object, Object)> {
    let a = pool.get().await?;
    a.batch_execute("begin isolation level repeatable read read only")
        .await?;
    let id: String = a
        .query_one("select pg_export_snapshot()", &[])
        .await?
        .get(0);
    let b = pool.get().await?;
    b.batch_execute(&format!(
        "begin isolation level repeatable read read only; set transaction snapshot '{}'",
        id.replace('\'', "''")
    ))
    .await?;
    Ok((a, b))
}

/// The messages of `topics` (under `prefix`) the loader recorded as rejects.
pub async fn recorded(client: &Object, prefix: &str, topics: &[String]) -> Result<Recorded> {
    let rows = query!("reconcile_rejects_select")
        .rows(client, &[&topics])
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let name: String = r.get("topic");
            Topic::from_name(prefix, &name).map(|t| (t, r.get("partition"), r.get("offset")))
        })
        .collect())
}

/// Per partition of `topics`: the furthest next offset any loader stored.
pub async fn loaded_offsets(
    client: &Object,
    topics: &[String],
) -> Result<HashMap<(String, i32), i64>> {
    let rows = query!("reconcile_loaded_offsets_select")
        .rows(client, &[&topics])
        .await?;
    Ok(rows
        .iter()
        .map(|r| ((r.get("topic"), r.get("partition")), r.get("next_offset")))
        .collect())
}

/// Records a run that could not finish, and why.
pub async fn save_failure(client: &Object, report: &Report, error: &str) -> Result<()> {
    query!("reconcile_run_insert")
        .rows(
            client,
            &[
                &report.run_at,
                &report.topic_prefix,
                &report.scope,
                &report.partial,
                &(report.messages as i64),
                &report.seconds,
                &0i64,
                &error,
            ],
        )
        .await?;
    Ok(())
}

/// Records `report` in `etl_reconcile_runs` and `etl_reconcile_tables`.
pub async fn save(client: &mut Object, report: &Report) -> Result<i64> {
    let tx = client.transaction().await?;
    let differences = report.differences() as i64;
    let run_id: i64 = query!("reconcile_run_insert")
        .rows(
            &tx,
            &[
                &report.run_at,
                &report.topic_prefix,
                &report.scope,
                &report.partial,
                &(report.messages as i64),
                &report.seconds,
                &differences,
                &None::<&str>,
            ],
        )
        .await?
        .first()
        .map_or(0, |r| r.get("run_id"));
    let t = &report.tables;
    let col = |f: fn(&TableReport) -> u64| t.iter().map(|t| f(t) as i64).collect::<Vec<_>>();
    query!("reconcile_run_tables_insert")
        .rows(
            &tx,
            &[
                &run_id,
                &t.iter().map(|t| t.table).collect::<Vec<_>>(),
                &col(|t| t.stream_rows),
                &col(|t| t.warehouse_rows),
                &col(|t| t.matching),
                &col(|t| t.differing),
                &col(|t| t.missing),
                &col(|t| t.extra),
            ],
        )
        .await?;
    tx.commit().await?;
    Ok(run_id)
}

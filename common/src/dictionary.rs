//! The data dictionary (`docs/data_dictionary.md`), generated from the
//! comments in the database so it cannot drift from the schema: every table,
//! materialized view (the BI marts) and view with each column's type and
//! meaning, then the functions. `globalcart data-dictionary` writes it; a test
//! checks the committed file equals what a freshly migrated database renders.

use std::fmt::Write;

use tokio_postgres::Client;

use crate::error::Result;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Renders the dictionary of the `globalcart` schema as Markdown.
pub async fn render(client: &Client) -> Result<String> {
    let mut out = String::from(
        "# Data dictionary\n\n\
         Generated from the comments in the database by `globalcart data-dictionary --out docs/data_dictionary.md` \
         (a test fails when this file and a freshly migrated database disagree). \
         Schema `globalcart`. Money columns ending in `_usd` are US dollars; ratios are 0–1; days are UTC. \
         KPI formulas: docs/kpi_definitions.md.\n",
    );
    let relations = crate::query!("dictionary_relations")
        .rows(client, &[])
        .await?;
    let columns = crate::query!("dictionary_columns");
    let mut kind_seen = String::new();
    for r in &relations {
        let (oid, name, kind, comment): (i64, String, String, String) = (
            r.get("oid"),
            r.get("relname"),
            r.get("relkind"),
            r.get("comment"),
        );
        if kind != kind_seen {
            let heading = match kind.as_str() {
                "r" => "Tables",
                "m" => "Materialized views (BI marts)",
                _ => "Views",
            };
            let _ = write!(out, "\n## {heading}\n");
            kind_seen = kind;
        }
        let _ = write!(
            out,
            "\n### `{name}`\n\n{}\n\n| Column | Type | Null | Meaning |\n|---|---|---|---|\n",
            cell(&comment)
        );
        for c in columns.rows(client, &[&oid]).await? {
            let (col, ty, not_null, meaning): (String, String, bool, String) = (
                c.get("attname"),
                c.get("data_type"),
                c.get("attnotnull"),
                c.get("comment"),
            );
            let _ = writeln!(
                out,
                "| `{col}` | {ty} | {} | {} |",
                if not_null { "no" } else { "yes" },
                cell(&meaning)
            );
        }
    }
    out.push_str("\n## Functions\n\n| Function | Returns | Meaning |\n|---|---|---|\n");
    for f in crate::query!("dictionary_functions")
        .rows(client, &[])
        .await?
    {
        let (name, args, result, comment): (String, String, String, String) = (
            f.get("proname"),
            f.get("arguments"),
            f.get("result"),
            f.get("comment"),
        );
        let _ = writeln!(
            out,
            "| `{name}({})` | {} | {} |",
            cell(&args),
            cell(&result),
            cell(&comment)
        );
    }
    Ok(out)
}

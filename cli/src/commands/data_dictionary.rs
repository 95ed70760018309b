//! `globalcart data-dictionary [--out FILE]`: the data dictionary rendered
//! from the database comments (docs/data_dictionary.md is this output).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use globalcart_common::{db, dictionary, PgSettings};

#[derive(Debug, Args)]
pub struct DataDictionaryArgs {
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn run(pg: &PgSettings, args: DataDictionaryArgs) -> anyhow::Result<()> {
    db::migrate(&pg.database_url)
        .await
        .context("applying migrations")?;
    let pool = db::pool(&pg.database_url, 1)?;
    let client = pool.get().await?;
    let text = dictionary::render(&client).await?;
    match args.out {
        Some(path) => {
            std::fs::write(&path, &text).with_context(|| format!("writing {}", path.display()))?;
            println!("{} ({} bytes)", path.display(), text.len());
        }
        None => print!("{text}"),
    }
    Ok(())
}

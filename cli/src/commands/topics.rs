//! `globalcart topics create|list|delete|tail`.

use anyhow::Context;
use clap::{Args, Subcommand};
use globalcart_common::{kafka, KafkaSettings};
use globalcart_schemas::Topic;

#[derive(Debug, Args)]
pub struct TopicsArgs {
    #[command(subcommand)]
    pub action: TopicsAction,
}

#[derive(Debug, Subcommand)]
pub enum TopicsAction {
    /// Create every topic of the prefix (existing ones are kept).
    Create {
        /// Partitions per topic.
        #[arg(long, env = "TOPIC_PARTITIONS", default_value_t = 6, value_parser = clap::value_parser!(i32).range(1..=1024))]
        partitions: i32,
    },
    /// List the topics of the prefix with their partition counts.
    List,
    /// Delete every topic of the prefix.
    Delete,
    /// Print a topic's messages as JSON lines, following new ones until Ctrl-C.
    Tail(super::topics_tail::TailArgs),
}

/// Every topic name under the prefix.
pub fn names(settings: &KafkaSettings) -> Vec<String> {
    Topic::ALL
        .iter()
        .map(|t| t.name(&settings.topic_prefix))
        .collect()
}

/// Creates every topic of the prefix.
pub async fn create(settings: &KafkaSettings, partitions: i32) -> anyhow::Result<()> {
    kafka::create_topics(settings, &names(settings), partitions)
        .await
        .with_context(|| format!("creating topics on {}", settings.brokers))
}

pub async fn run(settings: &KafkaSettings, args: TopicsArgs) -> anyhow::Result<()> {
    match args.action {
        TopicsAction::Create { partitions } => {
            create(settings, partitions).await?;
            println!(
                "{} topics ready under {:?}",
                Topic::ALL.len(),
                settings.topic_prefix
            );
        }
        TopicsAction::List => {
            let s = settings.clone();
            let topics =
                tokio::task::spawn_blocking(move || kafka::list_topics(&s, Some(&s.topic_prefix)))
                    .await??;
            for (name, partitions) in topics {
                println!("{name}\t{partitions}");
            }
        }
        TopicsAction::Tail(args) => super::topics_tail::run(settings, args).await?,
        TopicsAction::Delete => {
            kafka::delete_topics(settings, &names(settings)).await?;
            println!("topics under {:?} deleted", settings.topic_prefix);
        }
    }
    Ok(())
}

//! `globalcart produce`: a preset's history, then optionally live events.

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use globalcart_common::KafkaSettings;
use globalcart_producers::generator::{self, GeneratorConfig, Preset};
use globalcart_producers::publish::Faults;
use globalcart_producers::run::{produce_history, produce_live};

/// Size presets (the reference's small/medium/large, plus tiny for tests).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Scale {
    Tiny,
    Small,
    Medium,
    Large,
}

impl From<Scale> for Preset {
    fn from(s: Scale) -> Preset {
        match s {
            Scale::Tiny => Preset::Tiny,
            Scale::Small => Preset::Small,
            Scale::Medium => Preset::Medium,
            Scale::Large => Preset::Large,
        }
    }
}

fn rate_0_1(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not between 0 and 1"))
    }
}

fn positive(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if v > 0.0 && v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{v} must be greater than 0"))
    }
}

/// What to generate.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Size preset.
    #[arg(long, value_enum, default_value = "small")]
    pub scale: Scale,
    /// Random seed: the same seed streams the same events.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Last day (exclusive) of the 365-day history window; default today (UTC).
    #[arg(long)]
    pub end_date: Option<NaiveDate>,
}

impl GenerateArgs {
    pub fn config(&self) -> GeneratorConfig {
        GeneratorConfig {
            preset: self.scale.into(),
            seed: self.seed,
            end_date: self
                .end_date
                .unwrap_or_else(|| chrono::Utc::now().date_naive()),
        }
    }
}

#[derive(Debug, Args)]
pub struct ProduceArgs {
    #[command(flatten)]
    pub generate: GenerateArgs,
    /// After the history, stream live events at this many events per second until stopped.
    #[arg(long, value_parser = positive)]
    pub rate: Option<f64>,
    /// Skip the history (live events only; needs --rate).
    #[arg(long, requires = "rate")]
    pub no_history: bool,
    /// Live mode: simulated seconds per wall-clock second for order lifecycles.
    #[arg(long, default_value_t = 8640.0, value_parser = positive)]
    pub speedup: f64,
    /// Share of events delivered twice (0-1).
    #[arg(long, default_value_t = 0.0, value_parser = rate_0_1)]
    pub duplicate_rate: f64,
    /// Share of events delivered after a newer one (0-1).
    #[arg(long, default_value_t = 0.0, value_parser = rate_0_1)]
    pub reorder_rate: f64,
    /// Write a JSON manifest of what the history must load into (rows and money sums per table).
    #[arg(long)]
    pub manifest: Option<String>,
}

pub async fn run(settings: &KafkaSettings, args: ProduceArgs) -> anyhow::Result<()> {
    let cfg = args.generate.config();
    let faults = Faults {
        duplicate_rate: args.duplicate_rate,
        reorder_rate: args.reorder_rate,
        seed: cfg.seed,
    };
    let shutdown = crate::shutdown::on_signal();
    let live = if args.no_history {
        let rate = args.rate.unwrap_or(1.0);
        let id_base = chrono::Utc::now().timestamp_micros();
        generator::live(&cfg, rate, args.speedup, id_base)
    } else {
        let (s, c, m) = (settings.clone(), cfg.clone(), args.manifest.clone());
        let (report, history) =
            tokio::task::spawn_blocking(move || produce_history(&s, &c, faults, m.as_deref()))
                .await?
                .context("producing the history")?;
        println!(
            "produced {} events ({} messages, {} duplicates, {} reordered)",
            report.events, report.messages, report.duplicates, report.reordered
        );
        match args.rate {
            Some(rate) => history.into_live(rate, args.speedup),
            None => return Ok(()),
        }
    };
    produce_live(settings, live, faults, shutdown)
        .await
        .context("producing live events")?;
    Ok(())
}

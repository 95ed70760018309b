//! Presets (data-set scales) and the generator configuration.

use std::fmt;
use std::str::FromStr;

/// Scale of the generated data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    Tiny,
    Small,
    Medium,
    Large,
}

/// Entity counts of a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresetSize {
    pub geos: usize,
    pub fcs: usize,
    pub customers: usize,
    pub products: usize,
    pub orders: usize,
    pub max_items: usize,
}

impl Preset {
    /// The counts of this preset.
    pub fn size(self) -> PresetSize {
        let (geos, fcs, customers, products, orders, max_items) = match self {
            Preset::Tiny => (5, 3, 120, 80, 400, 4),
            Preset::Small => (20, 12, 25_000, 2_000, 60_000, 5),
            Preset::Medium => (35, 20, 90_000, 6_000, 220_000, 6),
            Preset::Large => (60, 35, 250_000, 15_000, 700_000, 7),
        };
        PresetSize {
            geos,
            fcs,
            customers,
            products,
            orders,
            max_items,
        }
    }
}

impl FromStr for Preset {
    type Err = String;
    fn from_str(s: &str) -> Result<Preset, String> {
        match s {
            "tiny" => Ok(Preset::Tiny),
            "small" => Ok(Preset::Small),
            "medium" => Ok(Preset::Medium),
            "large" => Ok(Preset::Large),
            other => Err(format!(
                "unknown preset {other:?} (tiny, small, medium, large)"
            )),
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Preset::Tiny => "tiny",
            Preset::Small => "small",
            Preset::Medium => "medium",
            Preset::Large => "large",
        })
    }
}

/// What to generate: the preset, the seed and the last day of the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorConfig {
    pub preset: Preset,
    pub seed: u64,
    /// The window is the 365 days before this date (ending at its 00:00 UTC).
    pub end_date: chrono::NaiveDate,
}

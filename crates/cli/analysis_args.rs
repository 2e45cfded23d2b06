//! Options shared by every command that analyzes posts.

use anyhow::Result;
use clap::Args;
use leadminer_core::scan::{Filters, Scanner};
use leadminer_core::setup::{Scorer, Setup};
use std::path::PathBuf;

/// Rule packs and weights.
#[derive(Args, Debug, Clone)]
pub struct AnalysisArgs {
    /// Load rule packs from this TOML file or directory, beside the
    /// built-in packs (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,

    /// Scoring weights file replacing the built-in `weights.toml`.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,

    /// Load an analyzer plugin (a shared library, or a folder of them);
    /// repeatable. Folders in LEADMINER_PLUGIN_PATH are loaded too.
    #[arg(long = "plugin", value_name = "PATH")]
    pub plugins: Vec<PathBuf>,

    /// Configuration file (default: leadminer.toml in the current folder or
    /// the nearest parent that has one; --isolated ignores it): option
    /// defaults per subcommand (`[scan]`, ...), `[[plugin]]` entries,
    /// `[plugins.NAME]` options and `[plugins.NAME.weights]` (see
    /// docs/PLUGINS.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// How posts are scored: `learned` (the built-in model, or --model) or
    /// `rules` (the hand-set weights). The evidence is the rule signals
    /// either way.
    #[arg(long, value_name = "SCORER", default_value = "learned", value_parser = parse_scorer)]
    pub scorer: Scorer,

    /// Score posts with this learned model (made by `leadminer train`)
    /// instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
}

fn parse_scorer(s: &str) -> Result<Scorer, String> {
    Scorer::ALL.iter().find(|(name, _)| *name == s).map(|(_, scorer)| *scorer).ok_or_else(|| {
        let names: Vec<&str> = Scorer::ALL.iter().map(|(name, _)| *name).collect();
        format!("unknown scorer '{s}' (one of: {})", names.join(", "))
    })
}

impl AnalysisArgs {
    /// The core's setup these options name.
    pub fn setup(&self) -> Setup {
        Setup {
            packs: self.rules.clone(),
            weights: self.weights.clone(),
            plugins: self.plugins.clone(),
            config: self.config.clone(),
            scorer: self.scorer,
            model: self.model.clone(),
        }
    }

    /// These options as `name=value` pairs, for a scan's summary.
    pub fn described(&self) -> Vec<(String, String)> {
        let paths = |v: &[PathBuf]| v.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" ");
        let mut out = vec![(
            "scorer".to_string(),
            Scorer::ALL.iter().find(|(_, s)| *s == self.scorer).map_or("", |(n, _)| n).to_string(),
        )];
        for (name, value) in [("rules", paths(&self.rules)), ("plugin", paths(&self.plugins))] {
            if !value.is_empty() {
                out.push((name.to_string(), value));
            }
        }
        for (name, value) in [("weights", &self.weights), ("config", &self.config), ("model", &self.model)] {
            if let Some(p) = value {
                out.push((name.to_string(), p.display().to_string()));
            }
        }
        out
    }

    /// A scanner with these options and `filters` (see [`Setup::scanner`]).
    pub fn scanner(&self, filters: Filters) -> Result<Scanner> {
        Ok(self.setup().scanner(filters)?)
    }
}

//! Options shared by every command that analyzes posts.

use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::analyze::standard_analysis;
use leadminer_core::plugin_host::load_all;
use leadminer_core::rules::Pack;
use leadminer_core::scan::{Filters, Scanner};
use leadminer_core::score::Weights;
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

    /// Configuration file: `[[plugin]]` entries, `[plugins.NAME]` options
    /// and `[plugins.NAME.weights]` (see docs/PLUGINS.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl AnalysisArgs {
    /// The rule packs named with `--rules`.
    pub fn packs(&self) -> Result<Vec<Pack>> {
        let mut packs = Vec::new();
        for path in &self.rules {
            packs.extend(Pack::load_path(path)?);
        }
        Ok(packs)
    }

    /// Builds a scanner with these options and `filters`: the built-in
    /// analyzers, the plugins, the rule packs and the weights (with the
    /// plugins' configured weights applied).
    pub fn scanner(&self, filters: Filters) -> Result<Scanner> {
        let (plugins, plugin_config) =
            load_all(&self.plugins, self.config.as_deref()).context("loading plugins")?;
        let analysis = standard_analysis(&self.packs()?, plugins).context("loading rule packs")?;
        let mut weights = match &self.weights {
            Some(path) => Weights::load(path)?,
            None => Weights::builtin(),
        };
        plugin_config.apply_weights(&mut weights);
        Ok(Scanner { analysis, weights, filters })
    }
}

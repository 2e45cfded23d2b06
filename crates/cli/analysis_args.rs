//! Options shared by every command that analyzes posts.

use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::analyze::{analysis_with, Analysis};
use leadminer_core::plugin_host::load_all;
use leadminer_core::rules::check::{check, KnownKinds};
use leadminer_core::rules::{Pack, PackError};
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

    /// Loads the plugins (`--plugin`, the configuration's and `plugins`),
    /// the weights (with the plugins' configured weights applied) and checks
    /// the `--rules` packs and `packs` together with the built-in ones (see
    /// [`check`]). `Ok(Err(..))` holds the packs' errors, each with file and
    /// line.
    pub fn load(&self, packs: &[Pack], plugins: &[PathBuf]) -> Result<Result<Loaded, Vec<PackError>>> {
        let mut plugin_paths = self.plugins.clone();
        plugin_paths.extend(plugins.iter().cloned());
        let (plugins, plugin_config) =
            load_all(&plugin_paths, self.config.as_deref()).context("loading plugins")?;
        let mut weights = match &self.weights {
            Some(path) => Weights::load(path)?,
            None => Weights::builtin(),
        };
        plugin_config.apply_weights(&mut weights);
        let plugin_kinds: Vec<String> = plugins.iter().flat_map(|p| p.kinds()).collect();
        let known = KnownKinds::new(&weights, plugin_kinds.iter().map(String::as_str));
        let mut all = self.packs()?;
        all.extend(packs.iter().cloned());
        Ok(check(&all, &known).map(|checked| {
            let rules = checked.engine.rules().len();
            Loaded { analysis: analysis_with(checked.engine, plugins), weights, user: checked.user, copies: checked.copies, rules }
        }))
    }

    /// Builds a scanner with these options and `filters`: the built-in
    /// analyzers, the plugins, the rule packs and the weights (with the
    /// plugins' configured weights applied).
    pub fn scanner(&self, filters: Filters) -> Result<Scanner> {
        let Loaded { analysis, weights, .. } = self.load(&[], &[])?.map_err(pack_errors)?;
        Ok(Scanner { analysis, weights, filters })
    }
}

/// What [`AnalysisArgs::load`] loaded.
pub struct Loaded {
    /// The analyzers: built-in, plugins, and the rule engine.
    pub analysis: Analysis,
    /// The scoring weights.
    pub weights: Weights,
    /// The user's packs loaded beside the built-in ones.
    pub user: Vec<Pack>,
    /// The user's packs that are copies of built-in packs (not loaded twice).
    pub copies: Vec<Pack>,
    /// The number of compiled rules.
    pub rules: usize,
}

/// Pack errors as one error, a line each.
pub fn pack_errors(errors: Vec<PackError>) -> anyhow::Error {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    anyhow::anyhow!("loading rule packs:\n{}", lines.join("\n"))
}

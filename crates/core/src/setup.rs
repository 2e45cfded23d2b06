//! The one place that assembles what every command analyzing posts runs
//! (`scan`, `eval`, `explain`, `snapshot`, `test`, `rules check`): the
//! built-in analyzers, the plugins, the rule engine compiled from the
//! built-in packs and the user's (checked with
//! [`check`]), and the weights with the
//! plugins' configured weights applied.

use crate::analyze::expertise::Expertise;
use crate::analyze::rules::check::{check, KnownKinds};
use crate::analyze::rules::{builtin, Pack, PackError, RuleEngine};
use crate::analyze::sharing::CodeSharing;
use crate::analyze::{Analysis, Analyzer};
use crate::plugin_host::{load_all, PluginError};
use crate::scan::{Filters, Scanner};
use crate::score::learned::LearnedScorer;
use crate::score::model::{Model, ModelError};
use crate::score::{Weights, WeightsError};
use std::path::PathBuf;

/// Where the analysis comes from, beside the built-in analyzers, packs and
/// weights: what a user names on the command line.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// Rule pack files or folders of them, loaded beside the built-in packs.
    pub packs: Vec<PathBuf>,
    /// A weights file replacing the built-in `weights.toml`.
    pub weights: Option<PathBuf>,
    /// Plugin libraries or folders of them; folders in
    /// `LEADMINER_PLUGIN_PATH` are loaded too.
    pub plugins: Vec<PathBuf>,
    /// A configuration file: `[[plugin]]` entries, `[plugins.NAME]` options
    /// and `[plugins.NAME.weights]`.
    pub config: Option<PathBuf>,
    /// How posts are scored.
    pub scorer: Scorer,
    /// A learned model (`leadminer train`) used instead of the built-in one
    /// when the scorer is [`Scorer::Learned`].
    pub model: Option<PathBuf>,
}

/// How a scan turns a post's signals into scores and labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Scorer {
    /// The learned model: the built-in one (`crates/core/model.json`,
    /// trained on the shared labeled posts) or the one named by
    /// [`Setup::model`].
    #[default]
    Learned,
    /// The hand-set weights of `weights.toml` (or [`Setup::weights`]).
    Rules,
}

impl Scorer {
    /// Both scorers, by name.
    pub const ALL: [(&'static str, Scorer); 2] = [("learned", Scorer::Learned), ("rules", Scorer::Rules)];
}

/// What [`Setup::load`] assembled.
pub struct Standard {
    /// The analyzers: built-in, plugins, and the rule engine last.
    pub analysis: Analysis,
    /// The scoring weights, plugin weights applied.
    pub weights: Weights,
    /// The user's packs loaded beside the built-in ones.
    pub user: Vec<Pack>,
    /// The user's packs that are exact copies of built-in packs (their
    /// rules are already loaded, not twice).
    pub copies: Vec<Pack>,
    /// The number of compiled rules.
    pub rules: usize,
}

impl std::fmt::Debug for Standard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Standard").field("analysis", &self.analysis).field("rules", &self.rules).finish_non_exhaustive()
    }
}

/// Why the analysis could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A pack file could not be read or parsed.
    #[error(transparent)]
    Pack(#[from] PackError),
    /// The packs do not check: each error with its file and line.
    #[error("loading rule packs:\n{}", lines(.0))]
    Packs(Vec<PackError>),
    /// A plugin or the configuration could not be loaded.
    #[error("loading plugins: {0}")]
    Plugin(#[from] PluginError),
    /// The weights file is unreadable or invalid.
    #[error(transparent)]
    Weights(#[from] WeightsError),
    /// The model file is unreadable or invalid.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A model was named for the rule scorer, which has none.
    #[error("{}: a model scores with --scorer learned, not rules", .0.display())]
    ModelWithRules(PathBuf),
}

fn lines(errors: &[PackError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl Setup {
    /// Loads the plugins (these and `plugins`), the weights (with the
    /// plugins' configured weights applied), and checks the packs (these
    /// and `packs`, already loaded) together with the built-in ones.
    pub fn load(&self, packs: &[Pack], plugins: &[PathBuf]) -> Result<Standard, SetupError> {
        let mut plugin_paths = self.plugins.clone();
        plugin_paths.extend(plugins.iter().cloned());
        let (plugins, plugin_config) = load_all(&plugin_paths, self.config.as_deref())?;
        let mut weights = match &self.weights {
            Some(path) => Weights::load(path)?,
            None => Weights::builtin(),
        };
        plugin_config.apply_weights(&mut weights);
        let plugin_kinds: Vec<String> = plugins.iter().flat_map(|p| p.kinds()).collect();
        let known = KnownKinds::new(weights.kinds().into_iter().chain(plugin_kinds.iter().map(String::as_str)));
        let mut all = Vec::new();
        for path in &self.packs {
            all.extend(Pack::load_path(path)?);
        }
        all.extend(packs.iter().cloned());
        let checked = check(&all, &known).map_err(SetupError::Packs)?;
        let rules = checked.engine.rules().len();
        Ok(Standard {
            analysis: analysis_with(checked.engine, plugins),
            weights,
            user: checked.user,
            copies: checked.copies,
            rules,
        })
    }

    /// A scanner with this analysis, its weights and `filters`.
    pub fn scanner(&self, filters: Filters) -> Result<Scanner, SetupError> {
        let Standard { analysis, weights, .. } = self.load(&[], &[])?;
        let model = match (self.scorer, &self.model) {
            (Scorer::Rules, Some(path)) => return Err(SetupError::ModelWithRules(path.clone())),
            (Scorer::Rules, None) => None,
            (Scorer::Learned, Some(path)) => Some(LearnedScorer::new(Model::load(path)?, &weights)),
            (Scorer::Learned, None) => Some(LearnedScorer::new(Model::builtin(), &weights)),
        };
        Ok(Scanner {
            analysis,
            weights,
            model,
            rerank: None,
            filters,
            about: Default::default(),
            merge_authors: false,
            resume: false,
        })
    }
}

/// The built-in analyzers plus `extra` ones (plugins), with the rule engine
/// compiled from the built-in packs and `packs` (less exact copies of the
/// built-in packs, already loaded), unchecked: commands go through
/// [`Setup::load`], which checks the packs' kinds first.
pub fn standard_analysis(packs: &[Pack], extra: Vec<Box<dyn Analyzer>>) -> Result<Analysis, PackError> {
    let mut all = builtin::packs()?;
    all.extend(packs.iter().filter(|p| !builtin::is_copy(p)).cloned());
    let engine = RuleEngine::new(&all)?;
    Ok(analysis_with(engine, extra))
}

/// The built-in analyzers, then `extra` ones (plugins), then a compiled rule
/// engine: it runs last, so its proximity rules see every other analyzer's
/// signals.
pub fn analysis_with(engine: RuleEngine, extra: Vec<Box<dyn Analyzer>>) -> Analysis {
    let mut analyzers: Vec<Box<dyn Analyzer>> = vec![Box::new(CodeSharing::default()), Box::new(Expertise::default())];
    analyzers.extend(extra);
    analyzers.push(Box::new(engine));
    Analysis::new(analyzers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_analysis_runs_the_rule_engine_last() {
        let standard = Setup::default().load(&[], &[]).expect("the built-in setup loads");
        let ids: Vec<&str> = standard.analysis.analyzers().iter().map(|a| a.id()).collect();
        assert_eq!(ids.first(), Some(&"sharing-code"));
        assert!(ids.last().is_some_and(|id| id.starts_with("rules")), "{ids:?}");
        assert!(standard.rules > 20 && standard.user.is_empty() && standard.copies.is_empty());
    }

    #[test]
    fn pack_errors_name_their_file_and_line() {
        let pack = Pack::parse(
            "my.toml",
            "[pack]\nid = \"mine\"\n[[rule]]\nid = \"mine.x\"\nkind = \"soluton\"\nphrases = [\"glued a jig\"]\n",
        );
        let e = Setup::default().load(&[pack.expect("parses")], &[]).expect_err("unknown kind");
        assert!(matches!(e, SetupError::Packs(_)), "{e}");
        assert!(e.to_string().contains("my.toml:"), "{e}");
    }

    #[test]
    fn a_missing_weights_file_is_named() {
        let setup = Setup { weights: Some("/no/such/weights.toml".into()), ..Setup::default() };
        let e = setup.load(&[], &[]).expect_err("missing file");
        assert!(e.to_string().contains("/no/such/weights.toml"), "{e}");
    }
}

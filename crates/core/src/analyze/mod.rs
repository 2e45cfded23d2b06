//! The analyzer pipeline: analyzers read a [`Document`] and add stand-off
//! [`Signal`]s — spans with a kind, the analyzer and rule that found them,
//! a byte range into the document text and a weight. The text itself is
//! never modified.

pub mod adapter;
pub mod document;
pub mod expertise;
pub mod normalize;
pub mod sharing;

pub use adapter::PluginAnalyzer;
pub use document::{Document, Token};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Signal kinds the built-in analyzers emit.
pub mod kinds {
    /// The author reports a solution they built.
    pub const SOLUTION: &str = "solution";
    /// The author states an unmet need.
    pub const NEED: &str = "need";
    /// A need and a solution tied together in one post.
    pub const NEED_SOLUTION: &str = "need_solution";
    /// Instructions, code, repository or design files shared.
    pub const SHARING: &str = "sharing";
    /// Product, pricing, company or launch language.
    pub const COMMERCIAL: &str = "commercial";
    /// Domain vocabulary and signs of expertise.
    pub const EXPERTISE: &str = "expertise";
    /// A reply reacting to a solution (kinds `response.*`).
    pub const RESPONSE_PREFIX: &str = "response.";
}

/// A stand-off annotation: what was found, by whom, where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// The kind of evidence (`solution`, `need`, ...).
    pub kind: Arc<str>,
    /// The analyzer that found it (a rule pack id, a plugin name).
    pub analyzer: Arc<str>,
    /// The rule within the analyzer.
    pub rule: Arc<str>,
    /// Start byte offset into the document text.
    pub start: usize,
    /// End byte offset, exclusive.
    pub end: usize,
    /// How much one such signal counts, in (0, 1].
    pub weight: f32,
}

/// An analyzer: reads one post and adds signals. Built-in analyzers, rule
/// packs and loaded plugins all implement this trait, so to the pipeline
/// they are the same thing.
pub trait Analyzer: Send + Sync {
    /// A short unique id.
    fn id(&self) -> &str;

    /// The signal kinds it may emit.
    fn kinds(&self) -> Vec<String>;

    /// Raw-text substrings (lower case) one of which a post must contain
    /// for this analyzer to find anything; `None` means every post must be
    /// analyzed.
    fn triggers(&self) -> Option<Vec<String>> {
        None
    }

    /// Analyzes one document, pushing signals to `out`. `out` may already
    /// hold signals of analyzers that ran before.
    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError>;
}

/// An analyzer failed on a post.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("analyzer '{analyzer}' failed on post {post}: {message}")]
pub struct AnalyzeError {
    /// The analyzer.
    pub analyzer: String,
    /// The post's id.
    pub post: String,
    /// What went wrong.
    pub message: String,
}

/// A set of analyzers with one shared prefilter.
pub struct Analysis {
    analyzers: Vec<Box<dyn Analyzer>>,
    prefilter: Option<AhoCorasick>,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.analyzers.iter().map(|a| a.id()).collect();
        f.debug_struct("Analysis").field("analyzers", &ids).finish()
    }
}

impl Analysis {
    /// Builds the set; analyzers run in the given order.
    pub fn new(analyzers: Vec<Box<dyn Analyzer>>) -> Self {
        let mut all = Vec::new();
        let mut always = false;
        for a in &analyzers {
            match a.triggers() {
                Some(t) => all.extend(t),
                None => always = true,
            }
        }
        all.sort();
        all.dedup();
        let prefilter = if always || all.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostFirst)
                .build(&all)
                .ok()
        };
        Analysis { analyzers, prefilter }
    }

    /// The analyzers.
    pub fn analyzers(&self) -> &[Box<dyn Analyzer>] {
        &self.analyzers
    }

    /// Whether a post can carry any signal: one scan of its bytes.
    pub fn candidate(&self, post: &crate::Post) -> bool {
        match &self.prefilter {
            None => true,
            Some(ac) => {
                post.title.as_deref().is_some_and(|t| ac.is_match(t)) || ac.is_match(&post.body)
            }
        }
    }

    /// Runs every analyzer on a prepared document. Signals come back
    /// sorted by position; failures of single analyzers are returned beside
    /// the signals of the others.
    pub fn run(&self, doc: &Document<'_>) -> (Vec<Signal>, Vec<AnalyzeError>) {
        let mut signals = Vec::new();
        let mut errors = Vec::new();
        for a in &self.analyzers {
            let before = signals.len();
            if let Err(e) = a.analyze(doc, &mut signals) {
                signals.truncate(before);
                errors.push(e);
            }
        }
        sort_signals(&mut signals);
        (signals, errors)
    }
}

/// Sorts signals by position, then kind, analyzer and rule, and removes
/// exact duplicates, so outputs are stable.
pub fn sort_signals(signals: &mut Vec<Signal>) {
    signals.sort_by(|a, b| {
        (a.start, a.end, &a.kind, &a.analyzer, &a.rule).cmp(&(b.start, b.end, &b.kind, &b.analyzer, &b.rule))
    });
    signals.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.kind == b.kind && a.rule == b.rule);
}

//! The analyzer pipeline: analyzers read a [`Document`] and add stand-off
//! [`Signal`]s — spans with a kind, the analyzer and rule that found them,
//! a byte range into the document text and a weight. The text itself is
//! never modified.

pub mod document;
pub mod expertise;
pub mod normalize;
pub mod rules;
pub mod sharing;

pub use document::{Document, Token};

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
    /// A phrase that looks like a solution but is not ("built a career").
    pub const FALSE_FRIEND: &str = "false_friend";
}

/// A reply's reaction to the post it answers: a signal kind of the
/// `response.` family (`response.buy`, `response.how`, ...). Such signals
/// are not evidence about the reply itself; a scan credits them to the post
/// the reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResponseKind<'k>(&'k str);

impl<'k> ResponseKind<'k> {
    /// What every response kind starts with.
    const PREFIX: &'static str = "response.";

    /// The response kind `kind` names, if it is one.
    pub fn of(kind: &'k str) -> Option<Self> {
        kind.starts_with(Self::PREFIX).then_some(ResponseKind(kind))
    }

    /// The whole kind (`response.buy`).
    pub fn as_str(self) -> &'k str {
        self.0
    }

    /// The reaction, without the family (`buy`).
    pub fn reaction(self) -> &'k str {
        &self.0[Self::PREFIX.len()..]
    }
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

impl Signal {
    /// The reaction this signal records, when it is a reply's response to
    /// the post it answers rather than evidence about its own post.
    pub fn response(&self) -> Option<ResponseKind<'_>> {
        ResponseKind::of(&self.kind)
    }

    /// Whether the signal is evidence about its own post (not a response).
    pub fn is_own(&self) -> bool {
        self.response().is_none()
    }
}

/// An analyzer: reads one post and adds signals. Built-in analyzers, rule
/// packs and loaded plugins all implement this trait, so to the pipeline
/// they are the same thing.
pub trait Analyzer: Send + Sync {
    /// A short unique id.
    fn id(&self) -> &str;

    /// The signal kinds it may emit.
    fn kinds(&self) -> Vec<String>;

    /// A cheap look at the raw post before any tokenizing (see [`Wants`]).
    /// A post is analyzed when any analyzer answers [`Wants::Yes`].
    fn wants(&self, _post: &crate::Post) -> Wants {
        Wants::Yes
    }

    /// What one of its rules means, for `explain`.
    fn describe(&self, _rule: &str) -> Option<String> {
        None
    }

    /// The ids of all the rules whose signals it may emit, when it can list
    /// them (a rule engine can; a plugin cannot): `leadminer test` reports
    /// fixtures that name a rule no analyzer has.
    fn rules(&self) -> Option<Vec<String>> {
        None
    }

    /// Analyzes one document, pushing signals to `out`. `out` may already
    /// hold signals of analyzers that ran before.
    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError>;
}

/// An analyzer's answer, before any tokenizing, to whether a post is worth
/// analyzing ([`Analyzer::wants`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wants {
    /// It may find evidence in the post: analyze it.
    Yes,
    /// It cannot find anything in the post.
    No,
    /// It only adds to what other analyzers find (expertise): it runs on a
    /// post another analyzer wants, never makes a post worth analyzing by
    /// itself, and its signals do not list a post.
    Alongside,
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

/// A set of analyzers.
pub struct Analysis {
    analyzers: Vec<Box<dyn Analyzer>>,
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
        Analysis { analyzers }
    }

    /// The analyzers.
    pub fn analyzers(&self) -> &[Box<dyn Analyzer>] {
        &self.analyzers
    }

    /// The ids of the rules the analyzers can list (see
    /// [`Analyzer::rules`]), and whether every analyzer could list its own.
    pub fn rule_ids(&self) -> (std::collections::BTreeSet<String>, bool) {
        let mut ids = std::collections::BTreeSet::new();
        let mut complete = true;
        for a in &self.analyzers {
            match a.rules() {
                Some(rules) => ids.extend(rules),
                None => complete = false,
            }
        }
        (ids, complete)
    }

    /// The signal kinds the analyzers may emit.
    pub fn kinds(&self) -> std::collections::BTreeSet<String> {
        self.analyzers.iter().flat_map(|a| a.kinds()).collect()
    }

    /// What a rule means, from the analyzer that defines it.
    pub fn rule_message(&self, rule: &str) -> Option<String> {
        self.analyzers.iter().find_map(|a| a.describe(rule))
    }

    /// Whether a post can carry any signal, decided without tokenizing.
    pub fn candidate(&self, post: &crate::Post) -> bool {
        self.analyzers.iter().any(|a| a.wants(post) == Wants::Yes)
    }

    /// Each analyzer's answer to [`Analyzer::wants`] for a post, in order.
    pub fn wants(&self, post: &crate::Post) -> Vec<Wants> {
        self.analyzers.iter().map(|a| a.wants(post)).collect()
    }

    /// Runs every analyzer on a prepared document. Signals come back
    /// sorted by position; failures of single analyzers are returned beside
    /// the signals of the others.
    pub fn run(&self, doc: &Document<'_>) -> Analyzed {
        self.run_with_wants(doc, &self.wants(doc.post))
    }

    /// [`Analysis::run`] with the analyzers' [`Analysis::wants`] already
    /// known (a scan asks them once, to pick the post).
    pub fn run_with_wants(&self, doc: &Document<'_>, wants: &[Wants]) -> Analyzed {
        let mut signals = Vec::new();
        let mut errors = Vec::new();
        let mut listed = false;
        for (a, wants) in self.analyzers.iter().zip(wants) {
            let before = signals.len();
            if let Err(e) = a.analyze(doc, &mut signals) {
                signals.truncate(before);
                errors.push(e);
                continue;
            }
            // Only the evidence of an analyzer that can make a post a
            // candidate lists it, so what is listed does not depend on how
            // precise the other analyzers' prefilters are.
            let evidence = |s: &Signal| &*s.kind != kinds::FALSE_FRIEND && s.is_own();
            listed |= *wants == Wants::Yes && signals[before..].iter().any(evidence);
        }
        sort_signals(&mut signals);
        Analyzed { signals, errors, listed }
    }
}

/// All the analyzers as one, in order: what a test of the whole analysis
/// runs. Its error is the first analyzer's failure (a scan runs them with
/// [`Analysis::run`], which keeps the others' signals).
impl Analyzer for Analysis {
    fn id(&self) -> &str {
        "analysis"
    }

    fn kinds(&self) -> Vec<String> {
        Analysis::kinds(self).into_iter().collect()
    }

    fn wants(&self, post: &crate::Post) -> Wants {
        if self.candidate(post) {
            Wants::Yes
        } else {
            Wants::No
        }
    }

    fn describe(&self, rule: &str) -> Option<String> {
        self.rule_message(rule)
    }

    fn rules(&self) -> Option<Vec<String>> {
        let (ids, complete) = self.rule_ids();
        complete.then(|| ids.into_iter().collect())
    }

    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError> {
        let Analyzed { signals, mut errors, .. } = self.run(doc);
        if errors.is_empty() {
            out.extend(signals);
            Ok(())
        } else {
            Err(errors.swap_remove(0))
        }
    }
}

/// What the analyzers found in one document.
#[derive(Debug, Default)]
pub struct Analyzed {
    /// All signals, sorted by position.
    pub signals: Vec<Signal>,
    /// Failures of single analyzers.
    pub errors: Vec<AnalyzeError>,
    /// Whether the post belongs in a scan's output: an analyzer that wants
    /// the post ([`Analyzer::wants`]) found evidence about the post itself
    /// (not a false friend, not a reaction to its parent). Signals of
    /// analyzers that only add to others (expertise) do not list a post.
    pub listed: bool,
}

/// Sorts signals by position, then kind, analyzer and rule, and removes
/// exact duplicates, so outputs are stable.
pub fn sort_signals(signals: &mut Vec<Signal>) {
    signals.sort_by(|a, b| {
        (a.start, a.end, &a.kind, &a.analyzer, &a.rule).cmp(&(b.start, b.end, &b.kind, &b.analyzer, &b.rule))
    });
    signals.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.kind == b.kind && a.rule == b.rule);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_kinds_are_the_response_family_only() {
        let buy = ResponseKind::of("response.buy").expect("a response");
        assert_eq!((buy.as_str(), buy.reaction()), ("response.buy", "buy"));
        assert_eq!(ResponseKind::of("responsive"), None);
        assert_eq!(ResponseKind::of(kinds::SOLUTION), None);
        let signal = |kind: &str| Signal { kind: kind.into(), analyzer: Arc::from("a"), rule: Arc::from("r"), start: 0, end: 1, weight: 0.5 };
        assert!(signal("solution").is_own());
        assert!(!signal("response.how").is_own());
        assert_eq!(signal("response.how").response().map(ResponseKind::reaction), Some("how"));
    }
}

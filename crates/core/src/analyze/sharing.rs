//! Code shared in the post itself: a code block the author wrote is
//! evidence that they hand over a working solution. A thread opener that
//! shows code without asking for help also counts as a `solution` signal:
//! the author shows work of their own, not a problem.
//!
//! Links, licences and instructions are found by the `sharing` rule pack;
//! this analyzer covers what a pattern cannot see: the code regions the
//! readers marked.
//!
//! It is written against the plugin SDK ([`leadminer_plugin::Plugin`]) and
//! linked in through [`PluginAnalyzer`]: the same trait and the same checks
//! as a plugin loaded from a shared library.

use super::adapter::PluginAnalyzer;
use super::{kinds, AnalyzeError, Analyzer, Document, Signal};
use leadminer_plugin::{Plugin, Post, RegionKind, Signals};
use regex::Regex;
use std::sync::OnceLock;

/// Smallest code block that counts as shared code, in bytes.
const MIN_CODE: usize = 80;

/// Post kinds that open a thread.
const THREAD_STARTS: &[&str] = &["submission", "question", "story", "topic"];

/// Emits a `sharing` signal for the largest code block of a post, and a
/// `solution` signal when a thread opener shows it without asking for help.
#[derive(Debug, Default, Clone, Copy)]
pub struct CodeBlocks;

impl Plugin for CodeBlocks {
    const NAME: &'static str = "sharing-code";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const KINDS: &'static [&'static str] = &[kinds::SHARING, kinds::SOLUTION];
    // Code blocks are found from regions, not words: `CodeSharing` makes
    // posts with a code block candidates.
    const TRIGGERS: Option<&'static [&'static str]> = Some(&[]);

    fn new(config: &str) -> Result<Self, String> {
        if config.trim().is_empty() {
            Ok(CodeBlocks)
        } else {
            Err(format!("{} takes no options", Self::NAME))
        }
    }

    fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String> {
        let largest = post
            .regions()
            .iter()
            .filter(|r| r.region_kind() == RegionKind::Code && r.range().len() >= MIN_CODE)
            .max_by_key(|r| (r.range().len(), std::cmp::Reverse(r.start)));
        if let Some(r) = largest {
            let shown = THREAD_STARTS.contains(&post.kind()) && !asks_for_help(post);
            out.emit(kinds::SHARING, "sharing.code-block", r.range(), if shown { 0.7 } else { 0.35 });
            if shown {
                out.emit(kinds::SOLUTION, "solution.code-shown", r.range(), 0.5);
            }
        }
        Ok(())
    }
}

/// Whether the prose (outside code) asks a question or for help.
fn asks_for_help(post: &Post<'_>) -> bool {
    static CUES: OnceLock<Regex> = OnceLock::new();
    let cues = CUES.get_or_init(|| {
        Regex::new(
            r"(?i)\?(?:\s|$)|\b(?:problems?|errors?|wrong|help me|need help|any help|please help|issues?|crash(?:es|ed)?|fails|failed|(?:doesn|don|won|can)['’]t (?:work|get|seem)|does not work|not working|bugs?|exceptions?|what am i doing|any ideas?|cannot get|trying to|not sure|solved)\b",
        )
        .unwrap_or_else(|e| panic!("help cue pattern: {e}"))
    });
    let text = post.text();
    let mut at = 0;
    for r in post.regions().iter().filter(|r| r.region_kind() == RegionKind::Code) {
        let range = r.range();
        if range.start >= at && cues.is_match(text.get(at..range.start).unwrap_or("")) {
            return true;
        }
        at = at.max(range.end);
    }
    cues.is_match(text.get(at..).unwrap_or(""))
}

/// [`CodeBlocks`] as an analyzer. A post with a code block of
/// [`MIN_CODE`] bytes or more is a candidate by itself: shown code is
/// evidence whatever words surround it.
#[derive(Debug, Default)]
pub struct CodeSharing(PluginAnalyzer<CodeBlocks>);

impl CodeSharing {
    /// Creates the analyzer (it takes no options).
    pub fn new(config: &str) -> Result<Self, String> {
        PluginAnalyzer::new(config).map(CodeSharing)
    }
}

impl Analyzer for CodeSharing {
    fn id(&self) -> &str {
        self.0.id()
    }

    fn kinds(&self) -> Vec<String> {
        self.0.kinds()
    }

    fn wants(&self, post: &crate::Post) -> Option<bool> {
        let code = post.regions.iter().any(|r| r.kind == crate::model::RegionKind::Code && r.end - r.start >= MIN_CODE);
        code.then_some(true)
    }

    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError> {
        self.0.analyze(doc, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Post, PostKind, Region, RegionKind, Source};

    #[test]
    fn largest_code_block_is_shared() {
        let mut p = Post::new(Source::Reddit, "c1", PostKind::Comment);
        p.title = Some("T".into());
        let small = "x".repeat(90);
        let large = "y".repeat(120);
        p.body = format!("a {small} b {large} c");
        p.regions = vec![
            Region { kind: RegionKind::Code, start: 2, end: 92 },
            Region { kind: RegionKind::Code, start: 95, end: 215 },
        ];
        let doc = Document::new(&p);
        let mut out = Vec::new();
        let a = CodeSharing::default();
        a.analyze(&doc, &mut out).expect("analyzes");
        assert_eq!(out.len(), 1, "a comment only shares");
        let s = &out[0];
        assert_eq!((&*s.kind, &*s.analyzer, &*s.rule), ("sharing", "sharing-code", "sharing.code-block"));
        assert_eq!(&doc.text[s.start..s.end], large);
        assert_eq!(a.wants(&p), Some(true), "a post with a code block is a candidate");
        p.regions.clear();
        assert_eq!(a.wants(&p), None);
        assert!(CodeSharing::new("x = 1").is_err());
    }

    #[test]
    fn code_shown_in_a_thread_opener_is_a_solution_unless_it_asks() {
        let code = "z".repeat(100);
        let mut p = Post::new(Source::Discourse, "t1", PostKind::Topic);
        p.body = format!("A blur shader:\n\n{code}\n\nEnjoy.");
        p.regions = vec![Region { kind: RegionKind::Code, start: 16, end: 116 }];
        let mut out = Vec::new();
        CodeSharing::default().analyze(&Document::new(&p), &mut out).expect("analyzes");
        assert!(out.iter().any(|s| &*s.rule == "solution.code-shown"));
        p.body = format!("Why does this fail?\n\n{code}\n\nThanks.");
        p.regions = vec![Region { kind: RegionKind::Code, start: 21, end: 121 }];
        let mut out = Vec::new();
        CodeSharing::default().analyze(&Document::new(&p), &mut out).expect("analyzes");
        assert!(!out.iter().any(|s| &*s.rule == "solution.code-shown"));
    }
}

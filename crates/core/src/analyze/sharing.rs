//! Code shared in the post itself: a code block the author wrote is
//! evidence that they hand over a working solution. A thread opener that
//! shows code without asking for help also counts as a `solution` signal:
//! the author shows work of their own, not a problem.
//!
//! Links, licences and instructions are found by the `sharing` rule pack;
//! this analyzer covers what a pattern cannot see: the code regions the
//! readers marked.

use super::{kinds, AnalyzeError, Analyzer, Document, Signal, Wants};
use crate::model::RegionKind;
use regex::Regex;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// The analyzer's id, in signals.
const ID: &str = "sharing-code";

/// Smallest code block that counts as shared code, in bytes.
const MIN_CODE: usize = 80;

/// Post kinds that open a thread.
const THREAD_STARTS: &[&str] = &["submission", "question", "story", "topic"];

/// Emits a `sharing` signal for the largest code block of a post, and a
/// `solution` signal when a thread opener shows it without asking for help.
/// A post with a code block of `MIN_CODE` bytes or more is a candidate by
/// itself: shown code is evidence whatever words surround it.
#[derive(Debug, Clone)]
pub struct CodeSharing {
    id: Arc<str>,
    sharing: Arc<str>,
    solution: Arc<str>,
}

impl Default for CodeSharing {
    fn default() -> Self {
        CodeSharing { id: ID.into(), sharing: kinds::SHARING.into(), solution: kinds::SOLUTION.into() }
    }
}

impl CodeSharing {
    /// Creates the analyzer; it takes no options, so `config` (TOML text)
    /// must be empty.
    pub fn new(config: &str) -> Result<Self, String> {
        if config.trim().is_empty() {
            Ok(CodeSharing::default())
        } else {
            Err(format!("{ID} takes no options"))
        }
    }
}

impl Analyzer for CodeSharing {
    fn id(&self) -> &str {
        &self.id
    }

    fn kinds(&self) -> Vec<String> {
        vec![kinds::SHARING.to_string(), kinds::SOLUTION.to_string()]
    }

    fn wants(&self, post: &crate::Post) -> Wants {
        if post.regions.iter().any(|r| r.kind == RegionKind::Code && r.end - r.start >= MIN_CODE) {
            Wants::Yes
        } else {
            Wants::Alongside
        }
    }

    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError> {
        let largest = code_blocks(doc)
            .filter(|r| r.len() >= MIN_CODE)
            .max_by_key(|r| (r.len(), std::cmp::Reverse(r.start)));
        let Some(r) = largest else { return Ok(()) };
        let shown = THREAD_STARTS.contains(&doc.post.kind.as_str()) && !asks_for_help(doc);
        let signal = |kind: &Arc<str>, rule: &str, weight: f32| Signal {
            kind: Arc::clone(kind),
            analyzer: Arc::clone(&self.id),
            rule: Arc::from(rule),
            start: r.start,
            end: r.end,
            weight,
        };
        out.push(signal(&self.sharing, "sharing.code-block", if shown { 0.7 } else { 0.35 }));
        if shown {
            out.push(signal(&self.solution, "solution.code-shown", 0.5));
        }
        Ok(())
    }
}

/// The code regions of a document, in order.
fn code_blocks<'d>(doc: &'d Document<'_>) -> impl Iterator<Item = Range<usize>> + 'd {
    doc.regions.iter().filter(|(kind, _)| *kind == RegionKind::Code).map(|(_, r)| r.clone())
}

/// Whether the prose (outside code) asks a question or for help.
fn asks_for_help(doc: &Document<'_>) -> bool {
    static CUES: OnceLock<Regex> = OnceLock::new();
    let cues = CUES.get_or_init(|| {
        Regex::new(
            r"(?i)\?(?:\s|$)|\b(?:problems?|errors?|wrong|help me|need help|any help|please help|issues?|crash(?:es|ed)?|fails|failed|(?:doesn|don|won|can)['’]t (?:work|get|seem)|does not work|not working|bugs?|exceptions?|what am i doing|any ideas?|cannot get|trying to|not sure|solved)\b",
        )
        .unwrap_or_else(|e| panic!("help cue pattern: {e}"))
    });
    let text = &doc.text;
    let mut at = 0;
    for range in code_blocks(doc) {
        if range.start >= at && cues.is_match(text.get(at..range.start).unwrap_or("")) {
            return true;
        }
        at = at.max(range.end);
    }
    cues.is_match(text.get(at..).unwrap_or(""))
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
        assert_eq!(a.wants(&p), Wants::Yes, "a post with a code block is a candidate");
        p.regions.clear();
        assert_eq!(a.wants(&p), Wants::Alongside);
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

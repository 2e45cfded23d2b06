//! Code shared in the post itself: a code block the author wrote is
//! evidence that they hand over a working solution. A thread opener that
//! shows code without asking for help also counts as a `solution` signal:
//! the author shows work of their own, not a problem.
//!
//! Links, licences and instructions are found by the `sharing` rule pack;
//! this analyzer covers what a pattern cannot see: the code regions the
//! readers marked.

use super::{kinds, AnalyzeError, Analyzer, Document, Signal};
use crate::model::RegionKind;
use std::sync::Arc;

/// Smallest code block that counts as shared code, in bytes.
const MIN_CODE: usize = 80;

/// Emits a `sharing` signal for the largest code block of a post.
#[derive(Debug)]
pub struct CodeSharing {
    kind: Arc<str>,
    id: Arc<str>,
    rule: Arc<str>,
    solution: Arc<str>,
    shown: Arc<str>,
}

impl Default for CodeSharing {
    fn default() -> Self {
        CodeSharing {
            kind: kinds::SHARING.into(),
            id: "sharing-code".into(),
            rule: "sharing.code-block".into(),
            solution: kinds::SOLUTION.into(),
            shown: "solution.code-shown".into(),
        }
    }
}

/// Whether the prose (outside code) asks for help.
fn asks_for_help(doc: &Document<'_>) -> bool {
    static CUES: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let cues = CUES.get_or_init(|| {
        regex::Regex::new(
            r"(?i)\b(?:problems?|errors?|wrong|help me|need help|any help|please help|issues?|crash(?:es|ed)?|fails|failed|(?:doesn|don|won|can)['’]t (?:work|get|seem)|does not work|not working|bugs?|exceptions?|what am i doing|any ideas?|cannot get|trying to|not sure|solved)\b",
        )
        .unwrap_or_else(|e| panic!("help cue pattern: {e}"))
    });
    let mut prose = String::with_capacity(doc.text.len());
    let mut at = 0;
    for (kind, r) in &doc.regions {
        if *kind == RegionKind::Code && r.start >= at {
            prose.push_str(&doc.text[at..r.start]);
            at = r.end;
        }
    }
    prose.push_str(&doc.text[at.min(doc.text.len())..]);
    cues.is_match(&prose)
}

impl Analyzer for CodeSharing {
    fn id(&self) -> &str {
        &self.id
    }

    fn kinds(&self) -> Vec<String> {
        vec![kinds::SHARING.to_string(), kinds::SOLUTION.to_string()]
    }

    fn wants(&self, _post: &crate::Post) -> Option<bool> {
        // Adds to what the rule packs find; never a reason to analyze.
        None
    }

    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError> {
        let largest = doc
            .regions
            .iter()
            .filter(|(k, r)| *k == RegionKind::Code && r.len() >= MIN_CODE)
            .max_by_key(|(_, r)| (r.len(), std::cmp::Reverse(r.start)));
        if let Some((_, r)) = largest {
            // Code in a post that opens a thread without asking for help is
            // the author's own work shown; in a question it is the problem.
            let asks = doc.questions.iter().any(|q| *q) || asks_for_help(doc);
            let shown = doc.post.kind.is_thread_start() && !asks;
            out.push(Signal {
                kind: Arc::clone(&self.kind),
                analyzer: Arc::clone(&self.id),
                rule: Arc::clone(&self.rule),
                start: r.start,
                end: r.end,
                weight: if shown { 0.7 } else { 0.35 },
            });
            if shown {
                out.push(Signal {
                    kind: Arc::clone(&self.solution),
                    analyzer: Arc::clone(&self.id),
                    rule: Arc::clone(&self.shown),
                    start: r.start,
                    end: r.end,
                    weight: 0.5,
                });
            }
        }
        Ok(())
    }
}

//! Code shared in the post itself: a code block the author wrote is
//! evidence that they hand over a working solution.
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
}

impl Default for CodeSharing {
    fn default() -> Self {
        CodeSharing {
            kind: kinds::SHARING.into(),
            id: "sharing-code".into(),
            rule: "sharing.code-block".into(),
        }
    }
}

impl Analyzer for CodeSharing {
    fn id(&self) -> &str {
        &self.id
    }

    fn kinds(&self) -> Vec<String> {
        vec![kinds::SHARING.to_string()]
    }

    fn triggers(&self) -> Option<Vec<String>> {
        // Code blocks are found from regions, not text: the rule packs'
        // triggers decide whether a post is analyzed at all.
        Some(Vec::new())
    }

    fn analyze(&self, doc: &Document<'_>, out: &mut Vec<Signal>) -> Result<(), AnalyzeError> {
        let largest = doc
            .regions
            .iter()
            .filter(|(k, r)| *k == RegionKind::Code && r.len() >= MIN_CODE)
            .max_by_key(|(_, r)| (r.len(), std::cmp::Reverse(r.start)));
        if let Some((_, r)) = largest {
            out.push(Signal {
                kind: Arc::clone(&self.kind),
                analyzer: Arc::clone(&self.id),
                rule: Arc::clone(&self.rule),
                start: r.start,
                end: r.end,
                weight: 0.5,
            });
        }
        Ok(())
    }
}

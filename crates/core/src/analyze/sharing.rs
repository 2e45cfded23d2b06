//! Code shared in the post itself: a code block the author wrote is
//! evidence that they hand over a working solution.
//!
//! Links, licences and instructions are found by the `sharing` rule pack;
//! this analyzer covers what a pattern cannot see: the code regions the
//! readers marked.
//!
//! It is written against the plugin SDK ([`leadminer_plugin::Plugin`]) and
//! linked in through [`PluginAnalyzer`]: the same trait and the same checks
//! as a plugin loaded from a shared library.

use super::adapter::PluginAnalyzer;
use super::kinds;
use leadminer_plugin::{Plugin, Post, RegionKind, Signals};

/// Smallest code block that counts as shared code, in bytes.
const MIN_CODE: usize = 80;

/// Emits a `sharing` signal for the largest code block of a post.
#[derive(Debug, Default, Clone, Copy)]
pub struct CodeBlocks;

impl Plugin for CodeBlocks {
    const NAME: &'static str = "sharing-code";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const KINDS: &'static [&'static str] = &[kinds::SHARING];
    // Code blocks are found from regions, not text: the rule packs'
    // triggers decide whether a post is analyzed at all.
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
            out.emit(kinds::SHARING, "sharing.code-block", r.range(), 0.5);
        }
        Ok(())
    }
}

/// [`CodeBlocks`] as an analyzer.
pub type CodeSharing = PluginAnalyzer<CodeBlocks>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Analyzer, Document};
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
        assert_eq!(out.len(), 1);
        let s = &out[0];
        assert_eq!((&*s.kind, &*s.analyzer, &*s.rule), ("sharing", "sharing-code", "sharing.code-block"));
        assert_eq!(&doc.text[s.start..s.end], large);
        assert_eq!(a.triggers(), Some(Vec::new()));
        assert!(CodeSharing::new("x = 1").is_err());
    }
}

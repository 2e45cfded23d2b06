//! Helpers for testing a plugin without leadminer: build a post from text,
//! run the plugin on it, check its signals as leadminer would and render
//! them for snapshots.
//!
//! ```
//! use leadminer_plugin::testing::{run, TestPost};
//! use leadminer_plugin::{Plugin, Post, Signals};
//!
//! struct Hello;
//! impl Plugin for Hello {
//!     const NAME: &'static str = "hello";
//!     const VERSION: &'static str = "0.1.0";
//!     const KINDS: &'static [&'static str] = &["greeting"];
//!     fn new(_config: &str) -> Result<Self, String> {
//!         Ok(Hello)
//!     }
//!     fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String> {
//!         if let Some(at) = post.text().find("hello") {
//!             out.emit("greeting", "hello", at..at + 5, 0.5);
//!         }
//!         Ok(())
//!     }
//! }
//!
//! let post = TestPost::new("well hello there");
//! let found = run(&Hello, &post).unwrap();
//! assert_eq!(found[0].text, "hello");
//! ```

use crate::abi::{REGION_CODE, REGION_QUOTE};
use crate::sdk::{check_signal, Plugin, Post, PostFields, Region, RegionKind, Signals};
use std::fmt::Write as _;
use std::ops::Range;

/// An owned post for tests.
#[derive(Debug, Clone, Default)]
pub struct TestPost {
    /// Title, blank line, body.
    pub text: String,
    /// Where the body starts.
    pub body_offset: usize,
    /// Quote and code regions of `text`.
    pub regions: Vec<Region>,
    /// The post id.
    pub id: String,
}

impl TestPost {
    /// A post without a title.
    pub fn new(body: &str) -> TestPost {
        TestPost { text: body.to_string(), id: "test".to_string(), ..TestPost::default() }
    }

    /// A post with a title.
    pub fn with_title(title: &str, body: &str) -> TestPost {
        TestPost {
            text: format!("{title}\n\n{body}"),
            body_offset: title.len() + 2,
            id: "test".to_string(),
            ..TestPost::default()
        }
    }

    /// A post from a fixture file: an optional first line `title: ...`
    /// followed by a blank line, then the body. Body lines starting with
    /// `>` become quote regions, and lines between two lines starting with
    /// three backticks (the fences included) become code regions.
    pub fn from_fixture(src: &str) -> TestPost {
        let mut post = match src.strip_prefix("title: ") {
            Some(rest) => {
                let (title, body) = rest.split_once('\n').unwrap_or((rest, ""));
                TestPost::with_title(title.trim_end(), body.strip_prefix('\n').unwrap_or(body))
            }
            None => TestPost::new(src),
        };
        let mut at = post.body_offset;
        let mut code_start = None;
        let mut regions = Vec::new();
        for line in post.text[post.body_offset..].split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let range = at..at + content.len();
            if content.starts_with("```") {
                match code_start.take() {
                    Some(start) => regions.push(Region { kind: REGION_CODE, start, end: range.end }),
                    None => code_start = Some(range.start),
                }
            } else if code_start.is_none() && content.starts_with('>') {
                regions.push(Region { kind: REGION_QUOTE, start: range.start, end: range.end });
            }
            at += line.len();
        }
        if let Some(start) = code_start {
            regions.push(Region { kind: REGION_CODE, start, end: post.text.len() });
        }
        post.regions = regions;
        post
    }

    /// Adds a region and keeps regions sorted.
    pub fn region(mut self, kind: RegionKind, range: Range<usize>) -> TestPost {
        self.regions.push(Region { kind: kind.to_raw(), start: range.start, end: range.end });
        self.regions.sort_by_key(|r| (r.start, r.end));
        self
    }

    /// Marks a byte range of the text as quoted.
    pub fn quote(self, range: Range<usize>) -> TestPost {
        self.region(RegionKind::Quote, range)
    }

    /// Marks a byte range of the text as code.
    pub fn code(self, range: Range<usize>) -> TestPost {
        self.region(RegionKind::Code, range)
    }

    /// The borrowed post a plugin sees.
    pub fn post(&self) -> Post<'_> {
        Post::new(PostFields {
            text: &self.text,
            body_offset: self.body_offset,
            id: &self.id,
            source: "generic",
            community: "test",
            kind: "other",
            author: Some("tester"),
            created: None,
            regions: &self.regions,
        })
    }
}

/// One signal a plugin emitted, with the text it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The kind.
    pub kind: String,
    /// The rule.
    pub rule: String,
    /// Start byte offset.
    pub start: usize,
    /// End byte offset.
    pub end: usize,
    /// The weight.
    pub weight: f32,
    /// The covered text.
    pub text: String,
}

/// Runs `plugin` on `post` and returns its signals sorted by position,
/// or the plugin's error, or the first signal leadminer would reject.
pub fn run<T: Plugin>(plugin: &T, post: &TestPost) -> Result<Vec<Detection>, String> {
    let view = post.post();
    let mut found = Vec::new();
    let mut bad = None;
    let mut sink = |e: crate::sdk::Emitted<'_>| {
        if bad.is_some() {
            return;
        }
        match check_signal(&post.text, T::KINDS, &e) {
            Ok(_) => found.push(Detection {
                kind: e.kind.to_string(),
                rule: e.rule.to_string(),
                start: e.start,
                end: e.end,
                weight: e.weight,
                text: post.text[e.start..e.end].to_string(),
            }),
            Err(why) => bad = Some(why),
        }
    };
    plugin.analyze(&view, &mut Signals::new(&mut sink))?;
    if let Some(why) = bad {
        return Err(why);
    }
    found.sort_by(|a, b| (a.start, a.end, &a.kind, &a.rule).cmp(&(b.start, b.end, &b.kind, &b.rule)));
    Ok(found)
}

/// Renders detections one per line: `start..end kind rule weight "text"`,
/// for snapshot tests.
pub fn render(detections: &[Detection]) -> String {
    let mut out = String::new();
    for d in detections {
        let _ = writeln!(out, "{}..{} {} {} {:.2} {:?}", d.start, d.end, d.kind, d.rule, d.weight, d.text);
    }
    if out.is_empty() {
        out.push_str("(no signals)\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_regions() {
        let p = TestPost::from_fixture("title: T\n\nmine\n> theirs\n```\ncode\n```\nend\n");
        assert_eq!(p.text, "T\n\nmine\n> theirs\n```\ncode\n```\nend\n");
        assert_eq!(p.body_offset, 3);
        let r: Vec<(u32, &str)> = p.regions.iter().map(|r| (r.kind, &p.text[r.start..r.end])).collect();
        assert_eq!(r, [(REGION_QUOTE, "> theirs"), (REGION_CODE, "```\ncode\n```")]);
        assert_eq!(p.post().title(), "T");
    }
}

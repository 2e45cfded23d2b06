//! The one list of readers. Detection, `--format` values and their help
//! text, and the message for a file of unknown format all come from a
//! [`Registry`]; the built-in one is [`Registry::builtin`].
//!
//! Adding a format is one new module under `read/` implementing
//! [`Reader`](super::reader::Reader) (with its `mod` line in `read/mod.rs`)
//! and one [`Registry::with`] line in [`Registry::builtin`].

use super::detect::Probe;
use super::reader::Format;
use super::{discourse, generic, hackernews, mail, reddit, stackexchange};
use std::path::Path;
use std::str::FromStr;
use std::sync::LazyLock;

/// Readers in the order `--format` lists them.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    formats: Vec<Format>,
}

static BUILTIN: LazyLock<Registry> = LazyLock::new(|| {
    Registry::default()
        .with(reddit::FORMAT)
        .with(hackernews::FORMAT)
        .with(discourse::FORMAT)
        .with(stackexchange::POSTS)
        .with(stackexchange::COMMENTS)
        .with(mail::MBOX)
        .with(mail::PIPERMAIL)
        .with(generic::JSONL)
        .with(generic::CSV)
});

impl Registry {
    /// Every format leadminer reads.
    pub fn builtin() -> &'static Registry {
        &BUILTIN
    }

    /// This registry with `format` added after the others.
    ///
    /// # Panics
    ///
    /// When a registered format already has its name or one of its
    /// aliases: a programming error, found by any test that builds the
    /// registry.
    pub fn with(mut self, format: Format) -> Self {
        let reader = format.reader();
        for name in std::iter::once(reader.name()).chain(reader.aliases().iter().copied()) {
            assert!(self.find(name).is_none(), "format name '{name}' is registered twice");
        }
        self.formats.push(format);
        self
    }

    /// The registered formats, in order.
    pub fn formats(&self) -> &[Format] {
        &self.formats
    }

    /// The formats' names, in order, joined by `, `.
    pub fn names(&self) -> String {
        let names: Vec<&str> = self.formats.iter().map(|f| f.name()).collect();
        names.join(", ")
    }

    /// The format with this name or alias, in any letter case.
    pub fn find(&self, name: &str) -> Option<Format> {
        let name = name.to_ascii_lowercase();
        self.formats
            .iter()
            .copied()
            .find(|f| f.name() == name || f.reader().aliases().contains(&name.as_str()))
    }

    /// [`Registry::find`], with an error that lists the known names.
    pub fn parse(&self, name: &str) -> Result<Format, String> {
        self.find(name).ok_or_else(|| {
            let name = name.to_ascii_lowercase();
            format!("unknown format '{name}' (known: {})", self.names())
        })
    }

    /// Detects the format of a file from its name and its first
    /// decompressed bytes: the most confident reader, the first registered
    /// on a tie; `None` when no reader recognizes it.
    pub fn detect(&self, path: &Path, head: &[u8]) -> Option<Format> {
        let probe = Probe::new(path, head);
        let mut best = None;
        for &format in &self.formats {
            if let Some(confidence) = format.reader().detect(&probe) {
                if best.is_none_or(|(_, b)| confidence > b) {
                    best = Some((format, confidence));
                }
            }
        }
        best.map(|(format, _)| format)
    }
}

/// Detects the format of a file with the built-in readers (see
/// [`Registry::detect`]).
pub fn detect_format(path: &Path, head: &[u8]) -> Option<Format> {
    Registry::builtin().detect(path, head)
}

impl FromStr for Format {
    type Err = String;

    /// A built-in format by name or alias, in any letter case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Registry::builtin().parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(f: Option<Format>) -> Option<&'static str> {
        f.map(Format::name)
    }

    #[test]
    fn names() {
        let f = |n: &str| name(detect_format(Path::new(n), b""));
        assert_eq!(f("RC_2023-01.zst"), Some("reddit"));
        assert_eq!(f("RS_2011-02"), Some("reddit"));
        assert_eq!(f("woodworking_submissions.zst"), Some("reddit"));
        assert_eq!(f("diy.stackexchange.com/Posts.xml"), Some("stackexchange-posts"));
        assert_eq!(f("site.Comments.xml.gz"), Some("stackexchange-comments"));
        assert_eq!(f("list.mbox"), Some("mbox"));
        assert_eq!(f("rc_2023-01.csv"), Some("csv"));
        assert_eq!(f("notes.txt"), None);
    }

    #[test]
    fn contents() {
        let f = |h: &[u8]| name(detect_format(Path::new("x"), h));
        assert_eq!(f(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<posts>\n"), Some("stackexchange-posts"));
        assert_eq!(f(b"From sb at x.edu  Sat Nov  8 2014\n"), Some("pipermail"));
        assert_eq!(f(b"From MAILER-DAEMON Sat Aug 28 2021\n"), Some("mbox"));
        assert_eq!(f(b"[{\"by\":\"a\",\"id\":1,\"type\":\"story\"}]"), Some("hackernews"));
        assert_eq!(f(b"{\"by\":\"a\",\"id\":2,\"type\":\"comment\",\"parent\":1}\n"), Some("hackernews"));
        assert_eq!(f(b"{\"id\":\"x\",\"subreddit\":\"DIY\",\"body\":\"b\"}\n"), Some("reddit"));
        assert_eq!(f(b"{\"post_stream\":{\"posts\":[]},\"id\":3}"), Some("discourse"));
        assert_eq!(f(b"{\"post_stream\":{},\"subreddit\":\"DIY\"}"), Some("discourse"));
        assert_eq!(f(b"{\"title\":\"t\",\"post_stream\":{\"posts\":[{\"id\":"), Some("discourse"));
        assert_eq!(f(b"{\"post_id\":\"1\",\"text\":\"t\"}\n"), Some("jsonl"));
        assert_eq!(f(b"<html><body>"), None);
        assert_eq!(f(b"[1, 2]"), None);
        assert_eq!(f(b"\x00\x01binary"), None);
        assert_eq!(f(b"  \n"), None);
    }

    #[test]
    fn names_and_aliases() {
        let r = Registry::builtin();
        assert_eq!(
            r.names(),
            "reddit, hackernews, discourse, stackexchange-posts, stackexchange-comments, mbox, pipermail, jsonl, csv"
        );
        for (alias, name) in [
            ("hn", "hackernews"),
            ("SE", "stackexchange-posts"),
            ("stackexchange", "stackexchange-posts"),
            ("se-posts", "stackexchange-posts"),
            ("se-comments", "stackexchange-comments"),
            ("ndjson", "jsonl"),
            ("json-lines", "jsonl"),
            ("mailman", "pipermail"),
            ("Reddit", "reddit"),
        ] {
            assert_eq!(alias.parse::<Format>().map(Format::name), Ok(name), "{alias}");
        }
        let err = "Nope".parse::<Format>().unwrap_err();
        assert_eq!(err, format!("unknown format 'nope' (known: {})", r.names()));
    }

    /// `stats --json` keeps the names it has always written.
    #[test]
    fn json_names() {
        let names: Vec<String> = Registry::builtin()
            .formats()
            .iter()
            .map(|f| serde_json::to_string(f).expect("serializes"))
            .collect();
        assert_eq!(
            names.join(","),
            "\"reddit\",\"hacker-news\",\"discourse\",\"stack-exchange-posts\",\"stack-exchange-comments\",\
             \"mbox\",\"pipermail\",\"jsonl\",\"csv\""
        );
    }

    #[test]
    #[should_panic(expected = "registered twice")]
    fn a_name_is_registered_once() {
        let _ = Registry::builtin().clone().with(reddit::FORMAT);
    }
}

//! Reddit markdown to plain text.
//!
//! Dumps store Reddit bodies as markdown with `&`, `<` and `>` escaped as
//! entities; they are unescaped first, then parsed with `pulldown-cmark`.

use super::builder::{Text, TextBuilder};
use crate::model::RegionKind;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::borrow::Cow;

/// Converts a Reddit markdown body to plain text with quote and code regions.
pub fn to_text(markdown: &str) -> Text {
    let src = unescape_reddit(markdown);
    plain_paragraphs(&src).unwrap_or_else(|| parse(&src))
}

/// Bytes that may be Markdown syntax anywhere in a line (or that the
/// parser replaces: NUL, and control characters such as CR and tab that
/// change line endings and indentation).
const INLINE_SYNTAX: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b != b'\n' as usize;
        b += 1;
    }
    let syntax = b"\\`*_[]<>&!";
    let mut i = 0;
    while i < syntax.len() {
        table[syntax[i] as usize] = true;
        i += 1;
    }
    table
};

/// The text of Markdown without syntax — most comments — read directly:
/// paragraphs separated by blank lines, lines by line breaks, as the
/// parser reads them. `None` when the text might hold syntax: a byte of
/// [`INLINE_SYNTAX`], a line indented by four spaces, or a line that
/// starts (after up to three spaces) with a character that can open a
/// block (`#`, `-`, `+`, `=`, `~`, `|`, a digit).
fn plain_paragraphs(src: &str) -> Option<Text> {
    if src.bytes().any(|b| INLINE_SYNTAX[usize::from(b)]) {
        return None;
    }
    let mut b = TextBuilder::with_capacity(src.len());
    let mut in_paragraph = false;
    for line in src.split('\n') {
        let content = line.trim_start_matches(' ');
        if content.is_empty() {
            in_paragraph = false;
            continue;
        }
        if line.len() - content.len() >= 4
            || content.starts_with(|c: char| matches!(c, '#' | '-' | '+' | '=' | '~' | '|') || c.is_ascii_digit())
        {
            return None;
        }
        if in_paragraph {
            b.line_break();
        } else {
            b.paragraph();
            in_paragraph = true;
        }
        b.push_flow(line);
    }
    Some(b.finish())
}

/// Converts Markdown with the `pulldown-cmark` parser.
fn parse(src: &str) -> Text {
    let mut b = TextBuilder::with_capacity(src.len());
    let mut links: Vec<(String, usize)> = Vec::new();
    let mut in_code_block = false;
    for event in Parser::new(src) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph | Tag::Heading { .. } | Tag::List(_) | Tag::Table(_) => {
                    b.paragraph()
                }
                Tag::Item | Tag::TableRow | Tag::TableHead => b.line_break(),
                Tag::TableCell => b.space(),
                Tag::BlockQuote(_) => {
                    b.paragraph();
                    b.open(RegionKind::Quote);
                }
                Tag::CodeBlock(_) => {
                    b.paragraph();
                    in_code_block = true;
                    b.open(RegionKind::Code);
                }
                Tag::Link { dest_url, .. } => links.push((dest_url.to_string(), b.as_str().len())),
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::List(_) | TagEnd::Table => {
                    b.paragraph()
                }
                TagEnd::BlockQuote(_) => {
                    b.close(RegionKind::Quote);
                    b.paragraph();
                }
                TagEnd::CodeBlock => {
                    in_code_block = false;
                    b.close(RegionKind::Code);
                    b.paragraph();
                }
                TagEnd::Link => {
                    if let Some((url, start)) = links.pop() {
                        let shown = b.as_str().get(start..).unwrap_or("").trim().to_string();
                        if shown.is_empty() {
                            b.push_flow(&url);
                        } else if shown != url && url.contains("://") {
                            b.space();
                            b.push_flow(&format!("({url})"));
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if in_code_block {
                    b.push_verbatim(&t);
                } else {
                    b.push_flow(&t);
                }
            }
            Event::Code(t) => {
                b.open(RegionKind::Code);
                b.push_flow(&t);
                b.close(RegionKind::Code);
            }
            Event::Html(t) | Event::InlineHtml(t) => b.push_flow(&t),
            Event::SoftBreak | Event::HardBreak => b.line_break(),
            Event::Rule => b.paragraph(),
            _ => {}
        }
    }
    b.finish()
}

/// Undoes the entity escaping Reddit applies to `&`, `<` and `>`.
fn unescape_reddit(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_lines_become_quote_regions() {
        let t = to_text("&gt; you can't buy one\n\nSo I made my own &amp; it works.");
        assert_eq!(t.text, "you can't buy one\n\nSo I made my own & it works.");
        assert_eq!(t.regions.len(), 1);
        assert_eq!(&t.text[t.regions[0].range()], "you can't buy one");
    }

    #[test]
    fn links_keep_their_target() {
        let t = to_text("Plans are [here](https://example.org/plans).");
        assert_eq!(t.text, "Plans are here (https://example.org/plans).");
    }

    /// Texts read without the parser come out as the parser reads them.
    fn assert_plain_like_parsed(text: &str) -> bool {
        match plain_paragraphs(text) {
            Some(plain) => {
                assert_eq!(plain, parse(text), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn text_without_syntax_reads_like_parsed() {
        let plain = [
            "",
            "   ",
            "one line",
            "  three spaces in",
            "a\nb",
            "a  \nhard break",
            "para one\n\npara two\n\n\n\npara three\n",
            "\n\nlead and trail\n\n",
            "a\n   \nb",
            "a\n\u{a0}\nb",
            "words,  spaced   out . and more",
            "mid-line # and - and 1. are text",
            "line\n  continued with spaces",
            "It’s “fine” — ok… 日本語 🙂",
            "x\u{2028}y\u{3000}z",
        ];
        for text in plain {
            assert!(assert_plain_like_parsed(text), "{text:?} should be read directly");
        }
        for syntax in ["# head", "- item", "1. one", "a\n---", "    code", "a *b*", "[l](u)", "x\ty", "a\r\nb", "&amp;", "t_t"] {
            assert!(plain_paragraphs(syntax).is_none(), "{syntax:?} has syntax");
        }
    }

    /// Real texts: the bundled sample data and, when they are beside the
    /// repository, the shared corpora (their posts' text used as Markdown).
    #[test]
    fn real_texts_without_syntax_read_like_parsed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut inputs = vec![root.join("examples/data")];
        let corpora = std::env::var_os("LEADMINER_CORPORA")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root.join("../shared/corpora"));
        if corpora.is_dir() {
            inputs.push(corpora);
        } else {
            eprintln!("corpora part SKIPPED: no corpora at {}", corpora.display());
        }
        for input in inputs {
            let (posts, _) = crate::pipeline::read_all(std::slice::from_ref(&input), &Default::default()).expect("input reads");
            let step = posts.len().div_ceil(20_000).max(1);
            let plain = posts.iter().step_by(step).filter(|p| assert_plain_like_parsed(&p.body)).count();
            assert!(plain > 0, "{}: no text without syntax", input.display());
        }
    }

    #[test]
    fn code_blocks_are_regions() {
        let t = to_text("Script:\n\n    echo hi\n    exit 0\n\nDone");
        assert_eq!(t.text, "Script:\n\necho hi\nexit 0\n\nDone");
        assert_eq!(&t.text[t.regions[0].range()], "echo hi\nexit 0");
    }
}

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
    let mut b = TextBuilder::with_capacity(src.len());
    let mut links: Vec<(String, usize)> = Vec::new();
    let mut in_code_block = false;
    for event in Parser::new(&src) {
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

    #[test]
    fn code_blocks_are_regions() {
        let t = to_text("Script:\n\n    echo hi\n    exit 0\n\nDone");
        assert_eq!(t.text, "Script:\n\necho hi\nexit 0\n\nDone");
        assert_eq!(&t.text[t.regions[0].range()], "echo hi\nexit 0");
    }
}

//! HTML to plain text for the sanitized HTML that community sites serve
//! (Hacker News `text`, Stack Exchange `Body`, Discourse `cooked`).
//!
//! This is a tag scanner, not a full HTML5 parser: the inputs are produced by
//! the sites' own sanitizers, so a scanner that knows block elements, quotes,
//! code and links reads them faithfully at memory speed. Entities are decoded
//! with the complete HTML5 table of `html-escape`.

use super::builder::{Text, TextBuilder};
use crate::model::RegionKind;
use memchr::memchr;

/// Converts an HTML fragment to plain text with quote and code regions.
///
/// Paragraphs become blank-line separated, `<br>` and list items become line
/// breaks; `<blockquote>`, Discourse `<aside class="quote">`, phpBB 2's
/// `<td class="quote">`, phpBB 3's `<div class="quotecontent">` (subsilver2)
/// and vBulletin's `<div class="bbcode_quote">` become quote regions,
/// `<pre>` and `<code>` code regions. Links keep their text and add
/// the target in parentheses when the text does not already show it.
pub fn to_text(html: &str) -> Text {
    let mut conv = Converter {
        b: TextBuilder::with_capacity(html.len()),
        pre_depth: 0,
        skip: None,
        links: Vec::new(),
        quote_tags: Vec::new(),
        nested: [0; 2],
    };
    conv.run(html);
    conv.b.finish()
}

struct Converter {
    b: TextBuilder,
    pre_depth: usize,
    /// Inside an element whose content is dropped: (tag name, nesting depth).
    skip: Option<(String, usize)>,
    /// Open links: (href, byte offset in the output where the text began).
    links: Vec<(String, usize)>,
    /// Tags that opened a quote region, so the matching close ends it: the
    /// tag's name and, for `td` and `div`, how deep in open elements of
    /// that name it opened (a quote cell holds the tables of quotes it
    /// quotes, and their cells close before it does).
    quote_tags: Vec<(String, usize)>,
    /// Open `td` and `div` elements ([`nest_index`]).
    nested: [usize; 2],
}

/// Where [`Converter::nested`] counts the open elements named `name`, for
/// the elements that can open a quote and hold others of their kind.
fn nest_index(name: &str) -> Option<usize> {
    match name {
        "td" => Some(0),
        "div" => Some(1),
        _ => None,
    }
}

struct Tag<'a> {
    name: String,
    closing: bool,
    self_closing: bool,
    attrs: &'a str,
}

impl Converter {
    fn run(&mut self, html: &str) {
        let bytes = html.as_bytes();
        let mut pos = 0;
        while pos < bytes.len() {
            let Some(lt) = memchr(b'<', &bytes[pos..]).map(|i| pos + i) else {
                self.text(&html[pos..]);
                break;
            };
            if lt > pos {
                self.text(&html[pos..lt]);
            }
            if html[lt..].starts_with("<!--") {
                pos = html[lt + 4..].find("-->").map_or(bytes.len(), |i| lt + 4 + i + 3);
                continue;
            }
            let Some(gt) = find_tag_end(bytes, lt + 1) else {
                // A lone '<' that never closes is text.
                self.text(&html[lt..]);
                break;
            };
            match parse_tag(&html[lt + 1..gt]) {
                Some(tag) => self.tag(tag),
                None => self.text(&html[lt..=gt]),
            }
            pos = gt + 1;
        }
    }

    fn text(&mut self, raw: &str) {
        if self.skip.is_some() {
            return;
        }
        let decoded = html_escape::decode_html_entities(raw);
        if self.pre_depth > 0 {
            self.b.push_verbatim(&decoded);
        } else {
            self.b.push_flow(&decoded);
        }
    }

    fn tag(&mut self, tag: Tag<'_>) {
        if let Some((name, depth)) = &mut self.skip {
            if *name == tag.name && !tag.self_closing {
                if tag.closing {
                    *depth -= 1;
                    if *depth == 0 {
                        self.skip = None;
                    }
                } else {
                    *depth += 1;
                }
            }
            return;
        }
        let name = tag.name.as_str();
        if tag.closing {
            self.close(name);
            return;
        }
        // Counted when its close tag will come here: not a self-closing tag,
        // nor a `meta` div, whose close the skip takes.
        if let (Some(i), false) = (nest_index(name), tag.self_closing || has_class(tag.attrs, "meta")) {
            self.nested[i] += 1;
        }
        match name {
            "script" | "style" | "svg" | "template" | "noscript" => self.start_skip(&tag),
            "div" | "span" if has_class(tag.attrs, "meta") => self.start_skip(&tag),
            "div" if has_class(tag.attrs, "quotecontent") || has_class(tag.attrs, "bbcode_quote") => {
                self.b.paragraph();
                self.open_quote(name);
            }
            "td" if has_class(tag.attrs, "quote") => {
                self.b.space();
                self.open_quote(name);
            }
            "br" => self.b.line_break(),
            "hr" => self.b.paragraph(),
            "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "ul" | "ol"
            | "dl" | "details" | "summary" | "figure" | "section" | "article" => {
                self.b.paragraph()
            }
            "li" | "tr" | "dt" | "dd" => self.b.line_break(),
            "td" | "th" => self.b.space(),
            "blockquote" => {
                self.b.paragraph();
                self.open_quote(name);
            }
            "aside" if has_class(tag.attrs, "quote") => {
                self.b.paragraph();
                self.open_quote(name);
            }
            "pre" => {
                self.b.paragraph();
                self.pre_depth += 1;
                self.b.open(RegionKind::Code);
            }
            "code" if self.pre_depth == 0 => self.b.open(RegionKind::Code),
            "a" => {
                let href = attr(tag.attrs, "href").unwrap_or_default();
                let href = html_escape::decode_html_entities(&href).into_owned();
                self.links.push((href, self.b.as_str().len()));
            }
            // Emoji images carry their meaning in the alt text (":smile:");
            // pictures carry nothing readable.
            "img" if has_class(tag.attrs, "emoji") => {
                if let Some(alt) = attr(tag.attrs, "alt") {
                    self.b.push_flow(&html_escape::decode_html_entities(&alt));
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        if let Some(i) = nest_index(name) {
            if self.quote_tags.last().is_some_and(|(tag, depth)| tag == name && *depth == self.nested[i]) {
                self.quote_tags.pop();
                self.b.close(RegionKind::Quote);
            }
            self.nested[i] = self.nested[i].saturating_sub(1);
        }
        match name {
            "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "ul" | "ol"
            | "dl" | "details" | "summary" | "figure" | "section" | "article" => {
                self.b.paragraph()
            }
            "li" | "tr" => self.b.line_break(),
            "blockquote" | "aside" => {
                if self.quote_tags.last().is_some_and(|(tag, _)| tag == name) {
                    self.quote_tags.pop();
                    self.b.close(RegionKind::Quote);
                }
                self.b.paragraph();
            }
            "pre" => {
                if self.pre_depth > 0 {
                    self.pre_depth -= 1;
                    self.b.close(RegionKind::Code);
                }
                self.b.paragraph();
            }
            "code" if self.pre_depth == 0 => self.b.close(RegionKind::Code),
            "a" => {
                if let Some((href, start)) = self.links.pop() {
                    self.finish_link(&href, start);
                }
            }
            _ => {}
        }
    }

    fn open_quote(&mut self, name: &str) {
        let depth = nest_index(name).map_or(0, |i| self.nested[i]);
        self.quote_tags.push((name.to_string(), depth));
        self.b.open(RegionKind::Quote);
    }

    fn start_skip(&mut self, tag: &Tag<'_>) {
        if !tag.self_closing {
            self.skip = Some((tag.name.clone(), 1));
        }
    }

    fn finish_link(&mut self, href: &str, start: usize) {
        if !(href.starts_with("http://") || href.starts_with("https://")) {
            return;
        }
        let shown = self.b.as_str().get(start..).unwrap_or("").trim();
        let shown_core = bare_url(shown.trim_end_matches("...").trim_end_matches('…'));
        let target = bare_url(href);
        if shown.is_empty() {
            self.b.push_flow(href);
        } else if target.starts_with(shown_core) || shown_core.starts_with(target) {
            // The text is the URL, perhaps shortened with an ellipsis: the
            // full target is what the reader needs, but the text stays.
            if shown_core.len() < target.len() {
                self.b.space();
                self.b.push_flow(&format!("({href})"));
            }
        } else {
            self.b.space();
            self.b.push_flow(&format!("({href})"));
        }
    }
}

/// A URL without its scheme and `www.`, for comparing link text with targets.
fn bare_url(url: &str) -> &str {
    let url = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or(url);
    url.strip_prefix("www.").unwrap_or(url).trim_end_matches('/')
}

/// Finds the `>` that ends a tag starting at `from`, honouring quoted
/// attribute values.
fn find_tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &c) in bytes.iter().enumerate().skip(from) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return Some(i),
            None if c == b'<' && i == from => return None,
            None => {}
        }
    }
    None
}

/// Parses the inside of `<...>`; `None` when it is not a tag (e.g. `< 3`).
fn parse_tag(inner: &str) -> Option<Tag<'_>> {
    let (closing, rest) = match inner.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, inner),
    };
    if rest.starts_with('!') || rest.starts_with('?') {
        // Doctype or processing instruction: no text.
        return Some(Tag {
            name: String::new(),
            closing: true,
            self_closing: true,
            attrs: "",
        });
    }
    let name_end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(rest.len());
    let name = &rest[..name_end];
    if name.is_empty() || !name.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let attrs = &rest[name_end..];
    Some(Tag {
        name: name.to_ascii_lowercase(),
        closing,
        self_closing: attrs.trim_end().ends_with('/'),
        attrs,
    })
}

/// The value of attribute `name` in a tag's attribute text.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut search = 0;
    while let Some(i) = lower[search..].find(name).map(|i| search + i) {
        search = i + name.len();
        let before_ok = i == 0 || lower.as_bytes()[i - 1].is_ascii_whitespace();
        let after = lower[search..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_start = attrs.len() - after.len() + 1;
        let v = attrs[value_start..].trim_start();
        return Some(match v.chars().next() {
            Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or("").to_string(),
            _ => v
                .split(|c: char| c.is_whitespace() || c == '>')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

fn has_class(attrs: &str, class: &str) -> bool {
    attr(attrs, "class").is_some_and(|v| v.split_whitespace().any(|c| c == class))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region_texts(t: &Text) -> Vec<(RegionKind, &str)> {
        t.regions.iter().map(|r| (r.kind, &t.text[r.range()])).collect()
    }

    #[test]
    fn hacker_news_paragraphs_and_links() {
        let t = to_text(
            "I built a tool.<p>Code: <a href=\"https:&#x2F;&#x2F;github.com&#x2F;a&#x2F;b\" rel=\"nofollow\">https:&#x2F;&#x2F;github.com&#x2F;a&#x2F;b</a><p>Thanks &amp; enjoy",
        );
        assert_eq!(t.text, "I built a tool.\n\nCode: https://github.com/a/b\n\nThanks & enjoy");
    }

    #[test]
    fn link_text_without_scheme_is_not_repeated() {
        let t = to_text("<p>Repo: <a href=\"https://www.github.com/a/b/\">github.com/a/b</a></p>");
        assert_eq!(t.text, "Repo: github.com/a/b");
    }

    #[test]
    fn link_text_differs_from_target() {
        let t = to_text("<p>See <a href=\"https://x.org/p\">my repo</a>.</p>");
        assert_eq!(t.text, "See my repo (https://x.org/p).");
    }

    #[test]
    fn quotes_and_code_are_regions() {
        let t = to_text(
            "<blockquote><p>not mine</p></blockquote><p>mine</p><pre><code>fn main() {\n    x();\n}\n</code></pre><p>use <code>x</code></p>",
        );
        assert_eq!(
            region_texts(&t),
            vec![
                (RegionKind::Quote, "not mine"),
                (RegionKind::Code, "fn main() {\n    x();\n}"),
                (RegionKind::Code, "x"),
            ]
        );
    }

    #[test]
    fn discourse_aside_quote_and_lightbox_meta() {
        let t = to_text(
            "<aside class=\"quote\" data-username=\"bob\"><div class=\"title\">bob:</div><blockquote><p>hi</p></blockquote></aside><p>Yes <img src=\"x\" class=\"emoji\" alt=\":smile:\"></p><div class=\"lightbox-wrapper\"><a href=\"https://x/y.png\"><img src=\"y\"><div class=\"meta\"><span class=\"filename\">y.png</span></div></a></div>",
        );
        assert_eq!(region_texts(&t), vec![(RegionKind::Quote, "bob:\n\nhi")]);
        assert!(t.text.starts_with("bob:\n\nhi\n\nYes :smile:"), "{:?}", t.text);
        assert!(!t.text.contains("y.png\n"), "{:?}", t.text);
    }

    #[test]
    fn forum_quote_cells_and_divs_are_quotes_whatever_they_hold() {
        // phpBB 2: a quote is a table cell, and a quote of a quote is a
        // table inside it, whose cells close before the outer quote does
        // (the outer region holds the inner one).
        let t = to_text(
            "<span class=\"postbody\"></span><table><tr><td><span class=\"genmed\"><b>kevinc wrote:</b></span></td></tr><tr><td class=\"quote\">I tweaked the program.<table><tr><td><b>Ann wrote:</b></td></tr><tr><td class=\"quote\">How do I build it?</td></tr></table>Type make.</td></tr></table><span class=\"postbody\">Thanks!</span>",
        );
        assert_eq!(
            region_texts(&t),
            vec![(RegionKind::Quote, "I tweaked the program.\n\nAnn wrote:\nHow do I build it?\n\nType make.")],
            "{:?}",
            t.text
        );
        assert!(t.text.ends_with("Thanks!"), "{:?}", t.text);
        // phpBB 3 (subsilver2) and vBulletin: a div, holding divs.
        let t = to_text("<div class=\"quotetitle\">Bob wrote:</div><div class=\"quotecontent\"><div>I made a jig.</div></div>Nice one.");
        assert_eq!(region_texts(&t), vec![(RegionKind::Quote, "I made a jig.")]);
        let t = to_text("<div class=\"bbcode_container\"><div class=\"bbcode_quote\"><div class=\"quote_container\">Mine.</div></div></div><div>Yours.</div>");
        assert_eq!(region_texts(&t), vec![(RegionKind::Quote, "Mine.")]);
        // An ordinary cell is not a quote.
        assert!(to_text("<table><tr><td>I built it.</td></tr></table>").regions.is_empty());
    }

    #[test]
    fn stray_angle_brackets_are_text() {
        let t = to_text("a < b and c <3 d");
        assert_eq!(t.text, "a < b and c <3 d");
    }
}

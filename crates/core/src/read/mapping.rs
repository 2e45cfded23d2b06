//! How generic JSON lines and CSV records are read: the [`FieldMap`] that
//! says which input field holds which post field, and the [`BodyFormat`] of
//! their bodies.

use crate::text::{html, markdown, plain};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// A post field a [`FieldMap`] can fill, in `--map` order.
pub(super) const TARGETS: [&str; 11] = [
    "id",
    "body",
    "author",
    "created",
    "title",
    "community",
    "thread",
    "parent",
    "score",
    "url",
    "kind",
];

pub(super) const ID: usize = 0;
pub(super) const BODY: usize = 1;
pub(super) const AUTHOR: usize = 2;
pub(super) const CREATED: usize = 3;
pub(super) const TITLE: usize = 4;
pub(super) const COMMUNITY: usize = 5;
pub(super) const THREAD: usize = 6;
pub(super) const PARENT: usize = 7;
pub(super) const SCORE: usize = 8;
pub(super) const URL: usize = 9;
pub(super) const KIND: usize = 10;

/// A mapping from post fields to the input's field names, written on the
/// command line as `--map id=post_id,body=text,author=user.name,...`.
///
/// Target fields (left of `=`):
///
/// - `id` (required): the post's id; a string or a number.
/// - `body` (required): the text. Read as HTML when it holds HTML markup
///   anywhere (a known element's tag such as `<p>`, `<br>`, `<img ...>` or
///   `</div>`, or a comment), else as plain text; [`BodyFormat`] forces one
///   reading. A record whose body field is absent is skipped; `null` is an
///   empty body.
/// - `author`: the author's name (`[deleted]`, empty: none).
/// - `created`: the creation time: Unix seconds as a number or a string
///   (values above 10^11 are taken as milliseconds), or an ISO 8601 date.
/// - `title`: the title.
/// - `community`: the forum, group or site; without it, the input file's
///   name without its extensions (`forum.jsonl.gz` gives `forum`).
/// - `thread`: the id of the thread the post belongs to; without it, posts
///   whose kind opens a thread (question, submission, story, topic) are
///   their own thread.
/// - `parent`: the id of the post this one replies to.
/// - `score`: votes or likes, a number or a numeric string.
/// - `url`: a link to the post.
/// - `kind`: the post's role, matched by name (`question`, `answer`,
///   `comment`, `reply`, `topic`, `story`, `submission`, `message`, case
///   insensitive, plus `post` and `thread` for `topic`-like openers); any
///   other value, or no mapping, gives `other`.
///
/// Source names (right of `=`) are field names; a dotted name
/// (`user.name`) is a path into nested JSON objects (a number step indexes
/// an array), unless a field with that exact dotted name exists.
///
/// Every target reads the input field of the same name unless the mapping
/// says otherwise: the default mapping is `id=id,body=body,author=author,...`
/// for all eleven targets, a record whose fields already carry those names
/// needs no `--map`, and `--map` overrides targets one by one
/// (`--map body=text` keeps the other ten). An empty source (`kind=`) stops
/// a target from being read at all; `id` and `body` cannot be emptied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    /// Source field per target, indexed like [`TARGETS`].
    fields: [Option<String>; 11],
}

impl Default for FieldMap {
    /// Every target reads the input field of the same name.
    fn default() -> Self {
        FieldMap {
            fields: TARGETS.map(|t| Some(t.to_string())),
        }
    }
}

impl FieldMap {
    /// The names of the post fields a mapping can fill.
    pub fn targets() -> &'static [&'static str] {
        &TARGETS
    }

    /// The input field mapped to a post field (`"body"` → `"text"`), if any.
    pub fn source(&self, target: &str) -> Option<&str> {
        let i = TARGETS.iter().position(|t| *t == target)?;
        self.fields[i].as_deref()
    }

    /// The input field read for the target at index `target` of [`TARGETS`].
    pub(super) fn field(&self, target: usize) -> Option<&str> {
        self.fields[target].as_deref()
    }

    /// The value the target at index `target` of [`TARGETS`] reads in
    /// `record`.
    pub(super) fn get<'v>(&self, target: usize, record: &'v Value) -> Option<&'v Value> {
        let path = self.fields[target].as_deref()?;
        lookup(record, path)
    }
}

impl FromStr for FieldMap {
    type Err = String;

    /// Parses `target=source,target=source,...` over the default mapping;
    /// see [`FieldMap`] for the targets. Each target may appear once; an
    /// empty source unmaps a target other than `id` and `body`.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut map = FieldMap::default();
        let mut seen = [false; 11];
        for item in spec.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let Some((target, source)) = item.split_once('=') else {
                return Err(format!(
                    "field mapping '{item}' has no '=': write TARGET=SOURCE, e.g. body=text"
                ));
            };
            let (target, source) = (target.trim(), source.trim());
            let Some(i) = TARGETS.iter().position(|t| t.eq_ignore_ascii_case(target)) else {
                return Err(format!(
                    "unknown target field '{target}' in '{item}' (known: {})",
                    TARGETS.join(", ")
                ));
            };
            if source.is_empty() && (i == ID || i == BODY) {
                return Err(format!(
                    "field mapping '{item}' names no source field: id and body must be read from a field"
                ));
            }
            if source.contains('=') {
                return Err(format!(
                    "field mapping '{item}' has more than one '=': separate mappings with commas"
                ));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(format!("target field '{}' is mapped twice", TARGETS[i]));
            }
            map.fields[i] = (!source.is_empty()).then(|| source.to_string());
        }
        Ok(map)
    }
}

impl fmt::Display for FieldMap {
    /// Writes the mapping back in `--map` syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (target, source) in TARGETS.iter().zip(&self.fields) {
            if let Some(source) = source {
                if !first {
                    f.write_str(",")?;
                }
                write!(f, "{target}={source}")?;
                first = false;
            }
        }
        Ok(())
    }
}

/// A field by exact name, else by dotted path.
fn lookup<'v>(record: &'v Value, path: &str) -> Option<&'v Value> {
    if let Some(v) = record.get(path) {
        return Some(v);
    }
    if !path.contains('.') {
        return None;
    }
    path.split('.').try_fold(record, |v, step| match v {
        Value::Object(map) => map.get(step),
        Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

/// How the body field of a generic record is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum BodyFormat {
    /// HTML when the body holds HTML markup anywhere, else plain text.
    #[default]
    Auto,
    /// Always HTML.
    Html,
    /// Always Markdown.
    Markdown,
    /// Always plain text.
    Text,
}

impl BodyFormat {
    /// Every format, in the order the help text lists them.
    pub const ALL: [BodyFormat; 4] = [BodyFormat::Auto, BodyFormat::Html, BodyFormat::Markdown, BodyFormat::Text];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            BodyFormat::Auto => "auto",
            BodyFormat::Html => "html",
            BodyFormat::Markdown => "markdown",
            BodyFormat::Text => "text",
        }
    }

    /// The analyzed text of a body written in this format.
    pub fn to_text(self, body: &str) -> crate::text::Text {
        match self {
            BodyFormat::Auto if holds_html(body) => html::to_text(body),
            BodyFormat::Auto | BodyFormat::Text => plain::to_text(body),
            BodyFormat::Html => html::to_text(body),
            BodyFormat::Markdown => markdown::to_text(body),
        }
    }
}

impl fmt::Display for BodyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BodyFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.to_ascii_lowercase();
        let alias = match s.as_str() {
            "md" => "markdown",
            "plain" | "txt" => "text",
            other => other,
        };
        BodyFormat::ALL.into_iter().find(|f| f.name() == alias).ok_or_else(|| {
            let names: Vec<_> = BodyFormat::ALL.iter().map(|f| f.name()).collect();
            format!("unknown body format '{s}' (known: {})", names.join(", "))
        })
    }
}

/// HTML elements whose tags mark a body as HTML. Text that merely contains
/// `<` (`a < b`, `<3`, `Vec<u8>`, `#include <stdio.h>`) names none of them.
const HTML_ELEMENTS: &[&str] = &[
    "a", "abbr", "article", "aside", "audio", "b", "big", "blockquote", "body", "br", "caption",
    "center", "cite", "code", "dd", "del", "details", "div", "dl", "dt", "em", "embed", "figcaption",
    "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html",
    "i", "iframe", "img", "ins", "kbd", "li", "nav", "object", "ol", "p", "picture", "pre", "q", "s",
    "samp", "section", "small", "source", "span", "strike", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "video", "wbr",
];

/// Whether `s` holds HTML markup anywhere: a comment, or an opening or
/// closing tag of a known element (`<p>`, `<br/>`, `<img src=...>`,
/// `</div>`), in any letter case.
fn holds_html(s: &str) -> bool {
    let bytes = s.as_bytes();
    memchr::memchr_iter(b'<', bytes).any(|at| {
        let rest = &bytes[at + 1..];
        if rest.starts_with(b"!--") {
            return true;
        }
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let name_len = rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        let (name, after) = rest.split_at(name_len);
        let ends_tag = matches!(after.first(), Some(b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r'));
        ends_tag && HTML_ELEMENTS.iter().any(|e| e.as_bytes().eq_ignore_ascii_case(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_spec() {
        let spec = "id=post_id,body=text,author=user,created=ts,title=subject,community=forum,\
                    thread=topic_id,parent=reply_to,score=likes,url=link,kind=type";
        let map: FieldMap = spec.parse().unwrap();
        assert_eq!(map.source("id"), Some("post_id"));
        assert_eq!(map.source("body"), Some("text"));
        assert_eq!(map.source("kind"), Some("type"));
        assert_eq!(map.source("nothing"), None);
        assert_eq!(map.to_string(), spec);
    }

    #[test]
    fn spaces_trailing_commas_and_case_are_tolerated() {
        let map: FieldMap = " ID = post_id , body=user.text, ".parse().unwrap();
        assert_eq!(map.source("id"), Some("post_id"));
        assert_eq!(map.source("body"), Some("user.text"));
        assert_eq!(map.source("author"), Some("author"));
    }

    #[test]
    fn bad_specs() {
        let err = |s: &str| s.parse::<FieldMap>().unwrap_err();
        assert!(err("id=a,body=b,writer=c").contains("unknown target field 'writer'"));
        assert!(err("id=a,body=b,writer=c").contains("known: id, body"));
        assert!(err("id=a,body").contains("has no '='"));
        assert!(err("id=").contains("id and body must be read from a field"));
        assert!(err("id=a,body=").contains("names no source"));
        assert!(err("id=a,body=b,id=c").contains("mapped twice"));
        assert!(err("id=a body=b").contains("separate mappings with commas"));
    }

    #[test]
    fn default_map() {
        assert_eq!(
            FieldMap::default().to_string(),
            "id=id,body=body,author=author,created=created,title=title,community=community,\
             thread=thread,parent=parent,score=score,url=url,kind=kind"
        );
    }

    #[test]
    fn mapping_overrides_defaults_one_by_one() {
        let map: FieldMap = "body=text,kind=".parse().expect("valid");
        assert_eq!(map.source("body"), Some("text"));
        assert_eq!(map.source("id"), Some("id"));
        assert_eq!(map.source("author"), Some("author"));
        assert_eq!(map.source("kind"), None);
        assert_eq!("".parse::<FieldMap>(), Ok(FieldMap::default()));
    }

    #[test]
    fn dotted_paths() {
        let v: Value = serde_json::json!({"user": {"name": "ann", "ids": [7, 8]}, "a.b": 1});
        assert_eq!(lookup(&v, "user.name"), Some(&Value::from("ann")));
        assert_eq!(lookup(&v, "user.ids.1"), Some(&Value::from(8)));
        assert_eq!(lookup(&v, "a.b"), Some(&Value::from(1)));
        assert_eq!(lookup(&v, "user.age"), None);
    }

    #[test]
    fn html_detection() {
        for html in [
            "<p>hi</p>",
            "Text \n<br>more",
            "first line<br/>second",
            "see <img src=\"x.jpg\"> here",
            "closing only</div>",
            "<!-- note --> text",
            "<P>upper case</P>",
            "a </b>",
        ] {
            assert!(holds_html(html), "{html:?}");
        }
        for text in [
            "<3 this",
            "a < b and b > c",
            "Vec<u8> and Option<String>",
            "#include <stdio.h>",
            "<brand new> idea",
            "ends with <",
            "",
        ] {
            assert!(!holds_html(text), "{text:?}");
        }
    }

    #[test]
    fn body_formats() {
        assert_eq!("MD".parse::<BodyFormat>(), Ok(BodyFormat::Markdown));
        assert_eq!("plain".parse::<BodyFormat>(), Ok(BodyFormat::Text));
        assert!("rtf".parse::<BodyFormat>().unwrap_err().contains("auto, html, markdown, text"));
        let body = "one<br>two **three**";
        assert_eq!(BodyFormat::Auto.to_text(body).text, BodyFormat::Html.to_text(body).text);
        assert!(BodyFormat::Text.to_text(body).text.contains("<br>"));
        assert!(!BodyFormat::Html.to_text(body).text.contains("<br>"));
        assert!(!BodyFormat::Markdown.to_text("**three**").text.contains('*'));
    }
}

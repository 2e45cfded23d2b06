//! Scraped data in JSON lines or CSV, read through a [`FieldMap`] that says
//! which input field holds which post field.
//!
//! JSON lines are framed one record per line by the shared line framer; CSV
//! rows are framed by [`frame_csv`], which turns each row into a JSON object
//! (column name to string value) so that both go through the same [`parse`].

use super::error::{ErrorKind, ReadError, RecordLoc};
use super::json::iso_to_unix;
use super::{FileCtx, ParseError, Sink};
use crate::model::{author_or_none, Post, PostKind, Source};
use crate::text::{html, markdown, plain};
use serde_json::Value;
use std::fmt;
use std::io::BufRead;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

/// A post field a [`FieldMap`] can fill, in `--map` order.
const TARGETS: [&str; 11] = [
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

const ID: usize = 0;
const BODY: usize = 1;
const AUTHOR: usize = 2;
const CREATED: usize = 3;
const TITLE: usize = 4;
const COMMUNITY: usize = 5;
const THREAD: usize = 6;
const PARENT: usize = 7;
const SCORE: usize = 8;
const URL: usize = 9;
const KIND: usize = 10;

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

    fn get<'v>(&self, target: usize, record: &'v Value) -> Option<&'v Value> {
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

/// A scalar as text; objects, arrays and null give `None`.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f as i64))
        }
        _ => None,
    }
}

/// Unix seconds (or milliseconds, beyond 10^11) or an ISO 8601 date.
fn timestamp(v: &Value) -> Option<i64> {
    let secs = integer(v).or_else(|| v.as_str().and_then(|s| iso_to_unix(s.trim())))?;
    Some(if secs.abs() > 100_000_000_000 {
        secs / 1000
    } else {
        secs
    })
}

fn kind_from_name(name: &str) -> PostKind {
    match name.trim().to_ascii_lowercase().as_str() {
        "question" => PostKind::Question,
        "answer" => PostKind::Answer,
        "comment" => PostKind::Comment,
        "reply" => PostKind::Reply,
        "topic" | "post" | "thread" => PostKind::Topic,
        "story" => PostKind::Story,
        "submission" => PostKind::Submission,
        "message" => PostKind::Message,
        _ => PostKind::Other,
    }
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

/// The file name without its compression and format extensions.
fn file_stem(path: &Path) -> String {
    let mut name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    for ext in [
        ".zst", ".zstd", ".gz", ".xz", ".bz2", ".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt",
    ] {
        if let Some(stem) = strip_suffix_ignore_case(name, ext).filter(|s| !s.is_empty()) {
            name = stem;
        }
    }
    name.to_string()
}

/// `s` without `suffix`, compared ASCII-case-insensitively.
fn strip_suffix_ignore_case<'s>(s: &'s str, suffix: &str) -> Option<&'s str> {
    let cut = s.len().checked_sub(suffix.len())?;
    // An ASCII suffix matching the last bytes starts on a char boundary.
    s.as_bytes()[cut..].eq_ignore_ascii_case(suffix.as_bytes()).then(|| &s[..cut])
}

/// Parses one record: a JSON object (a JSON line, or a CSV row turned into
/// one by [`frame_csv`]) read through the file's [`FieldMap`].
pub fn parse(ctx: &FileCtx, bytes: &[u8], out: &mut Vec<Post>) -> Result<(), ParseError> {
    static DEFAULT_MAP: LazyLock<FieldMap> = LazyLock::new(FieldMap::default);
    let map = ctx.map.as_deref().unwrap_or(&DEFAULT_MAP);
    let record: Value = super::json::from_record(bytes)?;
    if !record.is_object() {
        return Err(ParseError::new("expected a JSON object"));
    }
    let id_field = map.fields[ID].as_deref().unwrap_or("id");
    let id = map
        .get(ID, &record)
        .and_then(scalar)
        .ok_or_else(|| ParseError::new(format!("record without an id (field `{id_field}`)")))?;
    let kind = map
        .get(KIND, &record)
        .and_then(Value::as_str)
        .map_or(PostKind::Other, kind_from_name);
    let mut post = Post::new(Source::Generic, id.clone(), kind);
    match map.get(BODY, &record) {
        None => {
            let field = map.fields[BODY].as_deref().unwrap_or("body");
            return Err(ParseError::with_id(
                id,
                format!("record without a body (field `{field}`)"),
            ));
        }
        Some(Value::String(body)) => post.set_text(ctx.body_format.to_text(body)),
        Some(Value::Null) => {}
        Some(other) => post.set_text(plain::to_text(&other.to_string())),
    }
    post.community = map
        .get(COMMUNITY, &record)
        .and_then(scalar)
        .or_else(|| ctx.community.clone())
        .unwrap_or_else(|| file_stem(&ctx.path));
    post.parent = map.get(PARENT, &record).and_then(scalar);
    post.thread = map
        .get(THREAD, &record)
        .and_then(scalar)
        .or_else(|| kind.is_thread_start().then(|| id.clone()));
    post.author = author_or_none(map.get(AUTHOR, &record).and_then(scalar).as_deref());
    post.created = map.get(CREATED, &record).and_then(timestamp);
    post.title = map.get(TITLE, &record).and_then(scalar);
    post.score = map.get(SCORE, &record).and_then(integer);
    post.url = map.get(URL, &record).and_then(scalar);
    out.push(post);
    Ok(())
}

/// Frames a CSV file with a header row: each row becomes one record, a JSON
/// object from column names to string values, located by the row's line and
/// byte offset.
///
/// A row with the wrong number of fields, or with bytes that are not UTF-8,
/// is reported as a record error and skipped; an I/O failure ends the file.
/// The columns named for `id` and `body` must exist in the header.
pub fn frame_csv(ctx: &Arc<FileCtx>, reader: Box<dyn BufRead + Send>, sink: &mut Sink<'_>) -> Result<(), ReadError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let headers = match csv.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_stream_error(ctx, &e)),
    };
    if headers.is_empty() {
        return Ok(());
    }
    let mut names = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let name = std::str::from_utf8(h).map_err(|_| {
            ReadError::file(
                ErrorKind::Format,
                &ctx.path,
                format!("CSV header column {} is not UTF-8", i + 1),
            )
        })?;
        names.push(name.trim().to_string());
    }
    check_columns(ctx, &names)?;
    let mut row = csv::ByteRecord::new();
    while !sink.is_stopped() {
        match csv.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let loc = row.position().map_or_else(RecordLoc::default, |p| RecordLoc {
                    line: Some(p.line()),
                    offset: p.byte(),
                });
                let start = sink.data().len();
                match write_object(sink.data(), &names, &row) {
                    Ok(()) => {
                        let end = sink.data().len();
                        sink.commit(ctx, start, end, loc);
                    }
                    Err(column) => {
                        sink.data().truncate(start);
                        let name = names.get(column).map_or("?", String::as_str);
                        sink.error(ReadError::record(
                            &ctx.path,
                            loc,
                            format!("column {} ({name}) is not valid UTF-8", column + 1),
                        ));
                    }
                }
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::UnequalLengths { pos, expected_len, len } => {
                    let loc = pos.as_ref().map_or_else(RecordLoc::default, |p| RecordLoc {
                        line: Some(p.line()),
                        offset: p.byte(),
                    });
                    sink.error(ReadError::record(
                        &ctx.path,
                        loc,
                        format!("row has {len} fields, the header has {expected_len}"),
                    ));
                }
                _ => return Err(csv_stream_error(ctx, &e)),
            },
        }
    }
    Ok(())
}

/// The `id` and `body` columns must be in the header.
fn check_columns(ctx: &FileCtx, names: &[String]) -> Result<(), ReadError> {
    let default_map;
    let map = match ctx.map.as_deref() {
        Some(map) => map,
        None => {
            default_map = FieldMap::default();
            &default_map
        }
    };
    for target in [ID, BODY] {
        let Some(source) = map.fields[target].as_deref() else {
            continue;
        };
        if !names.iter().any(|n| n == source) {
            return Err(ReadError::file(
                ErrorKind::Format,
                &ctx.path,
                format!(
                    "CSV has no column '{source}' (mapped to {}); its columns: {}",
                    TARGETS[target],
                    names.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Writes a row as a JSON object; on invalid UTF-8 returns the column.
fn write_object(out: &mut Vec<u8>, names: &[String], row: &csv::ByteRecord) -> Result<(), usize> {
    out.push(b'{');
    for (i, (name, field)) in names.iter().zip(row.iter()).enumerate() {
        let value = std::str::from_utf8(field).map_err(|_| i)?;
        if i > 0 {
            out.push(b',');
        }
        write_json_string(out, name);
        out.push(b':');
        write_json_string(out, value);
    }
    out.push(b'}');
    Ok(())
}

/// Appends `s` as a quoted JSON string.
fn write_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0..=0x1F => None,
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[from..i]);
        match escape {
            Some(e) => out.extend_from_slice(e),
            None => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
        }
        from = i + 1;
    }
    out.extend_from_slice(&s.as_bytes()[from..]);
    out.push(b'"');
}

fn csv_stream_error(ctx: &FileCtx, e: &csv::Error) -> ReadError {
    let mut err = ReadError::file(ErrorKind::Stream, &ctx.path, format!("CSV: {e}"));
    if let Some(pos) = e.position() {
        err.offset = Some(pos.byte());
        err.line = Some(pos.line());
    }
    err
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
    fn timestamps() {
        assert_eq!(timestamp(&Value::from(1_700_000_000)), Some(1_700_000_000));
        assert_eq!(timestamp(&Value::from("1700000000")), Some(1_700_000_000));
        assert_eq!(timestamp(&Value::from(1_700_000_000_123i64)), Some(1_700_000_000));
        assert_eq!(timestamp(&Value::from("2014-05-14T08:11:02Z")), Some(1_400_055_062));
        assert_eq!(timestamp(&Value::from("soon")), None);
    }

    #[test]
    fn json_strings() {
        let mut out = Vec::new();
        write_json_string(&mut out, "a\"b\\c\nd\u{1}é");
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é");
    }

    #[test]
    fn file_stems() {
        assert_eq!(file_stem(Path::new("a/forum.jsonl.gz")), "forum");
        assert_eq!(file_stem(Path::new("Übersicht.CSV")), "Übersicht");
        assert_eq!(file_stem(Path::new("ü.sv")), "ü.sv");
        assert_eq!(file_stem(Path::new(".csv")), ".csv");
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

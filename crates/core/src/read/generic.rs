//! Scraped data in JSON lines or CSV, read through a [`FieldMap`] that says
//! which input field holds which post field.
//!
//! JSON lines are framed one record per line by the shared line framer; CSV
//! rows are framed by `csv_rows`, which turns each row into a JSON object
//! (column name to string value) so that both go through the same [`parse`].

use super::compress::{strip_compression_suffixes, strip_suffix_ignore_case};
use super::detect::{Confidence, Probe};
use super::error::{ParseError, ReadError, RecordLoc};
use super::csv_rows::frame_csv;
use super::framing::frame_lines;
use super::json::iso_to_unix;
use super::mapping::{FieldMap, BODY, ID, KIND};
use super::mapping::{AUTHOR, COMMUNITY, CREATED, PARENT, SCORE, THREAD, TITLE, URL};
use super::reader::{FileCtx, Format, Reader, RecordPosts, Sink};
use crate::model::{author_or_none, Post, PostKind, Source};
use crate::text::plain;
use serde_json::Value;
use std::io::BufRead;
use std::path::Path;
use std::sync::{Arc, LazyLock};

/// The `jsonl` format: generic JSON lines.
pub const JSONL: Format = Format::new(&GenericReader { csv: false });

/// The `csv` format: generic CSV with a header row.
pub const CSV: Format = Format::new(&GenericReader { csv: true });

/// Reads generic JSON lines or, with `csv`, CSV.
struct GenericReader {
    csv: bool,
}

impl Reader for GenericReader {
    fn name(&self) -> &'static str {
        if self.csv {
            "csv"
        } else {
            "jsonl"
        }
    }

    fn aliases(&self) -> &'static [&'static str] {
        if self.csv {
            &[]
        } else {
            &["ndjson", "json-lines"]
        }
    }

    /// JSON lines: any JSON object no other reader claims. CSV: a `.csv`
    /// file name; or, for a name the name check cannot read (not UTF-8), a
    /// `.csv` extension on content that does not start like XML, JSON or a
    /// mailbox.
    fn detect(&self, probe: &Probe<'_>) -> Option<Confidence> {
        if !self.csv {
            return probe.json_object().map(|_| Confidence::Fallback);
        }
        if probe.name().ends_with(".csv") {
            return Some(Confidence::Name(1));
        }
        let other = matches!(probe.first_byte()?, b'<' | b'[' | b'{') || probe.head().starts_with(b"From ");
        let ext = probe.path().extension().and_then(|e| e.to_str()).unwrap_or("");
        (!other && ext.eq_ignore_ascii_case("csv")).then_some(Confidence::Fallback)
    }

    fn frame(
        &self,
        ctx: &Arc<FileCtx>,
        _head: &[u8],
        reader: Box<dyn BufRead + Send>,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        if self.csv {
            frame_csv(ctx, reader, sink)
        } else {
            frame_lines(ctx, reader, sink)
        }
    }

    fn parse(&self, ctx: &FileCtx, bytes: &[u8], _loc: RecordLoc, out: &mut RecordPosts) -> Result<(), ParseError> {
        parse(ctx, bytes, &mut out.posts)
    }
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

/// The file name without its compression and format extensions.
fn file_stem(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut name = Some(strip_compression_suffixes(name)).filter(|s| !s.is_empty()).unwrap_or(name);
    for ext in [".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".txt"] {
        if let Some(stem) = strip_suffix_ignore_case(name, ext).filter(|s| !s.is_empty()) {
            name = stem;
        }
    }
    name.to_string()
}

/// Parses one record: a JSON object (a JSON line, or a CSV row turned into
/// one by the CSV framer) read through the file's [`FieldMap`].
pub fn parse(ctx: &FileCtx, bytes: &[u8], out: &mut Vec<Post>) -> Result<(), ParseError> {
    static DEFAULT_MAP: LazyLock<FieldMap> = LazyLock::new(FieldMap::default);
    let map = ctx.map.as_deref().unwrap_or(&DEFAULT_MAP);
    let record: Value = super::json::from_record(bytes)?;
    if !record.is_object() {
        return Err(ParseError::new("expected a JSON object"));
    }
    let id_field = map.field(ID).unwrap_or("id");
    let id = map
        .get(ID, &record)
        .and_then(scalar)
        .ok_or_else(|| ParseError::new(format!("record without an id (field `{id_field}`)")))?;
    // Without a kind field: a record answering another is a reply, one
    // with a title and no parent starts a thread.
    let kind = match map.get(KIND, &record).and_then(Value::as_str) {
        Some(name) => kind_from_name(name),
        None if map.get(PARENT, &record).and_then(scalar).is_some() => PostKind::Reply,
        None if map.get(TITLE, &record).and_then(scalar).is_some() => PostKind::Topic,
        None => PostKind::Other,
    };
    let mut post = Post::new(Source::Generic, id.clone(), kind);
    match map.get(BODY, &record) {
        None => {
            let field = map.field(BODY).unwrap_or("body");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(&Value::from(1_700_000_000)), Some(1_700_000_000));
        assert_eq!(timestamp(&Value::from("1700000000")), Some(1_700_000_000));
        assert_eq!(timestamp(&Value::from(1_700_000_000_123i64)), Some(1_700_000_000));
        assert_eq!(timestamp(&Value::from("2014-05-14T08:11:02Z")), Some(1_400_055_062));
        assert_eq!(timestamp(&Value::from("soon")), None);
    }

    #[test]
    fn file_stems() {
        assert_eq!(file_stem(Path::new("a/forum.jsonl.gz")), "forum");
        assert_eq!(file_stem(Path::new("Übersicht.CSV")), "Übersicht");
        assert_eq!(file_stem(Path::new("ü.sv")), "ü.sv");
        assert_eq!(file_stem(Path::new(".csv")), ".csv");
    }
}

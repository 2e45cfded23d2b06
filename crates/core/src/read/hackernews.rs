//! Hacker News items, as the official API returns them, in JSON arrays or
//! NDJSON: stories (Show HN, Ask HN, links, jobs, polls) and comments.

use super::detect::{Confidence, Probe};
use super::error::{ParseError, ReadError, RecordLoc};
use super::framing::frame_lines;
use super::json::lenient_i64;
use super::json_array::frame_json_array;
use super::reader::{FileCtx, Format, Reader, RecordPosts, Sink};
use crate::model::{author_or_none, Post, PostKind, Source};
use crate::text::html;
use serde::Deserialize;
use std::borrow::Cow;
use std::io::BufRead;
use std::sync::Arc;

/// The `hackernews` format.
pub const FORMAT: Format = Format::new(&HackerNewsReader);

/// Reads Hacker News items from a JSON array or NDJSON.
struct HackerNewsReader;

impl Reader for HackerNewsReader {
    fn name(&self) -> &'static str {
        "hackernews"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["hn"]
    }

    fn json_name(&self) -> &'static str {
        "hacker-news"
    }

    /// By content: a JSON array whose first element, or a JSON object that,
    /// is an item (a `type` of the API's and a numeric `id`).
    fn detect(&self, probe: &Probe<'_>) -> Option<Confidence> {
        // Below Discourse and Reddit.
        let found = match probe.first_byte()? {
            b'[' => {
                let mut items = serde_json::Deserializer::from_slice(probe.head().get(1..)?)
                    .into_iter::<serde_json::Value>();
                items.next()?.ok()?.as_object().is_some_and(looks_like_item)
            }
            _ => probe.json_object().is_some_and(looks_like_item),
        };
        found.then_some(Confidence::Content(1))
    }

    /// A stream whose first byte (after a byte order mark and whitespace)
    /// is `[` is one JSON array; anything else is NDJSON.
    fn frame(
        &self,
        ctx: &Arc<FileCtx>,
        head: &[u8],
        reader: Box<dyn BufRead + Send>,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        if head.iter().copied().find(|b| !b.is_ascii_whitespace()) == Some(b'[') {
            frame_json_array(ctx, reader, sink)
        } else {
            frame_lines(ctx, reader, sink)
        }
    }

    fn parse(&self, ctx: &FileCtx, bytes: &[u8], _loc: RecordLoc, out: &mut RecordPosts) -> Result<(), ParseError> {
        parse(ctx, bytes, &mut out.posts)
    }
}

/// An API item: a known `type` and a numeric `id`.
fn looks_like_item(obj: &serde_json::Map<String, serde_json::Value>) -> bool {
    let ty = obj.get("type").and_then(|t| t.as_str());
    matches!(ty, Some("story" | "comment" | "job" | "poll" | "pollopt"))
        && obj.get("id").is_some_and(|id| id.is_u64())
}

/// The community name of Hacker News posts.
pub const COMMUNITY: &str = "news.ycombinator.com";

#[derive(Deserialize)]
struct ApiItem<'a> {
    id: Option<u64>,
    #[serde(borrow, rename = "type")]
    ty: Option<Cow<'a, str>>,
    #[serde(borrow)]
    by: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient_i64")]
    time: Option<i64>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient_i64")]
    score: Option<i64>,
    parent: Option<u64>,
    #[serde(default)]
    deleted: bool,
}

/// Parses one item.
pub fn parse(ctx: &FileCtx, bytes: &[u8], out: &mut Vec<Post>) -> Result<(), ParseError> {
    let item: ApiItem<'_> = serde_json::from_slice(bytes)?;
    let id = item.id.ok_or_else(|| ParseError::new("item without an `id`"))?;
    let id_s = id.to_string();
    let kind = match item.ty.as_deref() {
        Some("story" | "job" | "poll") => PostKind::Story,
        Some("comment") => PostKind::Comment,
        Some("pollopt") => PostKind::Other,
        Some(other) => return Err(ParseError::with_id(id_s, format!("unknown item type '{other}'"))),
        None if item.deleted => PostKind::Other,
        None => return Err(ParseError::with_id(id_s, "item without a `type`")),
    };
    let mut post = Post::new(Source::HackerNews, id_s.clone(), kind);
    post.community = ctx.community.clone().unwrap_or_else(|| COMMUNITY.to_string());
    post.thread = (kind == PostKind::Story).then(|| id_s.clone());
    post.parent = item.parent.map(|p| p.to_string());
    post.author = author_or_none(item.by.as_deref());
    post.created = item.time;
    post.title = item.title.map(|t| html_escape::decode_html_entities(&t).into_owned());
    if let Some(text) = item.text.as_deref() {
        post.set_text(html::to_text(text));
    }
    post.score = item.score;
    post.link = item.url.map(Cow::into_owned).filter(|u| !u.is_empty());
    post.url = Some(format!("https://news.ycombinator.com/item?id={id}"));
    if let Some(t) = &post.title {
        if let Some(prefix) = ["Show HN", "Ask HN", "Tell HN", "Launch HN"].iter().find(|p| t.starts_with(**p)) {
            post.tags.push(prefix.to_ascii_lowercase().replace(' ', "-"));
        }
    }
    out.push(post);
    Ok(())
}

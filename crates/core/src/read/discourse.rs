//! Discourse topics as the forum serves them at `/t/{id}.json`, with the
//! complete `post_stream.posts`.

use super::detect::{Confidence, Probe};
use super::error::{ParseError, ReadError, RecordLoc};
use super::framing::frame_document;
use super::json::iso_to_unix;
use super::reader::{FileCtx, Format, Reader, RecordPosts, Sink};
use crate::model::{author_or_none, Post, PostKind, Source};
use crate::text::html;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Arc;

/// The `discourse` format.
pub const FORMAT: Format = Format::new(&DiscourseReader);

/// Reads Discourse topics, one topic per file.
struct DiscourseReader;

impl Reader for DiscourseReader {
    fn name(&self) -> &'static str {
        "discourse"
    }

    /// By content: a JSON object with a `post_stream`, or, when the head
    /// cuts a long document, a head that starts with `{` and holds the key.
    fn detect(&self, probe: &Probe<'_>) -> Option<Confidence> {
        let found = match probe.json_object() {
            Some(obj) => obj.contains_key("post_stream"),
            None => {
                probe.first_byte() == Some(b'{')
                    && String::from_utf8_lossy(probe.head()).contains("\"post_stream\"")
            }
        };
        // Above Reddit and Hacker News.
        found.then_some(Confidence::Content(3))
    }

    fn frame(
        &self,
        ctx: &Arc<FileCtx>,
        _head: &[u8],
        reader: Box<dyn BufRead + Send>,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        frame_document(ctx, reader, sink)
    }

    fn parse(&self, ctx: &FileCtx, bytes: &[u8], _loc: RecordLoc, out: &mut RecordPosts) -> Result<(), ParseError> {
        parse(ctx, bytes, out)
    }
}

#[derive(Deserialize)]
struct Topic<'a> {
    id: Option<u64>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    slug: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tags: Option<Vec<TagName<'a>>>,
    post_stream: PostStream<'a>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TagName<'a> {
    #[serde(borrow)]
    Name(Cow<'a, str>),
    Object {
        #[serde(borrow)]
        name: Cow<'a, str>,
    },
}

#[derive(Deserialize)]
struct PostStream<'a> {
    /// Each post as written, read on its own so that one damaged post
    /// loses only itself.
    #[serde(borrow)]
    posts: Vec<&'a RawValue>,
}

/// Just the id of a post that could not be read.
#[derive(Deserialize)]
struct PostId {
    id: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct DPost<'a> {
    id: u64,
    post_number: Option<u64>,
    #[serde(borrow)]
    username: Option<Cow<'a, str>>,
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    cooked: Option<Cow<'a, str>>,
    reply_to_post_number: Option<u64>,
    #[serde(borrow)]
    avatar_template: Option<Cow<'a, str>>,
    #[serde(default)]
    accepted_answer: bool,
    #[serde(default)]
    actions_summary: Vec<Action>,
}

#[derive(Deserialize)]
struct Action {
    id: u64,
    #[serde(default)]
    count: Option<i64>,
}

/// Discourse's action id for likes.
const LIKE_ACTION: u64 = 2;

/// Parses one topic into its posts. A post that cannot be read (a field of
/// the wrong type) is noted as lost in `out`; the topic's other posts are
/// kept.
pub fn parse(ctx: &FileCtx, bytes: &[u8], out: &mut RecordPosts) -> Result<(), ParseError> {
    let topic: Topic<'_> = super::json::from_record(bytes)?;
    let topic_id = topic
        .id
        .ok_or_else(|| ParseError::new("topic without an `id`"))?
        .to_string();
    let mut posts: Vec<Result<DPost<'_>, ParseError>> = topic
        .post_stream
        .posts
        .iter()
        .map(|raw| {
            serde_json::from_str::<DPost<'_>>(raw.get()).map_err(|e| {
                let id = serde_json::from_str::<PostId>(raw.get())
                    .ok()
                    .and_then(|p| p.id)
                    .map(|id| match id {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    });
                let message = format!("post of topic {topic_id} skipped: invalid JSON: {e}");
                match id {
                    Some(id) => ParseError::with_id(id, message),
                    None => ParseError::new(message),
                }
            })
        })
        .collect();
    let read = || posts.iter().filter_map(|p| p.as_ref().ok());
    let host = ctx
        .community
        .clone()
        .or_else(|| read().find_map(|p| host_from_avatar(p.avatar_template.as_deref()?)))
        .or_else(|| host_anywhere(bytes))
        .or_else(|| folder_name(ctx))
        .unwrap_or_default();
    let by_number: HashMap<u64, u64> = read().filter_map(|p| Some((p.post_number?, p.id))).collect();
    let first_id = by_number.get(&1).map(|id| id.to_string());
    let tags: Vec<String> = topic
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| match t {
            TagName::Name(n) | TagName::Object { name: n } => n.into_owned(),
        })
        .collect();
    for p in posts.drain(..) {
        let p = match p {
            Ok(p) => p,
            Err(lost) => {
                out.lose(lost);
                continue;
            }
        };
        let number = p.post_number.unwrap_or(0);
        let kind = if number == 1 { PostKind::Topic } else { PostKind::Reply };
        let mut post = Post::new(Source::Discourse, p.id.to_string(), kind);
        post.community = host.clone();
        post.thread = Some(topic_id.clone());
        post.parent = match p.reply_to_post_number {
            Some(n) => by_number.get(&n).map(|id| id.to_string()),
            None if number > 1 => first_id.clone(),
            None => None,
        };
        post.author = author_or_none(p.username.as_deref());
        post.created = p.created_at.as_deref().and_then(iso_to_unix);
        if number == 1 {
            post.title = topic.title.as_deref().map(|t| html_escape::decode_html_entities(t).into_owned());
            post.tags = tags.clone();
        }
        if let Some(cooked) = p.cooked.as_deref() {
            post.set_text(html::to_text(cooked));
        }
        post.score = p
            .actions_summary
            .iter()
            .find(|a| a.id == LIKE_ACTION)
            .map(|a| a.count.unwrap_or(0))
            .or(Some(0));
        post.accepted = p.accepted_answer;
        if !host.is_empty() {
            let slug = topic.slug.as_deref().unwrap_or("-");
            post.url = Some(format!("https://{host}/t/{slug}/{topic_id}/{number}"));
        }
        out.push(post);
    }
    Ok(())
}

/// Local avatars are served from `/user_avatar/<host>/...`.
fn host_from_avatar(template: &str) -> Option<String> {
    let rest = template.split("/user_avatar/").nth(1)?;
    let host = rest.split('/').next()?;
    host.contains('.').then(|| host.to_string())
}

/// The host of any local avatar in the topic (participants, suggested
/// topics), for topics whose posts all have CDN avatars.
fn host_anywhere(bytes: &[u8]) -> Option<String> {
    const NEEDLE: &[u8] = b"/user_avatar/";
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&bytes[from..], NEEDLE).map(|i| from + i + NEEDLE.len()) {
        let end = bytes[at..].iter().position(|&b| b == b'/' || b == b'"').map_or(bytes.len(), |i| at + i);
        if let Some(host) = std::str::from_utf8(&bytes[at..end]).ok().and_then(host_from_template_part) {
            return Some(host);
        }
        from = at;
    }
    None
}

fn host_from_template_part(host: &str) -> Option<String> {
    (host.contains('.') && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
        .then(|| host.to_string())
}

fn folder_name(ctx: &FileCtx) -> Option<String> {
    ctx.path.parent()?.file_name()?.to_str().map(str::to_string)
}

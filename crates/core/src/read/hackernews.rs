//! Hacker News items, as the official API returns them, in JSON arrays or
//! NDJSON: stories (Show HN, Ask HN, links, jobs, polls) and comments.

use super::json::lenient_i64;
use super::{FileCtx, ParseError};
use crate::model::{author_or_none, Post, PostKind, Source};
use crate::text::html;
use serde::Deserialize;
use std::borrow::Cow;

/// The community name of Hacker News posts.
pub const COMMUNITY: &str = "news.ycombinator.com";

#[derive(Deserialize)]
struct Item<'a> {
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
    let item: Item<'_> = serde_json::from_slice(bytes)?;
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

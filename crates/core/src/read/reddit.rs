//! Reddit Pushshift / Arctic Shift NDJSON: comments (`RC_*`) and submissions
//! (`RS_*`), with the field variations of every year: `created_utc` as a
//! string or number, `score` null, `edited` bool or number, missing
//! `author` or `subreddit`, deleted content, the `_meta` object of 2023+.

use super::detect::{Confidence, Probe};
use super::error::{ParseError, ReadError, RecordLoc};
use super::framing::frame_lines;
use super::json::{id_string, lenient_i64};
use super::reader::{FileCtx, Format, Reader, RecordPosts, Sink};
use crate::model::{author_or_none, Post, PostKind, Source};
use crate::text::markdown;
use serde::Deserialize;
use std::borrow::Cow;
use std::io::BufRead;
use std::sync::Arc;

/// The `reddit` format.
pub const FORMAT: Format = Format::new(&RedditReader);

/// Reads Reddit NDJSON, one comment or submission per line.
struct RedditReader;

impl Reader for RedditReader {
    fn name(&self) -> &'static str {
        "reddit"
    }

    /// By name: Pushshift's monthly `RC_YYYY-MM` and `RS_YYYY-MM` files and
    /// per-subreddit `<name>_comments` and `<name>_submissions` files (any
    /// `.ndjson`, `.jsonl` or `.json` extension). By content: a JSON object
    /// with a `subreddit`, `subreddit_id` or `link_id` field.
    fn detect(&self, probe: &Probe<'_>) -> Option<Confidence> {
        let stem = probe
            .name()
            .trim_end_matches(".ndjson")
            .trim_end_matches(".jsonl")
            .trim_end_matches(".json");
        let monthly = |p: &str| {
            stem.strip_prefix(p)
                .is_some_and(|rest| rest.len() >= 7 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit))
        };
        if monthly("rc_") || monthly("rs_") || stem.ends_with("_comments") || stem.ends_with("_submissions") {
            // Below the names that say a file type (`.csv`, `Posts.xml`).
            return Some(Confidence::Name(0));
        }
        let obj = probe.json_object()?;
        // Below Discourse, above Hacker News.
        (obj.contains_key("subreddit") || obj.contains_key("subreddit_id") || obj.contains_key("link_id"))
            .then_some(Confidence::Content(2))
    }

    fn frame(
        &self,
        ctx: &Arc<FileCtx>,
        _head: &[u8],
        reader: Box<dyn BufRead + Send>,
        sink: &mut Sink<'_>,
    ) -> Result<(), ReadError> {
        frame_lines(ctx, reader, sink)
    }

    fn parse(&self, ctx: &FileCtx, bytes: &[u8], _loc: RecordLoc, out: &mut RecordPosts) -> Result<(), ParseError> {
        parse(ctx, bytes, &mut out.posts)
    }
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(default, deserialize_with = "id_string")]
    id: Option<String>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    author: Option<Cow<'a, str>>,
    #[serde(borrow)]
    subreddit: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient_i64")]
    created_utc: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    score: Option<i64>,
    #[serde(borrow)]
    body: Option<Cow<'a, str>>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    selftext: Option<Cow<'a, str>>,
    #[serde(borrow)]
    parent_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    link_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow)]
    permalink: Option<Cow<'a, str>>,
    is_self: Option<bool>,
    #[serde(borrow)]
    link_flair_text: Option<Cow<'a, str>>,
}

/// Parses one comment or submission.
pub fn parse(ctx: &FileCtx, bytes: &[u8], out: &mut Vec<Post>) -> Result<(), ParseError> {
    let r: Record<'_> = super::json::from_record(bytes)?;
    let id = r
        .id
        .or_else(|| r.name.as_deref().map(|n| strip_kind(n).to_string()))
        .ok_or_else(|| ParseError::new("record without an `id`"))?;
    let is_submission = r.title.is_some()
        || r.selftext.is_some()
        || r.name.as_deref().is_some_and(|n| n.starts_with("t3_"))
        || (r.body.is_none() && r.link_id.is_none());
    let kind = if is_submission { PostKind::Submission } else { PostKind::Comment };
    let mut post = Post::new(Source::Reddit, id.clone(), kind);
    let subreddit = r
        .subreddit
        .as_deref()
        .map(str::to_string)
        .or_else(|| ctx.community.clone())
        .or_else(|| subreddit_from_file(ctx))
        .unwrap_or_default();
    post.author = author_or_none(r.author.as_deref());
    post.created = r.created_utc;
    post.score = r.score;
    if is_submission {
        post.thread = Some(id.clone());
        post.title = r.title.map(Cow::into_owned);
        if let Some(text) = r.selftext.as_deref().filter(|t| !is_deleted(t)) {
            post.set_text(markdown::to_text(text));
        }
        if r.is_self != Some(true) {
            post.link = r.url.map(Cow::into_owned).filter(|u| !u.is_empty() && !u.contains("/comments/"));
        }
        post.tags.extend(r.link_flair_text.map(Cow::into_owned).filter(|f| !f.is_empty()));
        post.url = Some(match r.permalink.as_deref() {
            Some(p) if p.starts_with('/') => format!("https://www.reddit.com{p}"),
            _ => format!("https://www.reddit.com/r/{subreddit}/comments/{id}/"),
        });
    } else {
        let thread = r.link_id.as_deref().map(|l| strip_kind(l).to_string());
        post.parent = r.parent_id.as_deref().map(|p| strip_kind(p).to_string());
        if let Some(text) = r.body.as_deref().filter(|t| !is_deleted(t)) {
            post.set_text(markdown::to_text(text));
        }
        post.url = Some(match (r.permalink.as_deref(), &thread) {
            (Some(p), _) if p.starts_with('/') => format!("https://www.reddit.com{p}"),
            (_, Some(t)) => format!("https://www.reddit.com/r/{subreddit}/comments/{t}/_/{id}/"),
            _ => format!("https://www.reddit.com/comments/{id}/"),
        });
        post.thread = thread;
    }
    post.community = subreddit;
    out.push(post);
    Ok(())
}

/// `t1_abc` -> `abc`.
fn strip_kind(id: &str) -> &str {
    match id.as_bytes() {
        [b't', b'1'..=b'6', b'_', ..] => &id[3..],
        _ => id,
    }
}

fn is_deleted(text: &str) -> bool {
    matches!(text.trim(), "[deleted]" | "[removed]")
}

/// `woodworking_comments.zst` -> `woodworking`.
fn subreddit_from_file(ctx: &FileCtx) -> Option<String> {
    let name = ctx.path.file_name()?.to_str()?;
    let stem = name.split('.').next()?;
    let sub = stem
        .strip_suffix("_comments")
        .or_else(|| stem.strip_suffix("_submissions"))?;
    Some(sub.to_string())
}

//! The document model: every record of every dump becomes one [`Post`].
//!
//! Text is stored once, as readable plain text, and never modified after a
//! reader built it. Regions the author did not write (quotes) and code blocks
//! are marked by stand-off [`Region`]s: byte ranges into [`Post::body`], so
//! analyzers can skip them without anyone rewriting the text.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;

/// The community platform a post came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Reddit, from Pushshift or Arctic Shift dumps.
    Reddit,
    /// A Stack Exchange site dump.
    StackExchange,
    /// Hacker News items.
    HackerNews,
    /// A Discourse forum.
    Discourse,
    /// A mailing list archive (mbox or pipermail).
    Mail,
    /// Scraped data read through a field mapping.
    Generic,
}

impl Source {
    /// The lowercase name used in outputs and gold files.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Reddit => "reddit",
            Source::StackExchange => "stackexchange",
            Source::HackerNews => "hackernews",
            Source::Discourse => "discourse",
            Source::Mail => "mail",
            Source::Generic => "generic",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What role a post plays in its thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    /// A Reddit submission (link or self post).
    Submission,
    /// A Reddit or Stack Exchange comment, a Hacker News comment.
    Comment,
    /// A Stack Exchange question.
    Question,
    /// A Stack Exchange answer.
    Answer,
    /// A Hacker News story (including Show HN and Ask HN).
    Story,
    /// A reply in a forum topic (Discourse posts after the first).
    Reply,
    /// A mailing list message.
    Message,
    /// The opening post of a forum topic.
    Topic,
    /// Anything a generic mapping could not classify.
    Other,
}

impl PostKind {
    /// Every post kind.
    pub const ALL: [PostKind; 9] = [
        PostKind::Submission,
        PostKind::Comment,
        PostKind::Question,
        PostKind::Answer,
        PostKind::Story,
        PostKind::Reply,
        PostKind::Message,
        PostKind::Topic,
        PostKind::Other,
    ];

    /// The kind with this lowercase name ([`PostKind::as_str`]).
    pub fn parse(name: &str) -> Option<PostKind> {
        PostKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The names of all kinds, comma separated, for messages.
    pub fn names() -> String {
        PostKind::ALL.map(PostKind::as_str).join(", ")
    }

    /// The lowercase name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Submission => "submission",
            PostKind::Comment => "comment",
            PostKind::Question => "question",
            PostKind::Answer => "answer",
            PostKind::Story => "story",
            PostKind::Reply => "reply",
            PostKind::Message => "message",
            PostKind::Topic => "topic",
            PostKind::Other => "other",
        }
    }

    /// Whether this kind opens a thread (as opposed to replying in one).
    pub fn is_thread_start(self) -> bool {
        matches!(
            self,
            PostKind::Submission | PostKind::Question | PostKind::Story | PostKind::Topic
        )
    }
}

impl fmt::Display for PostKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a marked region of the body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionKind {
    /// Text quoted from someone else (`>` lines, `<blockquote>`, quoted mail).
    Quote,
    /// A code block or inline code.
    Code,
}

/// A stand-off mark over a byte range of [`Post::body`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Region {
    /// What the range holds.
    pub kind: RegionKind,
    /// Start byte offset into the body (on a character boundary).
    pub start: usize,
    /// End byte offset into the body, exclusive (on a character boundary).
    pub end: usize,
}

impl Region {
    /// The byte range this region covers.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// One record of a community dump: a submission, comment, question, answer,
/// story, forum post or mail message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// The platform the post came from.
    pub source: Source,
    /// The native id: Reddit `id`, HN item id, Discourse post id, Stack
    /// Exchange row `Id`, mail `Message-ID` without angle brackets.
    pub id: String,
    /// Subreddit, Stack Exchange site, forum host or list name.
    pub community: String,
    /// The thread this post belongs to (Reddit `link_id`, HN story when
    /// known, Discourse topic, SE question, mail thread root).
    pub thread: Option<String>,
    /// The post this one replies to, when known.
    pub parent: Option<String>,
    /// The author's user name; `None` when deleted or unknown.
    pub author: Option<String>,
    /// Creation time, seconds since the Unix epoch (UTC).
    pub created: Option<i64>,
    /// The title, for posts that have one.
    pub title: Option<String>,
    /// The body as readable plain text.
    pub body: String,
    /// Quote and code regions of the body, sorted by start offset.
    pub regions: Vec<Region>,
    /// The community score (votes, points), when the source has one.
    pub score: Option<i64>,
    /// A link to the original post, where the source allows one.
    pub url: Option<String>,
    /// The role the post plays in its thread.
    pub kind: PostKind,
    /// The external link a submission points to (HN story `url`, Reddit
    /// link post `url`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Tags or flair, when the source has them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Whether the post is an accepted answer (Stack Exchange) or a solution
    /// marked by the community (Discourse), when the source says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accepted: bool,
    /// For a question: the id of its accepted answer, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_answer: Option<String>,
}

impl Post {
    /// A post with the required fields set and everything else empty.
    pub fn new(source: Source, id: impl Into<String>, kind: PostKind) -> Self {
        Post {
            source,
            id: id.into(),
            community: String::new(),
            thread: None,
            parent: None,
            author: None,
            created: None,
            title: None,
            body: String::new(),
            regions: Vec::new(),
            score: None,
            url: None,
            kind,
            link: None,
            tags: Vec::new(),
            accepted: false,
            accepted_answer: None,
        }
    }

    /// Sets the body and its regions from converted text (a `text::Text`).
    pub fn set_text(&mut self, text: impl Into<(String, Vec<Region>)>) {
        (self.body, self.regions) = text.into();
    }

    /// Whether the byte range of the body lies inside a quote or code region.
    pub fn in_region(&self, range: Range<usize>) -> Option<RegionKind> {
        self.regions
            .iter()
            .find(|r| r.start <= range.start && range.end <= r.end)
            .map(|r| r.kind)
    }

    /// The site the author's name belongs to (see [`site_of`]).
    pub fn site(&self) -> &str {
        site_of(self.source, &self.community)
    }

    /// Whether the post submits a link to content it does not present as
    /// the submitter's own: a thread start with an external link, no text
    /// of its own, and (on Hacker News) not a "Show HN". What its title
    /// says in the first person is the linked author's, not the
    /// submitter's.
    pub fn is_link_submission(&self) -> bool {
        let show = self.title.as_deref().is_some_and(|t| {
            let t = t.trim_start();
            t.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("show hn"))
        });
        self.kind.is_thread_start() && self.link.is_some() && self.body.trim().is_empty() && !show
    }

    /// Size of the post's text in bytes (title and body).
    pub fn text_len(&self) -> usize {
        self.title.as_ref().map_or(0, String::len) + self.body.len()
    }
}

/// The site an author's name belongs to: one for all of Reddit and one for
/// Hacker News (names are site-wide there); elsewhere the community up to
/// its first `/` (a forum's host, a Stack Exchange site, a list).
pub fn site_of(source: Source, community: &str) -> &str {
    match source {
        Source::Reddit => "reddit.com",
        Source::HackerNews => "news.ycombinator.com",
        _ => community.split('/').next().unwrap_or(community),
    }
}

/// Normalizes an author name: deleted and missing authors become `None`.
pub fn author_or_none(name: Option<&str>) -> Option<String> {
    match name.map(str::trim) {
        None | Some("") | Some("[deleted]") | Some("[removed]") => None,
        Some(n) => Some(n.to_string()),
    }
}

/// Formats Unix seconds as an ISO 8601 UTC time, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn datetime_string(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map_or_else(|| unix.to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The month of a Unix time, `YYYY-MM` (UTC).
pub fn month_string(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0).map_or_else(|| unix.to_string(), |t| t.format("%Y-%m").to_string())
}

/// Formats Unix seconds as a `YYYY-MM-DD` UTC date.
pub fn date_string(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map_or_else(|| unix.to_string(), |t| t.format("%Y-%m-%d").to_string())
}

//! What a scan writes: the records of `posts.jsonl` and `authors.jsonl`
//! and the counts of `summary.json`. Aggregation fills them in, outputs
//! write them; neither owns them.

use crate::analyze::{Document, Signal};
use crate::model::{Post, PostKind, Source};
use crate::score::{Labels, PerLabel, Scores};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A signal as written to `posts.jsonl`: its span and the matched text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalRecord {
    /// The kind of evidence.
    pub kind: Arc<str>,
    /// The analyzer that found it.
    pub analyzer: Arc<str>,
    /// The rule that matched.
    pub rule: Arc<str>,
    /// Start byte offset into the analyzed text (title, blank line, body).
    pub start: usize,
    /// End byte offset, exclusive.
    pub end: usize,
    /// The matched text, cut at [`MAX_SIGNAL_TEXT`] bytes (the span keeps
    /// its full range); empty when an earlier signal of the post has the
    /// same span, whose text it is ([`PostRecord::text_of`]).
    pub text: String,
    /// The signal's weight.
    pub weight: f32,
}

/// The most bytes of a signal's matched text written (a longer match is
/// cut at a character boundary and ends with `…`).
pub const MAX_SIGNAL_TEXT: usize = 200;

/// The bytes of a post's snippet, about.
pub const SNIPPET_BYTES: usize = 320;

/// `s` cut to at most `max` bytes at a character boundary, with `…` when
/// cut.
pub fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A short passage of a post around its strongest evidence, for people
/// (reports, spreadsheets). `start` is its byte offset in the analyzed
/// text, so signal spans can be placed in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snippet {
    /// Byte offset of the passage in the analyzed text.
    pub start: usize,
    /// The passage, as written in the post.
    pub text: String,
}

impl Snippet {
    /// The passage of about [`SNIPPET_BYTES`] that holds the strongest of
    /// `signals` (the start of the text when there is none): from the
    /// start of its sentence when that is near, else from a word boundary
    /// shortly before it.
    pub fn around(doc: &Document<'_>, signals: &[Signal]) -> Snippet {
        let text: &str = &doc.text;
        let best = signals
            .iter()
            .filter(|s| s.is_own() && &*s.kind != crate::analyze::kinds::FALSE_FRIEND)
            .max_by(|a, b| a.weight.total_cmp(&b.weight).then_with(|| b.start.cmp(&a.start)));
        let mut at = best.map_or(0, |s| s.start.min(text.len()));
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let sentence = doc.sentences.iter().find(|r| r.contains(&at)).map_or(at, |r| r.start);
        let mut start = if at - sentence <= SNIPPET_BYTES / 2 {
            sentence
        } else {
            let mut from = at - SNIPPET_BYTES / 3;
            while !text.is_char_boundary(from) {
                from += 1;
            }
            text[from..at].find(char::is_whitespace).map_or(at, |i| from + i + 1)
        };
        while !text.is_char_boundary(start) {
            start += 1;
        }
        let mut end = (start + SNIPPET_BYTES).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if end < text.len() {
            // End at a word boundary when one is near.
            if let Some(i) = text[start..end].rfind(char::is_whitespace).filter(|i| *i > SNIPPET_BYTES / 2) {
                end = start + i;
            }
        }
        Snippet { start, text: text[start..end].to_string() }
    }
}

impl SignalRecord {
    /// The record of a signal found in `doc`.
    pub fn new(doc: &Document<'_>, s: &Signal) -> Self {
        SignalRecord {
            kind: Arc::clone(&s.kind),
            analyzer: Arc::clone(&s.analyzer),
            rule: Arc::clone(&s.rule),
            start: s.start,
            end: s.end,
            text: cut(doc.text.get(s.start..s.end).unwrap_or(""), MAX_SIGNAL_TEXT),
            weight: s.weight,
        }
    }
}

/// One reply's reaction, as evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseEvidence {
    /// The reply's id.
    pub id: String,
    /// Its author.
    pub author: Option<String>,
    /// The kind of reaction (`response.buy`, ...).
    pub kind: String,
    /// The matched text.
    pub text: String,
}

/// How the community answered a post.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseSummary {
    /// Replies seen in the input that answer this post.
    pub replies: u64,
    /// Reactions by kind (`response.buy`, `response.how`, ...).
    pub kinds: std::collections::BTreeMap<String, u64>,
    /// The first few reactions, in input order.
    pub evidence: Vec<ResponseEvidence>,
}

impl ResponseSummary {
    /// Total reactions of any kind.
    pub fn reactions(&self) -> u64 {
        self.kinds.values().sum()
    }

    /// Summarizes the replies and reactions a post received, leaving out
    /// reactions by the post's own author and counting each reply once per
    /// kind of reaction.
    pub fn from_reactions(replies: u64, reactions: Vec<ResponseEvidence>, author: Option<&str>, keep: usize) -> Self {
        let mut summary = ResponseSummary { replies, ..Self::default() };
        let mut seen = std::collections::HashSet::new();
        for r in reactions {
            if r.author.is_some() && r.author.as_deref() == author {
                continue;
            }
            // One reply counts once per kind of reaction.
            if !seen.insert((r.id.clone(), r.kind.clone())) {
                continue;
            }
            *summary.kinds.entry(r.kind.clone()).or_default() += 1;
            if summary.evidence.len() < keep {
                summary.evidence.push(r);
            }
        }
        summary
    }
}

/// The signals with the text of a span written once: a later signal over
/// the same bytes (another rule or kind matching the same words) keeps its
/// span but not the text.
fn written_once(mut signals: Vec<SignalRecord>) -> Vec<SignalRecord> {
    let mut seen = std::collections::HashSet::new();
    for s in &mut signals {
        if !seen.insert((s.start, s.end)) {
            s.text.clear();
        }
    }
    signals
}

/// One line of `posts.jsonl`: a post with at least one signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostRecord {
    /// Source platform.
    pub source: Source,
    /// Native id.
    pub id: String,
    /// Community.
    pub community: String,
    /// Thread id.
    pub thread: Option<String>,
    /// Parent id.
    pub parent: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Creation time (Unix seconds).
    pub created: Option<i64>,
    /// Creation time, ISO 8601 in UTC.
    pub date: Option<String>,
    /// Post kind.
    pub kind: PostKind,
    /// Title.
    pub title: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
    /// A submitted link to someone else's content: its author is not
    /// credited with what it describes (see `Post::is_link_submission`).
    #[serde(default)]
    pub link_submission: bool,
    /// A passage around the strongest evidence.
    pub snippet: Snippet,
    /// Scores in [0, 1].
    pub scores: Scores,
    /// Labels at the weights' thresholds.
    pub labels: Labels,
    /// The evidence.
    pub signals: Vec<SignalRecord>,
    /// Community response.
    pub response: ResponseSummary,
}

impl PostRecord {
    /// The record of an analyzed post.
    pub fn new(post: &Post, doc: &Document<'_>, signals: &[Signal], scores: Scores, labels: Labels) -> Self {
        PostRecord {
            source: post.source,
            id: post.id.clone(),
            community: post.community.clone(),
            thread: post.thread.clone(),
            parent: post.parent.clone(),
            author: post.author.clone(),
            created: post.created,
            date: post.created.map(crate::model::datetime_string),
            kind: post.kind,
            title: post.title.clone(),
            url: post.url.clone(),
            link_submission: post.is_link_submission(),
            snippet: Snippet::around(doc, signals),
            scores,
            labels,
            signals: written_once(signals.iter().map(|s| SignalRecord::new(doc, s)).collect()),
            response: ResponseSummary::default(),
        }
    }

    /// The matched text of one of this post's signals (the text of the
    /// first signal with its span, where a repeated span's is not written).
    pub fn text_of<'a>(&'a self, signal: &'a SignalRecord) -> &'a str {
        if !signal.text.is_empty() {
            return &signal.text;
        }
        self.signals
            .iter()
            .find(|s| s.start == signal.start && s.end == signal.end && !s.text.is_empty())
            .map_or("", |s| s.text.as_str())
    }

    /// The highest of the scores.
    pub fn max_score(&self) -> f32 {
        let s = &self.scores;
        s.values().copied().fold(f32::NEG_INFINITY, f32::max)
    }
}

/// The components of an author's lead-user score (see
/// `docs/LEAD_USERS.md`). Each is the author's standing among the ranked
/// authors on one [`Measures`] quantity: 0 where the quantity is 0, else
/// the share of ranked authors below them plus half of those level with
/// them, so it lies in (0, 1) and no two unequal quantities get the same.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Components {
    /// User innovations and their quality.
    pub innovation: f32,
    /// Stated needs (expected benefit).
    pub need: f32,
    /// Lead time on rising topics.
    pub lead_time: f32,
    /// Response and adoption their posts drew.
    pub response: f32,
    /// Position in the reply and pointer network (betweenness).
    pub network: f32,
    /// People who point to them.
    pub pointers: f32,
    /// Expertise shown.
    pub expertise: f32,
}

impl Components {
    /// The components' names, in the order of [`Components::values`].
    pub const NAMES: [&'static str; 7] = ["innovation", "need", "lead_time", "response", "network", "pointers", "expertise"];

    /// The components' values, in the order of [`Components::NAMES`].
    pub fn values(&self) -> [f32; 7] {
        [self.innovation, self.need, self.lead_time, self.response, self.network, self.pointers, self.expertise]
    }
}

/// The quantities behind an author's [`Components`], as measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// Quality times focus: the mean user-innovation score of their best
    /// (up to three) credited user innovations times the
    /// share of their posts that are user innovations (drawn towards 10%
    /// as if they had ten more posts).
    pub innovation: f32,
    /// The same for stated needs: strength of their best (up to three) needs
    /// times the share of their posts that state one.
    pub need: f32,
    /// Mean earliness over every rising topic they posted on.
    pub lead_time: f32,
    /// Reactions to their credited posts (adoption, "how did you make it",
    /// "where can I buy one") per credited user innovation or need (plus
    /// one).
    pub response: f32,
    /// Betweenness in their site's reply and pointer network (normalized;
    /// estimated from sampled sources on large networks) over their posts
    /// to the power 1.5. Betweenness tends to grow with the square of a
    /// member's activity (each reply joins them to one more person, and
    /// the pairs they can stand between grow as its square); this keeps a
    /// square-root growth.
    pub network: f32,
    /// Distinct authors whose posts point to them, per post of theirs.
    pub pointers: f32,
    /// Strength of their best (up to three) posts' expertise times the share of
    /// their posts that show any.
    pub expertise: f32,
}

/// A post that shows something of an author: (source, id, score).
pub type PostRef = (String, String, f32);

/// Someone who points to an author, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointedBy {
    /// The author who points.
    pub author: String,
    /// Their posts that point (ids), first first.
    pub posts: Vec<String>,
}

/// A rising topic an author was early on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorTopic {
    /// The community.
    pub community: String,
    /// The topic, as first written.
    pub topic: String,
    /// The author's first post on it (ISO 8601, UTC).
    pub first: String,
    /// Days from that post to the topic's median post (negative: after).
    pub lead_days: i64,
    /// Share of the topic's posts that came after theirs.
    pub earliness: f32,
}

/// A community's rising topic (`summary.json`, the report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RisingTopic {
    /// The topic, as first written.
    pub topic: String,
    /// Need and solution posts on it.
    pub posts: u64,
    /// Of those, in the earlier half of the community's posts.
    pub before: u64,
    /// In the later half.
    pub after: u64,
    /// How far the later count is above what the community's keyphrases
    /// as a whole would give, in standard deviations (see
    /// `trends::topics`).
    pub rise: f32,
    /// Its first post (ISO 8601, UTC).
    pub first: String,
    /// The first authors to post on it.
    pub early: Vec<String>,
    /// Posts per month (`YYYY-MM`).
    pub monthly: BTreeMap<String, u64>,
}

/// One line of `authors.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorRecord {
    /// Rank, from 1 (producers after everyone else).
    pub rank: usize,
    /// A stable id of the author's key (source, site, name): the same
    /// author gets the same id in every scan.
    pub id: String,
    /// The author's name.
    pub author: String,
    /// The platform (`None` with `--merge-authors`).
    pub source: Option<String>,
    /// The site their name belongs to: `reddit.com`,
    /// `news.ycombinator.com`, a forum's host, a Stack Exchange site, a
    /// list (`None` with `--merge-authors`).
    pub site: Option<String>,
    /// The lead-user score in [0, 1].
    pub score: f32,
    /// Whether their posts are mostly a producer's: releases,
    /// announcements, merge notices, commercial posts.
    pub producer: bool,
    /// Why they were flagged a producer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_reason: Option<String>,
    /// The components of the score.
    pub components: Components,
    /// The quantities behind them.
    pub measures: Measures,
    /// Posts seen.
    pub posts: u64,
    /// Credited posts labeled user innovation.
    pub innovations: u64,
    /// Credited posts labeled need.
    pub needs: u64,
    /// Reactions received on their credited posts.
    pub reactions: u64,
    /// First post (Unix seconds).
    pub first: Option<i64>,
    /// Last post (Unix seconds).
    pub last: Option<i64>,
    /// Communities posted in.
    pub communities: Vec<String>,
    /// Their strongest innovation posts, best first.
    pub top_posts: Vec<PostRef>,
    /// Their strongest need posts, best first.
    pub need_posts: Vec<PostRef>,
    /// Rising topics they were early on, earliest first.
    pub topics: Vec<AuthorTopic>,
    /// Who points to them (most posts first).
    pub pointed_by: Vec<PointedBy>,
}

/// One line of `pointers.jsonl`: one author pointing to another on a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointerRecord {
    /// The site both belong to.
    pub site: String,
    /// Who points.
    pub from: String,
    /// Who is pointed to.
    pub to: String,
    /// How many posts point.
    pub count: u64,
    /// The first posts that point (ids).
    pub posts: Vec<String>,
    /// The pointing phrase of the first of them.
    pub text: String,
}

/// What a scan was run with, for its readers (`summary.json`, the report).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct About {
    /// leadminer's version, with the commit when built from git.
    pub version: String,
    /// The scan's options, by name, as given.
    pub options: BTreeMap<String, String>,
}

/// A file a scan read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputRecord {
    /// Its path, as named or found.
    pub path: String,
    /// The format it was read as (`None`: not read).
    pub format: Option<String>,
    /// Its compression.
    pub compression: Option<String>,
    /// Its size in bytes on disk.
    pub bytes: Option<u64>,
    /// Why it was not read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

/// One community's counts in one month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthCounts {
    /// Posts within the filters.
    pub posts: u64,
    /// Posts labeled user innovation (and written).
    pub innovations: u64,
    /// Posts labeled need (and written).
    pub needs: u64,
}

/// Counts and timings of a scan (`summary.json`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// What the scan was run with.
    pub about: About,
    /// The files, in reading order.
    pub inputs: Vec<InputRecord>,
    /// Files read.
    pub files: usize,
    /// Posts read.
    pub posts: u64,
    /// Posts within the filters.
    pub in_scope: u64,
    /// Posts that passed the prefilter and were fully analyzed.
    pub analyzed: u64,
    /// Posts written to `posts.jsonl`.
    pub with_signals: u64,
    /// Posts labeled with each label.
    pub labels: LabelCounts,
    /// Posts the re-ranking stage read and re-scored (absent when the
    /// stage was off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reranked: Option<u64>,
    /// The sentence encoder the re-ranking stage read with (absent when
    /// the stage was off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reranked_with: Option<String>,
    /// Authors ranked in `authors.jsonl`.
    pub authors_ranked: usize,
    /// Distinct authors seen.
    pub authors_seen: usize,
    /// Records skipped while reading.
    pub skipped: u64,
    /// The first skipped records, with their locations.
    pub skipped_examples: Vec<String>,
    /// Fields dropped for an impossible value (a creation time before 1990
    /// or after next year); their posts were kept without them.
    pub bad_fields: u64,
    /// The first dropped fields, with their records.
    pub bad_field_examples: Vec<String>,
    /// Analyzer failures (the post kept the other analyzers' signals).
    pub analyzer_errors: u64,
    /// The first analyzer failures.
    pub analyzer_error_examples: Vec<String>,
    /// Bytes of post text read.
    pub text_bytes: u64,
    /// The earliest creation time of a post within the filters (ISO 8601).
    pub first_post: Option<String>,
    /// The latest one.
    pub last_post: Option<String>,
    /// Per community, per month (`YYYY-MM`, UTC): posts, user innovations
    /// and needs. Posts without a time are not counted here.
    pub monthly: BTreeMap<String, BTreeMap<String, MonthCounts>>,
    /// Per community, its rising need and solution topics, most rising
    /// first.
    pub rising_topics: BTreeMap<String, Vec<RisingTopic>>,
    /// The reply and pointer networks, per site.
    pub networks: Vec<NetworkSummary>,
    /// Keyphrases found in fewer need and solution posts than this were
    /// dropped while reading to bound memory (0: none were).
    pub topics_pruned_below: u32,
    /// Wall-clock seconds per phase.
    pub timings: Timings,
}

/// One site's network (`summary.json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NetworkSummary {
    /// The site.
    pub site: String,
    /// Authors with at least one reply or pointer edge.
    pub authors: usize,
    /// Distinct pairs who replied to or pointed to each other.
    pub edges: usize,
    /// Pointer edges (author to author) among them.
    pub pointers: usize,
    /// Sources sampled for betweenness (all authors: exact).
    pub sources: usize,
}

/// Posts per label.
pub type LabelCounts = PerLabel<u64>;

/// Wall-clock time of a scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Reading and analysis.
    pub scan_seconds: f64,
    /// Attaching responses and writing outputs.
    pub output_seconds: f64,
    /// The re-ranking stage's reading (part of the output time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerank_seconds: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reaction(id: &str, author: &str, kind: &str) -> ResponseEvidence {
        ResponseEvidence { id: id.into(), author: Some(author.into()), kind: kind.into(), text: "where".into() }
    }

    #[test]
    fn a_response_leaves_out_the_author_and_counts_a_reply_once_per_kind() {
        let reactions = vec![
            reaction("r1", "bob", "response.buy"),
            reaction("r1", "bob", "response.buy"),
            reaction("r1", "bob", "response.how"),
            reaction("r2", "ann", "response.buy"),
            reaction("r3", "cy", "response.buy"),
        ];
        let response = ResponseSummary::from_reactions(4, reactions, Some("ann"), 2);
        assert_eq!(response.replies, 4);
        assert_eq!(response.kinds.get("response.buy"), Some(&2));
        assert_eq!(response.kinds.get("response.how"), Some(&1));
        assert_eq!(response.reactions(), 3);
        let kept: Vec<(&str, &str)> = response.evidence.iter().map(|e| (e.id.as_str(), e.kind.as_str())).collect();
        assert_eq!(kept, [("r1", "response.buy"), ("r1", "response.how")], "the first, up to `keep`");
    }
}

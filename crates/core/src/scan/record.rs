//! The lines of `posts.jsonl`.

use crate::analyze::{Document, Signal};
use crate::model::{Post, PostKind, Source};
use crate::score::{Labels, Scores};
use serde::{Deserialize, Serialize};
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
    /// The matched text.
    pub text: String,
    /// The signal's weight.
    pub weight: f32,
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
            text: doc.text.get(s.start..s.end).unwrap_or("").to_string(),
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
    /// Post kind.
    pub kind: PostKind,
    /// Title.
    pub title: Option<String>,
    /// Link to the original.
    pub url: Option<String>,
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
            kind: post.kind,
            title: post.title.clone(),
            url: post.url.clone(),
            scores,
            labels,
            signals: signals.iter().map(|s| SignalRecord::new(doc, s)).collect(),
            response: ResponseSummary::default(),
        }
    }

    /// The highest of the four scores.
    pub fn max_score(&self) -> f32 {
        let s = &self.scores;
        s.solution.max(s.user_innovation).max(s.need).max(s.commercial)
    }

    /// The JSON text of a record, given the text it has with an empty
    /// response (as a scan spools it), with `response` in its place: the
    /// response is the record's last field, so its text is replaced without
    /// parsing the record. `None` when `json` does not end with an empty
    /// response.
    pub fn json_with_response(json: &str, response: &ResponseSummary) -> Option<String> {
        let fields = json.strip_suffix(EMPTY_RESPONSE_END)?;
        let response = serde_json::to_string(response).ok()?;
        Some(format!("{fields}\"response\":{response}}}"))
    }
}

/// How the JSON text of a [`PostRecord`] with an empty response ends.
const EMPTY_RESPONSE_END: &str = r#""response":{"replies":0,"kinds":{},"evidence":[]}}"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::{Labels, Scores};

    #[test]
    fn a_response_replaces_the_empty_one_as_serializing_would() {
        let mut record = PostRecord {
            source: Source::Reddit,
            id: "p1".into(),
            community: "DIY".into(),
            thread: Some("t".into()),
            parent: None,
            author: Some("ann".into()),
            created: Some(5),
            kind: PostKind::Submission,
            title: Some("A \"jig\"".into()),
            url: None,
            scores: Scores { solution: 0.5, user_innovation: 0.25, need: 0.0, commercial: 0.0 },
            labels: Labels { solution: true, user_innovation: false, need: false, commercial: false },
            signals: Vec::new(),
            response: ResponseSummary::default(),
        };
        let spooled = serde_json::to_string(&record).unwrap();
        let reaction = ResponseEvidence { id: "r1".into(), author: Some("bob".into()), kind: "response.buy".into(), text: "where".into() };
        let response = ResponseSummary::from_reactions(3, vec![reaction], Some("ann"), 5);
        let spliced = PostRecord::json_with_response(&spooled, &response).unwrap();
        record.response = response;
        assert_eq!(spliced, serde_json::to_string(&record).unwrap());
        assert_eq!(PostRecord::json_with_response(&spliced, &ResponseSummary::default()), None, "not empty");
    }
}

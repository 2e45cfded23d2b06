//! The lead-user ranking: per author, user innovations and their quality,
//! stated needs, community response, expertise, activity span and
//! communities, combined with the `[lead_user]` weights.

use super::record::PostRecord;
use crate::analyze::kinds;
use crate::model::Source;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How many example posts an author's record lists.
const EXAMPLES: usize = 5;
/// How many communities are remembered per author.
const MAX_COMMUNITIES: usize = 32;

/// Weights of the lead-user score components (they sum to 1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeadUserWeights {
    /// User innovations and their scores.
    pub innovation: f32,
    /// Stated needs (high expected benefit).
    pub need: f32,
    /// Response received to their posts.
    pub response: f32,
    /// Expertise signals.
    pub expertise: f32,
    /// Span of activity.
    pub span: f32,
    /// Number of communities.
    pub communities: f32,
}

impl Default for LeadUserWeights {
    fn default() -> Self {
        LeadUserWeights { innovation: 0.45, need: 0.15, response: 0.15, expertise: 0.1, span: 0.1, communities: 0.05 }
    }
}

/// The components of an author's score, each in [0, 1].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Components {
    /// Noisy-or of user-innovation scores of labeled posts.
    pub innovation: f32,
    /// Noisy-or of half the need scores of labeled posts.
    pub need: f32,
    /// 1 - exp(-reactions / 3).
    pub response: f32,
    /// Noisy-or of expertise strength.
    pub expertise: f32,
    /// Days between first and last post over 365, at most 1.
    pub span: f32,
    /// (communities - 1) / 3, at most 1.
    pub communities: f32,
}

/// One line of `authors.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorRecord {
    /// Rank, from 1.
    pub rank: usize,
    /// The author.
    pub author: String,
    /// The lead-user score in [0, 1].
    pub score: f32,
    /// Its components.
    pub components: Components,
    /// Posts seen.
    pub posts: u64,
    /// Posts labeled user innovation.
    pub innovations: u64,
    /// Posts labeled need.
    pub needs: u64,
    /// Reactions received on their posts.
    pub reactions: u64,
    /// First post (Unix seconds).
    pub first: Option<i64>,
    /// Last post (Unix seconds).
    pub last: Option<i64>,
    /// Communities posted in.
    pub communities: Vec<String>,
    /// Their strongest innovation posts: (source, id, score), best first.
    pub top_posts: Vec<(String, String, f32)>,
}

/// What the table keeps of one author: small, with no allocation of its
/// own unless they posted in several communities or have innovations.
#[derive(Debug, Clone)]
struct Acc {
    posts: u64,
    first: Option<i64>,
    last: Option<i64>,
    /// Ids of the communities posted in (see [`AuthorTable::communities`]),
    /// in the order first seen.
    communities: Vec<u32>,
    innovations: u64,
    needs: u64,
    reactions: u64,
    miss_innovation: f32,
    miss_need: f32,
    miss_expertise: f32,
    /// The strongest innovation posts: (source, id, score), best first.
    top: Vec<(Source, String, f32)>,
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            posts: 0,
            first: None,
            last: None,
            communities: Vec::new(),
            innovations: 0,
            needs: 0,
            reactions: 0,
            miss_innovation: 1.0,
            miss_need: 1.0,
            miss_expertise: 1.0,
            top: Vec::new(),
        }
    }
}

/// Accumulates author statistics over a scan.
///
/// An author costs one table entry (about 150 bytes, names of up to 24
/// bytes inline) and 4 bytes per further community; community names are
/// stored once for the whole table.
#[derive(Debug, Default)]
pub struct AuthorTable {
    authors: HashMap<CompactString, Acc, ahash::RandomState>,
    /// Community names by id.
    communities: Vec<CompactString>,
    /// Community ids by name.
    community_ids: HashMap<CompactString, u32, ahash::RandomState>,
}

impl AuthorTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entry of `author`, made on first sight.
    fn entry(&mut self, author: &str) -> &mut Acc {
        // A name of up to 24 bytes makes a key without allocating.
        self.authors.entry(CompactString::from(author)).or_default()
    }

    /// The id of a community, given on first sight.
    fn community_id(&mut self, community: &str) -> u32 {
        if let Some(&id) = self.community_ids.get(community) {
            return id;
        }
        let id = self.communities.len() as u32;
        self.communities.push(CompactString::from(community));
        self.community_ids.insert(CompactString::from(community), id);
        id
    }

    /// Number of authors seen.
    pub fn len(&self) -> usize {
        self.authors.len()
    }

    /// Whether no author was seen.
    pub fn is_empty(&self) -> bool {
        self.authors.is_empty()
    }

    /// Records one post's activity.
    pub fn activity(&mut self, author: &str, created: Option<i64>, community: &str) {
        let community = self.community_id(community);
        let a = self.entry(author);
        a.posts += 1;
        if let Some(t) = created {
            a.first = Some(a.first.map_or(t, |f| f.min(t)));
            a.last = Some(a.last.map_or(t, |l| l.max(t)));
        }
        if a.communities.len() < MAX_COMMUNITIES && !a.communities.contains(&community) {
            a.communities.push(community);
        }
    }

    /// Records an analyzed post of the author; the reactions it received
    /// are added by [`AuthorTable::reactions`] once they are known.
    pub fn post(&mut self, r: &PostRecord) {
        let Some(author) = &r.author else { return };
        let a = self.entry(author);
        if r.labels.user_innovation {
            a.innovations += 1;
            a.miss_innovation *= 1.0 - r.scores.user_innovation;
            a.top.push((r.source, r.id.clone(), r.scores.user_innovation));
            a.top.sort_by(|x, y| y.2.total_cmp(&x.2).then_with(|| (x.0.as_str(), &x.1).cmp(&(y.0.as_str(), &y.1))));
            a.top.truncate(EXAMPLES);
        }
        if r.labels.need {
            a.needs += 1;
            a.miss_need *= 1.0 - 0.5 * r.scores.need;
        }
        let expertise = 1.0
            - r.signals
                .iter()
                .filter(|s| &*s.kind == kinds::EXPERTISE)
                .fold(1.0, |miss, s| miss * (1.0 - s.weight));
        a.miss_expertise *= 1.0 - 0.5 * expertise;
        a.reactions += r.response.reactions();
    }

    /// Adds reactions an author's post received.
    pub fn reactions(&mut self, author: &str, reactions: u64) {
        if let Some(a) = self.authors.get_mut(author) {
            a.reactions += reactions;
        }
    }

    /// Ranks the authors who have at least one user innovation or need.
    pub fn rank(self, w: &LeadUserWeights) -> Vec<AuthorRecord> {
        let names = &self.communities;
        let mut out: Vec<AuthorRecord> = self
            .authors
            .into_iter()
            .filter(|(_, a)| a.innovations > 0 || a.needs > 0)
            .map(|(author, a)| {
                let days = match (a.first, a.last) {
                    (Some(f), Some(l)) => (l - f) as f32 / 86_400.0,
                    _ => 0.0,
                };
                let c = Components {
                    innovation: r3(1.0 - a.miss_innovation),
                    need: r3(1.0 - a.miss_need),
                    response: r3(1.0 - (-(a.reactions as f32) / 3.0).exp()),
                    expertise: r3(1.0 - a.miss_expertise),
                    span: r3((days / 365.0).min(1.0)),
                    communities: r3(((a.communities.len().max(1) - 1) as f32 / 3.0).min(1.0)),
                };
                let score = r3(w.innovation * c.innovation
                    + w.need * c.need
                    + w.response * c.response
                    + w.expertise * c.expertise
                    + w.span * c.span
                    + w.communities * c.communities);
                let mut communities: Vec<String> = a.communities.iter().map(|&c| names[c as usize].to_string()).collect();
                communities.sort_unstable();
                AuthorRecord {
                    rank: 0,
                    author: author.into_string(),
                    score,
                    components: c,
                    posts: a.posts,
                    innovations: a.innovations,
                    needs: a.needs,
                    reactions: a.reactions,
                    first: a.first,
                    last: a.last,
                    communities,
                    top_posts: a.top.into_iter().map(|(s, i, x)| (s.as_str().to_string(), i, r3(x))).collect(),
                }
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.author.cmp(&b.author)));
        for (i, r) in out.iter_mut().enumerate() {
            r.rank = i + 1;
        }
        out
    }
}

fn r3(x: f32) -> f32 {
    crate::score::round3(x)
}

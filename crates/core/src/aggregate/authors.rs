//! The lead-user ranking: per author, user innovations and their quality,
//! stated needs, community response, expertise, activity span and
//! communities, combined with the `[lead_user]` weights.

use crate::record::{AuthorRecord, Components, PostRecord};
use crate::score::{Label, LeadUserWeights};
use crate::analyze::kinds;
use crate::model::Source;
use compact_str::CompactString;
use std::collections::HashMap;

/// How many example posts an author's record lists.
const EXAMPLES: usize = 5;
/// How many communities are remembered per author.
const MAX_COMMUNITIES: usize = 32;

/// What the table keeps of every author: 48 bytes, with one small
/// allocation for their communities and a boxed [`Found`] once they have
/// an analyzed post.
#[derive(Debug, Clone, Default)]
struct Acc {
    posts: u32,
    span: Span,
    /// Ids of the communities posted in (see [`AuthorTable::communities`]),
    /// in the order first seen.
    communities: Box<[u32]>,
    /// What their analyzed posts showed; `None` while they have none.
    found: Option<Box<Found>>,
}

/// The times of an author's first and last post (Unix seconds); empty
/// (first after last) until a post with a time is seen.
#[derive(Debug, Clone, Copy)]
struct Span {
    first: i64,
    last: i64,
}

impl Default for Span {
    fn default() -> Self {
        Span { first: i64::MAX, last: i64::MIN }
    }
}

impl Span {
    fn add(&mut self, t: i64) {
        self.first = self.first.min(t);
        self.last = self.last.max(t);
    }

    fn get(self) -> Option<(i64, i64)> {
        (self.first <= self.last).then_some((self.first, self.last))
    }
}

/// What an author's analyzed posts showed.
#[derive(Debug, Clone)]
struct Found {
    innovations: u64,
    needs: u64,
    reactions: u64,
    miss_innovation: f32,
    miss_need: f32,
    miss_expertise: f32,
    /// The strongest innovation posts: (source, id, score), best first.
    top: Vec<(Source, String, f32)>,
}

impl Default for Found {
    fn default() -> Self {
        Found {
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
/// An author costs one table entry (72 bytes, names of up to 24 bytes
/// inline), a small allocation for their communities, and one for what
/// their analyzed posts showed, if any; community names are stored once for
/// the whole table.
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
        a.posts = a.posts.saturating_add(1);
        if let Some(t) = created {
            a.span.add(t);
        }
        if a.communities.len() < MAX_COMMUNITIES && !a.communities.contains(&community) {
            // Rare after the first: the exact-size slice saves the table
            // a vector's spare room and length on every author.
            let mut ids = std::mem::take(&mut a.communities).into_vec();
            ids.push(community);
            a.communities = ids.into_boxed_slice();
        }
    }

    /// Records an analyzed post of the author; the reactions it received
    /// are added by [`AuthorTable::reactions`] once they are known.
    pub fn post(&mut self, r: &PostRecord) {
        let Some(author) = &r.author else { return };
        let a = self.entry(author).found.get_or_insert_with(Box::default);
        if r.labels[Label::UserInnovation] {
            a.innovations += 1;
            a.miss_innovation *= 1.0 - r.scores[Label::UserInnovation];
            a.top.push((r.source, r.id.clone(), r.scores[Label::UserInnovation]));
            a.top.sort_by(|x, y| y.2.total_cmp(&x.2).then_with(|| (x.0.as_str(), &x.1).cmp(&(y.0.as_str(), &y.1))));
            a.top.truncate(EXAMPLES);
        }
        if r.labels[Label::Need] {
            a.needs += 1;
            a.miss_need *= 1.0 - 0.5 * r.scores[Label::Need];
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
            a.found.get_or_insert_with(Box::default).reactions += reactions;
        }
    }

    /// Ranks the authors who have at least one user innovation or need.
    pub fn rank(self, w: &LeadUserWeights) -> Vec<AuthorRecord> {
        let names = &self.communities;
        let mut out: Vec<AuthorRecord> = self
            .authors
            .into_iter()
            .filter_map(|(author, a)| {
                let f = a.found.as_deref().filter(|f| f.innovations > 0 || f.needs > 0)?;
                let span = a.span.get();
                let days = span.map_or(0.0, |(first, last)| (last - first) as f32 / 86_400.0);
                let c = Components {
                    innovation: r3(1.0 - f.miss_innovation),
                    need: r3(1.0 - f.miss_need),
                    response: r3(1.0 - (-(f.reactions as f32) / 3.0).exp()),
                    expertise: r3(1.0 - f.miss_expertise),
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
                Some(AuthorRecord {
                    rank: 0,
                    author: author.into_string(),
                    score,
                    components: c,
                    posts: u64::from(a.posts),
                    innovations: f.innovations,
                    needs: f.needs,
                    reactions: f.reactions,
                    first: span.map(|(first, _)| first),
                    last: span.map(|(_, last)| last),
                    communities,
                    top_posts: f.top.iter().map(|(s, i, x)| (s.as_str().to_string(), i.clone(), r3(*x))).collect(),
                })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PostKind;
    use crate::score::{Labels, Scores};

    fn innovation(author: &str, id: &str, score: f32) -> PostRecord {
        PostRecord {
            source: Source::Reddit,
            id: id.into(),
            community: "DIY".into(),
            thread: None,
            parent: None,
            author: Some(author.into()),
            created: None,
            date: None,
            kind: PostKind::Comment,
            title: None,
            url: None,
            snippet: Default::default(),
            scores: Scores::from([score, score, 0.0, 0.0]),
            labels: Labels::from([true, true, false, false]),
            signals: Vec::new(),
            response: Default::default(),
        }
    }

    #[test]
    fn activity_span_communities_and_findings() {
        let mut t = AuthorTable::new();
        t.activity("ann", Some(500), "woodworking");
        t.activity("ann", None, "DIY");
        t.activity("ann", Some(100), "woodworking");
        t.activity("bob", None, "DIY");
        t.post(&innovation("ann", "a1", 0.5));
        t.post(&innovation("ann", "a2", 0.8));
        t.reactions("ann", 2);
        t.reactions("nobody", 5);
        assert_eq!(t.len(), 2);
        let ranked = t.rank(&LeadUserWeights::default());
        assert_eq!(ranked.len(), 1, "bob has no findings");
        let ann = &ranked[0];
        assert_eq!((ann.posts, ann.first, ann.last), (3, Some(100), Some(500)));
        assert_eq!(ann.communities, ["DIY", "woodworking"], "sorted by name");
        assert_eq!((ann.innovations, ann.reactions), (2, 2));
        let top: Vec<&str> = ann.top_posts.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(top, ["a2", "a1"], "best first");
        assert_eq!(ann.top_posts[0].0, "reddit");
        assert!((ann.components.innovation - 0.9).abs() < 1e-6);
    }

    #[test]
    fn an_author_without_times_has_no_span_and_communities_are_capped() {
        let mut t = AuthorTable::new();
        for i in 0..40 {
            t.activity("cy", None, &format!("c{i:02}"));
        }
        t.post(&innovation("cy", "c1", 0.9));
        let ranked = t.rank(&LeadUserWeights::default());
        assert_eq!((ranked[0].first, ranked[0].last), (None, None));
        assert_eq!(ranked[0].communities.len(), MAX_COMMUNITIES);
        assert_eq!(ranked[0].communities.last().map(String::as_str), Some("c31"), "the first seen are kept");
    }

    #[test]
    fn an_author_entry_stays_small() {
        assert!(std::mem::size_of::<Acc>() <= 48, "{}", std::mem::size_of::<Acc>());
    }
}

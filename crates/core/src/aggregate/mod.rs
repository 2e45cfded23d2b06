//! Aggregation: what a scan gathers across posts once they are analyzed and
//! scored — every author's activity and findings, the replies and reactions
//! each post received — and the spool where posts with signals wait until
//! every reply has been read, so that their community response can be
//! attached before they are written.
//!
//! Memory stays flat in the number of posts with signals (they wait on
//! disk). Only the author table and the reply index grow with the input: a
//! 72-byte entry per author and a 16-byte entry per answered post (plus the
//! hash tables' spare room), and the reactions kept for answered posts.

pub mod authors;
mod replies;
mod spool;

pub use authors::AuthorTable;
pub(crate) use replies::PostKey;
pub use spool::{Spool, SpoolReader};

use crate::model::Source;
use crate::record::{AuthorRecord, PostRecord, ResponseEvidence, ResponseSummary};
use crate::score::LeadUserWeights;
use replies::ReplyIndex;

/// How many reactions are kept as evidence per post.
pub const EVIDENCE_PER_POST: usize = 5;

/// One reply's reactions, bound for the post it answers.
#[derive(Debug, Clone)]
pub struct Reaction {
    target: PostKey,
    evidence: Vec<ResponseEvidence>,
}

impl Reaction {
    /// The reactions of a reply to the post `parent` of `source`.
    pub fn new(source: Source, parent: &str, evidence: Vec<ResponseEvidence>) -> Self {
        Reaction { target: PostKey::new(source, parent), evidence }
    }
}

/// The authors and the replies of a scan, gathered in input order.
#[derive(Debug, Default)]
pub struct Aggregate {
    authors: AuthorTable,
    replies: ReplyIndex,
}

impl Aggregate {
    /// An empty aggregate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one post of `author` (every post in scope counts, with or
    /// without signals).
    pub fn activity(&mut self, author: &str, created: Option<i64>, community: &str) {
        self.authors.activity(author, created, community);
    }

    /// Counts one reply to the post `parent` of `source`.
    pub fn reply(&mut self, source: Source, parent: &str) {
        self.replies.reply(PostKey::new(source, parent));
    }

    /// Keeps a reply's reactions for the post they answer.
    pub fn react(&mut self, reaction: Reaction) {
        self.replies.react(reaction.target, reaction.evidence);
    }

    /// Records what a post with signals showed of its author (its response
    /// is added by [`Aggregate::respond`]).
    pub fn post(&mut self, record: &PostRecord) {
        self.authors.post(record);
    }

    /// Attaches to a post, once every reply has been read, the community
    /// response it received, and credits the reactions to its author.
    /// Reactions by the author themselves are not the community's. A post
    /// read twice gets its replies the first time only.
    pub fn respond(&mut self, record: &mut PostRecord) {
        let (replies, reactions) = self.replies.take(PostKey::new(record.source, &record.id));
        if replies.is_none() && reactions.is_none() {
            return;
        }
        let response = ResponseSummary::from_reactions(
            replies.map_or(0, u64::from),
            reactions.unwrap_or_default(),
            record.author.as_deref(),
            EVIDENCE_PER_POST,
        );
        if let Some(author) = &record.author {
            self.authors.reactions(author, response.reactions());
        }
        record.response = response;
    }

    /// Number of distinct authors seen.
    pub fn authors_seen(&self) -> usize {
        self.authors.len()
    }

    /// Ranks the authors who have at least one user innovation or need.
    pub fn rank(self, weights: &LeadUserWeights) -> Vec<AuthorRecord> {
        self.authors.rank(weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PostKind;
    use crate::score::{Labels, Scores};

    fn record(id: &str, author: &str) -> PostRecord {
        PostRecord {
            source: Source::Reddit,
            id: id.into(),
            community: "DIY".into(),
            thread: None,
            parent: None,
            author: Some(author.into()),
            created: Some(10),
            date: None,
            kind: PostKind::Submission,
            title: None,
            url: None,
            snippet: Default::default(),
            scores: Scores::from([0.9, 0.9, 0.0, 0.0]),
            labels: Labels::from([true, true, false, false]),
            signals: Vec::new(),
            response: ResponseSummary::default(),
        }
    }

    fn reaction(parent: &str, reply: &str, author: &str) -> Reaction {
        let evidence = ResponseEvidence { id: reply.into(), author: Some(author.into()), kind: "response.buy".into(), text: "where".into() };
        Reaction::new(Source::Reddit, parent, vec![evidence])
    }

    #[test]
    fn responses_reach_their_post_once_and_credit_its_author() {
        let mut agg = Aggregate::new();
        for (author, id) in [("ann", "p1"), ("bob", "r1"), ("ann", "r2"), ("cy", "r3")] {
            agg.activity(author, Some(10), "DIY");
            if id != "p1" {
                agg.reply(Source::Reddit, "p1");
            }
        }
        agg.react(reaction("p1", "r1", "bob"));
        agg.react(reaction("p1", "r2", "ann"));
        agg.react(reaction("p1", "r3", "cy"));
        agg.react(reaction("elsewhere", "r9", "cy"));
        let mut post = record("p1", "ann");
        agg.post(&post);
        agg.respond(&mut post);
        assert_eq!(post.response.replies, 3);
        assert_eq!(post.response.reactions(), 2, "ann's own reaction is left out");
        let mut again = record("p1", "ann");
        agg.respond(&mut again);
        assert_eq!(again.response, ResponseSummary::default(), "a duplicate gets nothing");
        let mut quiet = record("p2", "bob");
        agg.respond(&mut quiet);
        assert_eq!(quiet.response, ResponseSummary::default());

        assert_eq!(agg.authors_seen(), 3);
        let ranked = agg.rank(&LeadUserWeights::default());
        assert_eq!(ranked.len(), 1);
        assert_eq!((ranked[0].author.as_str(), ranked[0].reactions, ranked[0].posts), ("ann", 2, 2));
    }
}

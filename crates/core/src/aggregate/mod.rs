//! Aggregation: what a scan gathers across posts once they are analyzed and
//! scored — every author's activity and findings, the replies and reactions
//! each post received, who replied to and pointed to whom, the topics of
//! need and solution posts over time — and the spool where posts with
//! signals wait until every reply has been read, so that their community
//! response can be attached before they are written. At the end,
//! [`Aggregate::finish`] resolves the networks, finds the rising topics
//! and ranks the lead users.
//!
//! Memory stays flat in the number of posts with signals (they wait on
//! disk). What grows with the input: an entry per author (about 100 bytes),
//! 16 bytes per answered post and per post with an author and per reply
//! (the hash tables' spare room aside), the reactions kept for answered
//! posts, the pointers, and 24 bytes per keyphrase of a need or solution
//! post (bounded: see [`crate::trends::topics`]).

pub mod authors;
mod links;
pub mod producer;
pub mod ranking;
mod replies;
mod spool;

pub use authors::{AuthorTable, Who};
pub use links::SOURCES as BETWEENNESS_SOURCES;
pub(crate) use replies::PostKey;
pub use spool::{Spool, SpoolReader};

use crate::model::{site_of, Source};
use crate::network::pointers::Pointer;
use crate::record::{AuthorRecord, NetworkSummary, PointerRecord, PostRecord, ResponseEvidence, ResponseSummary, RisingTopic};
use crate::score::LeadUserWeights;
use crate::trends::{Keyphrase, TopicTable};
use links::Links;
use producer::{announcement, Announcement};
use replies::ReplyIndex;
use std::collections::BTreeMap;

/// How many reactions are kept as evidence per post.
pub const EVIDENCE_PER_POST: usize = 5;

/// One reply's reactions, bound for the post it answers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
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

/// One post's part in the aggregate, made on a worker.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Activity {
    /// The platform.
    pub source: Source,
    /// The post's id.
    pub id: String,
    /// Its community.
    pub community: String,
    /// Its author.
    pub author: String,
    /// When it was written.
    pub created: Option<i64>,
    /// The post it answers, if it is a reply.
    pub parent: Option<String>,
    /// What its title announces.
    pub announcement: Announcement,
    /// The people it points to, with the pointing phrase's text.
    pub pointers: Vec<(Pointer, String)>,
}

impl Activity {
    /// The activity of a post of `author` (no parent, no announcement, no
    /// pointers yet).
    pub fn new(post: &crate::model::Post, author: &str) -> Self {
        let announcement = match (&post.title, post.kind.is_thread_start()) {
            (Some(title), true) => announcement(title, post.site()),
            _ => Announcement::None,
        };
        Activity {
            source: post.source,
            id: post.id.clone(),
            community: post.community.clone(),
            author: author.to_string(),
            created: post.created,
            parent: None,
            announcement,
            pointers: Vec::new(),
        }
    }
}

/// A need or solution post's keyphrases, for the trends.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TopicPost {
    /// The platform.
    pub source: Source,
    /// Its community.
    pub community: String,
    /// The author credited with it (`None`: a link submission, or no author).
    pub author: Option<String>,
    /// When it was written.
    pub created: i64,
    /// Its keyphrases.
    pub phrases: Vec<Keyphrase>,
}

/// What a scan's aggregate ends with.
#[derive(Debug, Default)]
pub struct Finished {
    /// The ranked authors, best first, producers last.
    pub authors: Vec<AuthorRecord>,
    /// Every pointer edge (`pointers.jsonl`).
    pub pointers: Vec<PointerRecord>,
    /// The networks, per site.
    pub networks: Vec<NetworkSummary>,
    /// Per community, its rising topics.
    pub rising: BTreeMap<String, Vec<RisingTopic>>,
    /// Keyphrases in fewer posts than this were dropped to bound memory.
    pub topics_pruned_below: u32,
}

/// The authors, replies, links and topics of a scan, gathered in input
/// order.
#[derive(Debug, Default)]
pub struct Aggregate {
    authors: AuthorTable,
    replies: ReplyIndex,
    links: Links,
    topics: TopicTable,
}

impl Aggregate {
    /// An empty aggregate; `merge_authors` keys authors by name alone.
    pub fn new(merge_authors: bool) -> Self {
        Aggregate { authors: AuthorTable::new(merge_authors), ..Self::default() }
    }

    /// Records one post with an author (every post in scope counts, with
    /// or without signals): their activity, the reply, the pointers.
    pub fn activity(&mut self, a: &Activity) {
        let who = Who { source: a.source, community: &a.community, name: &a.author };
        let id = self.authors.activity(who, a.created, a.announcement);
        let parent = a.parent.as_deref().map(|p| PostKey::new(a.source, p));
        self.links.post(PostKey::new(a.source, &a.id), id, parent);
        for (pointer, text) in &a.pointers {
            self.links.pointer(id, pointer, &a.id, text);
        }
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
        let announced = match (&record.title, record.kind.is_thread_start()) {
            (Some(title), true) => announcement(title, site_of(record.source, &record.community)),
            _ => Announcement::None,
        };
        self.authors.post(record, announced);
    }

    /// Counts a need or solution post's keyphrases.
    pub fn topics(&mut self, t: &TopicPost) {
        let author = t.author.as_deref().map(|name| self.authors.id(Who { source: t.source, community: &t.community, name }));
        self.topics.post(&t.community, t.created, author, &t.phrases);
    }

    /// Attaches to a post, once every reply has been read, the community
    /// response it received, and credits the reactions to its author
    /// (unless it is a link submission). Reactions by the author themselves
    /// are not the community's. A post read twice gets its replies the
    /// first time only.
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
        if let Some(name) = record.author.as_deref().filter(|_| !record.link_submission) {
            self.authors.reactions(Who { source: record.source, community: &record.community, name }, response.reactions());
        }
        record.response = response;
    }

    /// Number of distinct authors seen.
    pub fn authors_seen(&self) -> usize {
        self.authors.len()
    }

    /// Resolves the networks, finds the rising topics and ranks the authors
    /// who have at least one credited user innovation or need.
    pub fn finish(self, weights: &LeadUserWeights) -> Finished {
        let Aggregate { authors, links, topics, .. } = self;
        let network = links.resolve(&authors);
        let names = authors.lowercase_names();
        let mut trends = topics.analyze(|id| authors.name(id).to_string(), |topic| names.contains(topic));
        let ranked = ranking::rank(&authors, &network, &mut trends, weights);
        Finished {
            authors: ranked,
            pointers: links::pointer_records(&network, &authors),
            networks: network.summaries,
            rising: std::mem::take(&mut trends.rising),
            topics_pruned_below: trends.pruned_below,
        }
    }
}

//! The links between authors a scan gathers — who replied to whose post,
//! who pointed to whom — resolved into each site's network once every post
//! is read (a reply may come before the post it answers in a dump).
//!
//! Memory: 16 bytes (plus the hash table's room) per post with an author,
//! 16 per reply, and the pointers with their evidence.

use super::authors::{AuthorId, AuthorTable};
use super::replies::PostKey;
use crate::network::pointers::{Pointer, Via};
use crate::network::{betweenness, Graph};
use crate::record::{NetworkSummary, PointerRecord};
use compact_str::CompactString;
use std::collections::{BTreeMap, HashMap};

/// Sources sampled for betweenness on a site's network; a network with no
/// more authors than this is computed exactly.
pub const SOURCES: usize = 128;
/// The sampling seed (fixed: the same scan gives the same estimate).
const SEED: u64 = 0x1ead_05e2;
/// Posts kept as evidence per pointer edge.
const POSTS_PER_EDGE: usize = 5;

/// A pointer waiting for the name it names to be resolved.
#[derive(Debug, Clone)]
struct Pending {
    from: AuthorId,
    name: CompactString,
    via: Via,
    post: String,
    text: String,
}

/// Replies and pointers gathered during a scan.
#[derive(Debug, Default)]
pub(crate) struct Links {
    /// The author of every post with one.
    post_authors: HashMap<PostKey, AuthorId, ahash::RandomState>,
    /// (the post answered, who answered).
    replies: Vec<(PostKey, AuthorId)>,
    pointers: Vec<Pending>,
}

/// One author pointing to another, with the posts that do.
#[derive(Debug, Clone, Default)]
pub(crate) struct Edge {
    pub(crate) count: u64,
    pub(crate) posts: Vec<String>,
    pub(crate) text: String,
}

/// The resolved networks of a scan.
#[derive(Debug, Default)]
pub(crate) struct Network {
    /// Pointer edges (from, to), in id order.
    pub(crate) pointers: BTreeMap<(AuthorId, AuthorId), Edge>,
    /// Betweenness of every author in a network.
    pub(crate) betweenness: HashMap<AuthorId, f64>,
    /// Per site.
    pub(crate) summaries: Vec<NetworkSummary>,
}

impl Links {
    /// Records a post of `author` (`parent`: the post it answers).
    pub(crate) fn post(&mut self, post: PostKey, author: AuthorId, parent: Option<PostKey>) {
        self.post_authors.insert(post, author);
        if let Some(parent) = parent {
            self.replies.push((parent, author));
        }
    }

    /// Records a pointer in the post `post` of `from`; `text` is the phrase.
    pub(crate) fn pointer(&mut self, from: AuthorId, pointer: &Pointer, post: &str, text: &str) {
        self.pointers.push(Pending {
            from,
            name: CompactString::from(&pointer.name),
            via: pointer.via,
            post: post.to_string(),
            text: text.to_string(),
        });
    }

    /// Resolves the pointers against the authors of each site, builds each
    /// site's network and measures betweenness in it.
    pub(crate) fn resolve(self, table: &AuthorTable) -> Network {
        let Links { post_authors, replies, pointers } = self;
        let mut network = Network::default();
        // Handles match without regard to case: lower-cased names of the
        // sites that have unresolved mentions, first id wins.
        let mut lower: Option<HashMap<(u32, String), AuthorId>> = None;
        for p in pointers {
            let site = table.authors[p.from as usize].site;
            let to = table.find(site, &p.name).or_else(|| {
                if p.via != Via::Mention {
                    return None;
                }
                let map = lower.get_or_insert_with(|| {
                    let mut m = HashMap::new();
                    for (id, a) in table.authors.iter().enumerate() {
                        m.entry((a.site, a.name.to_lowercase().to_string())).or_insert(id as AuthorId);
                    }
                    m
                });
                map.get(&(site, p.name.to_lowercase().to_string())).copied()
            });
            let Some(to) = to.filter(|&to| to != p.from) else { continue };
            let edge = network.pointers.entry((p.from, to)).or_default();
            edge.count += 1;
            if edge.posts.len() < POSTS_PER_EDGE && !edge.posts.contains(&p.post) {
                edge.posts.push(p.post);
            }
            if edge.text.is_empty() {
                edge.text = p.text;
            }
        }

        // Each site's edges: replies between different authors, pointers.
        let mut by_site: BTreeMap<u32, (Vec<(AuthorId, AuthorId)>, usize)> = BTreeMap::new();
        for (parent, replier) in replies {
            let Some(&author) = post_authors.get(&parent) else { continue };
            if author != replier {
                by_site.entry(table.authors[author as usize].site).or_default().0.push((replier, author));
            }
        }
        for &(from, to) in network.pointers.keys() {
            let entry = by_site.entry(table.authors[from as usize].site).or_default();
            entry.0.push((from, to));
            entry.1 += 1;
        }
        for (site, (edges, pointer_edges)) in by_site {
            let mut nodes: Vec<AuthorId> = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
            nodes.sort_unstable();
            nodes.dedup();
            let local = |id: AuthorId| nodes.binary_search(&id).map_or(u32::MAX, |i| i as u32);
            let graph = Graph::from_edges(nodes.len(), edges.iter().map(|&(a, b)| (local(a), local(b))));
            let sources = SOURCES.min(nodes.len());
            let bc = betweenness(&graph, sources, SEED);
            for (i, &id) in nodes.iter().enumerate() {
                network.betweenness.insert(id, bc[i]);
            }
            network.summaries.push(NetworkSummary {
                site: table.site(site).map_or_else(|| "*".to_string(), |(_, name)| name.to_string()),
                authors: nodes.len(),
                edges: graph.edges(),
                pointers: pointer_edges,
                sources,
            });
        }
        network
    }
}

/// The `pointers.jsonl` records of a network, in author id order.
pub(crate) fn pointer_records(network: &Network, table: &AuthorTable) -> Vec<PointerRecord> {
    network
        .pointers
        .iter()
        .map(|(&(from, to), e)| PointerRecord {
            site: table.site(table.authors[from as usize].site).map_or_else(|| "*".to_string(), |(_, n)| n.to_string()),
            from: table.name(from).to_string(),
            to: table.name(to).to_string(),
            count: e.count,
            posts: e.posts.clone(),
            text: e.text.clone(),
        })
        .collect()
}

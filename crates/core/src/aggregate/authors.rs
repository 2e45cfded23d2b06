//! The author table: every author of a scan, keyed by (source, site, name)
//! — the same name on two sites is two people unless the scan merges
//! authors — with what their posts showed: activity, credited user
//! innovations and needs with their best posts, expertise, reactions, and
//! producer work. [`super::ranking`] turns it into the lead-user ranking.

use super::producer::Announcement;
use crate::analyze::kinds;
use crate::model::{site_of, Source};
use crate::record::PostRecord;
use crate::score::Label;
use compact_str::CompactString;
use std::collections::HashMap;

/// How many example posts of each kind an author's record lists.
pub const EXAMPLES: usize = 5;
/// How many best posts a quality measure averages.
pub const BEST: usize = 3;
/// How many communities are remembered per author.
const MAX_COMMUNITIES: usize = 32;

/// An author's id: their index in the table, given in order of first sight.
pub type AuthorId = u32;

/// Who wrote a post: its source, community and author name.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    /// The platform.
    pub source: Source,
    /// The community (the site is derived from it).
    pub community: &'a str,
    /// The author's name.
    pub name: &'a str,
}

/// What the table keeps of every author, with one small allocation for
/// their communities and a boxed [`Found`] once they have an analyzed post.
#[derive(Debug, Clone, Default)]
pub(crate) struct Acc {
    pub(crate) name: CompactString,
    /// The site id (0 for everyone when authors are merged).
    pub(crate) site: u32,
    pub(crate) posts: u32,
    pub(crate) span: Span,
    /// Ids of the communities posted in, in the order first seen.
    pub(crate) communities: Box<[u32]>,
    /// Releases of the community's own project they announced.
    pub(crate) own_releases: u32,
    /// What their analyzed posts showed; `None` while they have none.
    pub(crate) found: Option<Box<Found>>,
}

/// The times of an author's first and last post (Unix seconds); empty
/// (first after last) until a post with a time is seen.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
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

    pub(crate) fn get(self) -> Option<(i64, i64)> {
        (self.first <= self.last).then_some((self.first, self.last))
    }
}

/// A post kept as evidence: (source, id, score).
pub(crate) type Kept = (Source, String, f32);

/// What an author's analyzed, credited posts showed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Found {
    pub(crate) innovations: u64,
    pub(crate) needs: u64,
    pub(crate) reactions: u64,
    /// Posts that announce, release or merge, or are labeled commercial.
    pub(crate) producer_posts: u64,
    /// User innovations that are not producer posts.
    pub(crate) own_innovations: u64,
    /// The strongest innovation posts, best first.
    pub(crate) top: Vec<Kept>,
    /// The strongest need posts, best first.
    pub(crate) top_needs: Vec<Kept>,
    /// The strongest expertise shown in one post, best first.
    pub(crate) expertise: Vec<f32>,
    /// Posts that show expertise.
    pub(crate) expert_posts: u64,
}

/// Inserts `item` into a list kept sorted best first (by `score`, then by
/// source and id), at most `keep` long.
fn keep_best(list: &mut Vec<Kept>, item: Kept, keep: usize) {
    let order = |x: &Kept, y: &Kept| y.2.total_cmp(&x.2).then_with(|| (x.0.as_str(), &x.1).cmp(&(y.0.as_str(), &y.1)));
    let at = list.partition_point(|x| order(x, &item).is_lt());
    if at < keep {
        list.insert(at, item);
        list.truncate(keep);
    }
}

/// Accumulates author statistics over a scan.
#[derive(Debug, Default)]
pub struct AuthorTable {
    /// Ids by (site, name).
    ids: HashMap<(u32, CompactString), AuthorId, ahash::RandomState>,
    pub(crate) authors: Vec<Acc>,
    /// Sites by id: (source, name); empty when authors are merged.
    pub(crate) sites: Vec<(Source, CompactString)>,
    site_ids: HashMap<(Source, CompactString), u32, ahash::RandomState>,
    /// Community names by id.
    pub(crate) communities: Vec<CompactString>,
    community_ids: HashMap<CompactString, u32, ahash::RandomState>,
    /// One author per name across sites (`--merge-authors`).
    merge: bool,
}

impl AuthorTable {
    /// An empty table; `merge` keys authors by name alone, across sites.
    pub fn new(merge: bool) -> Self {
        AuthorTable { merge, ..Self::default() }
    }

    /// Whether authors are merged across sites.
    pub fn merged(&self) -> bool {
        self.merge
    }

    fn site_id(&mut self, source: Source, community: &str) -> u32 {
        if self.merge {
            return 0;
        }
        let site = site_of(source, community);
        if let Some(&id) = self.site_ids.get(&(source, CompactString::from(site))) {
            return id;
        }
        let id = self.sites.len() as u32;
        self.sites.push((source, CompactString::from(site)));
        self.site_ids.insert((source, CompactString::from(site)), id);
        id
    }

    /// The id of `who`, made on first sight.
    pub fn id(&mut self, who: Who<'_>) -> AuthorId {
        let site = self.site_id(who.source, who.community);
        let key = (site, CompactString::from(who.name));
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.authors.len() as AuthorId;
        self.authors.push(Acc { name: key.1.clone(), site, ..Acc::default() });
        self.ids.insert(key, id);
        id
    }

    /// The id of the author `name` of a site, if they were seen.
    pub(crate) fn find(&self, site: u32, name: &str) -> Option<AuthorId> {
        self.ids.get(&(site, CompactString::from(name))).copied()
    }

    /// The author's name.
    pub fn name(&self, id: AuthorId) -> &str {
        &self.authors[id as usize].name
    }

    /// Every author's name in lower case.
    pub(crate) fn lowercase_names(&self) -> std::collections::HashSet<String> {
        self.authors.iter().map(|a| a.name.to_lowercase().to_string()).collect()
    }

    /// The source and site name of a site id (`None` when merged).
    pub(crate) fn site(&self, site: u32) -> Option<(Source, &str)> {
        self.sites.get(site as usize).map(|(s, n)| (*s, n.as_str()))
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

    /// Records one post's activity; returns the author's id.
    pub fn activity(&mut self, who: Who<'_>, created: Option<i64>, announcement: Announcement) -> AuthorId {
        let community = self.community_id(who.community);
        let id = self.id(who);
        let a = &mut self.authors[id as usize];
        a.posts = a.posts.saturating_add(1);
        if let Some(t) = created {
            a.span.add(t);
        }
        if announcement == Announcement::OwnRelease {
            a.own_releases += 1;
        }
        if a.communities.len() < MAX_COMMUNITIES && !a.communities.contains(&community) {
            // Rare after the first: the exact-size slice saves the table
            // a vector's spare room and length on every author.
            let mut ids = std::mem::take(&mut a.communities).into_vec();
            ids.push(community);
            a.communities = ids.into_boxed_slice();
        }
        id
    }

    /// Records an analyzed post of the author (`announcement`: what its
    /// title announces); the reactions it received are added by
    /// [`AuthorTable::reactions`] once they are known. A link submission
    /// credits its submitter with nothing.
    pub fn post(&mut self, r: &PostRecord, announcement: Announcement) {
        let Some(name) = &r.author else { return };
        if r.link_submission {
            return;
        }
        let id = self.id(Who { source: r.source, community: &r.community, name });
        let a = self.authors[id as usize].found.get_or_insert_with(Box::default);
        let producer = announcement != Announcement::None || r.labels[Label::Commercial];
        if producer {
            a.producer_posts += 1;
        }
        if r.labels[Label::UserInnovation] {
            a.innovations += 1;
            if !producer {
                a.own_innovations += 1;
            }
            keep_best(&mut a.top, (r.source, r.id.clone(), r.scores[Label::UserInnovation]), EXAMPLES);
        }
        if r.labels[Label::Need] {
            a.needs += 1;
            keep_best(&mut a.top_needs, (r.source, r.id.clone(), r.scores[Label::Need]), EXAMPLES);
        }
        let expertise = 1.0
            - r.signals
                .iter()
                .filter(|s| &*s.kind == kinds::EXPERTISE)
                .fold(1.0, |miss, s| miss * (1.0 - s.weight));
        if expertise > 0.0 {
            a.expert_posts += 1;
            let at = a.expertise.partition_point(|&x| x >= expertise);
            a.expertise.insert(at, expertise);
            a.expertise.truncate(BEST);
        }
    }

    /// Adds reactions a credited post of `who` received.
    pub fn reactions(&mut self, who: Who<'_>, reactions: u64) {
        let site = if self.merge { Some(0) } else { self.site_ids.get(&(who.source, CompactString::from(site_of(who.source, who.community)))).copied() };
        if let Some(id) = site.and_then(|site| self.find(site, who.name)) {
            self.authors[id as usize].found.get_or_insert_with(Box::default).reactions += reactions;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PostKind;
    use crate::score::{Labels, Scores};

    pub(crate) fn innovation(author: &str, id: &str, score: f32) -> PostRecord {
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
            link_submission: false,
            snippet: Default::default(),
            scores: Scores::from([score, score, 0.0, 0.0]),
            labels: Labels::from([true, true, false, false]),
            signals: Vec::new(),
            response: Default::default(),
        }
    }

    fn who<'a>(source: Source, community: &'a str, name: &'a str) -> Who<'a> {
        Who { source, community, name }
    }

    #[test]
    fn authors_are_keyed_by_site_unless_merged() {
        let mut t = AuthorTable::new(false);
        let a = t.activity(who(Source::Reddit, "DIY", "ann"), Some(1), Announcement::None);
        let b = t.activity(who(Source::Reddit, "woodworking", "ann"), Some(2), Announcement::None);
        let c = t.activity(who(Source::HackerNews, "hackernews", "ann"), Some(3), Announcement::None);
        let d = t.activity(who(Source::Generic, "forum.example.org/tools", "ann"), None, Announcement::None);
        let e = t.activity(who(Source::Generic, "forum.example.org/help", "ann"), None, Announcement::None);
        assert_eq!(a, b, "one Reddit account across subreddits");
        assert_eq!(d, e, "one forum account across its boards");
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert_eq!(t.len(), 3);
        assert_eq!(t.site(t.authors[d as usize].site), Some((Source::Generic, "forum.example.org")));

        let mut merged = AuthorTable::new(true);
        merged.activity(who(Source::Reddit, "DIY", "ann"), Some(1), Announcement::None);
        merged.activity(who(Source::HackerNews, "hackernews", "ann"), Some(3), Announcement::None);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged.authors[0].posts, 2);
    }

    #[test]
    fn best_posts_are_kept_in_order_and_link_submissions_credit_nobody() {
        let mut t = AuthorTable::new(false);
        for (id, score) in [("a1", 0.5), ("a2", 0.8), ("a3", 0.6), ("a4", 0.8)] {
            t.post(&innovation("ann", id, score), Announcement::None);
        }
        let mut link = innovation("ann", "l1", 0.99);
        link.link_submission = true;
        t.post(&link, Announcement::None);
        t.reactions(who(Source::Reddit, "DIY", "ann"), 2);
        t.reactions(who(Source::Reddit, "DIY", "nobody"), 5);
        let found = t.authors[0].found.as_deref().expect("found");
        let ids: Vec<&str> = found.top.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a2", "a4", "a3", "a1"], "best first, ties by id");
        assert_eq!((found.innovations, found.reactions), (4, 2));
        assert_eq!(t.len(), 1, "reactions to an unknown author make no entry");
    }

    #[test]
    fn communities_are_capped() {
        let mut t = AuthorTable::new(false);
        for i in 0..40 {
            t.activity(who(Source::Reddit, &format!("c{i:02}"), "cy"), None, Announcement::None);
        }
        assert_eq!(t.authors[0].communities.len(), MAX_COMMUNITIES);
    }
}

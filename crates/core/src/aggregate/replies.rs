//! The reply index: replies and reactions collected for the posts they
//! answer until the outputs are written — the one table of a scan, beside
//! the author table, that grows with the input (with the number of
//! answered posts, not with their text).
//!
//! A post is keyed by a 96-bit fingerprint of its source and id rather than
//! by the id itself, so an entry is 16 bytes and needs no allocation. Two
//! different posts share a fingerprint with a probability of about
//! n² / 2⁹⁷ for n answered posts: below one in a billion for a billion.

use crate::record::ResponseEvidence;
use crate::model::Source;
use std::collections::HashMap;

/// A post's fingerprint: three words of two independently keyed hashes of
/// its source and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub(crate) struct PostKey([u32; 3]);

/// Fixed keys: fingerprints are the same for every worker of a scan.
fn hashers() -> &'static (ahash::RandomState, ahash::RandomState) {
    static HASHERS: std::sync::OnceLock<(ahash::RandomState, ahash::RandomState)> = std::sync::OnceLock::new();
    HASHERS.get_or_init(|| {
        (
            ahash::RandomState::with_seeds(0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89),
            ahash::RandomState::with_seeds(0x4528_21e6_38d0_1377, 0xbe54_66cf_34e9_0c6c, 0xc0ac_29b7_c97c_50dd, 0x3f84_d5b5_b547_0917),
        )
    })
}

impl PostKey {
    /// The fingerprint of the post `id` of `source`.
    pub(crate) fn new(source: Source, id: &str) -> PostKey {
        let (a, b) = hashers();
        let x = a.hash_one((source, id));
        let y = b.hash_one((source, id));
        PostKey([x as u32, (x >> 32) as u32, y as u32])
    }
}

/// Replies counted and reactions kept per answered post.
#[derive(Debug, Default)]
pub(crate) struct ReplyIndex {
    replies: HashMap<PostKey, u32, ahash::RandomState>,
    reactions: HashMap<PostKey, Vec<ResponseEvidence>, ahash::RandomState>,
}

impl ReplyIndex {
    /// Counts one reply to the post `parent`.
    pub(crate) fn reply(&mut self, parent: PostKey) {
        let n = self.replies.entry(parent).or_default();
        *n = n.saturating_add(1);
    }

    /// Keeps the reactions of one reply to the post `parent`.
    pub(crate) fn react(&mut self, parent: PostKey, evidence: Vec<ResponseEvidence>) {
        self.reactions.entry(parent).or_default().extend(evidence);
    }

    /// Takes out what was collected for `post`: its reply count and its
    /// reactions in input order, `None` for what it has none of.
    pub(crate) fn take(&mut self, post: PostKey) -> (Option<u32>, Option<Vec<ResponseEvidence>>) {
        (self.replies.remove(&post), self.reactions.remove(&post))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(id: &str) -> Vec<ResponseEvidence> {
        vec![ResponseEvidence { id: id.into(), author: None, kind: "response.buy".into(), text: "where".into() }]
    }

    #[test]
    fn keys_tell_sources_and_ids_apart() {
        assert_eq!(PostKey::new(Source::Reddit, "abc"), PostKey::new(Source::Reddit, "abc"));
        assert_ne!(PostKey::new(Source::Reddit, "abc"), PostKey::new(Source::HackerNews, "abc"));
        assert_ne!(PostKey::new(Source::Reddit, "abc"), PostKey::new(Source::Reddit, "abd"));
        assert_ne!(PostKey::new(Source::Reddit, "ab"), PostKey::new(Source::Reddit, "abc"));
        let keys: std::collections::HashSet<PostKey> = (0..100_000).map(|i| PostKey::new(Source::Reddit, &format!("{i:x}"))).collect();
        assert_eq!(keys.len(), 100_000);
    }

    #[test]
    fn replies_and_reactions_are_taken_once() {
        let mut index = ReplyIndex::default();
        let (a, b) = (PostKey::new(Source::Reddit, "a"), PostKey::new(Source::Reddit, "b"));
        index.reply(a);
        index.reply(a);
        index.react(a, evidence("r1"));
        index.react(a, evidence("r2"));
        index.reply(b);
        let (replies, reactions) = index.take(a);
        assert_eq!(replies, Some(2));
        let ids: Vec<String> = reactions.unwrap_or_default().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["r1", "r2"], "input order");
        assert_eq!(index.take(a), (None, None));
        assert_eq!(index.take(b), (Some(1), None));
        assert!(std::mem::size_of::<(PostKey, u32)>() <= 16);
    }
}

//! Pyramiding: starting from one person, follow whom they point to, then
//! whom those point to, and so on — the way lead-user studies find experts
//! by asking each person reached who knows more (von Hippel, Franke and
//! Prügl 2009). The pointers are those a scan wrote to `pointers.jsonl`.

use crate::record::PointerRecord;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A person reached from the start.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reached {
    /// Their site.
    pub site: String,
    /// Their name.
    pub author: String,
    /// Steps from the start (1: the start points to them).
    pub depth: usize,
    /// Who, one step closer, points to them, with the posts that do.
    pub via: Vec<Via>,
}

/// One pointer that reaches a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Via {
    /// Who points.
    pub from: String,
    /// Their posts that point (ids).
    pub posts: Vec<String>,
    /// The pointing phrase.
    pub text: String,
}

/// The people reached from `start` (on `site`, or on every site where the
/// name is found when `None`) by following pointers at most `depth` steps,
/// nearest first, then by site and name. The start itself is not listed.
pub fn pyramid(pointers: &[PointerRecord], start: &str, site: Option<&str>, depth: usize) -> Vec<Reached> {
    let mut out: BTreeMap<(usize, String, String), Reached> = BTreeMap::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut frontier: BTreeSet<(String, String)> = pointers
        .iter()
        .flat_map(|p| [(&p.site, &p.from), (&p.site, &p.to)])
        .filter(|(s, name)| name.as_str() == start && site.is_none_or(|x| x == s.as_str()))
        .map(|(s, n)| (s.clone(), n.clone()))
        .collect();
    seen.extend(frontier.iter().cloned());
    for level in 1..=depth {
        let mut next = BTreeSet::new();
        for p in pointers {
            let from = (p.site.clone(), p.from.clone());
            if !frontier.contains(&from) {
                continue;
            }
            let to = (p.site.clone(), p.to.clone());
            if seen.contains(&to) && !next.contains(&to) {
                continue;
            }
            next.insert(to.clone());
            let reached = out.entry((level, to.0.clone(), to.1.clone())).or_insert_with(|| Reached {
                site: to.0.clone(),
                author: to.1.clone(),
                depth: level,
                via: Vec::new(),
            });
            reached.via.push(Via { from: p.from.clone(), posts: p.posts.clone(), text: p.text.clone() });
        }
        if next.is_empty() {
            break;
        }
        seen.extend(next.iter().cloned());
        frontier = next;
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: &str, to: &str) -> PointerRecord {
        PointerRecord {
            site: "forum".into(),
            from: from.into(),
            to: to.into(),
            count: 1,
            posts: vec![format!("{from}-{to}")],
            text: format!("ask {to}"),
        }
    }

    #[test]
    fn follows_pointers_outward_nearest_first() {
        let edges = [edge("ann", "bob"), edge("ann", "cy"), edge("bob", "dee"), edge("cy", "dee"), edge("dee", "ann"), edge("eve", "ann")];
        let reached = pyramid(&edges, "ann", None, 5);
        let names: Vec<(&str, usize)> = reached.iter().map(|r| (r.author.as_str(), r.depth)).collect();
        assert_eq!(names, [("bob", 1), ("cy", 1), ("dee", 2)], "the start and those pointing to it are not reached");
        let via: Vec<&str> = reached[2].via.iter().map(|v| v.from.as_str()).collect();
        assert_eq!(via, ["bob", "cy"], "both pointers to dee are evidence");
        assert_eq!(pyramid(&edges, "ann", None, 1).len(), 2, "depth bounds the search");
        assert!(pyramid(&edges, "ann", Some("elsewhere"), 5).is_empty());
        assert!(pyramid(&edges, "nobody", None, 5).is_empty());
    }
}

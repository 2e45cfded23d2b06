//! The cheap first pass: one Aho-Corasick scan of a post's raw bytes finds
//! which trigger words occur; a post is analyzed only if, for some rule
//! pattern, every required word of the pattern occurs (in any inflection).
//! A post without a hit costs that one scan and nothing more.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::BTreeMap;

/// Requirements of one pattern: each inner list is one required element,
/// satisfied when any of its triggers occurs.
pub type Requirement = Vec<Vec<String>>;

/// The compiled prefilter of a rule engine.
#[derive(Debug)]
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// Per pattern: per required element, the trigger ids that satisfy it.
    patterns: Vec<Vec<Vec<u32>>>,
    triggers: usize,
    /// Some pattern has no requirement: every post is a candidate.
    always: bool,
}

impl Prefilter {
    /// Builds the prefilter; `None` in the list means a pattern without
    /// requirements (a regular expression with no prefilter words).
    pub fn new(requirements: &[Option<Requirement>]) -> Prefilter {
        let mut ids: BTreeMap<String, u32> = BTreeMap::new();
        let mut always = false;
        let mut patterns = Vec::new();
        for req in requirements {
            let Some(req) = req else {
                always = true;
                continue;
            };
            if req.is_empty() || req.iter().any(Vec::is_empty) {
                always = true;
                continue;
            }
            let mut elements = Vec::new();
            for element in req {
                let mut set: Vec<u32> = element
                    .iter()
                    .map(|t| {
                        let next = ids.len() as u32;
                        *ids.entry(t.to_lowercase()).or_insert(next)
                    })
                    .collect();
                set.sort_unstable();
                set.dedup();
                elements.push(set);
            }
            patterns.push(elements);
        }
        let mut words: Vec<(u32, String)> = ids.into_iter().map(|(w, i)| (i, w)).collect();
        words.sort();
        let automaton = if words.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(words.iter().map(|(_, w)| w.as_str()))
                .ok()
        };
        if automaton.is_none() && !patterns.is_empty() {
            always = true;
        }
        Prefilter { automaton, patterns, triggers: words.len(), always }
    }

    /// Whether a post with these texts can match any pattern.
    pub fn is_candidate(&self, texts: &[&str]) -> bool {
        if self.always {
            return true;
        }
        let Some(ac) = &self.automaton else { return false };
        let mut seen = vec![0u64; self.triggers.div_ceil(64)];
        let mut any = false;
        for text in texts {
            for m in ac.find_overlapping_iter(*text) {
                let id = m.pattern().as_usize();
                seen[id / 64] |= 1 << (id % 64);
                any = true;
            }
        }
        if !any {
            return false;
        }
        let has = |id: u32| seen[id as usize / 64] & (1 << (id % 64)) != 0;
        self.patterns.iter().any(|elements| elements.iter().all(|set| set.iter().any(|&id| has(id))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(elements: &[&[&str]]) -> Option<Requirement> {
        Some(elements.iter().map(|e| e.iter().map(|s| s.to_string()).collect()).collect())
    }

    #[test]
    fn all_required_elements_must_occur() {
        let p = Prefilter::new(&[req(&[&["there"], &["way"]]), req(&[&["built", "build"], &["tool"]])]);
        assert!(p.is_candidate(&["Is there a way to do it?"]));
        assert!(!p.is_candidate(&["Is there a bus today?"]));
        assert!(p.is_candidate(&["We BUILT a", "small tool"]));
        assert!(!p.is_candidate(&["We built a shed"]));
    }

    #[test]
    fn a_pattern_without_requirements_admits_everything() {
        let p = Prefilter::new(&[req(&[&["x"]]), None]);
        assert!(p.is_candidate(&["anything"]));
    }
}

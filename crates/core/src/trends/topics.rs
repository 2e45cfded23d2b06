//! Topics over time: the keyphrases of a community's need and solution
//! posts counted by month, which of them are rising, and how early each
//! author was on a rising topic (their lead time).
//!
//! A community's need and solution posts are split at their median time
//! into an earlier and a later half. Of all keyphrases found in them, a
//! share p lies in the later half (more than half when later posts are
//! longer). A topic found in n posts, `after` of them in the later half,
//! rises by
//!
//! ```text
//! rise = (after - n p) / sqrt(n p (1 - p))
//! ```
//!
//! the standard score of its later count if it followed the keyphrases as a
//! whole: a topic is *rising* when `rise >= 2` (about 1 chance in 40 for a
//! topic that does not). A topic is a keyphrase (one or two words, normalized); a
//! word found mostly inside one two-word phrase (in at least half of its
//! posts) is reported under the phrase. A keyphrase in more than a quarter
//! of a community's posts is too general to be a topic.
//!
//! An author's lead on a topic is measured at their first post on it: the
//! share of the topic's posts that came later (`earliness`, in [0, 1)) and
//! the days from that post to the topic's median post (`lead_days`,
//! negative when they came after the median).

use super::keyphrases::Keyphrase;
use crate::model::datetime_string;
use crate::record::{AuthorTopic, RisingTopic};
use chrono::Datelike;
use compact_str::CompactString;
use std::collections::{BTreeMap, HashMap};

/// A topic needs this many posts to be one.
pub const MIN_POSTS: usize = 5;
/// The `rise` from which a topic is rising.
pub const RISING: f64 = 2.0;
/// A keyphrase in more than this share of a community's posts (of at least
/// `GENERAL_FROM`) is not a topic.
pub const MAX_SHARE: f64 = 0.25;
/// Communities with fewer posts keep every keyphrase.
const GENERAL_FROM: usize = 40;
/// Rising topics reported per community.
pub const REPORTED: usize = 10;
/// Topics listed per author.
pub const PER_AUTHOR: usize = 3;
/// Early authors named per rising topic.
const EARLY: usize = 3;
/// Mentions kept in memory before the rarest keyphrases are dropped.
const MAX_MENTIONS: usize = 40_000_000;

/// One keyphrase of one post.
#[derive(Debug, Clone, Copy)]
struct Mention {
    community: u32,
    term: u32,
    time: i64,
    /// The author's id in the author table, when the post credits them.
    author: Option<u32>,
}

/// Forms of one keyphrase counted, at most this many (later ones are not).
const FORMS: usize = 4;

/// A keyphrase's key and the first [`FORMS`] forms it was written in,
/// with how often.
#[derive(Debug)]
struct Term {
    key: CompactString,
    forms: Vec<(CompactString, u32)>,
}

impl Term {
    /// The form written most often (the earliest among equals): "covid"
    /// rather than the one post that first wrote "covide".
    fn surface(&self) -> &str {
        let best = self.forms.iter().enumerate().max_by_key(|(i, (_, n))| (*n, std::cmp::Reverse(*i)));
        best.map_or(self.key.as_str(), |(_, (form, _))| form.as_str())
    }

    fn count(&mut self, form: &str) {
        if let Some((_, n)) = self.forms.iter_mut().find(|(f, _)| f == form) {
            *n += 1;
        } else if self.forms.len() < FORMS {
            self.forms.push((CompactString::from(form), 1));
        }
    }
}

/// The keyphrases of a scan's need and solution posts, in input order.
#[derive(Debug, Default)]
pub struct TopicTable {
    communities: Vec<CompactString>,
    community_ids: HashMap<CompactString, u32, ahash::RandomState>,
    /// Every keyphrase: its key and the forms it was written in.
    terms: Vec<Term>,
    term_ids: HashMap<CompactString, u32, ahash::RandomState>,
    /// Mentions per keyphrase so far (for pruning).
    term_counts: Vec<u32>,
    mentions: Vec<Mention>,
    /// Community and time of every post counted.
    posts: Vec<(u32, i64)>,
    /// Keyphrases found in fewer posts than this were dropped to bound
    /// memory (0: none were).
    pruned_below: u32,
}

/// Indices of `mentions` ordered by community, keyphrase, time and index
/// (input order among equal times). Keyphrase and community ids are small
/// and dense, so two counting sorts (by keyphrase, then by community, each
/// keeping the order of the last) group them; each group is then sorted by
/// time, stably. A comparison sort of all mentions cost several times more.
fn mention_order(mentions: &[Mention], terms: usize, communities: usize) -> Vec<u32> {
    let all: Vec<u32> = (0..mentions.len() as u32).collect();
    let by_term = counting_sort(&all, terms, |i| mentions[i as usize].term as usize);
    let mut order = counting_sort(&by_term, communities, |i| mentions[i as usize].community as usize);
    let group = |i: u32| (mentions[i as usize].community, mentions[i as usize].term);
    for g in order.chunk_by_mut(|&a, &b| group(a) == group(b)) {
        g.sort_by_key(|&i| mentions[i as usize].time);
    }
    order
}

/// `items` stably sorted by `key`, whose values are below `keys`.
fn counting_sort(items: &[u32], keys: usize, key: impl Fn(u32) -> usize) -> Vec<u32> {
    let mut next = vec![0usize; keys + 1];
    for &i in items {
        next[key(i) + 1] += 1;
    }
    for k in 0..keys {
        next[k + 1] += next[k];
    }
    let mut out = vec![0u32; items.len()];
    for &i in items {
        let slot = &mut next[key(i)];
        out[*slot] = i;
        *slot += 1;
    }
    out
}

/// What the topics of a scan show.
#[derive(Debug, Default)]
pub struct Trends {
    /// Per community, its rising topics, most rising first.
    pub rising: BTreeMap<String, Vec<RisingTopic>>,
    /// Per author id, their mean earliness over every rising topic they
    /// posted on, and the topics they were earliest on, earliest first.
    pub leads: HashMap<u32, (f32, Vec<AuthorTopic>)>,
    /// Keyphrases found in fewer posts than this were dropped while
    /// reading to bound memory (0: none were).
    pub pruned_below: u32,
}

impl TopicTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn intern(ids: &mut HashMap<CompactString, u32, ahash::RandomState>, names: &mut Vec<CompactString>, name: &str) -> u32 {
        if let Some(&id) = ids.get(name) {
            return id;
        }
        let id = names.len() as u32;
        names.push(CompactString::from(name));
        ids.insert(CompactString::from(name), id);
        id
    }

    /// Counts one need or solution post of `community` with its
    /// keyphrases; `author` is credited with them (`None`: nobody is, as
    /// for a link to someone else's work).
    pub fn post(&mut self, community: &str, created: i64, author: Option<u32>, phrases: &[Keyphrase]) {
        let community = Self::intern(&mut self.community_ids, &mut self.communities, community);
        self.posts.push((community, created));
        for p in phrases {
            let term = match self.term_ids.get(p.key.as_str()) {
                Some(&id) => id,
                None => {
                    let id = self.terms.len() as u32;
                    self.terms.push(Term { key: p.key.clone(), forms: Vec::new() });
                    self.term_ids.insert(p.key.clone(), id);
                    self.term_counts.push(0);
                    id
                }
            };
            if self.term_counts[term as usize] < self.pruned_below {
                // Dropped as rare: counted again from zero would mislead.
                continue;
            }
            self.term_counts[term as usize] += 1;
            self.terms[term as usize].count(&p.surface);
            self.mentions.push(Mention { community, term, time: created, author });
        }
        if self.mentions.len() > MAX_MENTIONS {
            self.prune();
        }
    }

    /// Drops the mentions of the rarest keyphrases until at most half the
    /// limit is held. Keyphrases dropped stay dropped; a rising topic has
    /// more posts than any threshold this reaches before most dumps end.
    fn prune(&mut self) {
        while self.mentions.len() > MAX_MENTIONS / 2 {
            self.pruned_below = (self.pruned_below * 2).max(2);
            let below = self.pruned_below;
            let counts = &self.term_counts;
            self.mentions.retain(|m| counts[m.term as usize] >= below);
        }
        let below = self.pruned_below;
        for c in &mut self.term_counts {
            if *c < below {
                *c = 0;
            }
        }
    }

    /// Finds the rising topics of every community and the authors' leads
    /// on them; `name` gives an author's name for the early authors, and
    /// `is_author` tells the lower-cased names of authors, which are people,
    /// not topics.
    pub fn analyze(&self, name: impl Fn(u32) -> String, is_author: impl Fn(&str) -> bool) -> Trends {
        let mut trends = Trends { pruned_below: self.pruned_below, ..Trends::default() };
        // Each community's median post time and number of posts.
        let mut times: Vec<Vec<i64>> = vec![Vec::new(); self.communities.len()];
        for &(c, t) in &self.posts {
            times[c as usize].push(t);
        }
        let split: Vec<(i64, usize)> = times
            .iter_mut()
            .map(|t| {
                t.sort_unstable();
                (t.get(t.len() / 2).copied().unwrap_or(0), t.len())
            })
            .collect();
        // Per community, the share of all keyphrase mentions in the later
        // half.
        let mut later = vec![(0usize, 0usize); self.communities.len()];
        for m in &self.mentions {
            let l = &mut later[m.community as usize];
            l.1 += 1;
            if m.time >= split[m.community as usize].0 {
                l.0 += 1;
            }
        }
        let share: Vec<f64> = later.iter().map(|&(a, n)| if n == 0 { 0.5 } else { a as f64 / n as f64 }).collect();

        // Mentions grouped by community and keyphrase, in time order (input
        // order among equal times).
        let order = mention_order(&self.mentions, self.terms.len(), self.communities.len());
        let groups: Vec<&[u32]> = order
            .chunk_by(|&a, &b| {
                let (a, b) = (&self.mentions[a as usize], &self.mentions[b as usize]);
                (a.community, a.term) == (b.community, b.term)
            })
            .collect();
        // Per community and word, the most posts of a two-word phrase with
        // that word (a word mostly found inside one is reported under it).
        let mut in_phrase: HashMap<(u32, &str), usize> = HashMap::new();
        for g in &groups {
            let m = &self.mentions[g[0] as usize];
            let key = self.terms[m.term as usize].key.as_str();
            if let Some((a, b)) = key.split_once(' ').filter(|_| g.len() >= MIN_POSTS) {
                for word in [a, b] {
                    let best = in_phrase.entry((m.community, word)).or_default();
                    *best = (*best).max(g.len());
                }
            }
        }

        let mut leads: HashMap<u32, Vec<(f64, AuthorTopic)>> = HashMap::new();
        for group in groups {
            let first = &self.mentions[group[0] as usize];
            let (community, term) = (first.community, &self.terms[first.term as usize]);
            let (key, surface) = (&term.key, term.surface());
            let (median, total) = split[community as usize];
            let n = group.len();
            if n < MIN_POSTS || (total >= GENERAL_FROM && n as f64 > MAX_SHARE * total as f64) {
                continue;
            }
            if in_phrase.get(&(community, key.as_str())).is_some_and(|&p| 2 * p >= n) || is_author(surface) {
                continue;
            }
            let mentions: Vec<&Mention> = group.iter().map(|&i| &self.mentions[i as usize]).collect();
            let before = mentions.iter().filter(|m| m.time < median).count();
            let after = n - before;
            let p = share[community as usize].clamp(0.05, 0.95);
            let rise = (after as f64 - n as f64 * p) / (n as f64 * p * (1.0 - p)).sqrt();
            if rise < RISING {
                continue;
            }
            let topic_median = mentions[n / 2].time;
            let mut early = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (i, m) in mentions.iter().enumerate() {
                let Some(author) = m.author else { continue };
                if !seen.insert(author) {
                    continue;
                }
                if early.len() < EARLY {
                    early.push(name(author));
                }
                // Posts on the topic strictly after this one's time.
                let later = n - mentions[i..].partition_point(|x| x.time <= m.time) - i;
                let earliness = later as f64 / n as f64;
                leads.entry(author).or_default().push((
                    earliness,
                    AuthorTopic {
                        community: self.communities[community as usize].to_string(),
                        topic: surface.to_string(),
                        first: datetime_string(m.time),
                        lead_days: (topic_median - m.time).div_euclid(86_400),
                        earliness: crate::score::round3(earliness as f32),
                    },
                ));
            }
            let mut monthly: BTreeMap<String, u64> = BTreeMap::new();
            for m in &mentions {
                if let Some(t) = chrono::DateTime::from_timestamp(m.time, 0) {
                    *monthly.entry(format!("{:04}-{:02}", t.year(), t.month())).or_default() += 1;
                }
            }
            trends.rising.entry(self.communities[community as usize].to_string()).or_default().push(RisingTopic {
                topic: surface.to_string(),
                posts: n as u64,
                before: before as u64,
                after: after as u64,
                rise: (rise * 100.0).round() as f32 / 100.0,
                first: datetime_string(mentions[0].time),
                early,
                monthly,
            });
        }
        for topics in trends.rising.values_mut() {
            topics.sort_by(|a, b| b.rise.total_cmp(&a.rise).then_with(|| b.posts.cmp(&a.posts)).then_with(|| a.topic.cmp(&b.topic)));
            topics.truncate(REPORTED);
        }
        for (author, mut topics) in leads {
            let mean = topics.iter().map(|(e, _)| e).sum::<f64>() / topics.len() as f64;
            topics.sort_by(|(a, x), (b, y)| b.total_cmp(a).then_with(|| (&x.community, &x.topic).cmp(&(&y.community, &y.topic))));
            topics.truncate(PER_AUTHOR);
            trends.leads.insert(author, (mean as f32, topics.into_iter().map(|(_, t)| t).collect()));
        }
        trends
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_ordered_by_community_keyphrase_time_and_index() {
        // A fixed pseudo-random mix with many equal keys and times.
        let mut x = 7u64;
        let mentions: Vec<Mention> = (0..2_000)
            .map(|_| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let r = x >> 33;
                Mention { community: (r % 3) as u32, term: (r / 3 % 17) as u32, time: (r / 51 % 5) as i64, author: None }
            })
            .collect();
        let mut expected: Vec<u32> = (0..mentions.len() as u32).collect();
        expected.sort_by_key(|&i| {
            let m = &mentions[i as usize];
            (m.community, m.term, m.time, i)
        });
        assert_eq!(mention_order(&mentions, 17, 3), expected);
    }

    fn kp(key: &str, surface: &str) -> Keyphrase {
        Keyphrase { key: key.into(), surface: surface.into() }
    }

    /// Sixty posts a day apart, each on a steady topic; from the fortieth,
    /// half of them also on a new one, first raised by author 3 on day 3.
    fn table() -> TopicTable {
        let mut t = TopicTable::new();
        for day in 0..60i64 {
            let mut phrases = vec![kp(&format!("steady{}", day % 4), &format!("steady{}", day % 4))];
            if day == 3 {
                phrases.push(kp("hail net", "hail nett"));
            } else if day >= 40 && day % 2 == 0 {
                phrases.push(kp("hail net", "hail net"));
            }
            t.post("c", day * 86_400, Some(day as u32), &phrases);
        }
        t
    }

    #[test]
    fn a_topic_of_the_later_half_rises_and_steady_ones_do_not() {
        let trends = table().analyze(|id| format!("a{id}"), |_| false);
        let rising = &trends.rising["c"];
        let topics: Vec<&str> = rising.iter().map(|r| r.topic.as_str()).collect();
        assert_eq!(topics, ["hail net"], "{rising:?}");
        assert_eq!((rising[0].posts, rising[0].early[0].as_str()), (11, "a3"));
        // The earliest author leads with every later post after theirs.
        let (mean, topics) = &trends.leads[&3];
        assert!((mean - 10.0 / 11.0).abs() < 1e-6, "{mean}");
        assert_eq!(topics[0].topic, "hail net");
        assert!(topics[0].lead_days > 0);
        assert!(!trends.leads.contains_key(&1), "a steady topic gives no lead");
    }

    #[test]
    fn the_form_written_most_often_names_the_topic() {
        let mut term = Term { key: "covid".into(), forms: Vec::new() };
        for form in ["covide", "covid", "covid"] {
            term.count(form);
        }
        assert_eq!(term.surface(), "covid");
        let trends = table().analyze(|id| format!("a{id}"), |_| false);
        assert_eq!(trends.rising["c"][0].topic, "hail net");
    }

    #[test]
    fn author_names_are_not_topics() {
        let trends = table().analyze(|id| format!("a{id}"), |topic| topic == "hail net");
        assert!(trends.rising.get("c").is_none_or(Vec::is_empty));
    }
}

//! The lead-user ranking (see `docs/LEAD_USERS.md`): for every author with
//! a credited user innovation or stated need, seven measured quantities
//! ([`Measures`]), each turned into a standing among the ranked authors
//! ([`Components`]), weighted by `[lead_user]` into a score. Producers are
//! ranked after everyone else; ties break by the author's stable id.

use super::authors::{AuthorId, AuthorTable, Found, Kept, BEST, EXAMPLES};
use super::links::Network;
use crate::record::{AuthorRecord, Components, Measures, PointedBy, PostRef};
use crate::score::LeadUserWeights;
use crate::trends::Trends;
use std::collections::HashMap;

/// A producer has at least this many producer posts (unless they announce
/// releases of the community's own project)...
const PRODUCER_POSTS: u64 = 2;

/// Posts of prior weight in [`focus`].
const PRIOR_POSTS: f32 = 10.0;
/// The share [`focus`] assumes before seeing an author's posts.
const PRIOR_SHARE: f32 = 0.1;

/// The share of an author's `posts` that are `some` kind, drawn towards
/// [`PRIOR_SHARE`] as if they had [`PRIOR_POSTS`] more posts at that share:
/// 1 of 1 gives 0.18, 8 of 10 gives 0.45, 232 of 2,165 gives 0.11. Volume
/// alone does not raise it.
fn focus(some: u64, posts: u64) -> f32 {
    (some as f32 + PRIOR_SHARE * PRIOR_POSTS) / (posts as f32 + PRIOR_POSTS)
}

/// The mean of the best [`BEST`] values, of as many as there are (0 for
/// none): their quality, whatever their number.
fn best_mean(values: impl Iterator<Item = f32>) -> f32 {
    let (sum, n) = values.take(BEST).fold((0.0, 0u32), |(sum, n), x| (sum + x, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f32
    }
}

/// Each value's standing among the positive `values`: 0 for 0 (or less),
/// else the share of positive values below it plus half the share equal
/// to it. Ranking among those who have the quantity at all keeps a mere
/// nonzero value from counting for much: having a little of everything is
/// what activity alone brings.
pub fn standings(values: &[f64]) -> Vec<f32> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|&x| x > 0.0).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    values
        .iter()
        .map(|&x| {
            if x <= 0.0 {
                return 0.0;
            }
            let below = sorted.partition_point(|&y| y < x);
            let equal = sorted.partition_point(|&y| y <= x) - below;
            ((below as f64 + equal as f64 / 2.0) / n as f64) as f32
        })
        .collect()
}

/// A stable id of an author key: FNV-1a (64 bits) of its parts, in hex.
fn stable_id(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn refs(kept: &[Kept]) -> Vec<PostRef> {
    kept.iter().map(|(s, id, x)| (s.as_str().to_string(), id.clone(), crate::score::round3(*x))).collect()
}

/// Why an author is a producer, if they are.
fn producer(own_releases: u32, f: &Found) -> Option<String> {
    if own_releases > 0 {
        return Some(format!("announced {own_releases} release(s) of the community's own project"));
    }
    (f.producer_posts >= PRODUCER_POSTS && f.producer_posts >= f.own_innovations).then(|| {
        format!(
            "{} of their posts release, announce or merge a project or are commercial, against {} other user innovations",
            f.producer_posts, f.own_innovations
        )
    })
}

/// Ranks the authors who have at least one credited user innovation or
/// need.
pub(crate) fn rank(
    table: &AuthorTable,
    network: &Network,
    trends: &mut Trends,
    w: &LeadUserWeights,
) -> Vec<AuthorRecord> {
    let ranked: Vec<(AuthorId, &Found)> = table
        .authors
        .iter()
        .enumerate()
        .filter_map(|(id, a)| a.found.as_deref().filter(|f| f.innovations > 0 || f.needs > 0).map(|f| (id as AuthorId, f)))
        .collect();
    let mut pointed: HashMap<AuthorId, Vec<(AuthorId, &super::links::Edge)>> = HashMap::new();
    for (&(from, to), edge) in &network.pointers {
        pointed.entry(to).or_default().push((from, edge));
    }
    let r4 = |x: f32| (x * 10_000.0).round() / 10_000.0;
    let measures: Vec<Measures> = ranked
        .iter()
        .map(|&(id, f)| {
            let posts = u64::from(table.authors[id as usize].posts);
            Measures {
                innovation: r4(best_mean(f.top.iter().map(|k| k.2)) * focus(f.innovations, posts)),
                need: r4(best_mean(f.top_needs.iter().map(|k| k.2)) * focus(f.needs, posts)),
                lead_time: r4(trends.leads.get(&id).map_or(0.0, |(mean, _)| *mean)),
                response: r4(f.reactions as f32 / (f.innovations + f.needs + 1) as f32),
                network: network.betweenness.get(&id).map_or(0.0, |&b| b as f32) / (posts.max(1) as f32).powf(1.5),
                pointers: pointed.get(&id).map_or(0.0, |p| p.len() as f32 / posts.max(1) as f32),
                expertise: r4(best_mean(f.expertise.iter().copied()) * focus(f.expert_posts, posts)),
            }
        })
        .collect();
    let column = |get: fn(&Measures) -> f64| standings(&measures.iter().map(get).collect::<Vec<_>>());
    let columns = [
        column(|m| f64::from(m.innovation)),
        column(|m| f64::from(m.need)),
        column(|m| f64::from(m.lead_time)),
        column(|m| f64::from(m.response)),
        column(|m| f64::from(m.network)),
        column(|m| f64::from(m.pointers)),
        column(|m| f64::from(m.expertise)),
    ];
    let mut out: Vec<AuthorRecord> = ranked
        .iter()
        .enumerate()
        .map(|(i, &(id, f))| {
            let a = &table.authors[id as usize];
            let c = Components {
                innovation: r4(columns[0][i]),
                need: r4(columns[1][i]),
                lead_time: r4(columns[2][i]),
                response: r4(columns[3][i]),
                network: r4(columns[4][i]),
                pointers: r4(columns[5][i]),
                expertise: r4(columns[6][i]),
            };
            // From the unrounded standings, to six places: scores that
            // differ only past the components' four stay apart.
            let weights = [w.innovation, w.need, w.lead_time, w.response, w.network, w.pointers, w.expertise];
            let score = weights.iter().zip(&columns).map(|(w, column)| w * column[i]).sum::<f32>();
            let score = (score * 1e6).round() / 1e6;
            let site = table.site(a.site);
            let id_parts = match site {
                Some((source, name)) => vec![source.as_str(), name, a.name.as_str()],
                None => vec![a.name.as_str()],
            };
            let mut communities: Vec<String> = a.communities.iter().map(|&c| table.communities[c as usize].to_string()).collect();
            communities.sort_unstable();
            let mut by: Vec<(AuthorId, &super::links::Edge)> = pointed.remove(&id).unwrap_or_default();
            by.sort_by(|x, y| y.1.count.cmp(&x.1.count).then_with(|| table.name(x.0).cmp(table.name(y.0))));
            let producer_reason = producer(a.own_releases, f);
            let span = a.span.get();
            AuthorRecord {
                rank: 0,
                id: stable_id(&id_parts),
                author: a.name.to_string(),
                source: site.map(|(s, _)| s.as_str().to_string()),
                site: site.map(|(_, n)| n.to_string()),
                score,
                producer: producer_reason.is_some(),
                producer_reason,
                components: c,
                measures: measures[i],
                posts: u64::from(a.posts),
                innovations: f.innovations,
                needs: f.needs,
                reactions: f.reactions,
                first: span.map(|(first, _)| first),
                last: span.map(|(_, last)| last),
                communities,
                top_posts: refs(&f.top),
                need_posts: refs(&f.top_needs),
                topics: trends.leads.remove(&id).map(|(_, t)| t).unwrap_or_default(),
                pointed_by: by
                    .into_iter()
                    .take(EXAMPLES)
                    .map(|(from, e)| PointedBy { author: table.name(from).to_string(), posts: e.posts.clone() })
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.producer.cmp(&b.producer).then_with(|| b.score.total_cmp(&a.score)).then_with(|| a.id.cmp(&b.id)));
    for (i, r) in out.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standings_spread_and_never_reach_one() {
        let s = standings(&[0.0, 0.5, 0.5, 0.9, 0.2]);
        assert_eq!(s, [0.0, 0.5, 0.5, 0.875, 0.125]);
        assert!(standings(&[1.0, 1.0, 1.0]).iter().all(|&x| x < 1.0));
        assert!(standings(&[]).is_empty());
    }

    #[test]
    fn stable_ids_depend_on_every_part() {
        assert_eq!(stable_id(&["reddit", "reddit.com", "ann"]), stable_id(&["reddit", "reddit.com", "ann"]));
        assert_ne!(stable_id(&["reddit", "reddit.com", "ann"]), stable_id(&["reddit", "reddit.coma", "nn"]));
        assert_eq!(stable_id(&["x"]).len(), 16);
    }
}

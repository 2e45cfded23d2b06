//! Betweenness centrality (Brandes 2001) on an undirected, unweighted
//! [`Graph`], exact or estimated from a sample of source nodes (Brandes
//! and Pich 2007): each sampled source costs one breadth-first search and
//! one pass back over the nodes it reached, so time is O(k (n + m)) for k
//! sources, and memory is 28 bytes per node beside the graph.

use super::Graph;

/// Betweenness of every node of `graph`, normalized to [0, 1] by the
/// number of pairs of other nodes ((n - 1)(n - 2) / 2).
///
/// With `sources >= graph.len()` every node is a source and the result is
/// exact; otherwise `sources` nodes drawn with the fixed `seed` are, and
/// each node's sum is scaled by n / sources (an unbiased estimate). The
/// same graph, `sources` and `seed` give the same result.
pub fn betweenness(graph: &Graph, sources: usize, seed: u64) -> Vec<f64> {
    let n = graph.len();
    let mut bc = vec![0.0f64; n];
    if n < 3 {
        return bc;
    }
    let chosen: Vec<u32> = if sources >= n {
        (0..n as u32).collect()
    } else {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut all: Vec<u32> = (0..n as u32).collect();
        // A partial Fisher-Yates shuffle: the first `sources` are a sample.
        for i in 0..sources {
            let j = rng.usize(i..n);
            all.swap(i, j);
        }
        all.truncate(sources);
        all
    };
    let mut search = Search::new(n);
    for &s in &chosen {
        search.accumulate(graph, s, &mut bc);
    }
    // Each pair is counted from both of its ends in an undirected graph.
    let scale = n as f64 / chosen.len() as f64 / 2.0;
    let pairs = ((n - 1) * (n - 2)) as f64 / 2.0;
    for x in &mut bc {
        *x *= scale / pairs;
    }
    bc
}

/// The buffers of one source's search, reused across sources.
struct Search {
    /// Distance from the source; -1 where not reached.
    dist: Vec<i32>,
    /// Number of shortest paths from the source.
    sigma: Vec<f64>,
    /// Dependency of the source on each node.
    delta: Vec<f64>,
    /// Nodes in the order reached (non-decreasing distance).
    order: Vec<u32>,
}

impl Search {
    fn new(n: usize) -> Self {
        Search { dist: vec![-1; n], sigma: vec![0.0; n], delta: vec![0.0; n], order: Vec::with_capacity(n) }
    }

    /// Adds to `bc` the dependencies of the source `s` on every node.
    fn accumulate(&mut self, graph: &Graph, s: u32, bc: &mut [f64]) {
        let Search { dist, sigma, delta, order } = self;
        order.clear();
        dist[s as usize] = 0;
        sigma[s as usize] = 1.0;
        order.push(s);
        let mut head = 0;
        while head < order.len() {
            let v = order[head];
            head += 1;
            let (dv, sv) = (dist[v as usize], sigma[v as usize]);
            for &w in graph.neighbours(v) {
                let w = w as usize;
                if dist[w] < 0 {
                    dist[w] = dv + 1;
                    order.push(w as u32);
                }
                if dist[w] == dv + 1 {
                    sigma[w] += sv;
                }
            }
        }
        // Back from the farthest: a node's predecessors are its neighbours
        // one step closer to the source.
        for &w in order.iter().rev() {
            let w = w as usize;
            let (dw, share) = (dist[w], (1.0 + delta[w]) / sigma[w]);
            for &v in graph.neighbours(w as u32) {
                let v = v as usize;
                if dist[v] == dw - 1 {
                    delta[v] += sigma[v] * share;
                }
            }
            if w != s as usize {
                bc[w] += delta[w];
            }
        }
        for &v in order.iter() {
            let v = v as usize;
            dist[v] = -1;
            sigma[v] = 0.0;
            delta[v] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Betweenness straight from its definition: for every pair (s, t) and
    /// every other node v, the share of shortest s-t paths through v
    /// (σ_sv σ_vt / σ_st where d(s, v) + d(v, t) = d(s, t)).
    fn by_definition(graph: &Graph) -> Vec<f64> {
        let n = graph.len();
        let bfs = |s: usize| {
            let mut dist = vec![usize::MAX; n];
            let mut sigma = vec![0.0f64; n];
            dist[s] = 0;
            sigma[s] = 1.0;
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(v) = queue.pop_front() {
                for &w in graph.neighbours(v as u32) {
                    let w = w as usize;
                    if dist[w] == usize::MAX {
                        dist[w] = dist[v] + 1;
                        queue.push_back(w);
                    }
                    if dist[w] == dist[v] + 1 {
                        sigma[w] += sigma[v];
                    }
                }
            }
            (dist, sigma)
        };
        let all: Vec<_> = (0..n).map(bfs).collect();
        let mut bc = vec![0.0; n];
        for s in 0..n {
            for t in s + 1..n {
                let (ds, ss) = &all[s];
                if ds[t] == usize::MAX {
                    continue;
                }
                for (v, x) in bc.iter_mut().enumerate() {
                    let (dv, sv) = &all[v];
                    if v != s && v != t && ds[v] != usize::MAX && ds[v] + dv[t] == ds[t] {
                        *x += ss[v] * sv[t] / ss[t];
                    }
                }
            }
        }
        let pairs = ((n - 1) * (n - 2)) as f64 / 2.0;
        bc.iter().map(|x| x / pairs).collect()
    }

    fn random_graph(n: u32, edges: usize, seed: u64) -> Graph {
        let mut rng = fastrand::Rng::with_seed(seed);
        let pairs: Vec<(u32, u32)> = (0..edges).map(|_| (rng.u32(0..n), rng.u32(0..n))).collect();
        Graph::from_edges(n as usize, pairs)
    }

    fn assert_close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() < 1e-9, "node {i}: {x} vs {y}");
        }
    }

    #[test]
    fn a_path_and_a_star() {
        // 0 - 1 - 2 - 3: node 1 lies between 0 and 2, 0 and 3 (2 of 3 pairs).
        let path = Graph::from_edges(4, [(0, 1), (1, 2), (2, 3)]);
        assert_close(&betweenness(&path, 4, 0), &[0.0, 2.0 / 3.0, 2.0 / 3.0, 0.0]);
        // The centre of a star is on every path between leaves.
        let star = Graph::from_edges(5, (1..5).map(|i| (0, i)));
        assert_close(&betweenness(&star, 5, 0), &[1.0, 0.0, 0.0, 0.0, 0.0]);
        // A square: two shortest paths between opposite corners.
        let square = Graph::from_edges(4, [(0, 1), (1, 2), (2, 3), (3, 0)]);
        assert_close(&betweenness(&square, 4, 0), &[1.0 / 6.0; 4]);
    }

    #[test]
    fn exact_equals_the_definition_on_random_graphs() {
        for (seed, n, m) in [(1, 12, 15), (2, 30, 40), (3, 40, 120), (4, 25, 20), (5, 60, 90)] {
            let g = random_graph(n, m, seed);
            assert_close(&betweenness(&g, n as usize, 7), &by_definition(&g));
        }
    }

    #[test]
    fn a_sample_estimates_and_repeats() {
        let g = random_graph(400, 1200, 9);
        let exact = betweenness(&g, 400, 0);
        let sampled = betweenness(&g, 100, 42);
        assert_eq!(sampled, betweenness(&g, 100, 42), "same seed, same result");
        let top = |x: &[f64]| (0..x.len()).max_by(|&a, &b| x[a].total_cmp(&x[b])).unwrap_or(0);
        assert_eq!(top(&sampled), top(&exact), "the most central node is found");
        let error: f64 = exact.iter().zip(&sampled).map(|(a, b)| (a - b).abs()).sum::<f64>() / exact.iter().sum::<f64>();
        assert!(error < 0.3, "relative error {error}");
    }

    #[test]
    fn tiny_and_disconnected_graphs() {
        assert_eq!(betweenness(&Graph::from_edges(2, [(0, 1)]), 2, 0), [0.0, 0.0]);
        let two = Graph::from_edges(6, [(0, 1), (1, 2), (3, 4), (4, 5), (2, 2)]);
        let pairs = 10.0;
        assert_close(&betweenness(&two, 6, 0), &[0.0, 1.0 / pairs, 0.0, 0.0, 1.0 / pairs, 0.0]);
    }
}

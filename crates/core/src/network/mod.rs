//! The community network: who answers whom (the reply graph) and who is
//! named, @mentioned or recommended in others' posts (the pointer graph),
//! and the measures of an author's position in it: betweenness on the
//! union of both graphs, and the number of distinct people who point to
//! them. Pyramiding ([`pyramid`]) follows the pointers outward from one
//! person, as lead-user research does by asking people who the experts
//! are.

mod betweenness;
pub mod pointers;
pub mod pyramid;

pub use betweenness::betweenness;

/// An undirected graph without weights, self-loops or repeated edges, in
/// compressed sparse rows: 4 bytes per node and 8 per edge.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Where each node's neighbours start in `targets`; one more entry than
    /// there are nodes.
    offsets: Vec<u32>,
    /// The neighbours of every node, sorted, node after node.
    targets: Vec<u32>,
}

impl Graph {
    /// The graph of `n` nodes (0..n) joined by `edges`, in either
    /// direction; self-loops and repeats are dropped. Edges naming a node
    /// outside 0..n are ignored.
    pub fn from_edges(n: usize, edges: impl IntoIterator<Item = (u32, u32)>) -> Graph {
        let mut pairs: Vec<(u32, u32)> = edges
            .into_iter()
            .filter(|&(a, b)| a != b && (a as usize) < n && (b as usize) < n)
            .flat_map(|(a, b)| [(a, b), (b, a)])
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut offsets = vec![0u32; n + 1];
        for &(a, _) in &pairs {
            offsets[a as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        Graph { offsets, targets: pairs.into_iter().map(|(_, b)| b).collect() }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Whether the graph has no nodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of edges.
    pub fn edges(&self) -> usize {
        self.targets.len() / 2
    }

    /// The neighbours of `node`, sorted.
    pub fn neighbours(&self, node: u32) -> &[u32] {
        let i = node as usize;
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_symmetric_sorted_and_deduplicated() {
        let g = Graph::from_edges(4, [(0, 2), (2, 0), (1, 1), (0, 1), (3, 9)]);
        assert_eq!((g.len(), g.edges()), (4, 2));
        assert_eq!(g.neighbours(0), [1, 2]);
        assert_eq!(g.neighbours(2), [0]);
        assert!(g.neighbours(3).is_empty());
    }
}

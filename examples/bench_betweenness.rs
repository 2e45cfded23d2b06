//! Times sampled betweenness (the `network` component of the lead-user
//! score) on a generated reply network of a million authors, as large as
//! the biggest community dumps: each new author answers three earlier ones,
//! one drawn at random and two in proportion to how often they were
//! answered already (so a few are hubs, as in real forums).
//!
//! ```sh
//! cargo run --release --example bench_betweenness -- 1000000
//! ```
//! prints the graph's size, the time to build it and the time and the
//! number of sources of the betweenness estimate a scan makes on it.
//! `scripts/bench.sh` runs it under `/usr/bin/time` for the peak memory.

use leadminer_core::aggregate::BETWEENNESS_SOURCES;
use leadminer_core::network::{betweenness, Graph};
use std::time::Instant;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The reply edges of `n` authors, three answers per new author.
fn reply_network(n: usize) -> Vec<(u32, u32)> {
    let mut rng = Rng(0x6e74_776b);
    let mut edges: Vec<(u32, u32)> = Vec::with_capacity(3 * n);
    for node in 1..n as u32 {
        let earlier = node as usize;
        let answer = |to: u32, edges: &mut Vec<(u32, u32)>| {
            if to != node {
                edges.push((node, to));
            }
        };
        answer(rng.below(earlier) as u32, &mut edges);
        for _ in 0..2 {
            // An end of an earlier edge: drawn in proportion to degree.
            let to = if edges.is_empty() {
                0
            } else {
                let (a, b) = edges[rng.below(edges.len())];
                if rng.next() & 1 == 0 {
                    a
                } else {
                    b
                }
            };
            answer(to, &mut edges);
        }
    }
    edges
}

fn main() {
    let n: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 1_000_000,
        Some(Ok(n)) if n >= 3 => n,
        Some(_) => {
            eprintln!("usage: bench_betweenness [AUTHORS >= 3]");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let graph = Graph::from_edges(n, reply_network(n));
    let built = start.elapsed();
    let start = Instant::now();
    let bc = betweenness(&graph, BETWEENNESS_SOURCES, 1);
    let measured = start.elapsed();
    let top = bc.iter().copied().fold(0.0, f64::max);
    println!(
        "betweenness: {n} authors, {} reply pairs; graph built in {:.2} s; {BETWEENNESS_SOURCES} sampled sources in {:.2} s ({:.1} ms per source); highest {top:.5}",
        graph.edges(),
        built.as_secs_f64(),
        measured.as_secs_f64(),
        measured.as_secs_f64() * 1000.0 / BETWEENNESS_SOURCES as f64,
    );
}

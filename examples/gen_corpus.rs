//! Builds a benchmark corpus in the Reddit Pushshift comment format from the
//! real text of the shared corpora: real posts' bodies, real lengths, the
//! dump's field layout and year-to-year variations, and its `.zst` with a
//! 2 GiB window (`--long=31`, as Pushshift and Arctic Shift write them).
//!
//! ```sh
//! cargo run --release --example gen_corpus -- ../shared/corpora target/bench/RC_bench 200
//! ```
//! writes `target/bench/RC_bench.ndjson` (about 200 MB) and
//! `target/bench/RC_bench.ndjson.zst`. The output depends only on the
//! arguments.

use leadminer_core::pipeline::read_all;
use leadminer_core::read::ReadOptions;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// A small deterministic generator (xorshift64*), so corpora are
/// reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 3 {
        eprintln!("usage: gen_corpus CORPORA_DIR OUT_STEM SIZE_MB");
        std::process::exit(2);
    }
    let corpora = PathBuf::from(&args[0]);
    let out_stem = PathBuf::from(&args[1]);
    let size: u64 = args[2].parse::<u64>()? * 1_000_000;

    let inputs: Vec<PathBuf> = ["hackernews", "discourse-urho3d", "stackexchange", "mbox"]
        .iter()
        .map(|d| corpora.join(d))
        .filter(|p| p.exists())
        .collect();
    let (posts, _) = read_all(&inputs, &ReadOptions::default())?;
    let mut bodies: Vec<String> = posts
        .iter()
        .map(|p| match &p.title {
            Some(t) if p.body.is_empty() => t.clone(),
            _ => p.body.clone(),
        })
        .filter(|b| !b.trim().is_empty())
        .collect();
    bodies.sort();
    bodies.dedup();
    let authors: Vec<String> = {
        let mut a: Vec<String> = posts.iter().filter_map(|p| p.author.clone()).collect();
        a.sort();
        a.dedup();
        a
    };
    eprintln!("{} real texts from {} authors", bodies.len(), authors.len());

    if let Some(dir) = out_stem.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let plain_path = out_stem.with_extension("ndjson");
    let mut out = BufWriter::new(std::fs::File::create(&plain_path)?);
    let subs = ["DIY", "woodworking", "3Dprinting", "diabetes", "bikewrench", "homeautomation", "AskReddit", "programming"];
    let mut rng = Rng(0x5EED_1EAD_u64);
    let mut written = 0u64;
    let mut n = 0u64;
    let mut time = 1_420_070_400i64;
    while written < size {
        n += 1;
        time += rng.below(20) as i64;
        let body = &bodies[rng.below(bodies.len())];
        let author = if rng.below(50) == 0 { "[deleted]".to_string() } else { authors[rng.below(authors.len())].clone() };
        let sub = subs[rng.below(subs.len())];
        let link = format!("t3_{:x}", 1_000_000 + n / 40);
        let parent = if rng.below(3) == 0 { link.clone() } else { format!("t1_{:x}", 10_000_000 + n - 1 - rng.below(30) as u64) };
        // The year-to-year variations of real dumps.
        let created = if n % 2 == 0 { serde_json::json!(time.to_string()) } else { serde_json::json!(time) };
        let score = if rng.below(40) == 0 { serde_json::Value::Null } else { serde_json::json!(rng.below(200) as i64 - 5) };
        let edited = if rng.below(10) == 0 { serde_json::json!(time + 60) } else { serde_json::json!(false) };
        let record = serde_json::json!({
            "id": format!("{:x}", 10_000_000 + n),
            "author": author,
            "body": body.replace('>', "&gt;").replace('<', "&lt;"),
            "subreddit": sub,
            "created_utc": created,
            "score": score,
            "edited": edited,
            "parent_id": parent,
            "link_id": link,
            "controversiality": 0,
            "gilded": 0,
            "retrieved_on": 1_600_000_000,
        });
        let line = serde_json::to_string(&record)?;
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        written += line.len() as u64 + 1;
    }
    out.flush()?;
    drop(out);
    eprintln!("{}: {n} comments, {written} bytes", plain_path.display());

    let zst_path = PathBuf::from(format!("{}.zst", plain_path.display()));
    let mut encoder = zstd::stream::write::Encoder::new(std::fs::File::create(&zst_path)?, 3)?;
    encoder.long_distance_matching(true)?;
    encoder.window_log(31)?;
    encoder.multithread(2)?;
    std::io::copy(&mut std::fs::File::open(&plain_path)?, &mut encoder)?;
    encoder.finish()?;
    eprintln!("{}: {} bytes", zst_path.display(), std::fs::metadata(&zst_path)?.len());
    Ok(())
}

//! `leadminer pyramid`: from one person, follow whom they point to, then
//! whom those point to, through the pointers a scan found.

use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::network::pyramid::{pyramid, Reached};
use leadminer_core::output::POINTERS;
use leadminer_core::record::PointerRecord;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `leadminer pyramid`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  leadminer scan examples/data --out out && leadminer pyramid out --from ann\n      \
                        Whom ann points to, and whom they point to, three steps out\n  \
                        leadminer pyramid out --from Lumak --site discourse.urho3d.io --depth 1 --json\n      \
                        One step, on one site, as JSON lines")]
pub struct PyramidArgs {
    /// The folder of a scan (its pointers.jsonl is read).
    #[arg(value_name = "DIR")]
    dir: PathBuf,

    /// The person to start from (their name as in authors.jsonl).
    #[arg(long, value_name = "AUTHOR")]
    from: String,

    /// Only the person of this name on this site (as in authors.jsonl's
    /// `site`); every site by default.
    #[arg(long, value_name = "SITE")]
    site: Option<String>,

    /// How many steps to follow.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    depth: u16,

    /// Print JSON lines instead of a table.
    #[arg(long)]
    json: bool,
}

/// Reads a scan's pointer edges.
fn read_pointers(path: &std::path::Path) -> Result<Vec<PointerRecord>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read it (run `leadminer scan ... --out DIR` first)", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).with_context(|| format!("{}:{}: not a pointer record", path.display(), i + 1))
        })
        .collect()
}

/// Runs `leadminer pyramid`.
pub fn run(args: PyramidArgs) -> Result<ExitCode> {
    let path = args.dir.join(POINTERS);
    let pointers = read_pointers(&path)?;
    let reached = pyramid(&pointers, &args.from, args.site.as_deref(), usize::from(args.depth));
    if args.json {
        for r in &reached {
            println!("{}", serde_json::to_string(r)?);
        }
    } else {
        print_table(&reached);
    }
    if reached.is_empty() {
        eprintln!("note: {} points to nobody the scan could name ({} holds {} pointers)", args.from, path.display(), pointers.len());
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(reached: &[Reached]) {
    if reached.is_empty() {
        return;
    }
    println!("{:>5}  {:<24} {:<24} pointed to by (posts): phrase", "depth", "author", "site");
    for r in reached {
        let via: Vec<String> = r.via.iter().map(|v| format!("{} ({}): \"{}\"", v.from, v.posts.join(", "), v.text)).collect();
        println!(
            "{:>5}  {:<24} {:<24} {}",
            r.depth,
            crate::scan_cmd::truncate(&r.author, 24),
            crate::scan_cmd::truncate(&r.site, 24),
            via.join("; ")
        );
    }
}

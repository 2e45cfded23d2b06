//! Records the git commit the binary is built from (when built from a git
//! checkout) for `--version` and `summary.json`.

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=LEADMINER_COMMIT={commit}");
    // Rebuild when HEAD moves (a new commit, or another branch).
    for path in [".git/HEAD", ".git/index", ".git/refs/heads", ".git/packed-refs"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

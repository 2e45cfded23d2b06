//! `leadminer.toml`: defaults for the options of each subcommand, found
//! as ruff finds its configuration: the file named by `--config`, else
//! `leadminer.toml` in the current folder or the nearest parent that has
//! one; `--isolated` ignores it. The same file holds the plugin
//! configuration (`[[plugin]]`, `[plugins.NAME]`, docs/PLUGINS.md).
//!
//! ```toml
//! [scan]
//! rules = ["packs/"]          # paths are relative to this file
//! output-format = ["jsonl", "csv"]
//! min-score = 0.3
//! community = ["DIY", "3Dprinting"]
//!
//! [stats]
//! threads = 2
//! ```
//!
//! A table is named after its subcommand and its keys are the long option
//! names (`[plugins]` is the plugin configuration's, so the `plugins`
//! subcommand takes no defaults). Options on the command line win over the file's single values;
//! repeatable options (`rules`, `plugin`, `community`) add to them.

use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = "leadminer.toml";

/// Options whose values are paths, resolved against the file's folder.
const PATH_OPTIONS: &[&str] = &["rules", "plugin", "weights", "model", "out", "fixtures", "gold"];

/// `leadminer.toml` in `dir` or its nearest parent that has one.
pub fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

/// The value of `--config` on a command line (`--config F` or
/// `--config=F`), and whether `--isolated` is there.
fn scan_args(args: &[OsString]) -> (Option<PathBuf>, bool) {
    let mut config = None;
    let mut isolated = false;
    let mut iter = args.iter().skip(1);
    while let Some(a) = iter.next() {
        let text = a.to_string_lossy();
        if text == "--" {
            break;
        } else if text == "--isolated" {
            isolated = true;
        } else if text == "--config" {
            config = iter.next().map(PathBuf::from);
        } else if let Some(v) = text.strip_prefix("--config=") {
            config = Some(PathBuf::from(v));
        }
    }
    (config, isolated)
}

/// The command line with the configuration's defaults put in after the
/// subcommand's name (and `--config FILE` for a discovered file, where the
/// subcommand takes one). `command` is the parser, to find subcommands and
/// check option names.
pub fn with_defaults(args: Vec<OsString>, command: &clap::Command, cwd: &Path) -> Result<Vec<OsString>> {
    let (named, isolated) = scan_args(&args);
    if isolated && named.is_none() {
        return Ok(args);
    }
    let (file, discovered) = match named {
        Some(f) => (f, false),
        None => match find(cwd) {
            Some(f) => (f, true),
            None => return Ok(args),
        },
    };
    // The subcommand: the first argument that names one.
    let Some((at, sub)) = args
        .iter()
        .enumerate()
        .skip(1)
        .find_map(|(i, a)| command.find_subcommand(&*a.to_string_lossy()).map(|s| (i, s)))
    else {
        return Ok(args);
    };
    let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let doc: toml::Table = text.parse().with_context(|| format!("{}: not valid TOML", file.display()))?;
    let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut extra: Vec<OsString> = Vec::new();
    // `[plugins]` is the plugins' own configuration, not defaults for the
    // `plugins` subcommand.
    let defaults = doc.get(sub.get_name()).filter(|_| sub.get_name() != "plugins");
    if let Some(table) = defaults {
        let table = table
            .as_table()
            .with_context(|| format!("{}: [{}] must be a table", file.display(), sub.get_name()))?;
        for (key, value) in table {
            let known = sub.get_arguments().any(|a| a.get_long() == Some(key.as_str()));
            if !known {
                bail!("{}: [{}] has no option `{key}` (see `leadminer {} --help`)", file.display(), sub.get_name(), sub.get_name());
            }
            let values: Vec<&toml::Value> = match value {
                toml::Value::Array(items) => items.iter().collect(),
                v => vec![v],
            };
            for v in values {
                let flag = OsString::from(format!("--{key}"));
                match v {
                    toml::Value::Boolean(true) => extra.push(flag),
                    toml::Value::Boolean(false) => {}
                    toml::Value::String(s) if PATH_OPTIONS.contains(&key.as_str()) => {
                        extra.push(flag);
                        extra.push(base.join(s).into_os_string());
                    }
                    toml::Value::String(s) => extra.extend([flag, s.into()]),
                    toml::Value::Integer(i) => extra.extend([flag, i.to_string().into()]),
                    toml::Value::Float(f) => extra.extend([flag, f.to_string().into()]),
                    other => bail!("{}: [{}] `{key}`: {other} is not a string, number or boolean", file.display(), sub.get_name()),
                }
            }
        }
    }
    let takes_config = sub.get_arguments().any(|a| a.get_long() == Some("config"));
    if discovered && takes_config {
        extra.push("--config".into());
        extra.push(file.into_os_string());
    }
    let mut out = args;
    out.splice(at + 1..at + 1, extra);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction, Command};

    fn command() -> Command {
        Command::new("leadminer").subcommand(
            Command::new("scan")
                .args_override_self(true)
                .arg(Arg::new("min-score").long("min-score"))
                .arg(Arg::new("rules").long("rules").action(ArgAction::Append))
                .arg(Arg::new("no-report").long("no-report").action(ArgAction::SetTrue))
                .arg(Arg::new("config").long("config"))
                .arg(Arg::new("input")),
        )
    }

    fn strings(v: &[OsString]) -> Vec<String> {
        v.iter().map(|s| s.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn defaults_go_after_the_subcommand_and_paths_are_relative_to_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).expect("dirs");
        std::fs::write(
            dir.path().join(FILE_NAME),
            "[scan]\nmin-score = 0.5\nrules = [\"packs\"]\nno-report = true\n",
        )
        .expect("write");
        let args: Vec<OsString> = ["leadminer", "scan", "--min-score", "0.1", "x"].map(OsString::from).into();
        let out = with_defaults(args.clone(), &command(), &nested).expect("defaults");
        let file = dir.path().join(FILE_NAME).display().to_string();
        let packs = dir.path().join("packs").display().to_string();
        assert_eq!(
            strings(&out),
            ["leadminer", "scan", "--min-score", "0.5", "--no-report", "--rules", &packs, "--config", &file, "--min-score", "0.1", "x"]
        );
        let m = command().try_get_matches_from(&out).expect("parses");
        let (_, scan) = m.subcommand().expect("scan");
        assert_eq!(scan.get_one::<String>("min-score").map(String::as_str), Some("0.1"), "the command line wins");
        let mut isolated = args.clone();
        isolated.push("--isolated".into());
        assert_eq!(with_defaults(isolated.clone(), &command(), &nested).expect("ok"), isolated);
    }

    #[test]
    fn the_plugin_configuration_is_not_taken_for_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(FILE_NAME), "[plugins.maker]\nlevel = 2\n").expect("write");
        let command = Command::new("leadminer").subcommand(Command::new("plugins").arg(Arg::new("x")));
        let args: Vec<OsString> = ["leadminer", "plugins", "x"].map(OsString::from).into();
        assert_eq!(with_defaults(args.clone(), &command, dir.path()).expect("ok"), args);
    }

    #[test]
    fn an_unknown_option_names_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(FILE_NAME), "[scan]\nmin-scor = 0.5\n").expect("write");
        let args: Vec<OsString> = ["leadminer", "scan", "x"].map(OsString::from).into();
        let e = with_defaults(args, &command(), dir.path()).expect_err("unknown key");
        assert!(e.to_string().contains("leadminer.toml") && e.to_string().contains("min-scor"), "{e}");
    }
}

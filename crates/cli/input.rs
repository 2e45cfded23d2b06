//! Options shared by every command that reads dumps.

use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::pipeline::{PipelineOptions, Skips};
use leadminer_core::read::{expand_inputs, BodyFormat, FieldMap, Format, InputFile, ReadOptions, Registry};
use std::path::PathBuf;

/// The help of `--format`, listing the registered formats.
fn format_help() -> String {
    format!(
        "Read every input as this format instead of detecting it: {}",
        Registry::builtin().names()
    )
}

/// A size in bytes, with an optional KiB, MiB or GiB suffix.
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let scale: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        other => return Err(format!("unknown size unit '{other}' (use KiB, MiB or GiB)")),
    };
    let n: usize = digits.parse().map_err(|_| format!("'{s}' is not a size (for example 64MiB)"))?;
    n.checked_mul(scale).filter(|n| *n > 0).ok_or_else(|| format!("'{s}' is not a usable size"))
}

/// Inputs and how to read them.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Dump files or directories (read recursively). Compressed files
    /// (.zst, .gz, .xz, .bz2) are read directly.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Read every input as this format instead of detecting it (the help
    /// text lists the registered formats).
    #[arg(long, value_name = "FORMAT", help = format_help())]
    pub format: Option<Format>,

    /// Field mapping for jsonl and csv inputs, e.g.
    /// `body=text,author=user.name,created=ts`. Without it every post field
    /// (id, body, author, created, title, community, thread, parent, score,
    /// url, kind) reads the input field of the same name; each mapping
    /// overrides one of them, and `FIELD=` (empty) leaves one unread.
    #[arg(long, value_name = "MAPPING")]
    pub map: Option<String>,

    /// How jsonl and csv bodies are written: auto (HTML when the body holds
    /// HTML tags anywhere, else plain text), html, markdown or text.
    #[arg(long, value_name = "FORMAT", default_value_t = BodyFormat::Auto)]
    pub body_format: BodyFormat,

    /// Stop at the first bad record with a non-zero exit instead of
    /// skipping and counting it.
    #[arg(long)]
    pub strict: bool,

    /// The largest record read: a longer line, array element, XML row or
    /// document is skipped and counted (bytes, or with a KiB, MiB or GiB
    /// suffix).
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    pub max_record_size: usize,

    /// Worker threads (default: all cores). Output is the same for any value.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// Tells the user about the records a read skipped: with `--strict`, the
/// first one as an error and exit code 1 (returned); else a note on stderr
/// with the count and the first one (not with `--quiet`).
pub fn report_skips(skips: &Skips, read: &ReadOptions) -> Option<std::process::ExitCode> {
    if let Some(e) = skips.stopped(read) {
        eprintln!("leadminer: error: {e}");
        eprintln!("leadminer: stopped at the first bad record (--strict)");
        return Some(std::process::ExitCode::from(1));
    }
    if let (Some(first), false) = (&skips.first, crate::ui::quiet()) {
        eprintln!("note: {} records skipped, the first: {first} (--strict stops at the first)", skips.count);
    }
    None
}

impl InputArgs {
    /// The expanded list of files; what was left out (a file named twice,
    /// a link loop) is noted on stderr.
    pub fn files(&self) -> Result<Vec<InputFile>> {
        let expanded = expand_inputs(&self.inputs)?;
        for left_out in &expanded.left_out {
            eprintln!("note: not read: {left_out}");
        }
        Ok(expanded.files)
    }

    /// Reading options.
    pub fn read_options(&self) -> Result<ReadOptions> {
        let map = match &self.map {
            Some(spec) => Some(
                spec.parse::<FieldMap>()
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .with_context(|| format!("invalid --map '{spec}'"))?,
            ),
            None => None,
        };
        Ok(ReadOptions {
            format: self.format,
            map,
            body_format: self.body_format,
            strict: self.strict,
            registry: Registry::builtin().clone(),
            max_record: self.max_record_size,
            progress: None,
        })
    }

    /// The reading options as `name=value` pairs, for a scan's summary
    /// (the thread count is left out: it does not change results).
    pub fn described(&self) -> Vec<(String, String)> {
        let mut out = vec![(
            "inputs".to_string(),
            self.inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" "),
        )];
        if let Some(f) = &self.format {
            out.push(("format".into(), f.name().to_string()));
        }
        if let Some(m) = &self.map {
            out.push(("map".into(), m.clone()));
        }
        out.push(("body-format".into(), self.body_format.to_string()));
        out.push(("strict".into(), self.strict.to_string()));
        out.push(("max-record-size".into(), self.max_record_size.to_string()));
        out
    }

    /// Pipeline options.
    pub fn pipeline_options(&self) -> PipelineOptions {
        let mut options = PipelineOptions { interrupt: Some(crate::interrupt::flag()), ..PipelineOptions::default() };
        if let Some(n) = self.threads {
            options.threads = usize::from(n);
        }
        options
    }
}

//! Options shared by every command that reads dumps.

use anyhow::{Context, Result};
use clap::Args;
use leadminer_core::pipeline::PipelineOptions;
use leadminer_core::read::{expand_inputs, BodyFormat, FieldMap, Format, InputFile, ReadOptions, Registry};
use std::path::PathBuf;

/// The help of `--format`, listing the registered formats.
fn format_help() -> String {
    format!(
        "Read every input as this format instead of detecting it: {}",
        Registry::builtin().names()
    )
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

    /// Worker threads (default: all cores). Output is the same for any value.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
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
        })
    }

    /// Pipeline options.
    pub fn pipeline_options(&self) -> PipelineOptions {
        let mut options = PipelineOptions::default();
        if let Some(n) = self.threads {
            options.threads = n.max(1);
        }
        options
    }
}

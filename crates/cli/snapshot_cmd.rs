//! `leadminer snapshot`: a stable rendering of detections for review and
//! snapshot tests.

use crate::analysis_args::AnalysisArgs;
use crate::input::InputArgs;
use anyhow::Result;
use clap::Args;
use leadminer_core::model::Post;
use leadminer_core::pipeline;
use leadminer_core::scan::Filters;
use leadminer_core::snapshot::render;
use std::process::ExitCode;

/// Arguments of `leadminer snapshot`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  leadminer snapshot examples/data > detections.txt\n      A stable rendering of every detection, for review or a snapshot test")]
pub struct SnapshotArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    analysis: AnalysisArgs,
}

/// Runs `leadminer snapshot`.
pub fn run(args: SnapshotArgs) -> Result<ExitCode> {
    let scanner = args.analysis.scanner(Filters::default())?;
    let files = args.input.files()?;
    let read = args.input.read_options()?;
    let mut posts: Vec<Post> = Vec::new();
    let skips = pipeline::for_each_post(&files, &read, &args.input.pipeline_options(), Some, |post| {
        posts.push(post);
        true
    });
    if let Some(code) = crate::input::report_skips(&skips, &read) {
        return Ok(code);
    }
    print!("{}", render(&scanner.analysis, &scanner.weights, &posts));
    Ok(ExitCode::SUCCESS)
}

//! `leadminer snapshot`: a stable rendering of detections for review and
//! snapshot tests.

use crate::analysis_args::AnalysisArgs;
use crate::input::InputArgs;
use anyhow::Result;
use clap::Args;
use leadminer_core::model::Post;
use leadminer_core::pipeline::{self, parse_block, Parsed};
use leadminer_core::scan::Filters;
use leadminer_core::snapshot::render;
use std::process::ExitCode;

/// Arguments of `leadminer snapshot`.
#[derive(Args, Debug)]
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
    pipeline::run(
        &files,
        &read,
        &args.input.pipeline_options(),
        || (),
        |_, block| {
            parse_block(block)
                .into_iter()
                .filter_map(|p| match p {
                    Parsed::Post(post) => Some(post),
                    _ => None,
                })
                .collect::<Vec<_>>()
        },
        |batch| {
            posts.extend(batch);
            true
        },
    );
    print!("{}", render(&scanner.analysis, &scanner.weights, &posts));
    Ok(ExitCode::SUCCESS)
}

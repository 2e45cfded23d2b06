//! End-to-end tests: the real `leadminer` binary on real files.
//!
//! Tests over `../shared/corpora` (the development corpora beside the
//! repository) run when that folder exists and print a SKIPPED line when it
//! does not; set `LEADMINER_CORPORA` to point elsewhere.

mod cli;
mod common;
mod interrupt;
mod lead_users;
mod learn;
mod scan;
mod plugins;
mod report;
mod rerank;
mod rules;
mod stats;

//! leadminer's core: the document model, readers for community dumps, the
//! analyzer pipeline, scoring and aggregation, and outputs.

pub mod analyze;
pub mod eval;
pub mod fixtures;
pub mod model;
pub mod pipeline;
pub mod read;
pub mod rules;
pub mod scan;
pub mod score;
pub mod snapshot;
pub mod stats;
pub mod text;

pub use model::{Post, PostKind, Region, RegionKind, Source};

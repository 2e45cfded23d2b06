//! Trends: what the need and solution posts of each community are about
//! over time ([`keyphrases`](mod@keyphrases)), which topics are rising, and who was early
//! on them ([`topics`]).

pub mod keyphrases;
pub mod topics;

pub use keyphrases::{keyphrases, Keyphrase};
pub use topics::{TopicTable, Trends};

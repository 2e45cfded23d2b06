//! Turning source markup (HTML, Reddit markdown, mail text) into readable
//! plain text with stand-off quote and code regions.

pub mod builder;
pub mod html;
pub mod markdown;
pub mod plain;

pub use builder::{Text, TextBuilder};

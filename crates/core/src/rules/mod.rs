//! Rule packs: analyzers written as data (TOML), compiled together into one
//! [`RuleEngine`]. The built-in lexicons ship as packs in `rules/` at the
//! repository root; users read, copy and change them like any other pack.

pub mod builtin;
pub mod check;
pub mod engine;
pub mod matcher;
pub mod pack;
pub mod pattern;
pub mod prefilter;
pub mod suppress;

pub use engine::{Rule, RuleEngine};
pub use pack::{Pack, PackError, Suppressor};

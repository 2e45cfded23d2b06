//! Rule packs: analyzers written as data (TOML), compiled together into one
//! [`RuleEngine`]. The built-in lexicons ship as packs in
//! `crates/core/rules/` (compiled into the binary, see [`builtin`]); users
//! read, copy and change them like any other pack, and every pack is
//! checked by [`check`] before it runs.

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

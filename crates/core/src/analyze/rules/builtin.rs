//! The built-in rule packs, compiled into the binary from `rules/`.

use super::pack::{Pack, PackError};

/// (file name, source) of every built-in pack.
pub const PACKS: &[(&str, &str)] = &[
    ("solution.toml", include_str!("../../../rules/solution.toml")),
    ("need.toml", include_str!("../../../rules/need.toml")),
    ("commercial.toml", include_str!("../../../rules/commercial.toml")),
    ("sharing.toml", include_str!("../../../rules/sharing.toml")),
    ("response.toml", include_str!("../../../rules/response.toml")),
];

/// (file name, source) of the fixtures of every built-in pack, in the
/// order of [`PACKS`]: `leadminer test` without arguments runs them.
pub const FIXTURES: &[(&str, &str)] = &[
    ("solution.fixtures.txt", include_str!("../../../rules/solution.fixtures.txt")),
    ("need.fixtures.txt", include_str!("../../../rules/need.fixtures.txt")),
    ("commercial.fixtures.txt", include_str!("../../../rules/commercial.fixtures.txt")),
    ("sharing.fixtures.txt", include_str!("../../../rules/sharing.fixtures.txt")),
    ("response.fixtures.txt", include_str!("../../../rules/response.fixtures.txt")),
];

/// Whether a pack is an exact copy of a built-in pack (the repository's
/// `crates/core/rules/*.toml`): its rules are already loaded.
pub fn is_copy(pack: &Pack) -> bool {
    PACKS.iter().any(|(_, src)| *src == pack.source)
}

/// Parses the built-in packs.
pub fn packs() -> Result<Vec<Pack>, PackError> {
    PACKS
        .iter()
        .map(|(name, src)| Pack::parse(format!("builtin:rules/{name}"), *src))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn builtin_packs_compile() {
        let packs = super::packs().expect("built-in packs parse");
        let engine = crate::analyze::rules::RuleEngine::new(&packs).expect("built-in packs compile");
        assert!(engine.rules().len() > 20);
    }
}

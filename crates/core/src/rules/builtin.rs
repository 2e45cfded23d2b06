//! The built-in rule packs, compiled into the binary from `rules/`.

use super::pack::{Pack, PackError};

/// (file name, source) of every built-in pack.
pub const PACKS: &[(&str, &str)] = &[
    ("solution.toml", include_str!("../../rules/solution.toml")),
    ("need.toml", include_str!("../../rules/need.toml")),
    ("commercial.toml", include_str!("../../rules/commercial.toml")),
    ("sharing.toml", include_str!("../../rules/sharing.toml")),
    ("response.toml", include_str!("../../rules/response.toml")),
];

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
        let engine = crate::rules::RuleEngine::new(&packs).expect("built-in packs compile");
        assert!(engine.rules().len() > 20);
    }
}

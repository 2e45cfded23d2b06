//! `made-my-own`: finds authors who say they built something because
//! nothing on the market did the job ("couldn't find one, so I built ...").

use leadminer_plugin::{Plugin, Post, Signals, export_plugin};

/// Phrases that tie a missing product to a self-built solution, lower case.
const PHRASES: &[&str] = &[
    "so i built",
    "so i made",
    "so i wrote",
    "so i designed",
    "ended up building",
    "ended up making",
    "decided to build",
    "decided to make",
    "built my own",
    "made my own",
];

/// The plugin: its options, parsed once.
pub struct MadeMyOwn {
    weight: f32,
}

impl Plugin for MadeMyOwn {
    const NAME: &'static str = "made-my-own";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const KINDS: &'static [&'static str] = &["made_my_own"];
    // A post without any of these is skipped before analysis.
    const TRIGGERS: Option<&'static [&'static str]> = Some(&["so i ", "ended up", "decided to", "my own"]);

    /// `config` is the TOML text of `[plugins.made-my-own]`; one option:
    /// `weight = 0.6`.
    fn new(config: &str) -> Result<Self, String> {
        let mut weight = 0.6;
        for line in config.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match line.split_once('=') {
                Some((key, value)) if key.trim() == "weight" => {
                    weight = value.trim().parse().map_err(|_| format!("weight: not a number: {value}"))?;
                    if !(weight > 0.0 && weight <= 1.0) {
                        return Err("weight must be in (0, 1]".to_string());
                    }
                }
                _ => return Err(format!("unknown option: {line}")),
            }
        }
        Ok(MadeMyOwn { weight })
    }

    fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String> {
        // ASCII lower-casing keeps every byte offset.
        let lower = post.text().to_ascii_lowercase();
        for phrase in PHRASES {
            for (at, _) in lower.match_indices(phrase) {
                let range = at..at + phrase.len();
                // Skip what the author quoted from others, and code.
                if post.is_own_prose(range.clone()) {
                    out.emit("made_my_own", phrase, range, self.weight);
                }
            }
        }
        Ok(())
    }
}

export_plugin!(MadeMyOwn);

#[cfg(test)]
mod tests {
    use super::*;
    use leadminer_plugin::testing::{TestPost, run};

    #[test]
    fn finds_the_phrase_and_skips_quotes() {
        let plugin = MadeMyOwn::new("weight = 0.8").unwrap();
        let post = TestPost::with_title("Shelf", "Nothing fit, so I built one from scrap.");
        let found = run(&plugin, &post).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, "so I built");
        assert_eq!(found[0].weight, 0.8);

        let quoted = TestPost::from_fixture("> so I built one\nnice!");
        assert!(run(&plugin, &quoted).unwrap().is_empty());
    }

    #[test]
    fn rejects_bad_options() {
        assert!(MadeMyOwn::new("weight = 7").is_err());
        assert!(MadeMyOwn::new("colour = 1").is_err());
    }
}

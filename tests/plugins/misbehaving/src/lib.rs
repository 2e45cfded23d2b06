//! `misbehaving`: a plugin for leadminer's tests that breaks the rules on
//! request. Its option `mode` (in `[plugins.misbehaving]`) picks how:
//!
//! | mode | what it does |
//! |---|---|
//! | `ok` (default) | a `test` signal on every "hello" |
//! | `panic` | panics on posts containing "boom", works on others |
//! | `panic-quiet` | the same, without the panic message on stderr |
//! | `panic-new` | panics while being created |
//! | `refuse` | refuses to be created |
//! | `error` | returns an error on posts containing "bad" |
//! | `out-of-range` | emits a span past the end of the text |
//! | `undeclared` | emits a signal of a kind it did not declare |
//! | `split-char` | emits a span that ends inside a character |
//! | `nan` | emits a signal with a NaN weight |
//! | `flood` | emits a million signals |

use leadminer_plugin::{export_plugin, Plugin, Post, Signals};

/// The misbehaving plugin.
#[derive(Debug)]
pub struct Misbehaving {
    mode: String,
}

/// The `mode` option of a TOML text (`mode = "panic"`); the plugin crate
/// stays dependency-free, so this reads the one line it needs.
fn mode(config: &str) -> Option<String> {
    config.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "mode").then(|| value.trim().trim_matches(['"', '\'']).to_string())
    })
}

impl Plugin for Misbehaving {
    const NAME: &'static str = "misbehaving";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const KINDS: &'static [&'static str] = &["test"];

    fn new(config: &str) -> Result<Self, String> {
        let mode = mode(config).unwrap_or_else(|| "ok".to_string());
        match mode.as_str() {
            "panic-new" => panic!("misbehaving panics in new as asked"),
            "refuse" => Err("refusing to start as asked".to_string()),
            "panic-quiet" => {
                // This library has its own copy of std: the hook is its own.
                std::panic::set_hook(Box::new(|_| {}));
                Ok(Misbehaving { mode: "panic".to_string() })
            }
            "ok" | "panic" | "error" | "out-of-range" | "undeclared" | "split-char" | "nan" | "flood" => {
                Ok(Misbehaving { mode })
            }
            other => Err(format!("unknown mode '{other}'")),
        }
    }

    fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String> {
        let text = post.text();
        let len = text.len();
        match self.mode.as_str() {
            "panic" if text.contains("boom") => panic!("boom in post {}", post.id()),
            "error" if text.contains("bad") => return Err(format!("cannot handle post {}", post.id())),
            "out-of-range" => out.emit("test", "test.out-of-range", 0..len + 10, 0.5),
            "undeclared" => out.emit("other", "test.undeclared", 0..len.min(1), 0.5),
            "split-char" => {
                if let Some((at, c)) = text.char_indices().find(|(_, c)| c.len_utf8() > 1) {
                    out.emit("test", "test.split-char", at..at + c.len_utf8() - 1, 0.5);
                }
            }
            "nan" => out.emit("test", "test.nan", 0..len.min(1), f32::NAN),
            "flood" => {
                for _ in 0..1_000_000 {
                    out.emit("test", "test.flood", 0..len.min(1), 0.5);
                }
            }
            _ => {}
        }
        for (at, _) in text.match_indices("hello") {
            out.emit("test", "test.hello", at..at + 5, 0.5);
        }
        Ok(())
    }
}

export_plugin!(Misbehaving);

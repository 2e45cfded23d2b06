//! `maker-hardware`: a leadminer analyzer plugin for hardware that users
//! make for themselves — 3D-printed parts, Arduino, Raspberry Pi and ESP32
//! builds, jigs and fixtures, mods and retrofits, soldering and custom
//! firmware, and the design files they share.
//!
//! Kind: `maker_solution`.
//!
//! Verbs like *designed*, *modified* or *hacked* are as common in software
//! and office talk as in a workshop, so the rules built on them fire only
//! in posts with maker context (a 3D printer, a filament, a
//! microcontroller, soldering, a jig, CAD tools ...). Matches in quoted
//! text and code are skipped.
//!
//! Options (`[plugins.maker-hardware]`):
//!
//! ```toml
//! include_quotes = false          # also match inside quoted text
//! disabled_rules = ["files-shared"]
//! ```

use leadminer_plugin::{export_plugin, Plugin, Post, Signals};
use regex::Regex;
use serde::Deserialize;
use std::ops::Range;

/// The signal kind.
const KIND: &str = "maker_solution";

/// Microcontrollers and single-board computers.
const MCU: &str = r"(?:arduino(?:\s+(?:nano|uno|mega|pro\s+micro|leonardo))?|raspberry\s*pi(?:\s*(?:zero|pico|[2-5]))?|rpi|pi\s*(?:zero|pico)|esp32(?:-?[a-z]\d)?|esp8266|esp-?01|nodemcu|wemos(?:\s+d1)?|teensy|attiny\d*|atmega\d*|stm32|rp2040|microcontroller|micro:bit|microbit|beaglebone|adafruit\s+feather|particle\s+photon|seeed\s+xiao)";

/// Parts one prints, machines or cuts.
const PARTS: &str = r"(?:brackets?|mounts?|adapt[eo]rs?|cases?|enclosures?|housings?|jigs?|holders?|clips?|knobs?|spacers?|gears?|hinges?|parts?|replacements?|covers?|stands?|hooks?|handles?|shims?|inserts?|fixtures?|organi[sz]ers?|trays?|caps?|latch(?:es)?|ducts?|shrouds?|nozzles?|feet|foot|grips?|buttons?|lids?|bushings?|pulleys?|couplers?|guards?|boxes|box|bezels?|panels?)";

/// Build verbs.
const BUILD: &str = r"(?:built|made|wired|hooked\s+up|programmed|put\s+together|hacked\s+together|cobbled\s+together|threw\s+together|designed|rigged|knocked\s+up|created|developed|assembled|coded)";

/// Words between the subject and the verb: "I just finally built".
const ADVERBS: &str = r"(?:\s+(?:have|had|just|finally|actually|also|then|eventually|even|recently|basically|quickly|simply|myself|ended\s+up))*";

/// One character of the same sentence: not `.`, `!`, `?` or a line break.
/// Rules match on the text with line breaks inside paragraphs joined (see
/// [`join_lines`]), so a sentence may wrap.
const GAP: &str = r"[^.!?\n]";

/// The author: I, we, I've, we've.
const SUBJECT: &str = r"\b(?:i|we)(?:['’]ve|['’]d)?";

/// Words that make a post a maker post.
const CONTEXT: &str = r"\b(?:3d[- ]?print(?:er|ers|ing|ed|s)?|filament|petg|slicer|prusa|ender[- ]?\d|bambu|voron|solder(?:ing|ed)?|breadboard|pcb|fusion\s?360|onshape|openscad|tinkercad|freecad|gcode|g-code|cnc|laser[- ]cut(?:ter)?|lathe|drill\s+press|band\s?saw|table\s+saw|router|jigs?|woodworking|workshop|multimeter|oscilloscope|firmware|relays?|servos?|steppers?|led\s+strips?|neopixels?|ws2812b?|wiring|schematics?)\b|\b{MCU}\b";

/// Rules: (name, weight, needs maker context, pattern). `{MCU}`,
/// `{PARTS}`, `{BUILD}`, `{ADVERBS}`, `{GAP}` and `{SUBJECT}` are replaced before
/// compiling.
const RULES: &[(&str, f32, bool, &str)] = &[
    // "I designed and printed a bracket for the shelf"
    (
        "printed-part",
        0.7,
        true,
        r"{SUBJECT}{ADVERBS}\s+(?:designed\s+and\s+)?(?:3d[\s-]?printed|printed|designed|modell?ed|cnc['’]?d|laser[- ]cut|machined|milled)\s+(?:a|an|some|my|the|two|three|\d+|custom|new|replacement|little|simple)\b{GAP}{0,60}?\b{PARTS}\b",
    ),
    // "printed it in PETG"
    (
        "printed-material",
        0.6,
        false,
        r"\b(?:3d[- ]?)?printed\s+(?:it|them|one|mine|this|these|the\s+[\w-]+)\s+(?:in|with|out\s+of|from)\s+(?:pla\+?|petg|abs|asa|tpu|nylon|resin|polycarbonate|carbon\s+fiber)\b",
    ),
    // "I built a plant waterer with an ESP32"
    ("microcontroller-build", 0.8, false, r"{SUBJECT}{ADVERBS}\s+{BUILD}\b{GAP}{0,80}?\b{MCU}\b"),
    // "an Arduino-based controller"
    (
        "microcontroller-based",
        0.5,
        false,
        r"\b{MCU}[- ](?:based|powered|controlled|driven)\b|\b(?:based|running)\s+on\s+(?:an?\s+)?{MCU}\b",
    ),
    // "I flashed Tasmota on the plug"
    (
        "custom-firmware",
        0.6,
        false,
        r"{SUBJECT}{ADVERBS}\s+(?:flashed|wrote|compiled|patched|ported|modified)\b{GAP}{0,40}?\b(?:custom\s+firmware|(?:my\s+own|new)\s+firmware|tasmota|esphome|wled|marlin|klipper|openwrt|qmk|zmk|openbeken|espurna)\b",
    ),
    // "I made a crosscut sled", "we built a drilling jig"
    (
        "jig-fixture",
        0.6,
        true,
        r"{SUBJECT}{ADVERBS}\s+(?:made|built|knocked\s+up|threw\s+together|put\s+together|cut|designed|printed|3d[\s-]?printed|whipped\s+up)\s+(?:(?:a|an|my\s+own|some|two|three)\s+)?(?:[\w-]+\s+){0,2}?(?:jigs?|fixtures?|sleds?|featherboards?|drill\s+guides?|router\s+tables?|stop\s+blocks?|cauls?)\b",
    ),
    // "I modded my Ender 3", "we retrofitted the old lathe"
    (
        "mod-retrofit",
        0.6,
        true,
        r"{SUBJECT}{ADVERBS}\s+(?:modded|modified|retrofitted|converted|upgraded|rewired|hacked|swapped(?:\s+out)?)\s+(?:my|our|the|an?|this|his|her)(?:\s+[\w-]+){1,3}",
    ),
    // "I soldered a new header on"
    (
        "soldering",
        0.6,
        false,
        r"{SUBJECT}{ADVERBS}\s+(?:soldered|de-?soldered|re-?soldered|bodged|breadboarded|crimped|spliced|etched|reflowed)\b(?:\s+[\w-]+){0,4}",
    ),
    // "STL files are on Printables"
    (
        "files-shared",
        0.4,
        false,
        r"\b(?:stl|3mf|gcode|g-code|gerber|kicad|fusion\s?360|onshape|openscad|freecad|tinkercad|pcb)\s+(?:files?|models?|designs?|projects?|layouts?)\b|\b(?:thingiverse|printables|cults3d|makerworld|hackaday\.io|oshwlab|easyeda)\b",
    ),
];

/// Most signals of one rule per post.
const MAX_PER_RULE: usize = 5;

/// Words a highlight should not end with.
const TRAILING: &[&str] =
    &["a", "an", "and", "for", "from", "in", "it", "my", "of", "on", "out", "so", "that", "the", "to", "which", "with"];

/// The maker hardware analyzer.
#[derive(Debug)]
pub struct MakerHardware {
    rules: Vec<Rule>,
    context: Regex,
    include_quotes: bool,
}

#[derive(Debug)]
struct Rule {
    name: &'static str,
    weight: f32,
    needs_context: bool,
    regex: Regex,
}

/// The plugin's options.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    include_quotes: bool,
    disabled_rules: Vec<String>,
}

/// Expands placeholders, makes the pattern case-insensitive and its word
/// boundaries ASCII (Unicode `\b` is slow and the vocabulary is ASCII).
fn compile(pattern: &str) -> Result<Regex, String> {
    let expanded = pattern
        .replace("{MCU}", MCU)
        .replace("{PARTS}", PARTS)
        .replace("{BUILD}", BUILD)
        .replace("{ADVERBS}", ADVERBS)
        .replace("{GAP}", GAP)
        .replace("{SUBJECT}", SUBJECT)
        .replace(r"\b", r"(?-u:\b)");
    Regex::new(&format!("(?i){expanded}")).map_err(|e| format!("invalid pattern: {e}"))
}

/// Drops trailing stop words from a match: "I modded my printer with" becomes
/// "I modded my printer".
fn trim_span(text: &str, mut range: Range<usize>) -> Range<usize> {
    while let Some(span) = text.get(range.clone()) {
        let Some((head, last)) = span.rsplit_once(char::is_whitespace) else {
            break;
        };
        if !TRAILING.iter().any(|w| last.eq_ignore_ascii_case(w)) {
            break;
        }
        range.end = range.start + head.trim_end().len();
    }
    range
}

/// The text with every line break inside a paragraph turned into a space,
/// so wrapped sentences match. Byte offsets stay the same: one byte for
/// one byte. Blank lines (paragraph breaks) are kept.
fn join_lines(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_newline_near = |mut i: usize, step: isize| loop {
        i = match i.checked_add_signed(step) {
            Some(j) if j < bytes.len() => j,
            _ => return false,
        };
        match bytes[i] {
            b'\r' => continue,
            b => return b == b'\n',
        }
    };
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let joined = c == '\n' && !is_newline_near(i, -1) && !is_newline_near(i, 1);
        out.push(if joined { ' ' } else { c });
    }
    out
}

/// The names of all rules.
pub fn rule_names() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.0)
}

impl Plugin for MakerHardware {
    const NAME: &'static str = "maker-hardware";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const KINDS: &'static [&'static str] = &[KIND];
    const TRIGGERS: Option<&'static [&'static str]> = Some(&[
        // maker context
        "3d print",
        "3d-print",
        "3dprint",
        "filament",
        "petg",
        "slicer",
        "prusa",
        "ender",
        "bambu",
        "voron",
        "solder",
        "breadboard",
        "pcb",
        "fusion 360",
        "fusion360",
        "onshape",
        "openscad",
        "tinkercad",
        "freecad",
        "gcode",
        "g-code",
        "cnc",
        "laser cut",
        "laser-cut",
        "lathe",
        "drill press",
        "bandsaw",
        "band saw",
        "table saw",
        "router",
        "jig",
        "woodworking",
        "workshop",
        "multimeter",
        "oscilloscope",
        "firmware",
        "relay",
        "servo",
        "stepper",
        "led strip",
        "neopixel",
        "ws2812",
        "wiring",
        "schematic",
        // microcontrollers
        "arduino",
        "raspberry",
        "rpi",
        "pi zero",
        "pi pico",
        "esp32",
        "esp8266",
        "esp-01",
        "esp01",
        "nodemcu",
        "wemos",
        "teensy",
        "attiny",
        "atmega",
        "stm32",
        "rp2040",
        "microcontroller",
        "micro:bit",
        "microbit",
        "beaglebone",
        "adafruit feather",
        "particle photon",
        "seeed xiao",
        // rules without context
        "printed",
        "tasmota",
        "esphome",
        "wled",
        "marlin",
        "klipper",
        "openwrt",
        "qmk",
        "zmk",
        "openbeken",
        "espurna",
        "bodged",
        "crimped",
        "spliced",
        "etched",
        "reflowed",
        "stl",
        "3mf",
        "gerber",
        "kicad",
        "thingiverse",
        "printables",
        "cults3d",
        "makerworld",
        "hackaday.io",
        "oshwlab",
        "easyeda",
    ]);

    fn new(config: &str) -> Result<Self, String> {
        let options: Options = toml::from_str(config).map_err(|e| format!("invalid options: {}", e.message()))?;
        for name in &options.disabled_rules {
            if !rule_names().any(|r| r == name) {
                let all: Vec<&str> = rule_names().collect();
                return Err(format!("unknown rule '{name}' in disabled_rules (rules: {})", all.join(", ")));
            }
        }
        let mut rules = Vec::new();
        for &(name, weight, needs_context, pattern) in RULES {
            if options.disabled_rules.iter().any(|d| d == name) {
                continue;
            }
            let regex = compile(pattern).map_err(|e| format!("rule {name}: {e}"))?;
            rules.push(Rule { name, weight, needs_context, regex });
        }
        let context = compile(CONTEXT)?;
        Ok(MakerHardware { rules, context, include_quotes: options.include_quotes })
    }

    fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String> {
        let text = post.text();
        let joined = join_lines(text);
        let counts = |range: &Range<usize>| {
            !post.is_code(range.clone()) && (self.include_quotes || !post.is_quoted(range.clone()))
        };
        let has_context = self.context.find_iter(&joined).any(|m| counts(&m.range()));
        for rule in &self.rules {
            if rule.needs_context && !has_context {
                continue;
            }
            let found = rule
                .regex
                .find_iter(&joined)
                .map(|m| trim_span(&joined, m.range()))
                .filter(|r| counts(r) && !r.is_empty());
            for range in found.take(MAX_PER_RULE) {
                out.emit(KIND, rule.name, range, rule.weight);
            }
        }
        Ok(())
    }
}

export_plugin!(MakerHardware);

#[cfg(test)]
mod tests {
    use super::*;
    use leadminer_plugin::testing::{run, TestPost};

    fn found(text: &str) -> Vec<(String, String)> {
        let plugin = MakerHardware::new("").expect("default options");
        run(&plugin, &TestPost::new(text)).expect("valid signals").into_iter().map(|d| (d.rule, d.text)).collect()
    }

    fn rules(text: &str) -> Vec<String> {
        found(text).into_iter().map(|(r, _)| r).collect()
    }

    #[test]
    fn builds() {
        assert_eq!(
            found("I finally built a plant waterer with an ESP32 and a relay."),
            [("microcontroller-build".to_string(), "I finally built a plant waterer with an ESP32".to_string())]
        );
        assert!(rules("I designed and printed a bracket for the shelf on my Prusa.").contains(&"printed-part".into()));
        assert!(rules("Then I printed it in PETG").contains(&"printed-material".into()));
        assert!(rules("It's an Arduino-based controller").contains(&"microcontroller-based".into()));
        assert!(rules("I flashed Tasmota on every plug").contains(&"custom-firmware".into()));
        assert!(rules("We built a crosscut sled for the table saw.").contains(&"jig-fixture".into()));
        assert!(rules("I modded my Ender 3 with a direct drive").contains(&"mod-retrofit".into()));
        assert!(rules("I soldered a new USB-C port on").contains(&"soldering".into()));
        assert!(rules("STL files are on Printables").contains(&"files-shared".into()));
    }

    #[test]
    fn software_and_office_talk_is_not_maker_work() {
        for text in [
            "I designed a case study for the client.",
            "I modified the query and it runs faster.",
            "I built a fixture for the unit tests.",
            "We hacked the budget spreadsheet.",
            "I printed a shipping label.",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn span_trimming() {
        assert_eq!(trim_span("I modded my printer with", 0..24), 0..19);
        assert_eq!(trim_span("a the", 0..5), 0..1);
        assert_eq!(trim_span("word", 0..4), 0..4);
    }

    #[test]
    fn lines_are_joined_within_paragraphs() {
        assert_eq!(join_lines("a\nb\n\nc\r\n\r\nd\r\ne\n"), "a b\n\nc\r\n\r\nd\r e ");
        assert_eq!(join_lines("é\nü"), "é ü");
    }

    #[test]
    fn options() {
        let p = MakerHardware::new("disabled_rules = [\"files-shared\"]").expect("options");
        assert!(run(&p, &TestPost::new("on Thingiverse")).expect("runs").is_empty());
        assert!(MakerHardware::new("disabled_rules = [\"x\"]").is_err_and(|e| e.contains("unknown rule 'x'")));
        assert!(MakerHardware::new("x = 1").is_err_and(|e| e.contains("unknown field")));
        let quoted = TestPost::new("> I soldered it\nok").quote(0..15);
        assert!(run(&MakerHardware::new("").expect("options"), &quoted).expect("runs").is_empty());
        let with_quotes = MakerHardware::new("include_quotes = true").expect("options");
        assert!(!run(&with_quotes, &quoted).expect("runs").is_empty());
    }

    /// Every text a rule matches contains a trigger, so the prefilter never
    /// hides a post the plugin would find something in.
    #[test]
    fn triggers_cover_every_rule() {
        let triggers = MakerHardware::TRIGGERS.expect("has triggers");
        let samples = [
            ("I printed a bracket", "on my 3D printer"),
            ("I machined a new handle", "on the lathe"),
            ("printed it in ASA", ""),
            ("I built a clock with a Pi Zero", ""),
            ("I wired a doorbell to a NodeMCU", ""),
            ("I made it with a Seeed Xiao", ""),
            ("a micro:bit-powered robot", ""),
            ("running on a BeagleBone", ""),
            ("I flashed QMK", ""),
            ("we made a drill guide", "jig"),
            ("I upgraded my bandsaw", ""),
            ("I bodged a wire", ""),
            ("I crimped new connectors", ""),
            ("KiCad project", ""),
            ("on MakerWorld", ""),
            ("OpenSCAD models", ""),
        ];
        for (s, context) in samples {
            let lower = s.to_lowercase();
            assert!(!found(&format!("{s} {context}")).is_empty(), "{s} finds nothing");
            let covered = triggers.iter().any(|t| lower.contains(t) || context.to_lowercase().contains(t));
            assert!(covered, "no trigger for {s}");
        }
    }
}

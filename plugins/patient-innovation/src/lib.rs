//! `patient-innovation`: a leadminer analyzer plugin for patient innovation —
//! patients and caregivers who build, hack or adapt medical devices and
//! tools for their own condition (DIY artificial pancreas systems,
//! Nightscout, sewn sensor covers, modified wheelchairs and prostheses).
//!
//! Kinds:
//!
//! * `patient_innovation`: the author built or adapted something for a
//!   medical need, uses DIY medical tools, or belongs to the
//!   `#WeAreNotWaiting` movement. Owning a device (`my CGM`) is weak
//!   evidence on its own.
//! * `patient_need`: a device that fails its user, a cover or approval that
//!   is refused, a wish for something that does not exist.
//!
//! Words like *pump*, *sensor* or *walker* are not medical on their own, so
//! every rule that is not specific to the DIY diabetes community fires only
//! in posts that name an unambiguous medical device (CGM, insulin pump,
//! prosthesis, wheelchair, ...), a condition (diabetes, amputee, ...) or a
//! DIY tool. Matches in quoted text and code are skipped.
//!
//! Options (`[plugins.patient-innovation]`):
//!
//! ```toml
//! include_quotes = false          # also match inside quoted text
//! disabled_rules = ["device-owner"]
//! ```

use leadminer_plugin::{export_plugin, Plugin, Post, Signals};
use regex::Regex;
use serde::Deserialize;

/// Medical devices and aids, as a regex alternation.
const DEVICE: &str = r"(?:cgms?|dexcom(?:\s+g[4-7])?|(?:freestyle\s+)?libre(?:\s+[23])?|guardian\s+sensor|(?:insulin\s+)?pumps?|omnipod|(?:dash\s+)?pods?|t:slim|infusion\s+sets?|(?:glucose\s+)?sensors?|transmitters?|glucose\s+meter|glucometer|insulin\s+pens?|inhalers?|nebuli[sz]er|c?pap(?:\s+(?:machine|mask|hose))?|bipap|oxygen\s+concentrator|hearing\s+aids?|cochlear\s+implant|(?:sound\s+)?processor|prosthe(?:tic|sis|ses)(?:\s+(?:leg|arm|hand|foot|socket|liner))?|(?:power\s+)?wheelchairs?|power\s+chair|walker|rollator|canes?|crutch(?:es)?|braces?|orthotics?|splints?|ostomy(?:\s+bags?)?|stoma(?:\s+bags?)?|catheters?|feeding\s+tube|g-?tube|epi-?pens?|pill\s+(?:dispenser|organi[sz]er)|looping\s+rig|rileylink|orangelink)";

/// First-person build and adapt verbs, as a regex alternation.
const BUILD: &str = r"(?:rigged|jury[- ]rigged|hacked|modded|modified|built|made|sewed|sewn|stitched|knitted|crocheted|3d[\s-]?printed|printed|designed|adapted|rewired|retrofitted|customi[sz]ed|macgyvered|fashioned|cobbled\s+together|put\s+together|programmed|coded|wrote|soldered|converted|taped|glued|velcroed|reverse[- ]engineered|attached|mounted|added)";

/// Words between the subject and the verb: "I just finally built".
const ADVERBS: &str = r"(?:\s+(?:have|had|just|finally|actually|also|then|eventually|even|recently|basically|quickly|simply|myself|ended\s+up))*";

/// One character of the same sentence: not `.`, `!`, `?` or a line break.
/// Rules match on the text with line breaks inside paragraphs joined (see
/// [`join_lines`]), so a sentence may wrap.
const GAP: &str = r"[^.!?\n]";

/// The author: I, we, I've, we've.
const SUBJECT: &str = r"\b(?:i|we)(?:['’]ve|['’]d)?";

/// Tools and systems of the DIY diabetes community.
const DIY_TOOLS: &str = r"\b(?:nightscout|xdrip4ios|xdrip|spike\s+app|rileylink|orangelink|emalink|loopkit|omnible|loop\s+follow|sugarpixel)\b\+?";

/// Craft and hack verbs: narrower than [`BUILD`], for rules that do not
/// name the device ("I sewed a sleeve").
const CRAFT: &str = r"(?:rigged|jury[- ]rigged|hacked|modded|built|sewed|sewn|stitched|knitted|crocheted|3d[\s-]?printed|designed|rewired|retrofitted|macgyvered|fashioned|cobbled\s+together|soldered|velcroed|reverse[- ]engineered)";

/// Unambiguously medical devices: `pump`, `sensor` or `walker` alone could
/// be a bike pump or a temperature sensor.
const MEDICAL_DEVICE: &str = r"(?:cgms?|dexcom|libre|omnipod|t:slim|insulin\s+(?:pumps?|pens?)|infusion\s+sets?|glucometer|glucose\s+(?:meter|sensor)|inhalers?|nebuli[sz]er|c?pap|bipap|oxygen\s+concentrator|hearing\s+aids?|cochlear\s+implant|prosthe(?:tic|sis|ses)|(?:power\s+)?wheelchairs?|power\s+chair|rollator|crutch(?:es)?|orthotics?|ostomy|stoma|catheters?|feeding\s+tube|g-?tube|epi-?pens?)";

/// Conditions that make a post medical.
const CONDITION: &str = r"(?:diabet(?:es|ic)|t1d|type\s+[12]|insulin|glucose|blood\s+sugar|a1c|hypos?|hypoglycemi[ac]|amputee|amputation|paraplegi[ac]|quadriplegi[ac]|tetraplegi[ac]|spinal\s+cord\s+injury|cerebral\s+palsy|multiple\s+sclerosis|parkinson['’]?s|epilep(?:sy|tic)|seizures?|asthma|copd|sleep\s+apnea|deaf|hard\s+of\s+hearing|hearing\s+loss|low\s+vision|disabilit(?:y|ies)|disabled|chronic\s+pain|arthritis|crohn['’]?s|colitis|cystic\s+fibrosis)";

/// Rules: (name, kind, weight, needs medical context, pattern). Rules that
/// need context only fire in posts that name a medical device, a condition
/// or a DIY diabetes tool outside quotes and code. `{DEVICE}`, `{BUILD}`,
/// `{CRAFT}`, `{ADVERBS}`, `{GAP}`, `{SUBJECT}` and `{DIY_TOOLS}` are replaced before compiling.
const RULES: &[(&str, &str, f32, bool, &str)] = &[
    // "I sewed a sleeve for my sensor", "we rigged the pump to ..."
    (
        "self-built-device",
        KIND_INNOVATION,
        0.8,
        true,
        r"{SUBJECT}{ADVERBS}\s+{BUILD}(?:\s+and\s+{BUILD})?\b{GAP}{0,80}?\b{DEVICE}\b",
    ),
    // In a medical post: "So I sewed a sleeve out of an old shirt".
    (
        "self-built-thing",
        KIND_INNOVATION,
        0.5,
        true,
        r"{SUBJECT}{ADVERBS}\s+{CRAFT}(?:\s+and\s+{CRAFT})?\s+(?:a|an|my\s+own|our\s+own|some|two|three)(?:\s+[\w-]+){1,3}",
    ),
    // "I built a Nightscout site", "set up xDrip+ on my watch"
    (
        "self-hosted-tool",
        KIND_INNOVATION,
        0.7,
        false,
        r"{SUBJECT}{ADVERBS}\s+(?:built|made|set\s+up|installed|host(?:ed)?|run|deployed|forked|patched|compiled)\b{GAP}{0,40}?{DIY_TOOLS}",
    ),
    // "a cover for my Dexcom that I 3D printed"
    (
        "device-i-built",
        KIND_INNOVATION,
        0.7,
        true,
        r"\b{DEVICE}\b{GAP}{0,60}?\b(?:that|which)\s+(?:i|we)(?:['’]ve)?{ADVERBS}\s+{BUILD}\b",
    ),
    // "I wrote an app that alarms on my glucose"
    (
        "self-built-tool",
        KIND_INNOVATION,
        0.7,
        true,
        r"{SUBJECT}{ADVERBS}\s+(?:wrote|coded|built|made|developed|created|programmed|set\s+up)\s+(?:an?\s+|my\s+own\s+|a\s+little\s+|a\s+small\s+)?(?:app|script|bot|shortcut|program|tool|widget|watch\s*face|alarm|dashboard|spreadsheet|automation)\b{GAP}{0,80}?\b(?:glucose|insulin|blood\s+sugar|bgs?|diabetes|carbs?|doses?|dosing|bolus(?:es)?|basal|seizures?|medications?|meds|pills?|{DEVICE})\b",
    ),
    // DIY artificial pancreas systems and looping.
    (
        "diy-aps",
        KIND_INNOVATION,
        0.7,
        false,
        r"\bdiy[- ](?:aps|artificial\s+pancreas|loop(?:ing)?|closed[- ]loop|pancreas)\b|\b(?:open|android|free|i)\s?aps\b|\baaps\b|\bclosed\s+(?:the|my|our)\s+loop\b|\b(?:started|been|am|was|i['’]m|we['’]re|we\s+are)\s+looping\b|\bloop(?:ing)?\s+(?:app|system|rig)\b|\btrio\s+loop\b",
    ),
    // Nightscout, xDrip+, RileyLink ...
    ("diy-tools", KIND_INNOVATION, 0.5, false, r"{DIY_TOOLS}"),
    // The movement: #WeAreNotWaiting.
    (
        "community-tag",
        KIND_INNOVATION,
        0.6,
        false,
        r"#(?:wearenotwaiting|openaps|diyaps|diabetestech)\b|\bwe\s+are\s+not\s+waiting\b",
    ),
    // "homemade CGM cover", "a DIY wheelchair ramp"
    (
        "diy-medical",
        KIND_INNOVATION,
        0.6,
        true,
        r"\b(?:diy|homemade|home[- ]made|self[- ]made|handmade|hand[- ]made|makeshift)\b{GAP}{0,30}?\b{DEVICE}\b",
    ),
    // "my CGM", "my son's pump": the author (or their child) uses the device.
    (
        "device-owner",
        KIND_INNOVATION,
        0.2,
        true,
        r"\bmy\s+(?:(?:son|daughter|kid|child|wife|husband|partner|mom|dad|mother|father)['’]s\s+)?{DEVICE}\b",
    ),
    // "my sensor keeps falling off"
    (
        "device-frustration",
        KIND_NEED,
        0.5,
        true,
        r"\bmy\s+(?:(?:son|daughter|kid|child)['’]s\s+)?(?:[\w-]+\s+)?{DEVICE}\s+(?:keeps|kept|won['’]?t|wouldn['’]?t|doesn['’]?t|didn['’]?t|can['’]?t|couldn['’]?t|never|always|falls?|fell|died|dies|failed|fails|stops?|stopped|rips?|ripped|itches|hurts)\b",
    ),
    // "insurance won't cover", "the manufacturer refuses to support"
    (
        "refused",
        KIND_NEED,
        0.5,
        true,
        r"\b(?:insurance|insurer|manufacturer|fda|doctor|endo(?:crinologist)?|clinic|medicare|nhs|the\s+company)\s+(?:won['’]?t|wouldn['’]?t|refuses?|refused|doesn['’]?t|didn['’]?t|will\s+not|would\s+not)\s+(?:to\s+)?(?:cover|approve|let|allow|support|pay|prescribe|release|share)\b",
    ),
    // "I wish there was", "why doesn't anyone make"
    (
        "wish",
        KIND_NEED,
        0.4,
        true,
        r"\b(?:i\s+wish\s+(?:there\s+(?:was|were|is)|someone\s+(?:would|could)|they\s+(?:would|could)|(?:dexcom|medtronic|abbott|tandem|insulet)\s+would)|why\s+(?:doesn['’]?t|don['’]?t|can['’]?t)\s+(?:anyone|someone|they|the\s+manufacturers?)\s+(?:make|build|sell|add))\b",
    ),
];

const KIND_INNOVATION: &str = "patient_innovation";
const KIND_NEED: &str = "patient_need";

/// Most signals of one rule per post.
const MAX_PER_RULE: usize = 5;

/// The patient innovation analyzer.
#[derive(Debug)]
pub struct PatientInnovation {
    rules: Vec<Rule>,
    /// Finds a medical device, condition or DIY tool: the context most
    /// rules require.
    context: Regex,
    include_quotes: bool,
}

#[derive(Debug)]
struct Rule {
    name: &'static str,
    kind: &'static str,
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
        .replace("{DEVICE}", DEVICE)
        .replace("{BUILD}", BUILD)
        .replace("{CRAFT}", CRAFT)
        .replace("{ADVERBS}", ADVERBS)
        .replace("{GAP}", GAP)
        .replace("{SUBJECT}", SUBJECT)
        .replace("{DIY_TOOLS}", DIY_TOOLS)
        .replace(r"\b", r"(?-u:\b)");
    Regex::new(&format!("(?i){expanded}")).map_err(|e| format!("invalid pattern: {e}"))
}

/// Words a highlight should not end with.
const TRAILING: &[&str] =
    &["a", "an", "and", "for", "from", "in", "it", "my", "of", "on", "out", "so", "that", "the", "to", "which", "with"];

/// Drops trailing stop words from a match: "I sewed a sleeve out of" becomes
/// "I sewed a sleeve".
fn trim_span(text: &str, mut range: std::ops::Range<usize>) -> std::ops::Range<usize> {
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

impl Plugin for PatientInnovation {
    const NAME: &'static str = "patient-innovation";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const KINDS: &'static [&'static str] = &[KIND_INNOVATION, KIND_NEED];
    const TRIGGERS: Option<&'static [&'static str]> = Some(&[
        "cgm",
        "dexcom",
        "libre",
        "sensor",
        "transmitter",
        "pump",
        "pod",
        "t:slim",
        "infusion",
        "insulin",
        "glucose",
        "glucometer",
        "diabet",
        "blood sugar",
        "inhaler",
        "nebuli",
        "pap",
        "oxygen",
        "hearing aid",
        "cochlear",
        "processor",
        "prosthe",
        "wheelchair",
        "power chair",
        "walker",
        "rollator",
        "cane",
        "crutch",
        "brace",
        "orthotic",
        "splint",
        "ostomy",
        "stoma",
        "catheter",
        "tube",
        "epipen",
        "epi-pen",
        "pill",
        "seizure",
        "medication",
        "meds",
        "bg",
        "carb",
        "dose",
        "dosing",
        "bolus",
        "basal",
        "looping",
        "loop app",
        "loop system",
        "loop rig",
        "trio loop",
        "closed the loop",
        "closed my loop",
        "closed our loop",
        "diy loop",
        "diy-loop",
        "closed loop",
        "closed-loop",
        "artificial pancreas",
        "aps",
        "nightscout",
        "xdrip",
        "spike app",
        "rileylink",
        "orangelink",
        "emalink",
        "loopkit",
        "omnible",
        "loop follow",
        "sugarpixel",
        "wearenotwaiting",
        "we are not waiting",
        "#openaps",
        "#diyaps",
        "#diabetestech",
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
        for &(name, kind, weight, needs_context, pattern) in RULES {
            if options.disabled_rules.iter().any(|d| d == name) {
                continue;
            }
            let regex = compile(pattern).map_err(|e| format!("rule {name}: {e}"))?;
            rules.push(Rule { name, kind, weight, needs_context, regex });
        }
        let context = compile(&format!(
            r"\b{MEDICAL_DEVICE}\b|\b{CONDITION}\b|{DIY_TOOLS}|\bdiy[- ]?aps\b|\b(?:open|android)aps\b|\blooping\b"
        ))?;
        Ok(PatientInnovation { rules, context, include_quotes: options.include_quotes })
    }

    fn analyze(&self, post: &Post<'_>, out: &mut Signals<'_>) -> Result<(), String> {
        let text = post.text();
        let joined = join_lines(text);
        let counts = |range: &std::ops::Range<usize>| {
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
                out.emit(rule.kind, rule.name, range, rule.weight);
            }
        }
        Ok(())
    }
}

export_plugin!(PatientInnovation);

#[cfg(test)]
mod tests {
    use super::*;
    use leadminer_plugin::testing::{run, TestPost};

    fn plugin() -> PatientInnovation {
        PatientInnovation::new("").expect("default options")
    }

    fn found(text: &str) -> Vec<(String, String)> {
        let post = TestPost::new(text);
        run(&plugin(), &post).expect("valid signals").into_iter().map(|d| (d.rule, d.text)).collect()
    }

    fn rules(text: &str) -> Vec<String> {
        found(text).into_iter().map(|(r, _)| r).collect()
    }

    #[test]
    fn self_built_devices() {
        assert_eq!(
            found("I sewed a sleeve for my Libre sensor so it stops catching on doorframes."),
            [
                ("self-built-thing".to_string(), "I sewed a sleeve".to_string()),
                ("self-built-device".to_string(), "I sewed a sleeve for my Libre".to_string()),
                ("device-owner".to_string(), "my Libre".to_string()),
            ]
        );
        assert!(rules("Last year I rigged my insulin pump to a cheap phone.").contains(&"self-built-device".into()));
        assert!(rules("We've finally adapted the wheelchair with a tray.").contains(&"self-built-device".into()));
        assert!(rules("This is a clip for my Dexcom G6 that I 3D printed.").contains(&"device-i-built".into()));
        assert!(rules("I wrote a script that texts me when my blood sugar drops").contains(&"self-built-tool".into()));
    }

    #[test]
    fn diy_aps_and_tools() {
        for text in [
            "Been on DIY APS for two years",
            "I'm looping with AndroidAPS and a Dash pod",
            "OpenAPS changed my nights",
            "we closed the loop in 2019",
        ] {
            assert!(rules(text).contains(&"diy-aps".into()), "{text}: {:?}", rules(text));
        }
        assert!(rules("Nightscout plus xDrip+ on my watch").contains(&"diy-tools".into()));
        assert!(rules("#WeAreNotWaiting").contains(&"community-tag".into()));
        assert!(rules("my homemade CGM cover").contains(&"diy-medical".into()));
    }

    #[test]
    fn needs_only_with_medical_context() {
        assert!(rules("My Dexcom sensor keeps falling off in the shower.").contains(&"device-frustration".into()));
        assert!(rules("My sensor keeps falling off the wall.").is_empty(), "no medical context");
        assert!(rules("Insurance won't cover the Omnipod, I wish there was a cheaper way.").contains(&"refused".into()));
        assert!(rules("I wish there was a better bike lock.").is_empty());
        assert!(rules("My landlord won't cover the repair.").is_empty());
    }

    #[test]
    fn not_triggered_by_plain_words() {
        for text in [
            "I built a shed.",
            "The loop in my code runs forever.",
            "Perhaps later.",
            "I built a temperature sensor with an ESP32.",
            "I built a pump track in the backyard and my walker friends love it.",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn quotes_and_code_are_skipped_unless_asked() {
        let text = "> I rigged my insulin pump\nnice";
        let post = TestPost::new(text).quote(0..26);
        assert!(run(&plugin(), &post).expect("runs").is_empty());
        let with_quotes = PatientInnovation::new("include_quotes = true").expect("options");
        assert!(!run(&with_quotes, &post).expect("runs").is_empty());
        let code = TestPost::new("`openaps`").code(0..9);
        assert!(run(&plugin(), &code).expect("runs").is_empty());
    }

    #[test]
    fn lines_are_joined_within_paragraphs() {
        assert_eq!(join_lines("a\nb\n\nc\r\n\r\nd\r\ne\n"), "a b\n\nc\r\n\r\nd\r e ");
        assert_eq!(join_lines("é\nü"), "é ü");
    }

    #[test]
    fn options() {
        let p = PatientInnovation::new("disabled_rules = [\"device-owner\"]").expect("options");
        let post = TestPost::new("my CGM");
        assert!(run(&p, &post).expect("runs").is_empty());
        let e = PatientInnovation::new("disabled_rules = [\"nope\"]").expect_err("unknown rule");
        assert!(e.contains("unknown rule 'nope'"), "{e}");
        let e = PatientInnovation::new("colour = 1").expect_err("unknown option");
        assert!(e.contains("unknown field"), "{e}");
    }

    /// Every text a rule matches contains a trigger, so the prefilter never
    /// hides a post the plugin would find something in.
    #[test]
    fn triggers_cover_every_rule() {
        let triggers = PatientInnovation::TRIGGERS.expect("has triggers");
        let samples = [
            "I sewed a sleeve for my sensor",
            "I hacked my cane",
            "a cover for my Dexcom that I 3D printed",
            "I wrote an app for my doses",
            "I made a dashboard of my BGs",
            "I coded a shortcut for carbs",
            "we built a tool for dosing",
            "I made an alarm for my basal",
            "I set up a bot for seizures",
            "I wrote a script for my meds",
            "I created a widget for pills",
            "I developed an app for medication",
            "diy closed-loop",
            "DIY-APS",
            "iAPS",
            "AAPS",
            "we are looping",
            "loop app",
            "closed my loop",
            "xDrip4iOS",
            "#diabetestech",
            "handmade brace",
            "my son's feeding tube",
            "my G-tube keeps leaking",
            "my epi-pen",
        ];
        for s in samples {
            let lower = s.to_lowercase();
            assert!(!found(&format!("{s}. (T1D)")).is_empty(), "{s} finds nothing");
            assert!(triggers.iter().any(|t| lower.contains(t)), "no trigger for {s}");
        }
    }
}

//! The lead-user ranking on corpora generated for the purpose: scores that
//! spread and do not follow volume, producers told apart, link submitters
//! not credited with the linked work, planted topics whose early adopters
//! are found in order, and pyramiding end to end.
//!
//! Every text here is written from templates for these tests; the
//! generator is seeded, so each run scans the same files.

use crate::common::{leadminer, read};
use serde_json::{json, Value};
use std::path::Path;

/// A small seeded generator (xorshift64*), so fixtures need no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// Writes JSON lines and scans them into `out`.
fn scan_lines(dir: &Path, name: &str, lines: &[Value], extra: &[&str]) -> std::path::PathBuf {
    let input = dir.join(name);
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&input, text).expect("write the fixture");
    let out = dir.join(format!("{name}.out"));
    let mut args: Vec<std::ffi::OsString> = vec!["scan".into(), "-q".into(), "--no-report".into(), "--out".into()];
    args.push(out.as_os_str().to_owned());
    args.extend(extra.iter().map(Into::into));
    args.push(input.as_os_str().to_owned());
    let result = leadminer(&args);
    assert!(result.status.success(), "scan failed: {}", String::from_utf8_lossy(&result.stderr));
    out
}

fn jsonl(path: &Path) -> Vec<Value> {
    read(path).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

fn author<'a>(authors: &'a [Value], name: &str) -> Option<&'a Value> {
    authors.iter().find(|a| a["author"] == name)
}

/// Spearman's rank correlation (average ranks for ties).
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            for k in i..=j {
                r[idx[k]] = (i + j) as f64 / 2.0;
            }
            i = j + 1;
        }
        r
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

/// What the ranking promises on any scan (`ranked`: the non-producers,
/// best first): ordered by score then id, the top 20 scores distinct, no
/// component at its maximum for more than 5% of the authors, and among the
/// top 200 a Spearman correlation of score and post count under 0.4.
fn assert_ranking_spreads(ranked: &[&Value], what: &str) {
    for pair in ranked.windows(2) {
        let (a, b) = (pair[0]["score"].as_f64().unwrap(), pair[1]["score"].as_f64().unwrap());
        assert!(a > b || (a == b && pair[0]["id"].as_str() < pair[1]["id"].as_str()), "{what}: {} before {}", pair[0], pair[1]);
    }
    let top: Vec<f64> = ranked.iter().take(20).map(|a| a["score"].as_f64().unwrap()).collect();
    let mut distinct = top.clone();
    distinct.dedup();
    let shown: Vec<String> = ranked.iter().take(20).map(|a| format!("{} {} {}", a["author"], a["score"], a["measures"])).collect();
    assert_eq!(distinct.len(), top.len().min(20), "{what}: top scores: {shown:#?}");
    for component in ["innovation", "need", "lead_time", "response", "network", "pointers", "expertise"] {
        let values: Vec<f64> = ranked.iter().map(|a| a["components"][component].as_f64().unwrap()).collect();
        let max = values.iter().copied().fold(0.0, f64::max);
        assert!(max < 1.0, "{what}: {component} reaches 1");
        let at_max = values.iter().filter(|&&v| v == max).count();
        assert!(
            max == 0.0 || at_max * 20 <= values.len(),
            "{what}: {component}: {at_max} of {} authors at its maximum {max}",
            values.len()
        );
    }
    let top200: Vec<&&Value> = ranked.iter().take(200).collect();
    let scores: Vec<f64> = top200.iter().map(|a| a["score"].as_f64().unwrap()).collect();
    let posts: Vec<f64> = top200.iter().map(|a| a["posts"].as_f64().unwrap()).collect();
    let rho = spearman(&scores, &posts);
    assert!(rho < 0.4, "{what}: Spearman correlation of score and posts among the top 200: {rho:.3}");
}

const DAY: i64 = 86_400;
const START: i64 = 1_577_836_800; // 2020-01-01

const THINGS: &[&str] = &[
    "soil probe", "seed counter", "drip timer", "frost alarm", "compost turner", "rain gauge", "shade winch",
    "pump relay", "tray heater", "fan controller", "water level float", "light timer",
];
const PLACES: &[&str] = &["greenhouse", "allotment", "balcony", "raised beds", "cold frame", "orchard"];
const MATERIALS: &[&str] = &["an old router board", "scrap aluminium", "a cheap microcontroller", "plywood offcuts"];
const CHATTER: &[&str] = &[
    "Thanks, that helps.",
    "Agreed, mine does the same in winter.",
    "Good point about the wiring.",
    "Same here, the weather has been odd this month.",
    "Nice photos.",
    "Which seeds did you start with?",
];

/// A gardening-automation forum of 260 members whose volume is unrelated
/// to what they make: some post hundreds of short replies, some post one
/// careful build.
fn ranking_forum() -> Vec<Value> {
    let mut rng = Rng(0x5eed_1ead);
    let community = "forum.gardenbots.net";
    let mut lines = Vec::new();
    let mut threads: Vec<(String, String)> = Vec::new(); // (id, author)
    let mut n = 0u64;
    let mut id = |prefix: &str| {
        n += 1;
        format!("{prefix}{n}")
    };
    let members: Vec<String> = (0..260).map(|i| format!("grower{i:03}")).collect();
    let mut time = START;
    for (i, name) in members.iter().enumerate() {
        // Volume: most post a few times, a handful post a great deal.
        let volume = match i % 20 {
            0 => 120 + rng.below(80),
            1..=4 => 20 + rng.below(30),
            _ => 1 + rng.below(8),
        };
        let makes = rng.below(3); // 0, 1 or 2 builds, whatever the volume
        let needs = rng.below(3);
        for _ in 0..makes {
            time += DAY / 3 + rng.below(DAY as u64) as i64;
            let thing = rng.pick(THINGS);
            let place = rng.pick(PLACES);
            let detail = if rng.below(2) == 0 {
                format!(
                    " I measured it against a store-bought one for {} weeks and published the schematic and firmware so others can build it.",
                    2 + rng.below(9)
                )
            } else {
                String::new()
            };
            let post = id("t");
            lines.push(json!({
                "id": post, "author": name, "community": community, "created": time,
                "title": format!("I built my own {thing} for my {place}"),
                "body": format!("Nothing sold fit my {place}, so I built my own {thing} from {}.{detail}", rng.pick(MATERIALS)),
            }));
            threads.push((post, name.clone()));
        }
        for _ in 0..needs {
            time += DAY / 3 + rng.below(DAY as u64) as i64;
            let thing = rng.pick(THINGS);
            let post = id("t");
            lines.push(json!({
                "id": post, "author": name, "community": community, "created": time,
                "title": format!("Looking for a {thing} that works off-grid"),
                "body": format!(
                    "I need a {thing} for my {} that runs without mains power. I have searched for months and nothing does it; I lose plants every week without one.",
                    rng.pick(PLACES)
                ),
            }));
            threads.push((post, name.clone()));
        }
        let chatter = volume.saturating_sub(makes + needs);
        for _ in 0..chatter {
            if threads.is_empty() {
                break;
            }
            time += 600 + rng.below(3_600) as i64;
            let (parent, parent_author) = threads[rng.below(threads.len() as u64) as usize].clone();
            let body = match rng.below(6) {
                0 => format!("How did you make the housing? I would buy one if you sold it, {parent_author}."),
                1 if parent_author != *name => format!("For the wiring, ask @{parent_author}, they built one."),
                _ => rng.pick(CHATTER).to_string(),
            };
            lines.push(json!({
                "id": id("r"), "author": name, "community": community, "created": time,
                "parent": parent, "body": body,
            }));
        }
    }
    lines
}

#[test]
fn scores_spread_and_do_not_follow_volume() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = scan_lines(dir.path(), "garden.jsonl", &ranking_forum(), &[]);
    let authors = jsonl(&out.join("authors.jsonl"));
    let ranked: Vec<&Value> = authors.iter().filter(|a| a["producer"] == false).collect();
    assert!(ranked.len() >= 150, "{} authors ranked", ranked.len());

    assert_ranking_spreads(&ranked, "the generated forum");
    // Nor do the heaviest posters crowd the top: of the 13 members with
    // more than 100 posts, at most 3 are among the top 20.
    let heavy = ranked.iter().take(20).filter(|a| a["posts"].as_u64().unwrap() > 100).count();
    assert!(heavy <= 3, "{heavy} heavy posters in the top 20");

    // Every component comes with what it measured.
    let best = ranked[0];
    assert!(best["measures"].is_object() && best["top_posts"].is_array(), "{best}");
}

/// A forum about the "kilnctl" project: its maintainer announces releases
/// (describing what they built), users post their own builds.
fn project_forum() -> Vec<Value> {
    let community = "forum.kilnctl.org";
    let mut lines = Vec::new();
    let mut time = START;
    let mut post = |lines: &mut Vec<Value>, id: String, author: &str, title: Option<String>, body: String, parent: Option<String>| {
        time += DAY;
        let mut v = json!({"id": id, "author": author, "community": community, "created": time, "body": body});
        if let Some(t) = title {
            v["title"] = json!(t);
        }
        if let Some(p) = parent {
            v["parent"] = json!(p);
        }
        lines.push(v);
    };
    for (i, version) in ["1.4", "1.5", "2.0"].iter().enumerate() {
        post(
            &mut lines,
            format!("rel{i}"),
            "kiln_keeper",
            Some(format!("Kilnctl {version} released")),
            format!("I built a new ramp scheduler for this version and wrote a driver for two more thermocouple boards. Download {version} from the usual place."),
            None,
        );
        post(&mut lines, format!("relr{i}"), "potter_pat", None, "Thanks, upgrading tonight.".into(), Some(format!("rel{i}")));
    }
    for i in 0..4 {
        post(
            &mut lines,
            format!("own{i}"),
            "potter_pat",
            Some(format!("I built a cone-pack camera mount for my kiln, version {i}")),
            "No kiln maker sells a way to watch witness cones, so I made my own mount from a borescope and steel angle. Drawings are on my page.".into(),
            None,
        );
        post(&mut lines, format!("ownr{i}"), "glaze_gus", None, "How did you make the mount? Where can I buy one?".into(), Some(format!("own{i}")));
    }
    lines
}

#[test]
fn maintainers_who_post_releases_are_producers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = scan_lines(dir.path(), "kiln.jsonl", &project_forum(), &[]);
    let authors = jsonl(&out.join("authors.jsonl"));
    let keeper = author(&authors, "kiln_keeper").expect("the maintainer is listed");
    assert_eq!(keeper["producer"], true, "{keeper}");
    assert!(keeper["producer_reason"].as_str().unwrap().contains("release"), "{keeper}");
    let pat = author(&authors, "potter_pat").expect("the user is listed");
    assert_eq!(pat["producer"], false, "{pat}");
    assert!(pat["rank"].as_u64() < keeper["rank"].as_u64(), "producers rank after users");
    assert_eq!(pat["site"], "forum.kilnctl.org");
}

#[test]
fn link_submitters_are_not_credited_with_the_linked_work() {
    let items = [
        json!({"by": "newsbot", "id": 7001, "time": START, "type": "story", "url": "https://news.example.com/a/story",
               "title": "I dropped out of college, then I built a file sync service used by millions", "score": 300}),
        json!({"by": "curious", "id": 7002, "parent": 7001, "time": START + 600, "type": "comment",
               "text": "How did you build the first version? I would pay for this."}),
        json!({"by": "hobbyist", "id": 7003, "time": START + DAY, "type": "story", "url": "https://github.com/hobbyist/notesync",
               "title": "Show HN: I built a tool that syncs my notes between my laptop and my phone", "score": 40}),
        json!({"by": "curious", "id": 7004, "parent": 7003, "time": START + DAY + 600, "type": "comment",
               "text": "How did you build it? I would pay for this."}),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let out = scan_lines(dir.path(), "hn.ndjson", &items, &["--format", "hackernews"]);
    let posts = jsonl(&out.join("posts.jsonl"));
    let by_id = |id: &str| posts.iter().find(|p| p["id"] == id);
    let linked = by_id("7001").expect("the link submission has signals");
    assert_eq!(linked["link_submission"], true, "{linked}");
    if let Some(show) = by_id("7003") {
        assert_eq!(show["link_submission"], false, "{show}");
    }
    let authors = jsonl(&out.join("authors.jsonl"));
    assert!(author(&authors, "newsbot").is_none(), "the submitter is credited: {authors:?}");
    let hobbyist = author(&authors, "hobbyist").expect("the Show HN author is credited");
    assert!(hobbyist["innovations"].as_u64() >= Some(1), "{hobbyist}");
}

/// A beekeepers' list over two years: five steady topics all along, and
/// "swarm alarm" first raised by three members (in months 2, 4 and 6)
/// before it takes off in the second year.
fn planted_topics() -> Vec<Value> {
    let mut rng = Rng(0xbee5);
    let community = "lists.beekeepers.example";
    let steady = ["hive scale", "mite counter", "smoker fuel", "frame jig", "honey press"];
    let mut lines = Vec::new();
    let mut n = 0;
    let mut add = |lines: &mut Vec<Value>, author: String, time: i64, topic: &str, rng: &mut Rng| {
        n += 1;
        let (title, body) = if rng.below(2) == 0 {
            (
                format!("I built a {topic} for my hives"),
                format!("Nothing on the market suited my apiary, so I made my own {topic} from {}.", rng.pick(MATERIALS)),
            )
        } else {
            (
                format!("Need a {topic}"),
                format!("I need a {topic} that works in the field. I have looked everywhere and nothing exists; it costs me hours each week."),
            )
        };
        lines.push(json!({"id": format!("b{n}"), "author": author, "community": community, "created": time, "title": title, "body": body}));
    };
    let month = 30 * DAY;
    for m in 0..24i64 {
        for (k, topic) in steady.iter().enumerate() {
            for j in 0..2i64 {
                let author = format!("keeper{:02}", (m * 7 + k as i64 * 3 + j) % 40);
                add(&mut lines, author, START + m * month + (k as i64 * 2 + j) * DAY, topic, &mut rng);
            }
        }
        if let Some(early) = [(2, "pioneer_ann"), (4, "pioneer_bo"), (6, "pioneer_cy")].iter().find(|e| e.0 == m) {
            add(&mut lines, early.1.to_string(), START + m * month + 15 * DAY, "swarm alarm", &mut rng);
        }
        if m >= 14 {
            for j in 0..(m - 12) {
                add(&mut lines, format!("follower{:02}", (m * 3 + j) % 30), START + m * month + (16 + j) * DAY / 2, "swarm alarm", &mut rng);
            }
        }
    }
    lines
}

#[test]
fn planted_rising_topic_and_its_early_adopters_are_found_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = scan_lines(dir.path(), "bees.jsonl", &planted_topics(), &[]);
    let summary: Value = serde_json::from_str(&read(&out.join("summary.json"))).expect("summary");
    let rising = summary["rising_topics"]["lists.beekeepers.example"].as_array().expect("rising topics of the list");
    let topics: Vec<&str> = rising.iter().filter_map(|t| t["topic"].as_str()).collect();
    assert_eq!(topics.first(), Some(&"swarm alarm"), "rising: {topics:?}");
    for steady in ["hive scale", "mite counter", "smoker fuel", "frame jig", "honey press"] {
        assert!(!topics.iter().any(|t| t.contains(steady)), "{steady} is steady, not rising: {topics:?}");
    }
    let alarm = &rising[0];
    let early: Vec<&str> = alarm["early"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert_eq!(early, ["pioneer_ann", "pioneer_bo", "pioneer_cy"]);
    assert!(alarm["monthly"].as_object().is_some_and(|m| m.len() >= 10), "{alarm}");

    let authors = jsonl(&out.join("authors.jsonl"));
    let lead = |name: &str| {
        let a = author(&authors, name).unwrap_or_else(|| panic!("{name} is ranked"));
        let topic = a["topics"].as_array().unwrap().iter().find(|t| t["topic"] == "swarm alarm").cloned();
        let topic = topic.unwrap_or_else(|| panic!("{name} was early on the swarm alarm: {a}"));
        (topic["earliness"].as_f64().unwrap(), topic["lead_days"].as_i64().unwrap(), a["components"]["lead_time"].as_f64().unwrap())
    };
    let (ann, bo, cy) = (lead("pioneer_ann"), lead("pioneer_bo"), lead("pioneer_cy"));
    assert!(ann.0 > bo.0 && bo.0 > cy.0, "earliness {ann:?} {bo:?} {cy:?}");
    assert!(ann.1 > bo.1 && bo.1 > cy.1 && cy.1 > 0, "lead days {ann:?} {bo:?} {cy:?}");
    assert!(ann.2 > bo.2 && bo.2 > cy.2, "lead-time components {ann:?} {bo:?} {cy:?}");
    // A follower who came late has less lead than the last pioneer.
    let late = authors.iter().filter(|a| a["author"].as_str().is_some_and(|n| n.starts_with("follower")));
    for a in late {
        assert!(a["components"]["lead_time"].as_f64().unwrap() < cy.2, "{a}");
    }
}

#[test]
fn pyramid_follows_pointers_outward() {
    let community = "forum.loomhackers.org";
    let post = |id: &str, author: &str, created: i64, title: Option<&str>, body: &str, parent: Option<&str>| {
        let mut v = json!({"id": id, "author": author, "community": community, "created": START + created * DAY, "body": body});
        if let Some(t) = title {
            v["title"] = json!(t);
        }
        if let Some(p) = parent {
            v["parent"] = json!(p);
        }
        v
    };
    let lines = [
        post("p1", "weaver_wu", 0, Some("Automatic bobbin winder?"), "I need a bobbin winder that stops on its own.", None),
        post("p2", "alice_loom", 1, None, "For that, ask bob_shuttle, he made one last year.", Some("p1")),
        post("p3", "bob_shuttle", 2, Some("My bobbin winder"), "I built my own winder with a hall sensor. @carol_heddle's firmware does the stopping.", None),
        post("p4", "carol_heddle", 3, Some("Winder firmware"), "I wrote firmware for winders. Thanks to dan_warp for the motor driver.", None),
        post("p5", "dan_warp", 4, None, "Glad it helped.", Some("p4")),
        post("p6", "erin_weft", 5, None, "Nice work.", Some("p4")),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let out = scan_lines(dir.path(), "loom.jsonl", &lines, &[]);
    let pointers = jsonl(&out.join("pointers.jsonl"));
    assert_eq!(pointers.len(), 3, "{pointers:?}");

    let run = |extra: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec!["pyramid".into(), out.as_os_str().to_owned(), "--from".into(), "alice_loom".into()];
        args.extend(extra.iter().map(Into::into));
        let result = leadminer(&args);
        assert!(result.status.success(), "pyramid failed: {}", String::from_utf8_lossy(&result.stderr));
        String::from_utf8(result.stdout).expect("UTF-8")
    };
    let reached: Vec<Value> = run(&["--json"]).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    let steps: Vec<(String, u64)> =
        reached.iter().map(|r| (r["author"].as_str().unwrap().to_string(), r["depth"].as_u64().unwrap())).collect();
    assert_eq!(steps, [("bob_shuttle".to_string(), 1), ("carol_heddle".to_string(), 2), ("dan_warp".to_string(), 3)]);
    assert_eq!(reached[0]["via"][0]["from"], "alice_loom");
    assert_eq!(reached[0]["via"][0]["posts"], json!(["p2"]));
    assert_eq!(reached[0]["site"], community);

    let one: Vec<Value> = run(&["--json", "--depth", "1"]).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert_eq!(one.len(), 1);
    let table = run(&[]);
    assert!(table.contains("bob_shuttle") && table.contains("ask bob_shuttle"), "{table}");
    assert!(!table.contains("erin_weft"), "{table}");

    let nobody = leadminer(["pyramid".as_ref(), out.as_os_str(), "--from".as_ref(), "erin_weft".as_ref()]);
    assert!(nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("points to nobody"));
    let missing = leadminer(["pyramid", "/nonexistent/scan", "--from", "x"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("pointers.jsonl"));
}

/// The same promises on the development corpora, and the cases the issue
/// named: the Urho3D developer who posted its releases is a producer, and
/// whoever submitted the link to an article in which its author says he
/// built Dropbox is not credited with it.
#[test]
fn corpora_rankings_spread_and_tell_producers_and_link_submitters_apart() {
    let Some(dir) = crate::common::corpora("corpora_rankings_spread_and_tell_producers_and_link_submitters_apart") else {
        return;
    };
    let out = tempfile::tempdir().expect("temp dir");
    for corpus in ["discourse-urho3d", "hackernews"] {
        let to = out.path().join(corpus);
        let r = leadminer(["scan".as_ref(), "-q".as_ref(), "--no-report".as_ref(), "--out".as_ref(), to.as_os_str(), dir.join(corpus).as_os_str()]);
        assert!(r.status.success(), "scan {corpus}: {}", String::from_utf8_lossy(&r.stderr));
        let authors = jsonl(&to.join("authors.jsonl"));
        let ranked: Vec<&Value> = authors.iter().filter(|a| a["producer"] == false).collect();
        assert!(ranked.len() > 500, "{corpus}: {} ranked", ranked.len());
        assert_ranking_spreads(&ranked, corpus);
        let summary: Value = serde_json::from_str(&read(&to.join("summary.json"))).expect("summary");
        assert!(summary["rising_topics"].as_object().is_some_and(|r| !r.is_empty()), "{corpus}: no rising topics");
        if corpus == "discourse-urho3d" {
            let lead = author(&authors, "cadaver").expect("the developer who posted the releases");
            assert_eq!(lead["producer"], true, "{lead}");
        } else {
            let posts = jsonl(&to.join("posts.jsonl"));
            let dropbox = posts.iter().find(|p| p["id"] == "25091212").expect("the Dropbox article is listed");
            assert_eq!(dropbox["link_submission"], true);
            let submitter = dropbox["author"].as_str().expect("a submitter");
            assert!(author(&authors, submitter).is_none_or(|a| a["top_posts"].as_array().unwrap().iter().all(|p| p[1] != "25091212")));
        }
    }
}

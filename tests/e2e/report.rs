//! The results people open: `report.html` in a real headless Chromium,
//! and the CSV tables read back by a CSV parser.

use crate::common::{leadminer, read, root, scratch_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

fn scan(inputs: &[&Path], out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<std::ffi::OsString> = vec!["scan".into(), "--out".into(), out.as_os_str().to_owned()];
    args.extend(extra.iter().map(Into::into));
    args.extend(inputs.iter().map(|p| p.as_os_str().to_owned()));
    let result = leadminer(&args);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    result
}

/// Headless Chromium, or `None` with a SKIPPED line outside CI (CI
/// installs it: `.ci/run`).
fn chromium(test: &str) -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        let out = Command::new("which").arg(name).output().ok()?;
        out.status.success().then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
    });
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "{test}: CI must have Chromium (.ci/run installs it)");
        eprintln!("SKIPPED {test}: no chromium on PATH");
    }
    found
}

/// What Chromium made of a page: the rendered DOM, and the console lines
/// it logged (none is expected).
struct Rendered {
    dom: String,
    console: Vec<String>,
}

/// Opens `page` in headless Chromium, offline, and writes a screenshot
/// to `screenshot` when given.
fn render(browser: &Path, page: &Path, screenshot: Option<&Path>) -> Rendered {
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!("file://{}", page.display());
    let base = |cmd: &mut Command| {
        cmd.args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]);
    };
    let mut dump = Command::new(browser);
    base(&mut dump);
    let out = dump.arg("--dump-dom").arg(&url).output().expect("chromium runs");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let console =
        String::from_utf8_lossy(&out.stderr).lines().filter(|l| l.contains(":CONSOLE")).map(String::from).collect();
    if let Some(shot) = screenshot {
        let mut cmd = Command::new(browser);
        base(&mut cmd);
        let out = cmd
            .arg(format!("--screenshot={}", shot.display()))
            .arg("--window-size=1280,1800")
            .arg(&url)
            .output()
            .expect("chromium runs");
        assert!(out.status.success() && shot.is_file(), "no screenshot: {}", String::from_utf8_lossy(&out.stderr));
    }
    Rendered { dom: String::from_utf8_lossy(&out.stdout).into_owned(), console }
}

#[test]
fn the_report_renders_in_a_real_browser() {
    let Some(browser) = chromium("the_report_renders_in_a_real_browser") else { return };
    let out = tempfile::tempdir().expect("temp dir");
    let result = scan(&[&root().join("examples/data")], out.path(), &["--threads", "1"]);
    let stdout = String::from_utf8_lossy(&result.stdout);
    let page = out.path().join("report.html");
    assert!(stdout.contains(&page.display().to_string()), "the scan names its report: {stdout}");
    let shot = scratch_dir("report").join("report.png");
    let rendered = render(&browser, &page, Some(&shot));
    assert!(rendered.console.is_empty(), "console output: {:?}", rendered.console);
    let dom = &rendered.dom;
    assert!(dom.contains(r#"data-rendered="true""#), "the page's script ran to the end");
    // The top innovation, a lead user, the charts.
    assert!(dom.contains("Tilewatch – a tiny daemon that tiles my windows"), "top innovation");
    assert!(dom.contains("<mark class=\"solution\">"), "evidence highlighted");
    assert!(dom.contains("lathe_larry"), "a lead user");
    assert!(dom.contains("<svg") && dom.contains("<polyline"), "a chart");
    assert!(dom.contains("aria-label=\"monthly activity of news.ycombinator.com\""));
}

#[test]
fn post_text_with_markup_renders_as_text() {
    let Some(browser) = chromium("post_text_with_markup_renders_as_text") else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("hostile.jsonl");
    let post = serde_json::json!({
        "id": "h1",
        "community": "hostile",
        "author": "mallory<b>",
        "created": 1_600_000_000,
        "title": "Show HN: I built my own <script>document.body.dataset.pwned='script'</script> tool",
        "body": "I built a small tool to solve my own problem, because nothing on the market did it. \
                 <img src=x onerror=\"document.body.dataset.pwned='img'\"> I made it for myself and I use it every day. \
                 </script><script>document.body.dataset.pwned='close'</script>",
        "url": "javascript:document.body.dataset.pwned='url'",
    });
    std::fs::write(&input, format!("{post}\n")).expect("write");
    let out = dir.path().join("out");
    scan(&[&input], &out, &["--body-format", "text"]);
    let page = read(&out.join("report.html"));
    assert!(!page.contains("<img src=x") && !page.contains("<script>document"), "no markup from the post in the file");
    let rendered = render(&browser, &out.join("report.html"), None);
    assert!(rendered.console.is_empty(), "console output: {:?}", rendered.console);
    let dom = &rendered.dom;
    assert!(dom.contains(r#"data-rendered="true""#), "the page rendered");
    assert!(!dom.contains("data-pwned"), "nothing from the post ran");
    assert!(dom.contains("&lt;script&gt;document.body.dataset.pwned='script'&lt;/script&gt;"), "shown as text");
    assert!(!dom.contains("href=\"javascript:"), "only http(s) links");
}

/// The report's data (the JSON the page renders), with the version, the
/// timings and the paths of this checkout left out.
fn report_data(page: &str) -> serde_json::Value {
    let start = page.find(r#"<script type="application/json" id="data">"#).expect("data element");
    let rest = &page[start..];
    let json = &rest[rest.find('>').expect("tag end") + 1..rest.find("</script>").expect("element end")];
    let mut data: serde_json::Value = serde_json::from_str(json).expect("the data is JSON");
    data["summary"]["about"]["version"] = "VERSION".into();
    data["summary"]["about"]["options"]["inputs"] = "INPUTS".into();
    data["summary"]["timings"] = serde_json::Value::Null;
    data["summary"]["inputs"] = serde_json::Value::Null;
    data
}

#[test]
fn report_data_and_csv_of_the_sample_are_stable() {
    let out = tempfile::tempdir().expect("temp dir");
    scan(&[&root().join("examples/data")], out.path(), &["--threads", "1", "--output-format", "jsonl,csv"]);
    let data = report_data(&read(&out.path().join("report.html")));
    insta::assert_json_snapshot!("sample_report_data", data);
    insta::assert_snapshot!("sample_posts_csv", read(&out.path().join("posts.csv")));
    insta::assert_snapshot!("sample_authors_csv", read(&out.path().join("authors.csv")));
}

#[test]
fn csv_rows_match_the_jsonl_records() {
    let out = tempfile::tempdir().expect("temp dir");
    scan(&[&root().join("examples/data")], out.path(), &["--output-format", "csv", "--output-format", "jsonl"]);
    let posts: Vec<serde_json::Value> = read(&out.path().join("posts.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let mut reader = csv::Reader::from_path(out.path().join("posts.csv")).expect("posts.csv");
    let header: Vec<String> = reader.headers().expect("header").iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows parse");
    assert_eq!(rows.len(), posts.len(), "one row per post");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    for (row, post) in rows.iter().zip(&posts) {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
        assert_eq!(row[col("id")], text(&post["id"]));
        assert_eq!(row[col("community")], text(&post["community"]));
        assert_eq!(row[col("date")], text(&post["date"]));
        assert_eq!(row[col("title")], text(&post["title"]));
        assert_eq!(row[col("snippet")], text(&post["snippet"]["text"]));
        for label in ["solution", "user_innovation", "need", "commercial"] {
            let score: f64 = row[col(&format!("score_{label}"))].parse().expect("a number");
            assert!((score - post["scores"][label].as_f64().expect("score")).abs() < 1e-6, "{label}");
            assert_eq!(row[col(&format!("is_{label}"))], post["labels"][label].to_string());
        }
        assert_eq!(row[col("replies")], post["response"]["replies"].to_string());
    }
    let authors = read(&out.path().join("authors.jsonl"));
    let mut reader = csv::Reader::from_path(out.path().join("authors.csv")).expect("authors.csv");
    let header = reader.headers().expect("header").clone();
    let at = header.iter().position(|h| h == "author").expect("an author column");
    let names: Vec<String> = reader.records().map(|r| r.expect("row")[at].to_string()).collect();
    let expected: Vec<String> = authors
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON")["author"].as_str().expect("name").to_string())
        .collect();
    assert_eq!(names, expected);
}

#[test]
fn parquet_rows_match_the_jsonl_records() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float32Type, TimestampMillisecondType};
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let out = tempfile::tempdir().expect("temp dir");
    scan(&[&root().join("examples/data")], out.path(), &["--output-format", "jsonl,parquet"]);
    let posts: Vec<serde_json::Value> = read(&out.path().join("posts.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let file = std::fs::File::open(out.path().join("posts.parquet")).expect("posts.parquet");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file").build().expect("reader");
    let mut row = 0;
    for batch in reader {
        let batch = batch.expect("batch");
        let column = |name: &str| batch.column_by_name(name).unwrap_or_else(|| panic!("column {name}")).clone();
        let ids = column("id");
        let ids = ids.as_string::<i32>();
        let created = column("created");
        let created = created.as_primitive::<TimestampMillisecondType>();
        let signals = column("signals");
        let signals = signals.as_list::<i32>();
        for i in 0..batch.num_rows() {
            let post = &posts[row];
            assert_eq!(ids.value(i), post["id"].as_str().expect("id"));
            assert_eq!(created.is_null(i), post["created"].is_null());
            if !created.is_null(i) {
                assert_eq!(created.value(i), post["created"].as_i64().expect("created") * 1000);
            }
            for label in ["solution", "user_innovation", "need", "commercial"] {
                let scores = column(&format!("score_{label}"));
                let score = f64::from(scores.as_primitive::<Float32Type>().value(i));
                assert!((score - post["scores"][label].as_f64().expect("score")).abs() < 1e-6, "{label}");
                let labels = column(&format!("is_{label}"));
                assert_eq!(labels.as_boolean().value(i), post["labels"][label].as_bool().expect("label"));
            }
            let listed = post["signals"].as_array().expect("signals");
            let here = signals.value(i);
            let here = here.as_struct();
            assert_eq!(here.len(), listed.len());
            let texts = here.column_by_name("text").expect("text");
            for (j, s) in listed.iter().enumerate() {
                assert_eq!(texts.as_string::<i32>().value(j), s["text"].as_str().expect("text"));
            }
            row += 1;
        }
    }
    assert_eq!(row, posts.len(), "one row per post");
    let file = std::fs::File::open(out.path().join("authors.parquet")).expect("authors.parquet");
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).expect("a Parquet file").build().expect("reader");
    let rows: usize = reader.map(|b| b.expect("batch").num_rows()).sum();
    assert_eq!(rows, read(&out.path().join("authors.jsonl")).lines().count());
}

//! Format detection from the file name, then from the first bytes.

use super::Format;
use std::path::Path;

/// Detects the format of a file from its name and its first decompressed
/// bytes. `None` when neither says.
pub fn detect_format(path: &Path, head: &[u8]) -> Option<Format> {
    by_name(path).or_else(|| by_content(path, head))
}

/// The file name with compression extensions removed, lower-cased.
fn base_name(path: &Path) -> String {
    let mut name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    for ext in [".zst", ".zstd", ".gz", ".xz", ".bz2"] {
        if let Some(stripped) = name.strip_suffix(ext) {
            name = stripped.to_string();
        }
    }
    name
}

fn by_name(path: &Path) -> Option<Format> {
    let name = base_name(path);
    if name.ends_with("posts.xml") {
        return Some(Format::StackExchangePosts);
    }
    if name.ends_with("comments.xml") {
        return Some(Format::StackExchangeComments);
    }
    if name.ends_with(".mbox") {
        return Some(Format::Mbox);
    }
    if name.ends_with(".csv") {
        return Some(Format::Csv);
    }
    let stem = name
        .trim_end_matches(".ndjson")
        .trim_end_matches(".jsonl")
        .trim_end_matches(".json");
    let reddit_monthly = |p: &str| {
        stem.strip_prefix(p)
            .is_some_and(|rest| rest.len() >= 7 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit))
    };
    if reddit_monthly("rc_")
        || reddit_monthly("rs_")
        || stem.ends_with("_comments")
        || stem.ends_with("_submissions")
    {
        return Some(Format::Reddit);
    }
    None
}

fn by_content(path: &Path, head: &[u8]) -> Option<Format> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let body = &head[start..];
    match body[0] {
        b'<' => {
            let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
            if text.contains("<posts") {
                Some(Format::StackExchangePosts)
            } else if text.contains("<comments") {
                Some(Format::StackExchangeComments)
            } else {
                None
            }
        }
        b'F' if body.starts_with(b"From ") => {
            let line = body.split(|&b| b == b'\n').next().unwrap_or(body);
            let line = String::from_utf8_lossy(line);
            let mut words = line.split_whitespace().skip(1);
            let (_, at) = (words.next(), words.next());
            if at == Some("at") {
                Some(Format::Pipermail)
            } else {
                Some(Format::Mbox)
            }
        }
        b'[' => {
            let first = first_json_object(body)?;
            looks_like_hn(&first).then_some(Format::HackerNews)
        }
        b'{' => {
            let line = body.split(|&b| b == b'\n').next().unwrap_or(body);
            let value: serde_json::Value = serde_json::from_slice(line).ok().or_else(|| {
                // A pretty-printed single document (Discourse topic).
                serde_json::from_slice(body).ok()
            }).or_else(|| {
                // The head cut a long document: look for telltale keys.
                let text = String::from_utf8_lossy(body);
                text.contains("\"post_stream\"").then(|| serde_json::json!({"post_stream": {}}))
            })?;
            let obj = value.as_object()?;
            if obj.contains_key("post_stream") {
                Some(Format::Discourse)
            } else if obj.contains_key("subreddit")
                || obj.contains_key("subreddit_id")
                || obj.contains_key("link_id")
            {
                Some(Format::Reddit)
            } else if looks_like_hn(&value) {
                Some(Format::HackerNews)
            } else {
                Some(Format::Jsonl)
            }
        }
        _ => {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            (ext.eq_ignore_ascii_case("csv")).then_some(Format::Csv)
        }
    }
}

fn looks_like_hn(v: &serde_json::Value) -> bool {
    let Some(obj) = v.as_object() else { return false };
    let ty = obj.get("type").and_then(|t| t.as_str());
    matches!(ty, Some("story" | "comment" | "job" | "poll" | "pollopt"))
        && obj.get("id").is_some_and(|id| id.is_u64())
}

/// The first element of a JSON array, if it fits in `body`.
fn first_json_object(body: &[u8]) -> Option<serde_json::Value> {
    let mut stream = serde_json::Deserializer::from_slice(body.get(1..)?).into_iter::<serde_json::Value>();
    stream.next()?.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let f = |n: &str| detect_format(Path::new(n), b"");
        assert_eq!(f("RC_2023-01.zst"), Some(Format::Reddit));
        assert_eq!(f("RS_2011-02"), Some(Format::Reddit));
        assert_eq!(f("woodworking_submissions.zst"), Some(Format::Reddit));
        assert_eq!(f("diy.stackexchange.com/Posts.xml"), Some(Format::StackExchangePosts));
        assert_eq!(f("site.Comments.xml.gz"), Some(Format::StackExchangeComments));
        assert_eq!(f("list.mbox"), Some(Format::Mbox));
        assert_eq!(f("notes.txt"), None);
    }

    #[test]
    fn contents() {
        let f = |h: &[u8]| detect_format(Path::new("x"), h);
        assert_eq!(f(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<posts>\n"), Some(Format::StackExchangePosts));
        assert_eq!(f(b"From sb at x.edu  Sat Nov  8 2014\n"), Some(Format::Pipermail));
        assert_eq!(f(b"From MAILER-DAEMON Sat Aug 28 2021\n"), Some(Format::Mbox));
        assert_eq!(f(b"[{\"by\":\"a\",\"id\":1,\"type\":\"story\"}]"), Some(Format::HackerNews));
        assert_eq!(f(b"{\"by\":\"a\",\"id\":2,\"type\":\"comment\",\"parent\":1}\n"), Some(Format::HackerNews));
        assert_eq!(f(b"{\"id\":\"x\",\"subreddit\":\"DIY\",\"body\":\"b\"}\n"), Some(Format::Reddit));
        assert_eq!(f(b"{\"post_stream\":{\"posts\":[]},\"id\":3}"), Some(Format::Discourse));
        assert_eq!(f(b"{\"post_id\":\"1\",\"text\":\"t\"}\n"), Some(Format::Jsonl));
        assert_eq!(f(b"\x00\x01binary"), None);
    }
}

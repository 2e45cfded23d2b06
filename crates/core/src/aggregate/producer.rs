//! Producer work: posts that release, announce or merge a project rather
//! than describe a user's own solution. Authors whose credited posts are
//! mostly these, or who announce releases of the community's own project,
//! are flagged `producer` and ranked apart: they make the product, they do
//! not lead its users.

use regex::Regex;
use std::sync::OnceLock;

/// What a thread's title announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Announcement {
    /// Nothing.
    #[default]
    None,
    /// A release, an announcement or a merge notice.
    Release,
    /// A release of the project the community is about (its name is in the
    /// site's name: "Urho3D 1.7 released" on discourse.urho3d.io).
    OwnRelease,
}

fn release() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let version = r"\bv?\d+(?:\.\d+)+[a-z]?\b";
        let word = r"\b(?:released?|releasing|available|is\s+out|out\s+now|launch(?:ed|es)?|changelog)\b";
        Regex::new(&format!(
            r"(?i)^\s*(?:\[\s*ann(?:ounce)?\s*\]|ann(?:ounce)?\s*:|announcing\b|announcement\s*:)|{version}.*{word}|{word}.*{version}|\b(?:merged|pull\s+request\s+#?\d+)\b"
        ))
        .expect("the release pattern is valid")
    })
}

/// Words of site names that name no project.
const GENERIC: &[&str] = &[
    "www", "forum", "forums", "discourse", "discuss", "community", "communities", "list", "lists", "mail",
    "groups", "group", "users", "user", "devel", "dev", "com", "org", "net", "io", "info", "co", "uk", "de",
    "meta", "stackexchange", "reddit", "news", "ycombinator", "board", "boards", "archive", "the",
];

/// What the title of a thread started on `site` announces.
pub fn announcement(title: &str, site: &str) -> Announcement {
    // "Time to release 1.8?" asks; it announces nothing.
    if title.trim_end().ends_with('?') || !release().is_match(title) {
        return Announcement::None;
    }
    let lower = title.to_lowercase();
    let own = site
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 3 && !GENERIC.contains(&w.to_ascii_lowercase().as_str()))
        .any(|w| {
            let w = w.to_ascii_lowercase();
            lower.match_indices(&w).any(|(i, _)| {
                let before = lower[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                let after = lower[i + w.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
                before && after
            })
        });
    if own {
        Announcement::OwnRelease
    } else {
        Announcement::Release
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_of_the_communitys_project_and_of_others() {
        assert_eq!(announcement("Kilnctl V2.6 released", "forum.kilnctl.org"), Announcement::OwnRelease);
        assert_eq!(announcement("kilnctl 3.0 release", "forum.kilnctl.org"), Announcement::OwnRelease);
        assert_eq!(announcement("Glazecalc 0.9 Released", "forum.kilnctl.org"), Announcement::Release);
        assert_eq!(announcement("[ANN] mylib 0.3", "lists.example.org"), Announcement::Release);
        assert_eq!(announcement("Merged: new renderer", "forum.kilnctl.org"), Announcement::Release);
        // A generic word of the site's name names no project.
        assert_eq!(announcement("Forum 2.0 released", "forum.kilnctl.org"), Announcement::Release);
    }

    #[test]
    fn questions_and_user_work_are_not_announcements() {
        assert_eq!(announcement("Next release?", "forum.kilnctl.org"), Announcement::None);
        assert_eq!(announcement("Time to release Kilnctl 2.7?", "forum.kilnctl.org"), Announcement::None);
        assert_eq!(announcement("Crash in the Release build", "forum.kilnctl.org"), Announcement::None);
        assert_eq!(announcement("I made a cone camera", "forum.kilnctl.org"), Announcement::None);
        assert_eq!(announcement("How to release the lid latch?", "forum.kilnctl.org"), Announcement::None);
    }
}

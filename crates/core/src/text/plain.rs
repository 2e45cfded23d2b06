//! Plain text (mail bodies, scraped text) with quoted parts marked.
//!
//! Lines starting with `>`, the attribution line introducing them
//! ("On Mon, ... wrote:"), and everything after an "-----Original
//! Message-----" separator or an Outlook-style header block ("From: ..."
//! followed by "Sent: ...") are marked as quotes. Mailman's scrubbed
//! attachment notes ("-------------- next part --------------") end the text.

use super::builder::{Text, TextBuilder};
use crate::model::RegionKind;

/// Converts plain text, keeping its lines and marking quoted parts.
pub fn to_text(s: &str) -> Text {
    let lines: Vec<&str> = s.lines().collect();
    let mut b = TextBuilder::with_capacity(s.len());
    let mut in_quote = false;
    let mut forwarded = false;
    let mut blank_run = 0usize;
    for (i, raw) in lines.iter().enumerate() {
        let line = raw.trim_end();
        if line.starts_with("-------------- next part --------------") {
            break;
        }
        if is_original_message_separator(line) || is_reply_header(&lines[i..]) {
            forwarded = true;
            if !in_quote {
                b.paragraph();
                b.open(RegionKind::Quote);
                in_quote = true;
            }
        }
        let quoted = forwarded
            || line.starts_with('>')
            || is_attribution(line, lines.get(i + 1).copied());
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if quoted != in_quote {
            b.paragraph();
            if quoted {
                b.open(RegionKind::Quote);
            } else {
                b.close(RegionKind::Quote);
            }
            in_quote = quoted;
        } else if blank_run > 0 {
            b.paragraph();
        } else {
            b.line_break();
        }
        blank_run = 0;
        b.push_verbatim(line);
    }
    b.finish()
}

fn is_original_message_separator(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("-----Original Message-----")
        || t.starts_with("----- Original Message -----")
        || t.starts_with("---------- Forwarded message")
}

/// An Outlook-style header block introducing the quoted message: a
/// "From:" line with "Sent:" or "Date:" on one of the next two lines (and
/// the German and Chinese forms Outlook writes).
fn is_reply_header(lines: &[&str]) -> bool {
    const BLOCKS: [(&str, &[&str]); 3] = [
        ("From:", &["Sent:", "Date:"]),
        ("Von:", &["Gesendet:"]),
        ("发件人", &["发送时间"]),
    ];
    fn field(l: &str) -> &str {
        l.trim_start().trim_start_matches('*')
    }
    let Some((first, rest)) = lines.split_first() else {
        return false;
    };
    let first = field(first);
    BLOCKS.iter().any(|(from, sent)| {
        first.starts_with(from)
            && rest.iter().take(2).any(|l| {
                let l = field(l);
                sent.iter().any(|s| l.starts_with(s))
            })
    })
}

/// "On <date>, <name> wrote:" (possibly wrapped onto the next line).
fn is_attribution(line: &str, next: Option<&str>) -> bool {
    let t = line.trim();
    if t.ends_with("wrote:") || t.ends_with("writes:") {
        return t.starts_with("On ") || t.contains('@') || t.contains(" at ");
    }
    if t.starts_with("On ") && t.len() > 12 {
        if let Some(n) = next {
            let n = n.trim();
            return n.ends_with("wrote:") && n.len() < 40;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_lines_and_attribution_are_quotes() {
        let t = to_text("My reply.\n\nOn Sat, Nov 8, 2014 at 11:37 AM, Bob <b at x.org\n> wrote:\n\n> this is a test\n>\n");
        assert_eq!(t.regions.len(), 1);
        assert!(t.text.starts_with("My reply."));
        let q = &t.text[t.regions[0].range()];
        assert!(q.starts_with("On Sat") && q.ends_with("> this is a test\n>"), "{q:?}");
    }

    #[test]
    fn original_message_tail_is_quote() {
        let t = to_text("Thanks.\n\n-----Original Message-----\nFrom: a\n\nold text\n");
        assert_eq!(&t.text[..7], "Thanks.");
        assert!(t.text[t.regions[0].range()].ends_with("old text"));
    }

    #[test]
    fn outlook_header_block_starts_quote() {
        let t = to_text("Agreed.\n\nFrom: Ann <a@x.org>\nSent: Monday\nTo: list\nSubject: Re: x\n\nold text\n");
        assert_eq!(&t.text[..7], "Agreed.");
        let q = &t.text[t.regions[0].range()];
        assert!(q.starts_with("From: Ann") && q.ends_with("old text"), "{q:?}");
        let t = to_text("好的\n\n发件人： Ruixin Wang\n发送时间： 2019-08-29 11:35\n旧\n");
        assert!(t.text[t.regions[0].range()].starts_with("发件人"));
        let t = to_text("From: the team\nThanks for all.\n");
        assert!(t.regions.is_empty());
    }

    #[test]
    fn scrubbed_attachment_note_ends_text() {
        let t = to_text("hello\n-------------- next part --------------\nAn HTML attachment was scrubbed...\n");
        assert_eq!(t.text, "hello");
    }
}

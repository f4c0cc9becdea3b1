//! Trailing blocks: "You may also like", "RELATED ARTICLES", "Check Also",
//! "Most Viewed", "COMMENTS", "Other reports by", "Tags: ..." and all that
//! follows them (teaser headlines, share words, tag lists, prompts).
//!
//! A heading (from `data/tail_headings.txt`) cuts the document from itself
//! to the end when the text after it is not article text: little prose
//! compared with the body before it. Strong headings (comments, related
//! articles, most viewed) allow more prose after them, since comment threads
//! read like prose; weak ones ("Read more", "Topics", "Check Also") allow
//! little. A strong heading in the middle of the body, with the article going
//! on after it, is an inline box: only the heading and the teaser lines
//! under it go. A heading must follow at least one body paragraph.

use super::Stage;
use crate::doc::Doc;
use crate::phrases::phrases;
use crate::text::{chars_at_most, is_body_like, key, word_count};

pub struct Tail;

/// Prose after a heading, as a share of the body's prose before it, above
/// which the heading does not end the article.
const WEAK_RATIO: f32 = 0.35;
const STRONG_RATIO: f32 = 1.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Strength {
    Weak,
    Strong,
}

impl Stage for Tail {
    fn name(&self) -> &'static str {
        "tail"
    }

    fn run(&self, doc: &mut Doc) {
        let Some(first_body) = doc.zones().first_body else {
            return;
        };
        let kept = doc.kept();
        // prose[n]: characters of body-like text in the first n kept lines.
        let mut prose = Vec::with_capacity(kept.len() + 1);
        prose.push(0usize);
        for &i in &kept {
            let n = if doc.lines[i].is_body_like() {
                doc.lines[i].char_len()
            } else {
                0
            };
            prose.push(prose.last().copied().unwrap_or(0) + n);
        }
        let total = prose[kept.len()];
        for (pos, &h) in kept.iter().enumerate() {
            if h <= first_body || !doc.lines[h].kept {
                continue;
            }
            let Some((heading, strength, inline)) = tail_heading(&doc.lines[h].text) else {
                continue;
            };
            let before = prose[pos];
            let after = total - prose[pos + 1];
            let ratio = match strength {
                Strength::Weak => WEAK_RATIO,
                Strength::Strong => STRONG_RATIO,
            };
            if after as f32 <= before as f32 * ratio {
                doc.remove(h, self.name(), format!("tail heading \"{heading}\""));
                for &i in &kept[pos + 1..] {
                    doc.remove(
                        i,
                        self.name(),
                        format!("in the tail block under \"{heading}\""),
                    );
                }
                return;
            }
            if inline {
                // "Read more: <other story>" in mid-article: a link line.
                doc.remove(h, self.name(), format!("inline link \"{heading}: ...\""));
            } else if strength == Strength::Strong {
                // An inline box: the heading and the teasers up to where the
                // body goes on.
                doc.remove(h, self.name(), format!("inline box heading \"{heading}\""));
                for &i in &kept[pos + 1..] {
                    let t = &doc.lines[i].text;
                    if doc.lines[i].is_body_like() || word_count(t) > 16 {
                        break;
                    }
                    doc.remove(
                        i,
                        self.name(),
                        format!("teaser in the inline box \"{heading}\""),
                    );
                }
            }
        }
    }
}

/// Is the line a tail heading ("Most Viewed", "Tags: a, b")? Returns the
/// heading's key, its strength, and whether items follow it on the line.
fn tail_heading(line: &str) -> Option<(String, Strength, bool)> {
    let p = phrases();
    let lookup = |s: &str| {
        if p.tail_strong.is_exact(s) {
            Some((key(s), Strength::Strong))
        } else if p.tail_weak.is_exact(s) {
            Some((key(s), Strength::Weak))
        } else {
            None
        }
    };
    if chars_at_most(line, 60) {
        if let Some((k, st)) = lookup(line) {
            return Some((k, st, false));
        }
        // "Other stories by Jane Doe", "More from The Harbour Post": a
        // heading phrase followed by a name, not a sentence.
        if word_count(line) <= 8 && !crate::text::ends_sentence(line) {
            for (list, strength) in [
                (&p.tail_strong, Strength::Strong),
                (&p.tail_weak, Strength::Weak),
            ] {
                if let Some((crate::phrases::Hit::Prefix, phrase)) = list.find(line) {
                    return Some((phrase, strength, false));
                }
            }
        }
    }
    // "Tags: Syria, Iraq", "Related: Another story": heading, colon, items.
    // (memchr: most lines are paragraphs without a colon, read at speed)
    let colon = memchr::memchr(b':', line.as_bytes())?;
    let (head, rest) = (&line[..colon], &line[colon + 1..]);
    if word_count(head) <= 4
        && !rest.trim().is_empty()
        && chars_at_most(line, 200)
        && !is_body_like(rest)
    {
        return lookup(head).map(|(k, st)| (k, st, true));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::kept_after;

    const BODY: &str = "The council voted on Tuesday to close the old bridge to lorries after engineers warned that its supports were failing.";
    const BODY2: &str = "Residents said the closure would add half an hour to the school run and asked the council for a shuttle bus.";

    #[test]
    fn cuts_related_and_comments() {
        let text = format!("Bridge closes\n{BODY}\n{BODY2}\nCheck Also\nBus lanes extended across town\nMayor speaks during a meeting in the town hall, Wednesday, Nov. 6, \u{2026}\n");
        assert_eq!(kept_after(&Tail, &text), ["Bridge closes", BODY, BODY2]);
        let text = format!("Bridge closes\n{BODY}\nCOMMENTS\nPlease tell us if commenting is not working for you today.\n");
        assert_eq!(kept_after(&Tail, &text), ["Bridge closes", BODY]);
        let text = format!("Bridge closes\n{BODY}\n{BODY2}\nTags: bridges, council, lorries\n");
        assert_eq!(kept_after(&Tail, &text), ["Bridge closes", BODY, BODY2]);
        let text = format!("Bridge closes\n{BODY}\nYou may also like");
        assert_eq!(kept_after(&Tail, &text), ["Bridge closes", BODY]);
        let text = format!(
            "Bridge closes\n{BODY}\n{BODY2}\nOther stories by Jane Doe\nBus lanes extended\n"
        );
        assert_eq!(kept_after(&Tail, &text), ["Bridge closes", BODY, BODY2]);
    }

    #[test]
    fn heading_before_the_body_is_not_a_tail() {
        let text = format!("Most Viewed\nBridge closes\n{BODY}\n");
        assert_eq!(kept_after(&Tail, &text).len(), 3);
    }

    #[test]
    fn weak_heading_mid_article_keeps_the_rest() {
        let text = format!("Bridge closes\n{BODY}\nRead more\n{BODY2}\n{BODY}\n{BODY2}\n");
        assert_eq!(kept_after(&Tail, &text).len(), 6);
    }

    #[test]
    fn inline_related_box_mid_article() {
        let text = format!("Bridge closes\n{BODY}\nRelated Articles\nBus lanes extended\nNew ferry timetable\n{BODY2}\n{BODY}\n{BODY2}\n");
        assert_eq!(
            kept_after(&Tail, &text),
            ["Bridge closes", BODY, BODY2, BODY, BODY2]
        );
    }

    #[test]
    fn inline_read_more_link_mid_article() {
        let text = format!(
            "Bridge closes\n{BODY}\nREAD MORE: Bus lanes extended across town\n{BODY2}\n{BODY}\n"
        );
        assert_eq!(
            kept_after(&Tail, &text),
            ["Bridge closes", BODY, BODY2, BODY]
        );
    }

    #[test]
    fn quote_saying_check_also_stays() {
        let text = format!("Bridge closes\n{BODY}\n\u{201C}Check also the smaller bridges,\u{201D} the engineer told the council.\n");
        assert_eq!(kept_after(&Tail, &text).len(), 3);
    }
}

//! Prompts: skip links, login and subscription prompts, cookie notices and
//! reading-time labels ("4 min read").
//!
//! Phrases come from `data/prompts.txt`. A whole-line phrase removes a short
//! line anywhere. A prefix phrase removes a line of at most a few sentences;
//! cookie notices, which read like prose, go only near the top or the end.

use super::Stage;
use crate::doc::Doc;
use crate::phrases::{phrases, Hit};

pub struct Prompts;

/// Longest line a prompt phrase may remove.
const MAX_PROMPT: usize = 300;

impl Stage for Prompts {
    fn name(&self) -> &'static str {
        "prompts"
    }

    fn run(&self, doc: &mut Doc) {
        let kept = doc.kept();
        let n = kept.len();
        let may = |l: &crate::doc::Line| {
            is_reading_time(l.folded())
                || (l.char_len() <= MAX_PROMPT
                    && (all_items_are_prompts(&l.text)
                        || phrases().prompts.find_folded(l.folded()).is_some()))
        };
        for (rank, &i) in kept.iter().enumerate() {
            let line = &doc.lines[i];
            if !line.may_take(super::bit::PROMPTS, may) {
                continue;
            }
            let text = &line.text;
            if is_reading_time(line.folded()) {
                doc.remove(i, self.name(), "reading time label");
                continue;
            }
            if line.char_len() > MAX_PROMPT {
                continue;
            }
            if all_items_are_prompts(text) {
                doc.remove(i, self.name(), "login or subscription links");
                continue;
            }
            let Some((kind, phrase)) = phrases().prompts.find_folded(line.folded()) else {
                continue;
            };
            let near_edge = rank < 4 || rank + 4 >= n;
            let cookie = phrase.contains("cookie")
                || phrase.contains("continuing to")
                || phrase.contains("using this site");
            let ok = match kind {
                Hit::Exact => true,
                _ if cookie => near_edge,
                _ => true,
            };
            if ok {
                let what = if cookie {
                    "cookie notice"
                } else {
                    "login or subscription prompt"
                };
                doc.remove(i, self.name(), format!("{what} \"{phrase}\""));
            }
        }
    }
}

/// "Sign in | Subscribe", "Log in / Register": every item a prompt.
fn all_items_are_prompts(line: &str) -> bool {
    const SEPARATORS: [char; 4] = ['|', '/', '\u{00B7}', '\u{2022}'];
    // (memchr first: the bytes that begin a separator, '·' with C2 and
    // '•' with E2, are missing from most lines)
    let b = line.as_bytes();
    let may = memchr::memchr3(b'|', b'/', 0xC2, b).is_some() || memchr::memchr(0xE2, b).is_some();
    if !may || !line.contains(SEPARATORS) {
        return false;
    }
    let items: Vec<&str> = line
        .split(SEPARATORS)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    items.len() >= 2 && items.iter().all(|i| phrases().prompts.is_exact(i))
}

/// "4 min read", "5 minute read", "Reading time: 3 minutes", "3 mins".
fn is_reading_time(f: &str) -> bool {
    // at most five words, and every unit has "min" in it
    if crate::text::word_count_upto(f, 6) > 5 || crate::text::find_short(f, "min").is_none() {
        return false;
    }
    use crate::text::trim_start_all;
    let rest = trim_start_all(trim_start_all(f, "reading time"), "estimated")
        .trim_start_matches([':', ' ']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return false;
    }
    let tail = rest[digits.len()..].trim_start().trim_start_matches('-');
    let unit = tail.split_whitespace().next().unwrap_or("");
    let unit_ok = matches!(
        unit,
        "min" | "mins" | "minute" | "minutes" | "min." | "-min"
    );
    let after: Vec<&str> = tail.split_whitespace().skip(1).collect();
    unit_ok
        && (after.is_empty()
            || after == ["read"]
            || (f.starts_with("reading time") && after.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::kept_after;

    const BODY: &str =
        "The council voted on Tuesday to close the old bridge to lorries after engineers warned.";

    #[test]
    fn reading_time() {
        assert!(is_reading_time(&crate::text::fold("4 min read")));
        assert!(is_reading_time(&crate::text::fold("5 minute read")));
        assert!(is_reading_time(&crate::text::fold(
            "Reading time: 3 minutes"
        )));
        assert!(!is_reading_time(&crate::text::fold(
            "4 minutes later the bus arrived"
        )));
        assert!(!is_reading_time(&crate::text::fold(
            "The 4 min read was short."
        )));
    }

    #[test]
    fn prompts_go() {
        let text = format!(
            "Skip to main content\nLog in\nSign in | Subscribe\nSubscribe now\nHeadline\n3 min read\n{BODY}\nSign up for our daily newsletter and get the news first.\n{BODY}\nWe use cookies to improve your experience on our site.\n"
        );
        assert_eq!(kept_after(&Prompts, &text), ["Headline", BODY, BODY]);
    }

    #[test]
    fn link_rows_with_every_separator() {
        for l in [
            "Sign in | Subscribe",
            "Log in / Register",
            "Sign in \u{00B7} Subscribe",
            "Sign in \u{2022} Subscribe",
        ] {
            assert!(all_items_are_prompts(l), "{l}");
        }
        for l in [
            "Sign in and Subscribe",
            "Sign in \u{2014} Subscribe",
            "Sign in",
        ] {
            assert!(!all_items_are_prompts(l), "{l}");
        }
    }

    #[test]
    fn prose_that_looks_like_a_prompt_stays() {
        let text = format!(
            "{BODY}\n{BODY}\n{BODY}\n{BODY}\n{BODY}\nWe use cookies, the bakery owner joked, to bring customers back every single morning.\n{BODY}\n{BODY}\n{BODY}\n{BODY}\n{BODY}\n\
             Subscribers to the service pay a monthly fee.\n"
        );
        assert_eq!(kept_after(&Prompts, &text).len(), 12);
    }
}

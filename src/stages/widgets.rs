//! Widgets: what a page's furniture leaves in a text dump. Separator lines
//! ("------ ------", "* * *"), shortcodes and template placeholders
//! ("[custom-twitter-feeds]", "{{ widget }}"), ad slots and share bars
//! ("Advertisement", "Translate »", "Facebook Twitter WhatsApp").
//!
//! All are decided by the shape of a single line, anywhere in the document:
//! none of them can be a sentence.

use super::Stage;
use crate::doc::Doc;
use crate::phrases::phrases;
use crate::text::{char_len, fold, has_no_alnum, key_of_folded, word_count};

pub struct Widgets;

impl Stage for Widgets {
    fn name(&self) -> &'static str {
        "widgets"
    }

    fn run(&self, doc: &mut Doc) {
        let judge = |l: &crate::doc::Line| classify_folded(&l.text, l.folded(), l.char_len());
        for i in doc.kept() {
            if !doc.lines[i].may_take(super::bit::WIDGETS, |l| judge(l).is_some()) {
                continue;
            }
            if let Some(reason) = judge(&doc.lines[i]) {
                doc.remove(i, self.name(), reason);
            }
        }
    }
}

/// Why a line is a widget, if it is one.
pub fn classify(line: &str) -> Option<String> {
    classify_folded(line, &fold(line), char_len(line))
}

/// [`classify`] given the line folded too and its length in characters
/// (the line's cached fold and count).
fn classify_folded(line: &str, f: &str, chars: usize) -> Option<String> {
    if has_no_alnum(line) {
        return Some("separator or symbol-only line".into());
    }
    if is_shortcode(line) {
        return Some("shortcode or template placeholder".into());
    }
    let p = phrases();
    if chars <= 60 {
        if p.widgets.is_exact_folded(f) {
            return Some(format!("widget text \"{}\"", key_of_folded(f)));
        }
        if let Some((_, phrase)) = p.widgets.find_folded(f) {
            if word_count(line) <= 10 {
                return Some(format!("widget text \"{phrase}\""));
            }
        }
    }
    if is_share_bar(f) {
        return Some("share bar".into());
    }
    None
}

/// "[custom-twitter-feeds]", "[/caption]", "[gallery ids=\"1,2\"]",
/// "{{ newsletter_signup }}", "%%AD_SLOT%%", "<!-- ad -->".
fn is_shortcode(line: &str) -> bool {
    let l = line.trim();
    let wrapped = |open: &str, close: &str| {
        l.starts_with(open) && l.ends_with(close) && l.len() > open.len() + close.len()
    };
    if wrapped("{{", "}}") || wrapped("{%", "%}") || wrapped("%%", "%%") || wrapped("<!--", "-->") {
        return true;
    }
    if wrapped("[", "]") {
        let inner = &l[1..l.len() - 1];
        let name = inner.trim_start_matches('/');
        let ident: String = name
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        let rest = &name[ident.len()..];
        // A shortcode name is a lowercase identifier, mostly joined by - or _,
        // optionally followed by attributes (key="value").
        let lower = ident.chars().all(|c| !c.is_ascii_uppercase());
        let joined = ident.contains(['-', '_']) || inner.starts_with('/') || rest.contains('=');
        return !ident.is_empty() && lower && joined && (rest.is_empty() || rest.starts_with(' '));
    }
    // WordPress caption shortcodes wrap the caption text itself.
    l.starts_with("[caption ") && l.contains("[/caption]")
}

/// A short line made only of share-button words: "Facebook Twitter Email".
/// Stops at the first word that is not one (the first word of prose).
/// (Read on the folded line: folding keeps these separators and folds
/// each word as it would fold alone.)
fn is_share_bar(f: &str) -> bool {
    let mut n = 0;
    for w in f
        .split(|c: char| {
            c.is_whitespace() || matches!(c, '|' | '/' | ',' | '\u{00B7}' | '\u{2022}')
        })
        .filter(|w| !w.is_empty())
    {
        n += 1;
        if n > 12 || !phrases().share_words.is_exact_folded(w) {
            return false;
        }
    }
    n >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::kept_after;

    #[test]
    fn share_bars_read_folded_as_raw() {
        // is_share_bar as first written: each raw word folded on its own.
        let raw = |line: &str| {
            let words: Vec<&str> = line
                .split(|c: char| {
                    c.is_whitespace() || matches!(c, '|' | '/' | ',' | '\u{00B7}' | '\u{2022}')
                })
                .filter(|w| !w.is_empty())
                .collect();
            words.len() >= 2
                && words.len() <= 12
                && words.iter().all(|w| phrases().share_words.is_exact(w))
        };
        for line in [
            "Facebook Twitter WhatsApp Email",
            "FACEBOOK | TWITTER | E\u{2010}MAIL",
            "Share \u{2022} Tweet \u{00B7} Email",
            "Facebook\u{a0}\u{a0}Twitter",
            "Share on \u{201C}Facebook\u{201D}",
            "Facebook",
            "The council met on Tuesday",
            "Email / Print / Comments",
            "a b c d e f g h i j k l m n",
        ] {
            assert_eq!(is_share_bar(&fold(line)), raw(line), "{line:?}");
        }
    }

    #[test]
    fn removes_furniture() {
        for line in [
            "------------- -------------- -------------------",
            "* * *",
            "[custom-twitter-feeds]",
            "[/caption]",
            "[gallery_grid ids=\"4,5\"]",
            "{{ newsletter_signup }}",
            "Translate \u{00BB}",
            "ADVERTISEMENT",
            "Share this:",
            "Click to share on WhatsApp (Opens in new window)",
            "Facebook Twitter WhatsApp Email",
            "Story continues below advertisement",
        ] {
            assert!(classify(line).is_some(), "should go: {line}");
        }
    }

    #[test]
    fn keeps_prose_and_subheads() {
        for line in [
            "\u{2013} IS squeezed in Iraq \u{2013}",
            "[IS] fighters held the town, he said.",
            "Share prices fell sharply on Monday after the announcement.",
            "Translate the report into Arabic, the minister asked.",
            "[Editor]",
        ] {
            assert!(classify(line).is_none(), "should stay: {line}");
        }
    }

    #[test]
    fn stage_runs_on_doc() {
        let kept = kept_after(&Widgets, "Title\n-----\nBody text here.\nAdvertisement\n");
        assert_eq!(kept, ["Title", "Body text here."]);
    }
}

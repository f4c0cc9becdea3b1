//! Normalize: the text every detector expects.
//!
//! HTML entities left in text dumps are decoded; no-break and other Unicode
//! spaces become a space; zero-width, bidi and control characters go; the
//! text is put in NFC; spaces are collapsed and lines trimmed. Blank lines
//! are dropped (they are remembered as `gap_before` on the next line), and
//! paragraphs hard-wrapped at a fixed width are rejoined into one line.
//! Typographic quotes and dashes are kept. Nothing here removes words, so
//! nothing is recorded.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use super::Stage;
use crate::doc::{Doc, Line};
use crate::text::{char_len, ends_sentence, first_word};

pub struct Normalize;

impl Stage for Normalize {
    fn name(&self) -> &'static str {
        "normalize"
    }

    fn run(&self, doc: &mut Doc) {
        let mut out: Vec<Line> = Vec::with_capacity(doc.lines.len());
        let mut gap = false;
        for line in doc.lines.drain(..) {
            let text = normalize_owned(line.text);
            if text.is_empty() {
                gap = true;
                continue;
            }
            let mut l = Line::new(text, line.line_no, gap || line.gap_before);
            l.kept = line.kept;
            out.push(l);
            gap = false;
        }
        doc.lines = unwrap_hard_wrapped(out);
    }
}

/// Characters removed outright: zero-width, bidi marks, soft hyphen, BOM.
/// ZWJ and ZWNJ (U+200C/D) stay: they change how Persian, Indic scripts and
/// emoji are written.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}' | '\u{200E}' | '\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

fn is_space(c: char) -> bool {
    c == '\t'
        || c == '\u{0B}'
        || c == '\u{0C}'
        || (c != '\n' && c != '\r' && c.is_whitespace())
        || c == '\u{2800}'
}

/// ASCII without control characters or double spaces: nothing for
/// normalization to do but trim.
fn plain_ascii(s: &str) -> bool {
    // (A fold without an early exit: the compiler checks many bytes at
    // once, where `any` goes one by one.)
    s.is_ascii()
        && !s
            .bytes()
            .fold(false, |acc, b| acc | (b < 0x20) | (b == 0x7F))
        && !crate::text::has_double_space(s.as_bytes())
}

/// [`normalize_line`] of an owned line: one already normal (most are) is
/// given back as it is rather than copied.
fn normalize_owned(raw: String) -> String {
    // (memchr's search, not str's: every line is asked)
    if memchr::memchr(b'&', raw.as_bytes()).is_none()
        && plain_ascii(&raw)
        && raw.trim().len() == raw.len()
    {
        return raw;
    }
    normalize_line(&raw)
}

/// Normalizes one physical line. Public so the HTML path and tests can use
/// the exact same rules.
pub fn normalize_line(raw: &str) -> String {
    let decoded;
    let mut s: &str = raw;
    if s.contains('&') {
        // Characters that will go must go before entities are read: a
        // control character inside "&#2165<ctrl>6;" would otherwise vanish
        // after decoding and leave an entity for the next run to decode.
        let stripped: String = s
            .chars()
            .filter(|&c| !(is_invisible(c) || c.is_control() && c != '\t'))
            .collect();
        decoded = decode_entities(&stripped);
        s = &decoded;
    }
    // ASCII fast path: no entity, no special character, single spaces.
    if plain_ascii(s) {
        return s.trim().to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mapped = || {
        s.chars().filter_map(|c| {
            if is_space(c) {
                Some(' ')
            } else if c.is_control() || is_invisible(c) {
                None
            } else {
                Some(c)
            }
        })
    };
    // NFC is judged on the characters that stay: removing a control
    // character can bring combining marks together out of canonical order.
    let nfc: Box<dyn Iterator<Item = char>> = if is_nfc_quick(mapped()) == IsNormalized::Yes {
        Box::new(mapped())
    } else {
        Box::new(mapped().nfc())
    };
    for c in nfc {
        if c == ' ' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Decodes HTML entities until none is left, so that double-escaped text
/// ("&amp;amp;") comes out the same on a second run (idempotence).
fn decode_entities(s: &str) -> String {
    let mut cur = html_escape::decode_html_entities(s).into_owned();
    for _ in 0..3 {
        if !cur.contains('&') {
            break;
        }
        let next = html_escape::decode_html_entities(&cur).into_owned();
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

/// Lines longer than this are never the product of a fixed-width wrap.
const MAX_WRAP: usize = 100;

/// Rejoins paragraphs that a scraper hard-wrapped at a fixed width.
///
/// A document counts as wrapped when almost none of its lines is longer than
/// [`MAX_WRAP`] and several lines break where the next word would not have
/// fitted. The width `w` is the longest line. Two adjacent lines (no blank
/// line between) are one paragraph when the first is long and adding the
/// next line's first word would have passed `w`: that is where a wrapping
/// program breaks. Output of newsclean has a blank line between paragraphs,
/// so it is never rejoined (idempotence).
fn unwrap_hard_wrapped(lines: Vec<Line>) -> Vec<Line> {
    let lens: Vec<usize> = lines.iter().map(|l| char_len(&l.text)).collect();
    let substantial = lens.iter().filter(|&&n| n >= 40).count();
    let over = lens.iter().filter(|&&n| n > MAX_WRAP).count();
    if substantial < 3 || over * 20 > substantial {
        return lines;
    }
    let w = lens
        .iter()
        .copied()
        .filter(|&n| n <= MAX_WRAP)
        .max()
        .unwrap_or(0);
    // A line a wrapping program broke: long, and the next word would not
    // have fitted. A line that ends a sentence is left as a paragraph end:
    // at worst a wrapped paragraph is split in two where a sentence ends.
    let breaks_here = |i: usize| -> bool {
        let next = &lines[i + 1];
        !next.gap_before
            && lens[i] > w * 6 / 10
            && lens[i] <= w
            && lens[i] + 1 + char_len(first_word(&next.text)).max(1) > w
            && (!ends_sentence(&lines[i].text)
                || next.text.chars().next().is_some_and(char::is_lowercase))
    };
    let joins: Vec<bool> = (0..lines.len().saturating_sub(1))
        .map(breaks_here)
        .collect();
    let wrap_points = joins.iter().filter(|&&j| j).count();
    // Wrapping shows on many lines, not on one or two.
    if wrap_points < 2 || wrap_points * 10 < substantial * 3 {
        return lines;
    }
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    let mut join_next = false;
    for (i, line) in lines.into_iter().enumerate() {
        if join_next {
            let prev = out.last_mut().expect("a line to join to");
            let glued = prev.text.ends_with('-')
                && prev.text[..prev.text.len() - 1]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphabetic)
                && line.text.chars().next().is_some_and(char::is_lowercase);
            let mut joined = std::mem::take(&mut prev.text);
            if !glued {
                joined.push(' ');
            }
            joined.push_str(&line.text);
            prev.set_text(joined);
        } else {
            out.push(line);
        }
        join_next = joins.get(i).copied().unwrap_or(false);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owned_line_normalizes_as_a_borrowed_one() {
        for s in [
            "Plain words, one space each.",
            " leading space",
            "trailing space ",
            "two  spaces",
            "tab\there",
            "AT&amp;T",
            "caf\u{e9} \u{00A0}x",
            "ctrl\u{7}char",
            "",
        ] {
            assert_eq!(normalize_owned(s.to_string()), normalize_line(s), "{s:?}");
        }
    }
    use crate::stages::testutil::doc;

    #[test]
    fn spaces_controls_and_nfc() {
        assert_eq!(
            normalize_line("\u{00A0} a\u{2003}\u{2003}b\u{200B}c\u{0007} "),
            "a bc"
        );
        // e + combining acute -> precomposed
        assert_eq!(normalize_line("Cafe\u{0301}"), "Caf\u{00E9}");
        // typographic quotes and dashes kept
        assert_eq!(
            normalize_line("\u{201C}Yes\u{201D} \u{2014} no"),
            "\u{201C}Yes\u{201D} \u{2014} no"
        );
        assert_eq!(normalize_line("a\u{200D}b"), "a\u{200D}b");
    }

    #[test]
    fn entities_decoded_to_a_fixed_point() {
        assert_eq!(
            normalize_line("AT&amp;T&#8217;s&nbsp;deal"),
            "AT&T\u{2019}s deal"
        );
        assert_eq!(normalize_line("R&amp;amp;D"), "R&D");
        assert_eq!(normalize_line("Tom & Jerry"), "Tom & Jerry");
    }

    /// Found by the text_stages fuzz target: a control character inside an
    /// entity made a second run decode what the first had left.
    #[test]
    fn fuzz_regression_entity_split_by_control_chars() {
        let once = normalize_line("0&#2165\u{6}6\u{7f};");
        assert_eq!(once, "0\u{5498}");
        assert_eq!(normalize_line(&once), once);
    }

    /// Found by the text_stages fuzz target: control characters between
    /// combining marks hid that the marks were out of canonical order.
    #[test]
    fn fuzz_regression_marks_split_by_control_chars() {
        let once = normalize_line("x\u{5b6}\u{5b6}\u{1d}\u{336}");
        assert_eq!(once, "x\u{336}\u{5b6}\u{5b6}");
        assert_eq!(normalize_line(&once), once);
    }

    #[test]
    fn blank_lines_dropped_and_remembered() {
        let d = doc("a\n\n \u{00A0}\nb\nc");
        let t: Vec<(&str, bool)> = d
            .lines
            .iter()
            .map(|l| (l.text.as_str(), l.gap_before))
            .collect();
        assert_eq!(t, [("a", false), ("b", true), ("c", false)]);
    }

    const WRAPPED: &str = "The harbour authority said on Monday that the northern quay would\n\
close for repairs from next month, after divers found cracks in the\n\
concrete supports beneath the ferry terminal.\n\
\n\
Engineers expect the work to take about six weeks, and ferries will\n\
use the southern berth in the meantime, the authority said in a\n\
statement. Passengers were told to allow extra time.\n";

    #[test]
    fn hard_wrapped_paragraphs_rejoined() {
        let d = doc(WRAPPED);
        assert_eq!(d.lines.len(), 2, "{:?}", d.lines);
        assert!(d.lines[0].text.starts_with("The harbour authority"));
        assert!(d.lines[0].text.ends_with("ferry terminal."));
        assert!(d.lines[1].text.contains("in a statement."));
    }

    #[test]
    fn one_paragraph_per_line_stays() {
        let text = "Short headline here\nThe council voted on Tuesday to close the old bridge to lorries after engineers warned that its supports were failing.\nResidents said the closure would add half an hour to the school run and asked for a shuttle bus.\n";
        let d = doc(text);
        assert_eq!(d.lines.len(), 3);
    }

    #[test]
    fn wrapped_hyphen_glued() {
        let text = "The harbour authority said on Monday that the long-awaited and well-\n\
funded repairs to the northern quay would begin after the summer season\n\
ends, with divers already at work beneath the ferry terminal this week.\n\
\n\
Engineers expect the work to take about six weeks, and ferries will\n\
use the southern berth in the meantime, the authority said in a\n\
statement. Passengers were told to allow extra time.\n";
        let d = doc(text);
        assert!(
            d.lines[0].text.contains("well-funded"),
            "{:?}",
            d.lines[0].text
        );
    }
}

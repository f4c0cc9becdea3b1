//! Recognises lines that are nothing but a date stamp, in the many shapes
//! scraped pages print: "Thursday, March 28, 2024", "Published November 15th,
//! 2018 - 06:00 GMT", "28/03/2024 10:32", "2024-03-28T10:32:00Z", "3 hours ago".
//!
//! It works on tokens, not on one large pattern: every token of the line
//! must be a date or time part (or a label such as "Published"), and the
//! tokens together must name a day. Month and day names come from `data/`.

use crate::phrases::phrases;

/// What a date-stamp line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The label that opened the line ("published", "updated"), if any.
    pub label: Option<String>,
    /// Year, month, day when they could be read unambiguously.
    pub ymd: Option<(i32, u32, u32)>,
}

impl Stamp {
    /// The date as ISO 8601 (`2018-11-15`), when known.
    pub fn iso(&self) -> Option<String> {
        self.ymd.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
    }
}

#[derive(Debug, Default)]
struct Parts {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    numeric_date: Option<Option<(i32, u32, u32)>>,
    weekday: bool,
    time: bool,
    relative: bool,
    /// A token is "now".
    now: bool,
    numbers: Vec<u32>,
}

const CONNECTORS: &[&str] = &[
    "at", "on", "of", "the", "-", "|", "/", "at:", "on:", "·", "•", "—", "–",
];

fn strip_label(f: &str) -> (Option<String>, &str) {
    // Longest label that opens the line at a word boundary.
    let labels = &phrases().date_labels;
    let mut best: Option<&str> = None;
    for (i, c) in f.char_indices() {
        if !(c == ' ' || c == ':') {
            continue;
        }
        let head = f[..i].trim_end_matches(':');
        // (`f` is folded already, and folding it again changes nothing a
        // key reads: the list looks the head up as it stands)
        if labels.is_exact_folded(head) {
            best = Some(&f[..i]);
        }
        if i > 30 {
            break;
        }
    }
    match best {
        Some(head) => (
            Some(head.trim_end_matches(':').to_string()),
            f[head.len()..].trim_start_matches([':', ' ']),
        ),
        None => (None, f),
    }
}

fn day_number(t: &str) -> Option<u32> {
    let t = t
        .strip_suffix("st")
        .or_else(|| t.strip_suffix("nd"))
        .or_else(|| t.strip_suffix("rd"))
        .or_else(|| t.strip_suffix("th"))
        .unwrap_or(t);
    if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().filter(|d| (1..=31).contains(d))
}

fn is_time(t: &str) -> bool {
    use crate::text::trim_end_all;
    let t = trim_end_all(t, "am");
    let t = trim_end_all(t, "pm");
    let t = trim_end_all(t, "a.m.");
    let t = trim_end_all(t, "p.m.").trim_end_matches('h');
    let parts: Vec<&str> = t.split([':', 'h']).collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_tz(t: &str) -> bool {
    let base = t
        .split(['+', '-'])
        .next()
        .unwrap_or(t)
        .trim_matches(|c| c == '(' || c == ')');
    if base.is_empty() {
        // "+0300", "-05:00"
        let rest = t.trim_start_matches(['+', '-']).replace(':', "");
        return (t.starts_with('+') || t.starts_with('-'))
            && (2..=4).contains(&rest.len())
            && rest.bytes().all(|b| b.is_ascii_digit());
    }
    phrases().timezones.contains(base)
}

/// "2024-03-28", "2024/03/28", "28/03/2024", "28.03.2024", "03-28-2024",
/// optionally with an ISO time glued on ("2024-03-28t10:32:00z"). Returns
/// the date when its order is unambiguous.
fn numeric_date(t: &str) -> Option<Option<(i32, u32, u32)>> {
    let date = t.split('t').next().unwrap_or(t);
    if date.len() != t.len() && !t[date.len() + 1..].chars().any(|c| c == ':') {
        return None;
    }
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    let valid = |y: u32, m: u32, d: u32| {
        (1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
    };
    if parts[0].len() == 4 {
        return valid(n[0], n[1], n[2]).then_some(Some((n[0] as i32, n[1], n[2])));
    }
    if parts[2].len() != 4 && parts[2].len() != 2 {
        return None;
    }
    let y = if parts[2].len() == 2 {
        2000 + n[2]
    } else {
        n[2]
    };
    let (a, b) = (n[0], n[1]);
    if !(1..=31).contains(&a) || !(1..=31).contains(&b) || (a > 12 && b > 12) {
        return None;
    }
    if !(1900..=2100).contains(&y) {
        return None;
    }
    // Day first or month first: only a number above 12 tells.
    let ymd = if a > 12 {
        Some((y as i32, b, a))
    } else if b > 12 || a == b {
        Some((y as i32, a, b))
    } else {
        None
    };
    Some(ymd)
}

/// The parts of a line's tokens, or `None` at the first token that is no
/// part of a date (or when there is no token at all).
fn classify<'a>(tokens: impl Iterator<Item = &'a str>) -> Option<Parts> {
    let p = phrases();
    let mut parts = Parts::default();
    let mut any = false;
    for t in tokens {
        any = true;
        parts.now |= t == "now";
        let bare = t.trim_end_matches('.');
        if t.is_empty() || CONNECTORS.contains(&t) {
        } else if let Some(&m) = p.months.get(bare) {
            if parts.month.is_some() {
                return None;
            }
            parts.month = Some(m);
        } else if p.weekdays.contains_key(bare) {
            parts.weekday = true;
        } else if let Some(d) = numeric_date(t) {
            parts.numeric_date = Some(d);
        } else if is_time(t) {
            parts.time = true;
        } else if matches!(bare, "am" | "pm" | "a.m" | "p.m") || is_tz(t) {
            // belongs with a time
        } else if bare.len() == 4 && bare.bytes().all(|b| b.is_ascii_digit()) {
            let y: i32 = bare.parse().ok()?;
            if !(1900..=2100).contains(&y) || parts.year.is_some() {
                return None;
            }
            parts.year = Some(y);
        } else if let Some(d) = day_number(bare) {
            parts.numbers.push(d);
        } else if p.date_units.contains(bare) || bare == "ago" || bare == "just" || bare == "now" {
            parts.relative = parts.relative || bare == "ago" || bare == "now";
        } else {
            return None;
        }
    }
    if !any || parts.numbers.len() > 1 && !parts.relative {
        return None;
    }
    parts.day = parts.numbers.first().copied();
    Some(parts)
}

/// Could this line be a stamp by its shape? Every stamp has a digit, or
/// says "now"; none is long: at most 160 bytes, and folding an ASCII line
/// keeps every byte but spaces, so one with more than 80 others folds
/// longer than the 80 a stamp's fold may have. Every line is asked
/// (once), so the bytes are read in one pass without a branch, which the
/// compiler does with vector instructions: where three passes of a byte
/// at a time had cost about a thousand instructions a line.
fn stamp_shaped(b: &[u8]) -> bool {
    if b.len() > 160 {
        return false;
    }
    // (counts below 256: at most 160 bytes)
    let (mut digit, mut ink, mut high) = (0u8, 0u8, 0u8);
    for &c in b {
        digit |= u8::from(c.wrapping_sub(b'0') < 10);
        ink += u8::from(!c.is_ascii_whitespace());
        high |= c;
    }
    if digit == 0 && !says_now(b) {
        return false;
    }
    let ascii = high < 0x80;
    !(ascii && ink > 80)
}

/// Does "now" stand in the text, in any case? (Found from its "n"s.)
fn says_now(b: &[u8]) -> bool {
    memchr::memchr2_iter(b'n', b'N', b).any(|i| {
        b.get(i + 1..i + 3)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"ow"))
    })
}

/// Reads a whole line as a date stamp, or answers `None` when any part of it
/// is something else.
pub fn parse_stamp(line: &str) -> Option<Stamp> {
    parse_stamp_folded(line, None)
}

/// [`parse_stamp`], given the line's fold when it is known (a line's
/// cached fold); else the line is folded here, when its shape leaves a
/// stamp possible.
pub fn parse_stamp_folded(line: &str, folded: Option<&str>) -> Option<Stamp> {
    if !stamp_shaped(line.as_bytes()) {
        return None;
    }
    let f = crate::text::fold_unless_known(line, folded);
    let f = f.as_ref();
    if f.len() > 80 {
        return None;
    }
    let (label, rest) = strip_label(f);
    // Tokens between spaces and brackets, kept with their inner dots for
    // "a.m." and "nov.", read one by one: most lines are no stamp, and
    // their first word tells.
    let tokens = rest
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']'))
        .filter(|t| !t.is_empty())
        .map(|t| t.trim_end_matches(['.', ':']).trim_start_matches(':'))
        .map(|t| if t.is_empty() { "-" } else { t });
    let parts = classify(tokens)?;
    let named = parts.month.is_some() && (parts.day.is_some() || parts.year.is_some());
    let numeric = parts.numeric_date.is_some();
    let relative = parts.relative && (parts.day.is_some() || parts.now);
    let clock = parts.time && (parts.weekday || label.is_some());
    if !(named || numeric || relative || clock) {
        return None;
    }
    let ymd = match (parts.numeric_date, parts.year, parts.month, parts.day) {
        (Some(d), _, _, _) => d,
        (None, Some(y), Some(m), Some(d)) => Some((y, m, d)),
        _ => None,
    };
    Some(Stamp { label, ymd })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    fn iso(s: &str) -> Option<String> {
        parse_stamp(s).and_then(|s| s.iso())
    }

    #[test]
    fn the_shape_test_is_the_three_rules_it_stands_for() {
        // The rules as first written, one pass each.
        let rules = |line: &str| {
            line.len() <= 160
                && (line.bytes().any(|b| b.is_ascii_digit()) || says_now(line.as_bytes()))
                && !(line.is_ascii()
                    && line.bytes().filter(|b| !b.is_ascii_whitespace()).count() > 80)
        };
        let mut lines: Vec<String> = vec![
            String::new(),
            "Updated 3 March 2024".into(),
            "Just now".into(),
            "NOW".into(),
            "No digits in this one at all".into(),
            "Dat\u{e9}: 2 March".into(),
            "\t\r\x0c 12:30 \n".into(),
        ];
        // lengths and counts of non-space bytes about each bound, ASCII or
        // not, with and without a digit
        for len in [79usize, 80, 81, 82, 159, 160, 161, 200] {
            for fill in ["a", "a ", "\u{e9}", "a\t"] {
                let body: String = fill.repeat(len).chars().take(len).collect();
                lines.push(body.clone());
                lines.push(format!("7{body}"));
                lines.push(format!("{body}now"));
            }
        }
        for line in &lines {
            assert_eq!(stamp_shaped(line.as_bytes()), rules(line), "{line:?}");
        }
    }

    #[test]
    fn labels_read_on_the_fold_as_folded_again() {
        // strip_label as first written: each head folded again by the
        // list's own lookup.
        let refolding = |f: &str| -> Option<String> {
            let labels = &phrases().date_labels;
            let mut best = None;
            for (i, c) in f.char_indices() {
                if c == ' ' || c == ':' {
                    let head = f[..i].trim_end_matches(':');
                    if labels.is_exact(head) {
                        best = Some(head.to_string());
                    }
                    if i > 30 {
                        break;
                    }
                }
            }
            best
        };
        for line in [
            "Published November 15th, 2018 - 06:00 GMT",
            "LAST UPDATED: 3 March 2024, 14:05",
            "Last  updated :  3 March 2024",
            "First published on\u{a0}Monday 4 March 2024",
            "Posted \u{2014} 3 hours ago",
            "\u{201C}Updated\u{201D}: 2 March",
            "Dat\u{e9}: 2 March",
            "\u{130}STANBUL, 2 March",
            "published",
            "Published by Acme Books",
            "Originally published: ",
            "a b c d e f g h i j k l m n o p q updated: 2 March",
        ] {
            let f = fold(line);
            let (got, _) = strip_label(&f);
            assert_eq!(got, refolding(&f), "{line:?}");
        }
    }

    #[test]
    fn named_dates() {
        assert_eq!(
            iso("Thursday, March 28, 2024").as_deref(),
            Some("2024-03-28")
        );
        assert_eq!(iso("February 11, 2019").as_deref(), Some("2019-02-11"));
        assert_eq!(iso("28 March 2024").as_deref(), Some("2024-03-28"));
        assert_eq!(
            iso("Nov. 6, 2019 10:32 a.m. EST").as_deref(),
            Some("2019-11-06")
        );
        assert!(parse_stamp("March 2024").is_some());
    }

    #[test]
    fn a_stamp_without_digits_says_now() {
        // The only stamps without a digit: "now", in any case.
        for t in ["Updated just now", "UPDATED JUST NOW", "Published: Now"] {
            assert!(parse_stamp(t).is_some(), "{t}");
        }
        for t in ["Updated just recently", "Known", "Nowhere to be seen"] {
            assert!(parse_stamp(t).is_none(), "{t}");
        }
    }

    #[test]
    fn now_is_found_in_any_case_anywhere() {
        for t in ["now", "NOW", "just nOw", "unknown", "n now", "Nnow"] {
            assert!(says_now(t.as_bytes()), "{t}");
        }
        for t in ["", "n", "no", "NO W", "nox", "won", "nn o w"] {
            assert!(!says_now(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn labelled_dates() {
        let s = parse_stamp("Published November 15th, 2018 - 06:00 GMT").unwrap();
        assert_eq!(s.label.as_deref(), Some("published"));
        assert_eq!(s.iso().as_deref(), Some("2018-11-15"));
        let s = parse_stamp("Last updated: 3 March 2024, 14:05").unwrap();
        assert_eq!(s.label.as_deref(), Some("last updated"));
        assert!(parse_stamp("Updated 3 hours ago").is_some());
    }

    #[test]
    fn numeric_dates() {
        assert_eq!(iso("2024-03-28").as_deref(), Some("2024-03-28"));
        assert_eq!(iso("2024-03-28T10:32:00Z").as_deref(), Some("2024-03-28"));
        assert_eq!(iso("28/03/2024 10:32").as_deref(), Some("2024-03-28"));
        // 03/04/2024: day or month first cannot be told.
        let s = parse_stamp("03/04/2024").unwrap();
        assert_eq!(s.ymd, None);
    }

    #[test]
    fn not_dates() {
        assert!(parse_stamp("May the best team win").is_none());
        assert!(parse_stamp("March on Washington").is_none());
        assert!(parse_stamp("Published by Acme Books").is_none());
        assert!(parse_stamp("2024").is_none());
        assert!(parse_stamp("10 Downing Street").is_none());
        assert!(parse_stamp("In March 2024, the council voted to close the bridge.").is_none());
        assert!(parse_stamp("Updated").is_none());
    }
}

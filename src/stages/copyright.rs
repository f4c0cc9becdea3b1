//! Copyright and rights lines: "Copyright @ 2021 The Daily Example.",
//! "© 2024 Acme Media", "(c) Acme", "All rights reserved.", "This material
//! may not be published, broadcast, rewritten or redistributed.", and the
//! site-information links that sit with them ("Privacy Policy").
//!
//! "Copyright law changed in 2019 ..." is prose: after the word "Copyright"
//! a rights line has a symbol, a year or a name, never a lowercase word.

use super::Stage;
use crate::doc::Doc;
use crate::phrases::{phrases, Hit};
use crate::text::word_count;

pub struct Copyright;

/// Longest line taken for a rights line.
const MAX_RIGHTS: usize = 250;

impl Stage for Copyright {
    fn name(&self) -> &'static str {
        "copyright"
    }

    fn run(&self, doc: &mut Doc) {
        for i in doc.kept() {
            if !doc.lines[i].may_take(super::bit::COPYRIGHT, |l| classify(l).is_some()) {
                continue;
            }
            if let Some(reason) = classify(&doc.lines[i]) {
                doc.remove(i, self.name(), reason);
            }
        }
    }
}

fn classify(l: &crate::doc::Line) -> Option<String> {
    let line = l.text.as_str();
    if l.char_len() > MAX_RIGHTS {
        return None;
    }
    if opens_with_copyright_mark(line) {
        return Some("copyright line".into());
    }
    match phrases().copyright.find_folded(l.folded()) {
        Some((Hit::Contains, p)) => Some(format!("rights notice \"{p}\"")),
        Some((_, p)) if word_count(line) <= 6 => Some(format!("site information link \"{p}\"")),
        _ => None,
    }
}

/// "Copyright @ 2021 X", "Copyright 2021", "Copyright The X", "© X", "(c) 2021".
fn opens_with_copyright_mark(line: &str) -> bool {
    let t = line.trim_start();
    // Only the opening word matters, compared without regard to ASCII
    // case (no other character lower-cases into these words).
    let opens = |w: &str| {
        t.as_bytes()
            .get(..w.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(w.as_bytes()))
    };
    let copyright = opens("copyright");
    let rest = if let Some(r) = t.strip_prefix('\u{00A9}') {
        r
    } else if opens("(c)") {
        &t[3..]
    } else if copyright {
        &t[9..]
    } else {
        return false;
    };
    let rest = rest.trim_start();
    let next = rest.chars().next();
    match next {
        None => t.starts_with('\u{00A9}') || copyright,
        Some(c) if c.is_ascii_digit() || c.is_uppercase() => true,
        Some('\u{00A9}' | '@' | '(' | ':' | '-' | '\u{2013}') => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_is_read_as_the_lower_cased_head() {
        // opens_with_copyright_mark as first written: the first twelve
        // characters lower-cased.
        let by_lowercase = |line: &str| {
            let t = line.trim_start();
            let lower = t.chars().take(12).collect::<String>().to_lowercase();
            let rest = if let Some(r) = t.strip_prefix('\u{00A9}') {
                r
            } else if lower.starts_with("(c)") {
                &t[3..]
            } else if lower.starts_with("copyright") {
                &t[9..]
            } else {
                return false;
            };
            match rest.trim_start().chars().next() {
                None => t.starts_with('\u{00A9}') || lower.starts_with("copyright"),
                Some(c) if c.is_ascii_digit() || c.is_uppercase() => true,
                Some('\u{00A9}' | '@' | '(' | ':' | '-' | '\u{2013}') => true,
                _ => false,
            }
        };
        for line in [
            "Copyright 2025 X",
            "COPYRIGHT",
            "copyright",
            "  (C) 2021 Y",
            "(c)",
            "\u{00A9} Z",
            "\u{00A9}",
            "Copyrighted material",
            "copyright: x",
            "Copyright the paper",
            "(c)ool",
            "CopyRight @ 2020",
            "\u{0130}copyright",
            "Copy",
            "",
            "\u{212A}",
            "(\u{00E7}) 2020",
        ] {
            assert_eq!(
                opens_with_copyright_mark(line),
                by_lowercase(line),
                "{line:?}"
            );
        }
    }

    #[test]
    fn rights_lines_go() {
        for l in [
            "Copyright @ 2021 The Daily Example.",
            "\u{00A9} 2024 Acme Media Group",
            "(c) Northwind Herald 2019",
            "COPYRIGHT 2020 HARBOUR POST",
            "Copyright: Acme",
            "Acme Ltd 2023. All rights reserved.",
            "This material may not be published, broadcast, rewritten or redistributed.",
            "Privacy Policy",
        ] {
            assert!(
                classify(&crate::doc::Line::new(l.to_string(), 1, false)).is_some(),
                "should go: {l}"
            );
        }
    }

    #[test]
    fn prose_stays() {
        for l in [
            "Copyright law changed in 2019, when parliament passed the reform.",
            "copyrighted material was shared widely, the court heard.",
            "The privacy policy of the app changed three times last year, regulators found, and users were never told.",
        ] {
            assert!(classify(&crate::doc::Line::new(l.to_string(), 1, false)).is_none(), "should stay: {l}");
        }
    }
}

//! Property tests: for any bytes no panic and well-formed output; cleaning
//! is idempotent; on generated articles (body paragraphs with residue
//! injected around and between them) every body paragraph survives. The
//! last property is also checked through the real command line.

mod common;

use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

use newsclean::pipeline::clean_bytes;
use newsclean::Cleaner;

fn cleaner() -> &'static Cleaner {
    static C: std::sync::OnceLock<Cleaner> = std::sync::OnceLock::new();
    C.get_or_init(Cleaner::default)
}

/// The output is UTF-8 (a String), NFC, LF only, trimmed lines, single
/// blank lines between paragraphs, and one final newline (or empty).
fn well_formed(out: &str) -> Result<(), TestCaseError> {
    prop_assert!(!out.contains('\r'));
    prop_assert!(!out.contains("\n\n\n"));
    prop_assert!(out.is_empty() || (out.ends_with('\n') && !out.ends_with("\n\n")));
    prop_assert_eq!(out.nfc().collect::<String>(), out.to_string());
    for l in out.lines() {
        prop_assert_eq!(l, l.trim());
    }
    Ok(())
}

/// Pieces scraped text is made of, residue and prose, for strings more
/// likely than random ones to reach every detector.
const PIECES: &[&str] = &[
    "Home",
    " > ",
    " | ",
    "»",
    "By ",
    "Jane Doe",
    "\n",
    "\n\n",
    "(AFP)",
    "Copyright ",
    "©",
    "2024",
    "March 3, 2024",
    "Published ",
    "Photo: ",
    "[x-y]",
    "{{",
    "}}",
    "-",
    "—",
    "“",
    "”",
    "é",
    "e\u{301}",
    "\u{200b}",
    "\u{a0}",
    "&amp;",
    "&#8217;",
    "&",
    ":",
    "Read more: ",
    "Tags: ",
    "COMMENTS",
    "Most Viewed",
    "The council voted on Tuesday to close the old bridge.",
    "…",
    "...",
    "İ",
    "\u{2028}",
    "\r",
    "(",
    ")",
    "Skip to content",
    "4 min read",
    "Share this",
    "a",
    " ",
    "HomeNEWS",
    "1",
    "12:30",
    "GMT",
    "ago",
    "<p>",
    "</p>",
    "<div class=\"share\">",
    "\t",
    "\u{7}",
    "&#21",
    "6;",
];

fn scraped_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..80).prop_map(|v| v.concat())
}

const WORDS: &[&str] = &[
    "council",
    "harbour",
    "ferry",
    "engineers",
    "residents",
    "minister",
    "report",
    "bridge",
    "budget",
    "said",
    "would",
    "after",
    "before",
    "the",
    "a",
    "of",
    "in",
    "on",
    "with",
    "new",
    "old",
    "town",
    "plan",
    "vote",
    "weeks",
    "months",
    "million",
    "repairs",
    "traffic",
    "school",
    "station",
    "water",
];

/// A body paragraph: one to three sentences of 12 to 25 words.
fn paragraph() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::collection::vec(prop::sample::select(WORDS), 12..25),
        1..4,
    )
    .prop_map(|sents| {
        sents
            .into_iter()
            .map(|w| {
                let s = w.join(" ");
                let mut c = s.chars();
                let first = c
                    .next()
                    .map(|f| f.to_uppercase().collect::<String>())
                    .unwrap_or_default();
                format!("{first}{}.", c.as_str())
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

const HEAD_RESIDUE: &[&str] = &[
    "Skip to main content",
    "Home > World > Europe",
    "News | Sport | Business | Opinion",
    "Thursday, March 28, 2024",
    "By Jane Doe and Ali Hassan | Reuters",
    "Published November 15th, 2018 - 06:00 GMT",
    "4 min read",
    "AFP",
];
const MID_RESIDUE: &[&str] = &[
    "Advertisement",
    "Share this",
    "[custom-twitter-feeds]",
    "------ ------",
    "Translate »",
];
const TAIL_RESIDUE: &[&str] = &[
    "This article has been adapted from its original source.",
    "Copyright @ 2021 The Daily Example.",
    "You may also like\nBus lanes extended across town\nNew ferry timetable",
    "COMMENTS\nPlease keep comments civil.",
];

/// A scraped article: headline, body paragraphs, residue around and between.
fn article() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        prop::collection::vec(paragraph(), 2..8),
        prop::collection::vec(prop::sample::select(HEAD_RESIDUE), 0..4),
        prop::collection::vec(prop::sample::select(MID_RESIDUE), 0..3),
        prop::collection::vec(prop::sample::select(TAIL_RESIDUE), 0..3),
    )
        .prop_map(|(body, head, mid, tail)| {
            let mut lines: Vec<String> = head.iter().map(|s| s.to_string()).collect();
            lines.push("Bridge to close for repairs".into());
            for (i, p) in body.iter().enumerate() {
                lines.push(p.clone());
                if let Some(m) = mid.get(i) {
                    lines.push(m.to_string());
                }
            }
            lines.extend(tail.iter().map(|s| s.to_string()));
            (lines.join("\n\n") + "\n", body)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_no_panic_well_formed(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        for html in [false, true] {
            if let Ok(c) = clean_bytes(cleaner(), &bytes, html, None) {
                well_formed(&c.doc.render())?;
            }
        }
    }

    #[test]
    fn cleaning_is_idempotent(text in scraped_text()) {
        let once = cleaner().clean(&text).render();
        well_formed(&once)?;
        let twice = cleaner().clean(&once).render();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn every_body_paragraph_survives((text, body) in article()) {
        let out = cleaner().clean(&text).render();
        for p in &body {
            prop_assert!(out.contains(p.as_str()), "lost: {}\nfrom:\n{}\nout:\n{}", p, text, out);
        }
        for residue in ["Skip to main content", "Advertisement", "Copyright @", "You may also like"] {
            prop_assert!(!out.contains(residue), "kept {residue}:\n{out}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// The same property through the real command line (`newsclean - -`).
    #[test]
    fn every_body_paragraph_survives_the_cli((text, body) in article()) {
        let out = common::newsclean().args(["-", "-"]).write_stdin(text).output().unwrap();
        prop_assert!(out.status.success());
        let out = String::from_utf8(out.stdout).unwrap();
        for p in &body {
            prop_assert!(out.contains(p.as_str()), "lost: {}", p);
        }
    }
}

//! Property tests: for any bytes no panic and well-formed output; cleaning
//! is idempotent; on generated articles (body paragraphs with residue
//! injected around and between them) every body paragraph survives. The
//! last property is also checked through the real command line. JSON
//! Lines fields, whatever they hold, pass through to the output line.

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

/// Any JSON value: strings with escapes and characters outside ASCII,
/// integers, floats, literals, arrays and objects, nested.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "[a-z \"\\\\\n\t\u{1}é’😀/]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z\"é]{0,6}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Reads a JSON text, failing on an object that holds a key twice (which
/// a JSON value, keeping the last, would not show).
struct NoKeyTwice;

impl<'de> serde::de::DeserializeSeed<'de> for NoKeyTwice {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NoKeyTwice {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(k) = map.next_key::<String>()? {
            if !seen.insert(k.clone()) {
                return Err(serde::de::Error::custom(format!("key {k:?} twice")));
            }
            map.next_value_seed(NoKeyTwice)?;
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(NoKeyTwice)?.is_some() {}
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A JSON Lines document's fields come out as they went in, whatever
    /// they hold and however the line spaces its tokens: the output line,
    /// read as JSON, is the input with `text` cleaned and the findings
    /// under `metadata.newsclean`.
    #[test]
    fn json_lines_fields_pass_through(
        fields in prop::collection::btree_map("[a-z_\"é]{1,8}|id|url", json_value(), 0..6),
        metadata in prop::option::of(prop_oneof![
            prop::collection::btree_map("[a-z]{0,3}|newsclean|url", json_value(), 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            json_value(),
        ]),
        text in "[A-Za-z .\n]{0,80}",
        spaced in any::<bool>(),
    ) {
        use newsclean::input::jsonl::{parse_doc, render_line, Findings};
        use serde_json::{Map, Value};
        let mut input: Map<String, Value> = fields.into_iter().collect();
        input.insert("text".into(), Value::String(text.clone()));
        if let Some(m) = metadata {
            input.insert("metadata".into(), m);
        }
        let line = if spaced {
            // tokens spaced and broken over "lines" (then joined by
            // spaces: a JSON Lines line holds no line break)
            serde_json::to_string_pretty(&input).unwrap().replace('\n', " \t")
        } else {
            serde_json::to_string(&input).unwrap()
        };
        let doc = parse_doc(line.as_bytes(), 1, None).unwrap();
        prop_assert_eq!(&doc.text, &text);
        let findings = Findings { title: Some("T".into()), removed: 3, ..Findings::default() };
        let out = render_line(&doc.fields, "cleaned", &findings);
        prop_assert!(out.ends_with('\n') && !out[..out.len() - 1].contains(['\n', '\r']));
        let mut expected = input;
        expected.insert("text".into(), Value::String("cleaned".into()));
        let f = serde_json::to_value(&findings).unwrap();
        match expected.get_mut("metadata") {
            Some(Value::Object(m)) => {
                m.insert("newsclean".into(), f);
            }
            _ => {
                expected.insert("metadata".into(), serde_json::json!({ "newsclean": f }));
            }
        }
        // (the expected value read back from its text as well: serde_json
        // reads some decimals to the next float, the same for the same
        // digits, and the output keeps the input's digits)
        let read: Value = serde_json::from_str(&out).unwrap();
        let mut de = serde_json::Deserializer::from_str(&out);
        let once = serde::de::DeserializeSeed::deserialize(NoKeyTwice, &mut de);
        prop_assert!(once.is_ok(), "{:?}: {}", once, out);
        let expected: Value = serde_json::from_str(&serde_json::to_string(&expected).unwrap()).unwrap();
        prop_assert_eq!(read, expected, "{}", out);
    }
}

//! `OUTPUT/.newsclean/manifest.jsonl`: one JSON object per document, sorted
//! by input path, with what was read, what was written, the metadata found
//! and every line taken out with its stage and reason.

use serde::Serialize;

use crate::doc::Record;
use crate::input::jsonl::{push_json_opt, push_json_str};

/// What happened to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Written,
    Skipped,
    Failed,
}

/// One manifest line.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Path relative to INPUT, with `/` separators.
    pub input: String,
    /// JSON Lines documents: the document's `id` and line in its file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The site the document belongs to: its top folder under INPUT, or
    /// the host of a JSON Lines document's url.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub site: String,
    /// Path relative to OUTPUT, when written.
    pub output: Option<String>,
    pub status: Status,
    /// Why it was skipped or failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    /// Invalid bytes were replaced by U+FFFD while decoding.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replaced_bytes: bool,
    /// The output name differs because another input took the plain one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub renamed: bool,
    pub bytes_in: u64,
    pub bytes_out: u64,
    /// Everything was residue: the output file is empty.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub empty: bool,
    pub title: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    /// HTML pages: the site name, canonical URL and language the page gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// HTML pages: the element the article was found in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// HTML pages: no article text was found (the output is empty).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_article: bool,
    /// 64-bit simhash of the cleaned body, hex (absent with `--dedup off`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simhash: Option<String>,
    /// Id of the near-duplicate cluster in duplicates.json, if any.
    pub cluster: Option<usize>,
    /// Input path of the cluster's canonical member, if in a cluster.
    pub canonical: Option<String>,
    /// Not written because `--dedup drop` keeps only canonical members.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dropped: bool,
    pub removed: Vec<Record>,
}

impl Entry {
    /// What names the document: its input path, and `#id` (or `#line`) for
    /// a JSON Lines document.
    pub fn key(&self) -> String {
        match (&self.id, self.line) {
            (Some(id), _) => format!("{}#{id}", self.input),
            (None, Some(line)) => format!("{}#{line}", self.input),
            _ => self.input.clone(),
        }
    }

    /// An entry for a document that was not written.
    pub fn not_written(input: String, status: Status, reason: String, bytes_in: u64) -> Entry {
        Entry {
            input,
            id: None,
            line: None,
            site: String::new(),
            output: None,
            status,
            reason: Some(reason),
            encoding: None,
            replaced_bytes: false,
            renamed: false,
            bytes_in,
            bytes_out: 0,
            empty: false,
            title: None,
            author: None,
            date: None,
            source: None,
            site_name: None,
            canonical_url: None,
            language: None,
            container: None,
            no_article: false,
            simhash: None,
            cluster: None,
            canonical: None,
            dropped: false,
            removed: Vec::new(),
        }
    }

    pub fn to_json_line(&self) -> String {
        let mut s = self.to_json();
        s.push('\n');
        s
    }

    /// The entry as one JSON object: byte for byte what serde_json makes of
    /// it (fields in declaration order, the same ones left out), written
    /// directly, with strings escaped by [`push_json_str`] eight bytes at a
    /// time. The removed lines' text is most of a manifest.
    pub fn to_json(&self) -> String {
        fn key(out: &mut String, first: &mut bool, k: &str) {
            if !std::mem::take(first) {
                out.push(',');
            }
            out.push('"');
            out.push_str(k);
            out.push_str("\":");
        }
        fn num(out: &mut String, n: impl std::fmt::Display) {
            use std::fmt::Write;
            write!(out, "{n}").expect("writing to a String");
        }
        let texts: usize = self
            .removed
            .iter()
            .map(|r| r.text.len() + r.reason.len() + 48)
            .sum();
        let mut out = String::with_capacity(512 + texts);
        let first = &mut true;
        out.push('{');
        key(&mut out, first, "input");
        push_json_str(&mut out, &self.input);
        if let Some(id) = &self.id {
            key(&mut out, first, "id");
            push_json_str(&mut out, id);
        }
        if let Some(line) = self.line {
            key(&mut out, first, "line");
            num(&mut out, line);
        }
        if !self.site.is_empty() {
            key(&mut out, first, "site");
            push_json_str(&mut out, &self.site);
        }
        key(&mut out, first, "output");
        push_json_opt(&mut out, self.output.as_deref());
        key(&mut out, first, "status");
        out.push_str(match self.status {
            Status::Written => "\"written\"",
            Status::Skipped => "\"skipped\"",
            Status::Failed => "\"failed\"",
        });
        if let Some(reason) = &self.reason {
            key(&mut out, first, "reason");
            push_json_str(&mut out, reason);
        }
        if let Some(encoding) = self.encoding {
            key(&mut out, first, "encoding");
            push_json_str(&mut out, encoding);
        }
        for (name, set) in [
            ("replaced_bytes", self.replaced_bytes),
            ("renamed", self.renamed),
        ] {
            if set {
                key(&mut out, first, name);
                out.push_str("true");
            }
        }
        key(&mut out, first, "bytes_in");
        num(&mut out, self.bytes_in);
        key(&mut out, first, "bytes_out");
        num(&mut out, self.bytes_out);
        if self.empty {
            key(&mut out, first, "empty");
            out.push_str("true");
        }
        for (name, v) in [
            ("title", &self.title),
            ("author", &self.author),
            ("date", &self.date),
            ("source", &self.source),
        ] {
            key(&mut out, first, name);
            push_json_opt(&mut out, v.as_deref());
        }
        for (name, v) in [
            ("site_name", &self.site_name),
            ("canonical_url", &self.canonical_url),
            ("language", &self.language),
            ("container", &self.container),
        ] {
            if let Some(v) = v {
                key(&mut out, first, name);
                push_json_str(&mut out, v);
            }
        }
        if self.no_article {
            key(&mut out, first, "no_article");
            out.push_str("true");
        }
        if let Some(simhash) = &self.simhash {
            key(&mut out, first, "simhash");
            push_json_str(&mut out, simhash);
        }
        key(&mut out, first, "cluster");
        match self.cluster {
            Some(c) => num(&mut out, c),
            None => out.push_str("null"),
        }
        key(&mut out, first, "canonical");
        push_json_opt(&mut out, self.canonical.as_deref());
        if self.dropped {
            key(&mut out, first, "dropped");
            out.push_str("true");
        }
        key(&mut out, first, "removed");
        out.push('[');
        for (n, r) in self.removed.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            out.push_str("{\"stage\":");
            push_json_str(&mut out, r.stage);
            out.push_str(",\"reason\":");
            push_json_str(&mut out, &r.reason);
            out.push_str(",\"text\":");
            push_json_str(&mut out, &r.text);
            out.push_str(",\"line\":");
            num(&mut out, r.line);
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

/// The stage of each removal record in a serialized entry (or list of
/// records), in order.
/// A record's text is a JSON string, in which a quote is always escaped:
/// the key `"stage":"` cannot occur inside one.
pub fn stages_in(records_json: &str) -> impl Iterator<Item = &str> {
    // (one searcher for the whole run: std's split builds its own each call)
    const KEY: &str = "\"stage\":\"";
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(KEY));
    FINDER.find_iter(records_json.as_bytes()).map(move |at| {
        let rest = &records_json[at + KEY.len()..];
        memchr::memchr(b'"', rest.as_bytes()).map_or(rest, |end| &rest[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_written_as_serde_json_writes_them() {
        let strings = [
            "plain",
            "",
            "quote \" back\\slash \n tab\t \u{1} \u{1f} \u{7f} caf\u{e9} \u{2028} \u{1F600}",
            "eight by8\"tes and then some more \\ to cross a word",
        ];
        let mut n = 0;
        for status in [Status::Written, Status::Skipped, Status::Failed] {
            for &s in &strings {
                for set in [false, true] {
                    n += 1;
                    let some = |v: &str| set.then(|| v.to_string());
                    let e = Entry {
                        input: format!("in/{s}.txt"),
                        id: some(s),
                        line: set.then_some(n),
                        site: if set { s.to_string() } else { String::new() },
                        output: some("out/a.txt"),
                        status,
                        reason: some(s),
                        encoding: set.then_some("windows-1252"),
                        replaced_bytes: set,
                        renamed: !set || n % 2 == 0,
                        bytes_in: u64::MAX - n as u64,
                        bytes_out: n as u64,
                        empty: set,
                        title: some(s),
                        author: (!set).then(|| s.to_string()),
                        date: some("2025-03-11"),
                        source: some(s),
                        site_name: some(s),
                        canonical_url: (!set).then(|| s.to_string()),
                        language: some("en"),
                        container: some(s),
                        no_article: !set || n % 3 == 0,
                        simhash: some("00ff00ff00ff00ff"),
                        cluster: set.then_some(n * 1000),
                        canonical: some(s),
                        dropped: set,
                        removed: (0..n % 3)
                            .map(|k| Record {
                                stage: "byline",
                                reason: format!("{s} {k}"),
                                text: s.repeat(k + 1),
                                line: k * 7,
                            })
                            .collect(),
                    };
                    let want = serde_json::to_string(&e).unwrap();
                    assert_eq!(e.to_json(), want);
                }
            }
        }
    }

    #[test]
    fn stages_are_read_from_serialized_records() {
        let records = vec![
            Record {
                stage: "byline",
                reason: "a \"stage\":\"fake\" reason".into(),
                text: "By Jane \"stage\":\"x".into(),
                line: 2,
            },
            Record {
                stage: "tail",
                reason: "r".into(),
                text: "t".into(),
                line: 9,
            },
        ];
        let mut e = Entry::not_written(
            "a \"stage\":\"no\".txt".into(),
            Status::Written,
            "x".into(),
            3,
        );
        e.removed = records;
        let line = e.to_json_line();
        assert_eq!(stages_in(&line).collect::<Vec<_>>(), ["byline", "tail"]);
    }
}

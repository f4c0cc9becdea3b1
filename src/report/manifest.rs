//! `OUTPUT/.newsclean/manifest.jsonl`: one JSON object per document, sorted
//! by input path, with what was read, what was written, the metadata found
//! and every line taken out with its stage and reason.

use serde::Serialize;

use crate::doc::Record;

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
        let mut s = serde_json::to_string(self).expect("manifest entries serialize");
        s.push('\n');
        s
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

//! A fingerprint index kept between runs (`--index FILE`), so that a new
//! batch is checked against the documents of earlier ones.
//!
//! JSON Lines: a header `{"newsclean_index": 1, "fingerprint_version": 1}`,
//! then one document a line: input path, title, the two simhashes and the
//! exact hash (hex), word count, and the sampled shingles. Only the samples
//! are stored (an eighth of the shingles, a few hundred bytes a document):
//! pairs with a stored document are confirmed on samples, whose shared share
//! estimates containment without bias. The file is rewritten atomically at
//! the end of each run.

use std::io::BufRead;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::fingerprint::{Fingerprint, FINGERPRINT_VERSION};
use crate::write::write_atomic;

/// Version of the file layout.
pub const INDEX_VERSION: u32 = 1;

/// One document of an earlier run.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub input: String,
    pub title: Option<String>,
    /// Sampled fingerprint (`sampled` is true).
    pub fp: Fingerprint,
}

#[derive(Serialize, Deserialize)]
struct Header {
    newsclean_index: u32,
    fingerprint_version: u32,
}

#[derive(Serialize, Deserialize)]
struct Line {
    input: String,
    title: Option<String>,
    full: String,
    lead: String,
    exact: String,
    words: usize,
    samples: Vec<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Format {
        path: String,
        line: usize,
        message: String,
    },
}

fn hex(s: &str, path: &str, line: usize) -> Result<u64, StoreError> {
    u64::from_str_radix(s, 16).map_err(|_| StoreError::Format {
        path: path.into(),
        line,
        message: format!("{s:?} is not a 64-bit hex value"),
    })
}

/// Reads an index file; a missing file is an empty index.
pub fn load(path: &Path) -> Result<Vec<Stored>, StoreError> {
    let name = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StoreError::Io { path: name, source }),
    };
    let mut out = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let no = n + 1;
        let line = line.map_err(|source| StoreError::Io {
            path: name.clone(),
            source,
        })?;
        let bad = |message: String| StoreError::Format {
            path: name.clone(),
            line: no,
            message,
        };
        if no == 1 {
            let h: Header = serde_json::from_str(&line)
                .map_err(|e| bad(format!("not a newsclean index header: {e}")))?;
            if h.newsclean_index != INDEX_VERSION || h.fingerprint_version != FINGERPRINT_VERSION {
                return Err(bad(format!(
                    "index version {} / fingerprint version {}, this newsclean reads {INDEX_VERSION} / {FINGERPRINT_VERSION}",
                    h.newsclean_index, h.fingerprint_version
                )));
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        let mut samples = l.samples;
        samples.sort_unstable();
        samples.dedup();
        out.push(Stored {
            input: l.input,
            title: l.title,
            fp: Fingerprint {
                full: hex(&l.full, &name, no)?,
                lead: hex(&l.lead, &name, no)?,
                exact: hex(&l.exact, &name, no)?,
                shingles: Vec::new(),
                samples,
                words: l.words,
                sampled: true,
            },
        });
    }
    Ok(out)
}

/// Writes an index file atomically.
pub fn save(path: &Path, entries: &[Stored]) -> std::io::Result<()> {
    let mut s = serde_json::to_string(&Header {
        newsclean_index: INDEX_VERSION,
        fingerprint_version: FINGERPRINT_VERSION,
    })
    .expect("header serializes");
    s.push('\n');
    for e in entries {
        let line = Line {
            input: e.input.clone(),
            title: e.title.clone(),
            full: format!("{:016x}", e.fp.full),
            lead: format!("{:016x}", e.fp.lead),
            exact: format!("{:016x}", e.fp.exact),
            words: e.fp.words,
            samples: e.fp.samples.clone(),
        };
        s.push_str(&serde_json::to_string(&line).expect("index line serializes"));
        s.push('\n');
    }
    write_atomic(path, s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::fingerprint::fingerprint;

    #[test]
    fn round_trip_keeps_samples_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("idx.jsonl");
        assert!(load(&p).unwrap().is_empty(), "missing file = empty index");
        let fp = fingerprint(
            &"The council voted on Tuesday to close the old bridge to lorries. ".repeat(20),
        );
        let e = Stored {
            input: "a/b.txt".into(),
            title: Some("T".into()),
            fp: fp.to_sampled(),
        };
        save(&p, std::slice::from_ref(&e)).unwrap();
        let back = load(&p).unwrap();
        assert_eq!(back, [e]);
        assert_eq!(back[0].fp.full, fp.full);
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("idx.jsonl");
        let header = format!(
            "{{\"newsclean_index\":{INDEX_VERSION},\"fingerprint_version\":{FINGERPRINT_VERSION}}}\n"
        );
        std::fs::write(&p, format!("{header}{{\"input\":\"x\"}}\n")).unwrap();
        let err = load(&p).unwrap_err().to_string();
        assert!(err.contains("idx.jsonl:2:"), "{err}");
        std::fs::write(&p, "{\"newsclean_index\":9,\"fingerprint_version\":1}\n").unwrap();
        assert!(load(&p).unwrap_err().to_string().contains("version"));
        // an index of an earlier fingerprint scheme is refused, saying so
        std::fs::write(
            &p,
            format!("{{\"newsclean_index\":{INDEX_VERSION},\"fingerprint_version\":1}}\n"),
        )
        .unwrap();
        let err = load(&p).unwrap_err().to_string();
        assert!(err.contains("fingerprint version 1"), "{err}");
    }
}

//! JSON Lines documents: one object a line with `text` (or HTML in a field
//! named by `--html-field`), an optional `id` and any other fields, the
//! convention of datatrove, dolma and most LLM data tooling. `.jsonl.gz`
//! files are read through gzip.
//!
//! Output lines keep every field, replace `text` with the cleaned text, and
//! add newsclean's findings under `metadata.newsclean`.

use std::io::Read;

use serde_json::{Map, Value};

/// One document read from a JSON Lines file.
#[derive(Debug, Clone)]
pub struct JsonlDoc {
    /// 1-based line number in the file.
    pub line: usize,
    /// The `id` field (numbers are written as text).
    pub id: Option<String>,
    /// The whole object as read, but for the text to clean, taken out
    /// into `text` (an empty string is left in its place).
    pub value: Map<String, Value>,
    /// The text to clean: `text`, or the HTML field.
    pub text: String,
    /// `text` is HTML (from `--html-field`).
    pub html: bool,
}

impl JsonlDoc {
    /// The host of the document's `url` (top level, or under `metadata`):
    /// its site, for residue learned or configured per site.
    pub fn host(&self) -> Option<String> {
        let url = self
            .value
            .get("url")
            .or_else(|| self.value.get("metadata").and_then(|m| m.get("url")))?
            .as_str()?;
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
        let host = host
            .split(':')
            .next()?
            .trim_start_matches("www.")
            .to_ascii_lowercase();
        (!host.is_empty()).then_some(host)
    }
}

/// A line that could not be read as a document.
#[derive(Debug, Clone, PartialEq)]
pub struct BadLine {
    pub line: usize,
    pub message: String,
}

/// One line read from a JSON Lines file.
#[derive(Debug, PartialEq)]
pub enum ReadLine {
    /// A non-blank line (1-based number), without its line ending; `at`
    /// is where it stands in the file (byte offset), when the file is read
    /// as it is (not gunzipped): it can be read again from there.
    Line {
        line: usize,
        raw: Vec<u8>,
        at: Option<u64>,
    },
    /// A line longer than the limit: skipped without being held.
    TooLong { line: usize, bytes: u64 },
}

/// Reads a JSON Lines file (gzip-compressed or not) one line at a time,
/// holding at most one line, of at most `max` bytes, in memory.
pub struct LineReader {
    inner: Box<dyn std::io::BufRead + Send>,
    line: usize,
    max: u64,
    /// Bytes read so far, when they are the file's own (not gunzipped).
    offset: Option<u64>,
    /// The file read (a second handle), whose pages the system is told it
    /// may drop as they are read ([`LineReader::advance`]), and up to where.
    dropping: Option<(std::fs::File, u64)>,
}

/// Bytes read between two hints that the pages read may be dropped.
const DROP_STEP: u64 = 8 << 20;

impl LineReader {
    pub fn open(path: &std::path::Path, gz: bool, max: u64) -> std::io::Result<LineReader> {
        let f = std::fs::File::open(path)?;
        let second = f.try_clone().ok();
        let mut r = Self::new(f, gz, max);
        r.dropping = second.filter(|_| !gz).map(|f| (f, 0));
        Ok(r)
    }

    pub fn new(r: impl Read + Send + 'static, gz: bool, max: u64) -> LineReader {
        let inner: Box<dyn std::io::BufRead + Send> = if gz {
            Box::new(std::io::BufReader::with_capacity(
                1 << 16,
                flate2::read::MultiGzDecoder::new(std::io::BufReader::new(r)),
            ))
        } else {
            Box::new(std::io::BufReader::with_capacity(1 << 16, r))
        };
        LineReader {
            inner,
            line: 0,
            max,
            offset: (!gz).then_some(0),
            dropping: None,
        }
    }

    /// Counts `n` more bytes of the file read. Every [`DROP_STEP`], the
    /// system is told it may drop the pages read from its page cache: the
    /// file is read once (a second pass reads again only the few lines it
    /// cleans again), and the memory is better spent on what the run
    /// writes, which it then writes into pages just freed (on a virtual
    /// machine much quicker than memory the system has had back a while).
    fn advance(&mut self, n: usize) {
        self.offset = self.offset.map(|o| o + n as u64);
        #[cfg(target_os = "linux")]
        if let (Some(offset), Some((file, dropped))) = (self.offset, &mut self.dropping) {
            if offset - *dropped >= DROP_STEP {
                use std::os::unix::io::AsRawFd;
                let end = offset & !4095;
                // SAFETY: posix_fadvise on an open descriptor only advises
                // the page cache; the file and what was read are untouched.
                unsafe {
                    libc::posix_fadvise(
                        file.as_raw_fd(),
                        *dropped as libc::off_t,
                        (end - *dropped) as libc::off_t,
                        libc::POSIX_FADV_DONTNEED,
                    );
                }
                *dropped = end;
            }
        }
    }

    /// The next non-blank line, or None at the end.
    pub fn next_line(&mut self) -> std::io::Result<Option<ReadLine>> {
        use std::io::BufRead;
        loop {
            let mut raw = Vec::new();
            let n = (&mut self.inner)
                .take(self.max.saturating_add(1))
                .read_until(b'\n', &mut raw)?;
            if n == 0 {
                return Ok(None);
            }
            let at = self.offset;
            self.advance(n);
            self.line += 1;
            if raw.last() != Some(&b'\n') && raw.len() as u64 > self.max {
                // Skip the rest of the line without holding it.
                let mut bytes = raw.len() as u64;
                loop {
                    let buf = self.inner.fill_buf()?;
                    if buf.is_empty() {
                        break;
                    }
                    match memchr::memchr(b'\n', buf) {
                        Some(p) => {
                            bytes += p as u64;
                            self.inner.consume(p + 1);
                            self.advance(p + 1);
                            break;
                        }
                        None => {
                            let l = buf.len();
                            bytes += l as u64;
                            self.inner.consume(l);
                            self.advance(l);
                        }
                    }
                }
                return Ok(Some(ReadLine::TooLong {
                    line: self.line,
                    bytes,
                }));
            }
            if raw.last() == Some(&b'\n') {
                raw.pop();
            }
            if raw.last() == Some(&b'\r') {
                raw.pop();
            }
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(ReadLine::Line {
                line: self.line,
                raw,
                at,
            }));
        }
    }
}

/// Reads `len` bytes at `offset` of the file at `path`: a line again.
pub fn read_at(path: &std::path::Path, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    crate::spill::read_exact_at(&std::fs::File::open(path)?, &mut buf, offset)?;
    Ok(buf)
}

/// Reads the file's bytes (gunzipped when `gz`). A line that is not a JSON
/// object with a text field is a [`BadLine`]; the others go on.
pub fn read(
    bytes: &[u8],
    gz: bool,
    html_field: Option<&str>,
) -> std::io::Result<(Vec<JsonlDoc>, Vec<BadLine>)> {
    let data: std::borrow::Cow<[u8]> = if gz {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(bytes)
    };
    let mut docs = Vec::new();
    let mut bad = Vec::new();
    for (n, raw) in data.split(|&b| b == b'\n').enumerate() {
        let line = n + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_doc(raw, line, html_field) {
            Ok(d) => docs.push(d),
            Err(b) => bad.push(b),
        }
    }
    Ok((docs, bad))
}

/// Reads one line (without its newline) as a document.
pub fn parse_doc(raw: &[u8], line: usize, html_field: Option<&str>) -> Result<JsonlDoc, BadLine> {
    let (value, text, html) =
        parse_line(raw, html_field).map_err(|message| BadLine { line, message })?;
    let id = match value.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(JsonlDoc {
        line,
        id,
        value,
        text,
        html,
    })
}

fn parse_line(
    raw: &[u8],
    html_field: Option<&str>,
) -> Result<(Map<String, Value>, String, bool), String> {
    let value: Value = serde_json::from_slice(raw).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(mut map) = value else {
        return Err("not a JSON object".into());
    };
    if let Some(field) = html_field {
        if let Some(Value::String(h)) = map.get(field) {
            let h = h.clone();
            return Ok((map, h, true));
        }
    }
    match map.get_mut("text") {
        Some(Value::String(t)) => {
            // Taken, not copied: the output puts the cleaned text in its
            // place.
            let t = std::mem::take(t);
            Ok((map, t, false))
        }
        Some(_) => Err("\"text\" is not a string".into()),
        None => Err(match html_field {
            Some(f) => format!("no \"text\" and no \"{f}\" field"),
            None => "no \"text\" field".into(),
        }),
    }
}

/// What newsclean adds to an output line, under `metadata.newsclean`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Findings {
    pub title: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    /// Lines removed.
    pub removed: usize,
    pub simhash: Option<String>,
    pub cluster: Option<usize>,
    /// The canonical member's id (or input path, for a file).
    pub canonical: Option<String>,
}

/// The output line: the input object with `text` cleaned and the findings
/// added under `metadata.newsclean` (an existing `metadata` object is kept).
/// Keys come in sorted order at each level (as serde_json's map keeps
/// them); the line is written directly rather than through a copy of the
/// input's map, and the cleaned text, most of the line, is escaped by
/// [`push_json_str`].
pub fn render_line(doc: &Map<String, Value>, text: &str, findings: &Findings) -> String {
    render_line_marked(doc, text, findings).0
}

/// What the findings of a line rendered before clustering hold where the
/// cluster goes: `"canonical":null,"cluster":null`.
pub const NO_CLUSTER: &str = "\"canonical\":null,\"cluster\":null";

/// [`render_line`], and where in the line the findings' `"canonical"` key
/// stands (for [`fill_cluster`]).
pub fn render_line_marked(
    doc: &Map<String, Value>,
    text: &str,
    findings: &Findings,
) -> (String, usize) {
    enum Slot<'a> {
        Kept(&'a Value),
        Text,
        Metadata(Option<&'a Map<String, Value>>),
    }
    let mut fields: Vec<(&str, Slot)> = doc
        .iter()
        .map(|(k, v)| {
            let slot = match k.as_str() {
                "text" => Slot::Text,
                "metadata" => Slot::Metadata(v.as_object()),
                _ => Slot::Kept(v),
            };
            (k.as_str(), slot)
        })
        .collect();
    if !doc.contains_key("text") {
        // (an HTML field was read instead)
        fields.push(("text", Slot::Text));
    }
    if !doc.contains_key("metadata") {
        fields.push(("metadata", Slot::Metadata(None)));
    }
    fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut out = String::with_capacity(text.len() + 512);
    let mut mark = 0;
    out.push('{');
    for (n, (key, slot)) in fields.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_json_str(&mut out, key);
        out.push(':');
        match slot {
            Slot::Kept(v) => push_json_value(&mut out, v),
            Slot::Text => push_json_str(&mut out, text),
            Slot::Metadata(m) => {
                let mut inner: Vec<(&str, Option<&Value>)> = m
                    .iter()
                    .flat_map(|m| m.iter())
                    .filter(|(k, _)| *k != "newsclean")
                    .map(|(k, v)| (k.as_str(), Some(v)))
                    .collect();
                inner.push(("newsclean", None));
                inner.sort_unstable_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (n, (key, v)) in inner.into_iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    push_json_str(&mut out, key);
                    out.push(':');
                    match v {
                        Some(v) => push_json_value(&mut out, v),
                        None => mark = push_findings(&mut out, findings),
                    }
                }
                out.push('}');
            }
        }
    }
    out.push_str("}\n");
    (out, mark)
}

/// A line rendered before clustering, with its cluster and canonical id
/// put in at `at` (from [`render_line_marked`]) in place of
/// [`NO_CLUSTER`]: the line [`render_line`] makes with them known. `None`
/// when `at` does not hold the placeholder.
pub fn fill_cluster(
    line: &str,
    at: usize,
    cluster: usize,
    canonical: Option<&str>,
) -> Option<String> {
    let rest = line.get(at..)?.strip_prefix(NO_CLUSTER)?;
    let mut out = String::with_capacity(line.len() + 64);
    out.push_str(&line[..at]);
    out.push_str("\"canonical\":");
    push_json_opt(&mut out, canonical);
    out.push_str(",\"cluster\":");
    out.push_str(&cluster.to_string());
    out.push_str(rest);
    Some(out)
}

/// The findings as a JSON object, keys sorted; returns where its
/// `"canonical"` key starts.
fn push_findings(out: &mut String, f: &Findings) -> usize {
    let opt = |out: &mut String, key: &str, v: &Option<String>| {
        push_json_str(out, key);
        out.push(':');
        push_json_opt(out, v.as_deref());
    };
    out.push('{');
    opt(out, "author", &f.author);
    out.push(',');
    let mark = out.len();
    opt(out, "canonical", &f.canonical);
    out.push_str(",\"cluster\":");
    match f.cluster {
        Some(c) => out.push_str(&c.to_string()),
        None => out.push_str("null"),
    }
    out.push(',');
    opt(out, "date", &f.date);
    out.push_str(",\"removed\":");
    out.push_str(&f.removed.to_string());
    out.push(',');
    opt(out, "simhash", &f.simhash);
    out.push(',');
    opt(out, "source", &f.source);
    out.push(',');
    opt(out, "title", &f.title);
    out.push('}');
    mark
}

/// Any other value, as serde_json writes it.
fn push_json_value(out: &mut String, v: &Value) {
    match v {
        Value::String(s) => push_json_str(out, s),
        _ => out.push_str(&serde_json::to_string(v).unwrap_or_default()),
    }
}

/// Appends `v` as a JSON string, or `null`.
pub fn push_json_opt(out: &mut String, v: Option<&str>) {
    match v {
        Some(s) => push_json_str(out, s),
        None => out.push_str("null"),
    }
}

/// Appends `s` as a JSON string, escaped exactly as serde_json escapes
/// (`"`, `\\` and control characters; `\n`-style short forms where JSON
/// has one, else `\u00XX`). Runs without such a byte are found eight
/// bytes at a time and copied whole.
pub fn push_json_str(out: &mut String, s: &str) {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // High bit of each byte that is zero; exact for the lowest such byte
    // (a borrow can only mark bytes above a true zero).
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let special = |w: u64| {
        (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
            | zero_bytes(w ^ (ONES * u64::from(b'"')))
            | zero_bytes(w ^ (ONES * u64::from(b'\\')))
    };
    out.reserve(s.len() + 2);
    out.push('"');
    let b = s.as_bytes();
    let (mut i, mut run) = (0, 0);
    while i < b.len() {
        if let Some(chunk) = b.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            let m = special(w);
            if m == 0 {
                i += 8;
                continue;
            }
            i += m.trailing_zeros() as usize / 8;
        } else if !needs_escape(b[i]) {
            i += 1;
            continue;
        }
        // b[i] is ASCII: `run..i` ends on a character boundary.
        out.push_str(&s[run..i]);
        push_escape(out, b[i]);
        i += 1;
        run = i;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

fn push_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        0x08 => out.push_str("\\b"),
        0x0C => out.push_str("\\f"),
        _ => {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_documents_and_reports_bad_lines() {
        let src = b"{\"id\": \"a\", \"text\": \"Hello\", \"url\": \"u\"}\n\nnot json\n{\"id\": 7, \"text\": \"Bye\"}\n[1,2]\n{\"id\": \"x\"}\r\n";
        let (docs, bad) = read(src, false, None).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].id.as_deref(), Some("a"));
        assert_eq!(docs[1].id.as_deref(), Some("7"));
        assert_eq!(docs[1].line, 4);
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [3, 5, 6]);
        assert!(bad[0].message.starts_with("invalid JSON"));
        assert_eq!(bad[2].message, "no \"text\" field");
    }

    /// A file read past several hints to drop its pages reads whole: every
    /// line, and each one again at its offset.
    #[test]
    fn lines_read_while_the_pages_read_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.jsonl");
        let line = |n: usize| format!("{{\"id\":{n},\"text\":\"{}\"}}", "word ".repeat(40 + n % 7));
        let all: String = (0..100_000).map(|n| line(n) + "\n").collect();
        assert!(all.len() as u64 > 2 * DROP_STEP);
        std::fs::write(&path, &all).unwrap();
        let mut r = LineReader::open(&path, false, 1 << 20).unwrap();
        let mut n = 0;
        while let Some(l) = r.next_line().unwrap() {
            let ReadLine::Line { line: no, raw, at } = l else {
                panic!("line {n} too long")
            };
            assert_eq!((no, raw.as_slice()), (n + 1, line(n).as_bytes()));
            if n % 9973 == 0 {
                let again = read_at(&path, at.unwrap(), raw.len()).unwrap();
                assert_eq!(again, raw, "line {n} read again");
            }
            n += 1;
        }
        assert_eq!(n, 100_000);
        assert!(
            r.dropping.as_ref().is_some_and(|(_, d)| *d > DROP_STEP) || !cfg!(target_os = "linux"),
            "pages were let go of"
        );
    }

    #[test]
    fn html_field_and_gzip() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"id\":\"p\",\"html\":\"<p>x</p>\",\"text\":\"old\"}\n")
            .unwrap();
        let bytes = gz.finish().unwrap();
        let (docs, bad) = read(&bytes, true, Some("html")).unwrap();
        assert!(bad.is_empty());
        assert!(docs[0].html);
        assert_eq!(docs[0].text, "<p>x</p>");
    }

    #[test]
    fn host_from_url() {
        let (docs, _) = read(
            b"{\"text\":\"x\",\"url\":\"https://www.Example.org:8080/a/b?c\"}\n{\"text\":\"y\",\"metadata\":{\"url\":\"http://news.site/x\"}}\n{\"text\":\"z\"}",
            false,
            None,
        )
        .unwrap();
        assert_eq!(docs[0].host().as_deref(), Some("example.org"));
        assert_eq!(docs[1].host().as_deref(), Some("news.site"));
        assert_eq!(docs[2].host(), None);
    }

    /// The output line as a map built and serialized by serde_json: what
    /// [`render_line`] must equal byte for byte.
    fn render_line_by_map(doc: &Map<String, Value>, text: &str, findings: &Findings) -> String {
        let mut out = doc.clone();
        out.insert("text".into(), Value::String(text.to_string()));
        let f = serde_json::to_value(findings).unwrap();
        match out.get_mut("metadata") {
            Some(Value::Object(m)) => {
                m.insert("newsclean".into(), f);
            }
            _ => {
                let mut m = Map::new();
                m.insert("newsclean".into(), f);
                out.insert("metadata".into(), Value::Object(m));
            }
        }
        serde_json::to_string(&Value::Object(out)).unwrap() + "\n"
    }

    #[test]
    fn json_strings_escape_as_serde_json_does() {
        let check = |s: &str| {
            let mut out = String::new();
            push_json_str(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        };
        check("");
        // every ASCII character, alone and at every place of a run
        // longer than a word
        for c in (0u8..0x80).map(char::from) {
            check(&c.to_string());
            for at in 0..17 {
                let mut s: String = "abcdefghijklmnopq".into();
                s.insert(at, c);
                check(&s);
                s.insert_str(at, "\u{e9}\u{2019}");
                check(&s);
            }
        }
        // pseudo-random mixes of plain, escaped and non-ASCII characters
        let alphabet = [
            'a',
            ' ',
            '"',
            '\\',
            '\n',
            '\u{1}',
            '\u{1f}',
            '\u{7f}',
            '\u{e9}',
            '\u{2014}',
            '\u{1f600}',
            '/',
            '~',
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            let mut s = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for k in 0..(x % 40) {
                s.push(alphabet[((x >> (k % 50)) as usize + k as usize * 7) % alphabet.len()]);
            }
            check(&s);
        }
    }

    #[test]
    fn output_line_equals_serde_jsons_map() {
        let docs = [
            r#"{"id":"a","text":"x","metadata":{"url":"u"},"n":1}"#,
            r#"{"text":"x"}"#,
            r#"{"html":"<p>x</p>","id":7}"#,
            r#"{"zeta":[1,2.5,{"b":null,"a":true}],"text":"t","metadata":"not an object","alpha":-3}"#,
            r#"{"metadata":{"newsclean":{"old":1},"z":"\u00e9\n","a":{}},"text":"","Text":"T","_":0}"#,
            r#"{"id":"q\"uote","text":"line one\nline \"two\"\t\\","url":"https://example.org/a?b=c&d"}"#,
        ];
        let findings = [
            Findings::default(),
            Findings {
                title: Some("A \"quoted\" title\u{2019}s".into()),
                author: Some("Jane Doe".into()),
                date: Some("2025-03-03".into()),
                source: Some("AFP".into()),
                removed: 12,
                simhash: Some("00ff00ff00ff00ff".into()),
                cluster: Some(3),
                canonical: Some("doc\\1".into()),
            },
        ];
        for raw in docs {
            let doc = parse_doc(raw.as_bytes(), 1, Some("html")).unwrap();
            for f in &findings {
                for text in ["clean", "", "two\nparagraphs \"quoted\" \u{e9}"] {
                    assert_eq!(
                        render_line(&doc.value, text, f),
                        render_line_by_map(&doc.value, text, f),
                        "{raw}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_cluster_filled_in_equals_the_line_rendered_with_it() {
        let docs = [
            r#"{"id":"a","text":"x","metadata":{"url":"u"},"n":1}"#,
            r#"{"text":"x"}"#,
            // the placeholder's very bytes elsewhere in the line, before
            // and after the findings
            r#"{"metadata":{"a":{"canonical":null,"cluster":null},"z":{"canonical":null,"cluster":null}},"text":"t"}"#,
        ];
        let before = Findings {
            title: Some("T".into()),
            removed: 4,
            ..Findings::default()
        };
        for raw in docs {
            let doc = parse_doc(raw.as_bytes(), 1, None).unwrap();
            for text in ["clean", "\"canonical\":null,\"cluster\":null"] {
                let (line, at) = render_line_marked(&doc.value, text, &before);
                for canonical in [None, Some("doc \"7\"\\x"), Some("")] {
                    let after = Findings {
                        cluster: Some(12),
                        canonical: canonical.map(str::to_string),
                        ..before.clone()
                    };
                    assert_eq!(
                        fill_cluster(&line, at, 12, canonical).as_deref(),
                        Some(render_line(&doc.value, text, &after).as_str()),
                        "{raw}"
                    );
                }
                // not the placeholder there: no guess
                assert_eq!(fill_cluster(&line, at + 1, 1, None), None);
            }
        }
    }

    #[test]
    fn output_keeps_fields_and_metadata() {
        let (docs, _) = read(
            b"{\"id\":\"a\",\"text\":\"x\",\"metadata\":{\"url\":\"u\"},\"n\":1}",
            false,
            None,
        )
        .unwrap();
        let f = Findings {
            title: Some("T".into()),
            removed: 2,
            ..Findings::default()
        };
        let line = render_line(&docs[0].value, "clean", &f);
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["id"], "a");
        assert_eq!(v["n"], 1);
        assert_eq!(v["text"], "clean");
        assert_eq!(v["metadata"]["url"], "u");
        assert_eq!(v["metadata"]["newsclean"]["title"], "T");
        assert_eq!(v["metadata"]["newsclean"]["removed"], 2);
    }

    #[test]
    fn line_reader_streams_lines_and_skips_long_ones() {
        let src = b"{\"text\": \"a\"}\r\n\n   \n{\"text\": \"0123456789012345678901234567890\"}\n{\"text\": \"b\"}";
        let mut r = LineReader::new(&src[..], false, 20);
        let mut got = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            got.push(l);
        }
        assert_eq!(
            got,
            [
                ReadLine::Line {
                    line: 1,
                    raw: b"{\"text\": \"a\"}".to_vec(),
                    at: Some(0),
                },
                ReadLine::TooLong { line: 4, bytes: 43 },
                ReadLine::Line {
                    line: 5,
                    raw: b"{\"text\": \"b\"}".to_vec(),
                    at: Some(64),
                },
            ]
        );
        // gzip, two members
        let mut gz = Vec::new();
        for part in [&b"{\"text\": \"x\"}\n"[..], b"{\"text\": \"y\"}\n"] {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, part).unwrap();
            gz.extend(e.finish().unwrap());
        }
        let mut r = LineReader::new(std::io::Cursor::new(gz), true, 1000);
        let mut n = 0;
        while let Some(ReadLine::Line { at, .. }) = r.next_line().unwrap() {
            assert_eq!(at, None, "a gunzipped line has no place in the file");
            n += 1;
        }
        assert_eq!(n, 2);
    }
}

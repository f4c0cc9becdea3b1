//! JSON Lines documents: one object a line with `text` (or HTML in a field
//! named by `--html-field`), an optional `id` and any other fields, the
//! convention of datatrove, dolma and most LLM data tooling. `.jsonl.gz`
//! files are read through gzip.
//!
//! Output lines keep every field, replace `text` with the cleaned text, and
//! add newsclean's findings under `metadata.newsclean`.

use std::io::Read;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// One document read from a JSON Lines file.
#[derive(Debug, Clone)]
pub struct JsonlDoc {
    /// 1-based line number in the file.
    pub line: usize,
    /// The `id` field (a number as written).
    pub id: Option<String>,
    /// The object's fields as read, but for the text to clean, taken out
    /// into `text`.
    pub fields: Fields,
    /// The text to clean: `text`, or the HTML field.
    pub text: String,
    /// `text` is HTML (from `--html-field`).
    pub html: bool,
}

/// The fields of a JSON Lines object, in the order the line gives them,
/// each value kept as the JSON text it was written as: a number keeps its
/// digits (an id of 30 digits, `1.10`, `1e2`), a nested object its keys'
/// order and its escapes. Only what newsclean reads or replaces is parsed:
/// `text` (and the HTML field), `id`, `url`, and `metadata`'s own fields.
/// A key given twice keeps its first place and its last value, the value
/// a JSON parser would keep.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    entries: Vec<(String, Field)>,
}

/// Fields each kept as the JSON text they were written as.
type RawFields = Vec<(String, Box<RawValue>)>;

#[derive(Debug, Clone)]
enum Field {
    /// Written out as read.
    Raw(Box<RawValue>),
    /// `text`: the cleaned text goes here.
    Text,
    /// `metadata`: its fields when it is an object (newsclean's findings
    /// go in among them), else nothing (the findings replace it).
    Metadata(Option<RawFields>),
}

impl Fields {
    /// The fields of a document that has only an id (a file written as
    /// JSON Lines).
    pub fn with_id(id: &str) -> Fields {
        let mut raw = String::with_capacity(id.len() + 2);
        push_json_str(&mut raw, id);
        let raw = RawValue::from_string(raw).expect("a JSON string is JSON");
        Fields {
            entries: vec![("id".into(), Field::Raw(raw))],
        }
    }

    fn get(&self, key: &str) -> Option<&Field> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, f)| f)
    }

    fn raw(&self, key: &str) -> Option<&RawValue> {
        match self.get(key)? {
            Field::Raw(r) => Some(r),
            _ => None,
        }
    }
}

/// A value that is a JSON string, read.
fn string_of(raw: &RawValue) -> Option<String> {
    let raw = raw.get();
    raw.starts_with('"')
        .then(|| serde_json::from_str(raw).ok())
        .flatten()
}

/// An object's fields in the order read, a key given twice made one: its
/// first place, its last value. (Found by sorting, not by a search per
/// key: a line may hold a great many keys.)
fn read_fields<'de, A: MapAccess<'de>, T>(
    mut map: A,
    mut value: impl FnMut(&str, &mut A) -> Result<T, A::Error>,
) -> Result<Vec<(String, T)>, A::Error> {
    let mut entries = Vec::new();
    while let Some(key) = map.next_key::<String>()? {
        let v = value(&key, &mut map)?;
        entries.push((key, v));
    }
    if entries.len() > 1 {
        // (a stable sort: each key's entries stay in the line's order)
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by(|&a, &b| entries[a].0.cmp(&entries[b].0));
        let repeated: Vec<&[usize]> = order
            .chunk_by(|&a, &b| entries[a].0 == entries[b].0)
            .filter(|run| run.len() > 1)
            .collect();
        let mut gone = vec![false; entries.len()];
        for run in repeated {
            // (one key: swapping the entries moves the last value first)
            entries.swap(run[0], run[run.len() - 1]);
            run[1..].iter().for_each(|&n| gone[n] = true);
        }
        let mut n = 0;
        entries.retain(|_| {
            n += 1;
            !gone[n - 1]
        });
    }
    Ok(entries)
}

impl JsonlDoc {
    /// The host of the document's `url` (top level, or under `metadata`):
    /// its site, for residue learned or configured per site.
    pub fn host(&self) -> Option<String> {
        let url = self.fields.raw("url").and_then(string_of).or_else(|| {
            match self.fields.get("metadata") {
                Some(Field::Metadata(Some(m))) => m
                    .iter()
                    .find(|(k, _)| k == "url")
                    .and_then(|(_, v)| string_of(v)),
                _ => None,
            }
        })?;
        let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
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
    parse_line(raw, html_field)
        .map_err(|message| BadLine { line, message })
        .map(|(fields, id, text, html)| JsonlDoc {
            line,
            id,
            fields,
            text,
            html,
        })
}

type Parsed = (Fields, Option<String>, String, bool);

fn parse_line(raw: &[u8], html_field: Option<&str>) -> Result<Parsed, String> {
    let starts_object = raw
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');
    if !starts_object {
        return Err(match serde_json::from_slice::<IgnoredAny>(raw) {
            Ok(_) => "not a JSON object".into(),
            Err(e) => format!("invalid JSON: {e}"),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(raw);
    let read = Top { html_field }
        .deserialize(&mut de)
        .and_then(|r| de.end().map(|()| r))
        .map_err(|e| format!("invalid JSON: {e}"))?;
    let id = read.fields.raw("id").map(RawValue::get).and_then(|r| {
        if r.starts_with('"') {
            serde_json::from_str(r).ok()
        } else {
            // a number, as written
            (r.starts_with('-') || r.starts_with(|c: char| c.is_ascii_digit()))
                .then(|| r.to_string())
        }
    });
    if let Some(h) = read.html {
        return Ok((read.fields, id, h, true));
    }
    match read.text {
        // (`--html-field text`: the text is the HTML)
        Some(Some(t)) => Ok((read.fields, id, t, html_field == Some("text"))),
        Some(None) => Err("\"text\" is not a string".into()),
        None => Err(match html_field {
            Some(f) => format!("no \"text\" and no \"{f}\" field"),
            None => "no \"text\" field".into(),
        }),
    }
}

/// What reading a line's object gives: its fields; `text` (`Some(None)`
/// when it is there but not a string); the HTML field when it is a string.
struct ReadObject {
    fields: Fields,
    text: Option<Option<String>>,
    html: Option<String>,
}

/// Reads the top-level object of a line.
struct Top<'f> {
    html_field: Option<&'f str>,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ReadObject;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ReadObject, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ReadObject;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ReadObject, A::Error> {
        let (mut text, mut html) = (None, None);
        let entries = read_fields(map, |key, map| {
            Ok(match key {
                "text" => {
                    // (the text is taken, not kept: the output puts the
                    // cleaned text in its place)
                    text = Some(match map.next_value()? {
                        serde_json::Value::String(t) => Some(t),
                        _ => None,
                    });
                    Field::Text
                }
                "metadata" => {
                    let raw = map.next_value::<Box<RawValue>>()?;
                    Field::Metadata(if raw.get().starts_with('{') {
                        let RawObject(m) =
                            serde_json::from_str(raw.get()).map_err(serde::de::Error::custom)?;
                        Some(m)
                    } else {
                        None
                    })
                }
                _ => {
                    let raw = map.next_value::<Box<RawValue>>()?;
                    if Some(key) == self.html_field {
                        html = string_of(&raw);
                    }
                    Field::Raw(raw)
                }
            })
        })?;
        Ok(ReadObject {
            fields: Fields { entries },
            text,
            html,
        })
    }
}

/// An object's fields, each value as written (`metadata`'s own fields).
struct RawObject(RawFields);

impl<'de> serde::Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawObject, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawObject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawObject, A::Error> {
                read_fields(map, |_, map| map.next_value()).map(RawObject)
            }
        }
        d.deserialize_map(V)
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
/// Fields keep the input's order and their values as written (spaces
/// between tokens dropped); `text` and `metadata`, when the input has none,
/// come last. The cleaned text, most of the line, is escaped by
/// [`push_json_str`].
pub fn render_line(doc: &Fields, text: &str, findings: &Findings) -> String {
    render_line_marked(doc, text, findings).0
}

/// What the findings of a line rendered before clustering hold where the
/// cluster goes: `"canonical":null,"cluster":null`.
pub const NO_CLUSTER: &str = "\"canonical\":null,\"cluster\":null";

/// [`render_line`], and where in the line the findings' `"canonical"` key
/// stands (for [`fill_cluster`]).
pub fn render_line_marked(doc: &Fields, text: &str, findings: &Findings) -> (String, usize) {
    let extra = doc.entries.iter().map(|(k, _)| k.len() + 64).sum::<usize>();
    let mut out = String::with_capacity(text.len() + extra + 320);
    let mut mark = 0;
    let key = |out: &mut String, n: usize, k: &str| {
        if n > 0 {
            out.push(',');
        }
        push_json_str(out, k);
        out.push(':');
    };
    let (mut has_text, mut has_meta) = (false, false);
    out.push('{');
    for (n, (k, field)) in doc.entries.iter().enumerate() {
        key(&mut out, n, k);
        match field {
            Field::Raw(v) => push_raw(&mut out, v.get()),
            Field::Text => {
                has_text = true;
                push_json_str(&mut out, text);
            }
            Field::Metadata(m) => {
                has_meta = true;
                mark = push_metadata(&mut out, m.as_ref(), findings);
            }
        }
    }
    let mut n = doc.entries.len();
    if !has_text {
        // (an HTML field was read instead)
        key(&mut out, n, "text");
        push_json_str(&mut out, text);
        n += 1;
    }
    if !has_meta {
        key(&mut out, n, "metadata");
        mark = push_metadata(&mut out, None, findings);
    }
    out.push_str("}\n");
    (out, mark)
}

/// `metadata`'s object: its fields as read, newsclean's findings in place
/// of its `newsclean` field or after the others; returns where the
/// findings' `"canonical"` key starts.
fn push_metadata(out: &mut String, m: Option<&RawFields>, findings: &Findings) -> usize {
    let entries = m.map_or(&[][..], |m| &m[..]);
    let mut mark = None;
    out.push('{');
    for (n, (k, field)) in entries.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_json_str(out, k);
        out.push(':');
        if k == "newsclean" {
            mark = Some(push_findings(out, findings));
        } else {
            push_raw(out, field.get());
        }
    }
    let mark = match mark {
        Some(m) => m,
        None => {
            if !entries.is_empty() {
                out.push(',');
            }
            out.push_str("\"newsclean\":");
            push_findings(out, findings)
        }
    };
    out.push('}');
    mark
}

/// A value as written, without the spaces, tabs and line breaks between
/// its tokens (JSON allows them; a line of output holds none).
fn push_raw(out: &mut String, v: &str) {
    if !v.starts_with(['{', '[']) {
        // a string, number or literal: one token, nothing between
        out.push_str(v);
        return;
    }
    let b = v.as_bytes();
    let (mut i, mut run) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'"' => {
                // to the closing quote, over escaped characters
                i += 1;
                while let Some(j) = memchr::memchr2(b'"', b'\\', &b[i..]) {
                    i += j + 1;
                    if b[i - 1] == b'"' {
                        break;
                    }
                    i += 1;
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' => {
                // outside strings, only ASCII was skipped: `run..i` and
                // what follows the space start on character boundaries
                out.push_str(&v[run..i]);
                i += 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&v[run..]);
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
    use serde_json::{Map, Value};

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
        // the HTML field may be `text` itself; without the field, `text`
        let (docs, _) = read(b"{\"text\":\"<p>y</p>\"}", false, Some("text")).unwrap();
        assert!(docs[0].html);
        let (docs, _) = read(b"{\"text\":\"<p>y</p>\"}", false, Some("html")).unwrap();
        assert!(!docs[0].html);
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

    /// The output line as serde_json would make it from the input line
    /// read whole: what [`render_line`] must equal as a JSON value (its
    /// fields' order and spelling are checked apart).
    fn render_line_by_map(raw: &str, text: &str, findings: &Findings) -> Value {
        let Value::Object(mut out) = serde_json::from_str(raw).unwrap() else {
            panic!("{raw}")
        };
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
        Value::Object(out)
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
                    let line = render_line(&doc.fields, text, f);
                    assert!(line.ends_with("}\n") && !line[..line.len() - 1].contains('\n'));
                    let read: Value = serde_json::from_str(&line).unwrap();
                    assert_eq!(read, render_line_by_map(raw, text, f), "{raw}");
                }
            }
        }
    }

    /// Fields keep the input's order and are written as they were read:
    /// numbers with their digits, strings with their escapes, nested
    /// objects with their keys' order; only the spaces between tokens go.
    #[test]
    fn output_keeps_fields_in_order_and_as_written() {
        let raw = r#"{ "zeta": 1.10, "id": 123456789012345678901234567890, "text": "x",
            "n": [1e2, -0.0, {"b": "caf\u00e9 \"q\" \\", "a": null}], "metadata": {"z": 1, "newsclean": 5, "a": "s p"}, "w": "a  b" }"#
            .replace('\n', "\r");
        let doc = parse_doc(raw.as_bytes(), 1, None).unwrap();
        assert_eq!(doc.id.as_deref(), Some("123456789012345678901234567890"));
        let line = render_line(&doc.fields, "clean", &Findings::default());
        let findings = r#"{"author":null,"canonical":null,"cluster":null,"date":null,"removed":0,"simhash":null,"source":null,"title":null}"#;
        assert_eq!(
            line,
            format!(
                r#"{{"zeta":1.10,"id":123456789012345678901234567890,"text":"clean","n":[1e2,-0.0,{{"b":"caf\u00e9 \"q\" \\","a":null}}],"metadata":{{"z":1,"newsclean":{findings},"a":"s p"}},"w":"a  b"}}"#
            ) + "\n"
        );
        // a key given twice: its first place, its last value
        let doc = parse_doc(br#"{"a":1,"text":"x","a":2,"text":"y"}"#, 1, None).unwrap();
        assert_eq!(doc.text, "y");
        let doc = parse_doc(
            br#"{"b":0,"a":1,"text":"x","a":2,"c":{"k":1,"j":2,"k":3},"a":3}"#,
            1,
            None,
        )
        .unwrap();
        assert!(render_line(&doc.fields, "c", &Findings::default())
            .starts_with(r#"{"b":0,"a":3,"text":"c","c":{"k":1,"j":2,"k":3},"metadata":"#));
        // many keys, all different, in their order
        let many: Vec<String> = (0..50_000)
            .map(|n| format!("\"k{}\":{n}", 199_999 - n))
            .collect();
        let raw = format!("{{\"text\":\"x\",{}}}", many.join(","));
        let doc = parse_doc(raw.as_bytes(), 1, None).unwrap();
        let line = render_line(&doc.fields, "c", &Findings::default());
        assert!(line.starts_with(&format!(
            "{{\"text\":\"c\",{},\"metadata\":",
            many.join(",")
        )));
        let doc = parse_doc(br#"{"a":1,"text":"x","a":2,"text":"y"}"#, 1, None).unwrap();
        assert_eq!(doc.text, "y");
        assert!(render_line(&doc.fields, "c", &Findings::default())
            .starts_with(r#"{"a":2,"text":"c","metadata":"#));
    }

    #[test]
    fn lines_that_are_not_documents_say_why() {
        let why = |raw: &str| parse_doc(raw.as_bytes(), 3, None).unwrap_err().message;
        assert_eq!(why("[1, 2]"), "not a JSON object");
        assert_eq!(why(" \"text\""), "not a JSON object");
        assert!(
            why("{\"text\": \"a\"").starts_with("invalid JSON"),
            "{}",
            why("{\"text\": \"a\"")
        );
        assert!(why("{\"text\": \"a\"} x").starts_with("invalid JSON"));
        assert!(why("nope").starts_with("invalid JSON"));
        assert_eq!(why("{\"text\": 3}"), "\"text\" is not a string");
        assert_eq!(why("{\"text\": {\"a\": [1]}}"), "\"text\" is not a string");
        assert_eq!(why("{\"id\": 1}"), "no \"text\" field");
        assert_eq!(
            parse_doc(b"{\"id\": 1, \"html\": 2}", 1, Some("html"))
                .unwrap_err()
                .message,
            "no \"text\" and no \"html\" field"
        );
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
                let (line, at) = render_line_marked(&doc.fields, text, &before);
                for canonical in [None, Some("doc \"7\"\\x"), Some("")] {
                    let after = Findings {
                        cluster: Some(12),
                        canonical: canonical.map(str::to_string),
                        ..before.clone()
                    };
                    assert_eq!(
                        fill_cluster(&line, at, 12, canonical).as_deref(),
                        Some(render_line(&doc.fields, text, &after).as_str()),
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
        let line = render_line(&docs[0].fields, "clean", &f);
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

//! The document as the stages see it: a list of lines, each kept or taken
//! out, and a record of every removal with the stage and reason behind it.
//!
//! Stages never delete a line: they mark it removed through [`Doc::remove`]
//! (or shorten it through [`Doc::cut_prefix`]), which writes the [`Record`]
//! that `newsclean explain` and the manifest show. So "why did this line go?"
//! always has an answer.

use serde::Serialize;

/// One line (after normalization: one paragraph) of the document.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    /// 1-based number of the (first) physical line it came from.
    pub line_no: usize,
    /// A blank line stood before it in the input.
    pub gap_before: bool,
    pub kept: bool,
    /// Cache of [`crate::text::is_body_like`] for `text` (zones are asked
    /// for by many stages; the text rarely changes).
    body_like: std::cell::Cell<Option<bool>>,
    /// Cache of [`crate::text::fold`] for `text`.
    folded: std::cell::OnceCell<String>,
    /// Cache of [`crate::text::loose_key`] for `text`.
    loose: std::cell::OnceCell<String>,
    /// Cache of [`crate::dates::parse_stamp`] for `text` (the date-stamp
    /// and byline stages both read it).
    stamp: std::cell::OnceCell<Option<crate::dates::Stamp>>,
    /// Stages that have judged from the text alone whether they may ever
    /// take this line (one bit each, [`crate::stages::bit`]), and those
    /// that found they never will: a stage run again after another stage's
    /// change skips such lines at once.
    judged: std::cell::Cell<u32>,
    never: std::cell::Cell<u32>,
    /// The judgments of the same text in documents cleaned before on this
    /// thread have been looked up ([`Judgments`]).
    recalled: std::cell::Cell<bool>,
    /// Cache of [`crate::text::char_len`] of `text` (`usize::MAX`: not yet
    /// counted). Most stages bound a line's length first: counted once, a
    /// long paragraph is not read again by each.
    chars: std::cell::Cell<usize>,
}

impl Line {
    pub fn new(text: String, line_no: usize, gap_before: bool) -> Line {
        Line {
            text,
            line_no,
            gap_before,
            kept: true,
            body_like: std::cell::Cell::new(None),
            folded: std::cell::OnceCell::new(),
            loose: std::cell::OnceCell::new(),
            stamp: std::cell::OnceCell::new(),
            judged: std::cell::Cell::new(0),
            never: std::cell::Cell::new(0),
            recalled: std::cell::Cell::new(false),
            chars: std::cell::Cell::new(usize::MAX),
        }
    }

    /// The text's length in characters ([`crate::text::char_len`]), cached.
    pub fn char_len(&self) -> usize {
        let known = self.chars.get();
        if known != usize::MAX {
            return known;
        }
        let n = crate::text::char_len(&self.text);
        self.chars.set(n);
        n
    }

    /// May the stage with bit `bit` ever take this line? `judge` answers
    /// from the line's text alone (never from its place or its neighbours),
    /// so the answer holds until the text changes and is asked once.
    pub fn may_take(&self, bit: u32, judge: impl FnOnce(&Line) -> bool) -> bool {
        if !self.recalled.get() {
            self.recalled.set(true);
            if let Some((judged, never)) = Judgments::recall(&self.text) {
                self.judged.set(self.judged.get() | judged);
                self.never.set(self.never.get() | never);
            }
        }
        if self.judged.get() & bit != 0 {
            return self.never.get() & bit == 0;
        }
        let may = judge(self);
        self.judged.set(self.judged.get() | bit);
        if !may {
            self.never.set(self.never.get() | bit);
        }
        may
    }

    /// The text folded for comparison ([`crate::text::fold`]), cached: the
    /// stages ask for it many times per pass.
    pub fn folded(&self) -> &str {
        self.folded.get_or_init(|| crate::text::fold(&self.text))
    }

    /// The text's [`crate::text::loose_key`], cached.
    pub fn loose(&self) -> &str {
        self.loose
            .get_or_init(|| crate::text::loose_key_of_folded(self.folded()))
    }

    /// The date stamp the text is ([`crate::dates::parse_stamp`]), cached.
    pub fn stamp(&self) -> Option<&crate::dates::Stamp> {
        self.stamp
            .get_or_init(|| crate::dates::parse_stamp_folded(&self.text, Some(self.folded())))
            .as_ref()
    }

    /// Does the line read as article prose? (cached)
    pub fn is_body_like(&self) -> bool {
        if let Some(b) = self.body_like.get() {
            return b;
        }
        let b = crate::text::is_body_like(&self.text);
        self.body_like.set(Some(b));
        b
    }

    /// Replaces the text (and forgets what was cached about it).
    pub fn set_text(&mut self, text: String) {
        self.text = text;
        self.body_like.set(None);
        self.folded = std::cell::OnceCell::new();
        self.loose = std::cell::OnceCell::new();
        self.stamp = std::cell::OnceCell::new();
        self.chars.set(usize::MAX);
        self.judged.set(0);
        self.never.set(0);
        self.recalled.set(false);
    }
}

/// The stages' judgments from a line's text alone ([`Line::may_take`]),
/// remembered across the documents one thread cleans: a site's furniture
/// ("Advertisement", "By Staff Reporter", its copyright line) comes back
/// on every page, and each stage's verdict on it is the same every time,
/// so it is made once. Only short lines are kept (boilerplate is short;
/// a long paragraph is rarely seen twice and costs more to look up), and
/// at most [`Judgments::CAPACITY`] of them: a full table starts afresh.
/// What a document's cleaning gives does not change: a judgment depends
/// on the text and on nothing else.
pub struct Judgments;

impl Judgments {
    /// Longest line remembered, in bytes.
    pub const MAX_LEN: usize = 160;
    /// Lines remembered per thread.
    pub const CAPACITY: usize = 1 << 14;

    thread_local! {
        static TABLE: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, (u32, u32)>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }

    /// The judged and never-taking bits remembered for `text`.
    fn recall(text: &str) -> Option<(u32, u32)> {
        if text.len() > Self::MAX_LEN {
            return None;
        }
        Self::TABLE.with(|t| t.borrow().get(text).copied())
    }

    /// Remembers what was judged of the document's short lines.
    pub fn remember(doc: &Doc) {
        Self::TABLE.with(|t| {
            let mut t = t.borrow_mut();
            for l in &doc.lines {
                let judged = l.judged.get();
                if judged == 0 || l.text.len() > Self::MAX_LEN {
                    continue;
                }
                let never = l.never.get();
                if let Some(e) = t.get_mut(l.text.as_str()) {
                    *e = (e.0 | judged, e.1 | never);
                    continue;
                }
                if t.len() >= Self::CAPACITY {
                    t.clear();
                }
                t.insert(l.text.as_str().into(), (judged, never));
            }
        });
    }

    /// Forgets everything remembered on this thread.
    pub fn forget() {
        Self::TABLE.with(|t| t.borrow_mut().clear());
    }
}

/// Why a piece of text was taken out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    pub stage: &'static str,
    pub reason: String,
    pub text: String,
    /// 1-based line number in the decoded input.
    pub line: usize,
}

/// What the stages learn about the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Meta {
    pub title: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    /// The wire agency the story came from, when a credit or dateline names one.
    pub source: Option<String>,
    #[serde(skip)]
    date_rank: u8,
}

/// How much a date is to be trusted as the publication date; lower wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DateRank {
    /// The page's own markup (article:published_time, JSON-LD).
    Markup = 0,
    /// "Published ...", or a date line beside the byline.
    Byline = 1,
    /// A date in the dateline that opens the story.
    Dateline = 2,
    /// A date stamp at the top of the page: often the crawl date.
    PageStamp = 3,
}

impl Meta {
    /// Offers a date; it replaces the current one only if it ranks higher.
    pub fn offer_date(&mut self, date: String, rank: DateRank) {
        let r = rank as u8;
        if self.date.is_none() || r < self.date_rank {
            self.date = Some(date);
            self.date_rank = r;
        }
    }

    pub fn offer_author(&mut self, author: &str) {
        if self.author.is_none() && !author.is_empty() {
            self.author = Some(author.to_string());
        }
    }

    pub fn offer_source(&mut self, source: &str) {
        if self.source.is_none() {
            self.source = Some(source.to_string());
        }
    }
}

/// Where the body starts and ends, by index into `Doc::lines`.
#[derive(Debug, Clone, Copy)]
pub struct Zones {
    pub first_body: Option<usize>,
    pub last_body: Option<usize>,
}

impl Zones {
    /// Before the first body paragraph (everything, when there is no body).
    pub fn header(&self, i: usize) -> bool {
        self.first_body.is_none_or(|f| i < f)
    }

    /// After the last body paragraph.
    pub fn tail(&self, i: usize) -> bool {
        self.last_body.is_some_and(|l| i > l)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub lines: Vec<Line>,
    pub records: Vec<Record>,
    pub meta: Meta,
    /// Index (into `lines`) of the headline, once the headline stage found it.
    pub headline: Option<usize>,
    /// The site the document comes from (the input's top folder), for the
    /// residue learned per site.
    pub site: Option<String>,
}

impl Doc {
    /// Splits decoded text into physical lines (LF, CRLF, CR, U+2028/2029).
    /// Nothing else is changed: that is the normalize stage's work.
    pub fn from_text(text: &str) -> Doc {
        let mut lines = Vec::new();
        let mut start = 0;
        let mut line_no = 1;
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut push = |s: &str, n: usize| lines.push(Line::new(s.to_string(), n, false));
        // Only these bytes can start a break: memchr jumps to the next.
        while let Some(at) = memchr::memchr3(b'\n', b'\r', 0xE2, &bytes[i..]) {
            i += at;
            let b = bytes[i];
            let (brk, width) = match b {
                b'\n' => (true, 1),
                b'\r' => (
                    true,
                    if bytes.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    },
                ),
                // U+2028 / U+2029: E2 80 A8 / E2 80 A9
                0xE2 if bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
                {
                    (true, 3)
                }
                _ => (false, 1),
            };
            if brk {
                push(&text[start..i], line_no);
                line_no += 1;
                i += width;
                start = i;
            } else {
                i += 1;
            }
        }
        if start < text.len() {
            push(&text[start..], line_no);
        }
        Doc {
            lines,
            ..Doc::default()
        }
    }

    /// Indexes of the lines still kept, in order.
    pub fn kept(&self) -> Vec<usize> {
        // (sized at once: every stage asks, and a growing vector moved
        // itself a few times a call)
        let mut out = Vec::with_capacity(self.lines.len());
        out.extend((0..self.lines.len()).filter(|&i| self.lines[i].kept));
        out
    }

    /// Bytes of the kept lines' text, and how many there are.
    fn kept_size(&self) -> (usize, usize) {
        self.lines
            .iter()
            .filter(|l| l.kept)
            .fold((0, 0), |(b, n), l| (b + l.text.len(), n + 1))
    }

    /// Takes line `i` out, recording why.
    pub fn remove(&mut self, i: usize, stage: &'static str, reason: impl Into<String>) {
        let line = &mut self.lines[i];
        if !line.kept {
            return;
        }
        line.kept = false;
        self.records.push(Record {
            stage,
            reason: reason.into(),
            text: line.text.clone(),
            line: line.line_no,
        });
        if self.headline == Some(i) {
            self.headline = None;
        }
    }

    /// Takes the first `cut` bytes of line `i` out (a breadcrumb glued to a
    /// headline, say), recording the part removed.
    pub fn cut_prefix(
        &mut self,
        i: usize,
        cut: usize,
        stage: &'static str,
        reason: impl Into<String>,
    ) {
        let line = &mut self.lines[i];
        let removed = line.text[..cut].trim().to_string();
        let rest = line.text[cut..].trim().to_string();
        line.set_text(rest);
        self.records.push(Record {
            stage,
            reason: reason.into(),
            text: removed,
            line: line.line_no,
        });
    }

    /// First and last kept lines that read as article prose (see
    /// [`crate::text::is_body_like`]): the body span. Lines before it are the
    /// header zone, lines after it the tail zone.
    pub fn body_span(&self) -> Option<(usize, usize)> {
        let mut first = None;
        let mut last = None;
        for (i, l) in self.lines.iter().enumerate() {
            if l.kept && l.is_body_like() {
                first.get_or_insert(i);
                last = Some(i);
            }
        }
        first.zip(last)
    }

    /// The zones of the document as it stands now; compute once per pass.
    pub fn zones(&self) -> Zones {
        let span = self.body_span();
        Zones {
            first_body: span.map(|s| s.0),
            last_body: span.map(|s| s.1),
        }
    }

    /// The kept text, one paragraph a line separated by blank lines, the
    /// headline first; empty when nothing is kept.
    pub fn render(&self) -> String {
        let (bytes, n) = self.kept_size();
        let mut out = String::with_capacity(bytes + 2 * n);
        for l in self.lines.iter().filter(|l| l.kept) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&l.text);
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out
    }

    /// The kept text without the headline, one paragraph a line: what
    /// near-duplicate detection compares (outlets write their own headlines).
    pub fn body_text(&self) -> String {
        let (bytes, n) = self.kept_size();
        let mut out = String::with_capacity(bytes + n);
        for (i, l) in self.lines.iter().enumerate() {
            if l.kept && Some(i) != self.headline {
                out.push_str(&l.text);
                out.push('\n');
            }
        }
        out
    }

    /// Records sorted by input line, for the manifest and `explain`.
    pub fn records_by_line(&self) -> Vec<&Record> {
        let mut r: Vec<&Record> = self.records.iter().collect();
        r.sort_by_key(|r| r.line);
        r
    }

    /// The records, taken out of the document, in the order of
    /// [`Doc::records_by_line`].
    pub fn take_records_by_line(&mut self) -> Vec<Record> {
        let mut r = std::mem::take(&mut self.records);
        r.sort_by_key(|r| r.line);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_follows_the_text() {
        let mut l = Line::new("Published: 3 March 2025".into(), 1, false);
        let iso = |l: &Line| l.stamp().and_then(crate::dates::Stamp::iso);
        assert_eq!(iso(&l).as_deref(), Some("2025-03-03"));
        assert_eq!(l.stamp().cloned(), crate::dates::parse_stamp(&l.text));
        l.set_text("Updated 14 June 2024".into());
        assert_eq!(iso(&l).as_deref(), Some("2024-06-14"));
        l.set_text("No date here".into());
        assert!(l.stamp().is_none());
    }

    #[test]
    fn the_character_count_follows_the_text() {
        let mut l = Line::new("caf\u{e9}".into(), 1, false);
        assert_eq!(l.char_len(), 4);
        assert_eq!(l.char_len(), 4);
        l.set_text("a longer line".into());
        assert_eq!(l.char_len(), 13);
        l.set_text(String::new());
        assert_eq!(l.char_len(), 0);
    }

    #[test]
    fn a_verdict_is_asked_once_per_text_and_per_stage() {
        // (nothing remembered from a document cleaned on this thread before)
        Judgments::forget();
        let mut l = Line::new("Getty Images".into(), 1, false);
        let asked = std::cell::Cell::new(0);
        let judge = |_: &Line| {
            asked.set(asked.get() + 1);
            false
        };
        assert!(!l.may_take(1, judge));
        assert!(!l.may_take(1, judge));
        assert_eq!(asked.get(), 1, "remembered");
        // another stage asks for itself
        assert!(l.may_take(2, |_| true));
        assert!(l.may_take(2, |_| unreachable!("remembered")));
        // a new text forgets every verdict
        l.set_text("Photo: Getty Images".into());
        assert!(l.may_take(1, |_| true));
        assert_eq!(asked.get(), 1);
    }

    #[test]
    fn splits_all_line_ends() {
        let d = Doc::from_text("a\r\nb\rc\nd\u{2028}e");
        let t: Vec<&str> = d.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(t, ["a", "b", "c", "d", "e"]);
        assert_eq!(d.lines[4].line_no, 5);
    }

    #[test]
    fn remove_records_once() {
        let mut d = Doc::from_text("x\ny");
        d.remove(0, "test", "because");
        d.remove(0, "test", "again");
        assert_eq!(d.records.len(), 1);
        assert_eq!(d.render(), "y\n");
    }

    #[test]
    fn dates_by_rank() {
        let mut m = Meta::default();
        m.offer_date("2024-03-28".into(), DateRank::PageStamp);
        m.offer_date("2017-11-11".into(), DateRank::Dateline);
        m.offer_date("2017-11-12".into(), DateRank::PageStamp);
        assert_eq!(m.date.as_deref(), Some("2017-11-11"));
    }

    /// Every text of the bundled samples, and the documents of a folder
    /// of text files.
    fn sample_texts() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/in");
        let mut out = Vec::new();
        for e in walkdir::WalkDir::new(root).sort_by_file_name() {
            let e = e.expect("samples readable");
            if e.file_type().is_file() {
                if let Ok(t) = std::fs::read_to_string(e.path()) {
                    out.push(t);
                }
            }
        }
        out
    }

    #[test]
    fn remembered_judgments_change_no_document() {
        let cleaner = crate::Cleaner::default();
        let texts = sample_texts();
        assert!(texts.len() >= 20, "the samples are there");
        let seen = |d: &Doc| {
            let records: Vec<_> = d
                .records
                .iter()
                .map(|r| (r.stage, r.reason.clone(), r.text.clone(), r.line))
                .collect();
            (d.render(), records, d.meta.clone())
        };
        let cold: Vec<_> = texts
            .iter()
            .map(|t| {
                Judgments::forget();
                seen(&cleaner.clean(t))
            })
            .collect();
        Judgments::forget();
        // Twice through: the second time every short line is remembered,
        // from this document and from the others.
        for round in 0..2 {
            for (t, want) in texts.iter().zip(&cold) {
                assert_eq!(&seen(&cleaner.clean(t)), want, "round {round}");
            }
        }
    }

    #[test]
    fn judgments_are_remembered_for_short_lines_only() {
        Judgments::forget();
        let long = "word ".repeat(40);
        let doc = crate::Cleaner::default().clean(&format!("Advertisement\n\n{long}\n"));
        assert!(doc.lines.iter().any(|l| l.judged.get() != 0));
        assert!(Judgments::recall("Advertisement").is_some());
        assert!(Judgments::recall(long.trim()).is_none());
        Judgments::forget();
        assert!(Judgments::recall("Advertisement").is_none());
    }
}

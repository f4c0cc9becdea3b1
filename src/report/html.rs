//! `OUTPUT/.newsclean/duplicates.html`: one self-contained page for a person
//! to review the clusters. No external assets, works offline.
//!
//! The clusters are embedded as JSON; the page lists them as collapsed
//! sections, largest first, and draws a cluster's members and diffs only
//! when it is opened, so a page with 10,000 clusters opens fast. Each
//! member is diffed word by word against the canonical member: words the
//! outlet added are green, words it cut are struck red, and long unchanged
//! runs are folded to "… N words …". Open the page with `#expand` to open
//! every cluster at once.

use serde::Serialize;

use super::duplicates::Report;

/// Unchanged words kept on each side of a change; longer runs are folded.
const CONTEXT_WORDS: usize = 12;
/// Most time one diff may take before it settles for a coarser answer.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_millis(500);

/// One piece of a diff: 0 unchanged, 1 added by the member, 2 cut by the
/// member (present in the canonical), 3 folded unchanged run (`text` is the
/// number of words).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Op(pub u8, pub String);

/// Word-level diff of `member` against `canonical`, unchanged runs longer
/// than twice `CONTEXT_WORDS` folded.
pub fn word_diff(canonical: &str, member: &str) -> Vec<Op> {
    let raw = raw_diff(canonical, member);
    let mut ops: Vec<Op> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let tag = raw[i].tag();
        let mut j = i;
        while j < raw.len() && raw[j].tag() == tag {
            j += 1;
        }
        let run = &raw[i..j];
        let words: usize = run.iter().map(Piece::words).sum();
        if tag == 0 && words > 2 * CONTEXT_WORDS + 4 {
            let head_n = if i == 0 { 0 } else { CONTEXT_WORDS };
            let tail_n = if j == raw.len() { 0 } else { CONTEXT_WORDS };
            let (head, tail) = (take_words(run, head_n), take_words_back(run, tail_n));
            let folded = words - count_words(&head) - count_words(&tail);
            if !head.is_empty() {
                ops.push(Op(0, head));
            }
            ops.push(Op(3, folded.to_string()));
            if !tail.is_empty() {
                ops.push(Op(0, tail));
            }
        } else {
            ops.push(Op(tag, run.iter().map(Piece::text).collect()));
        }
        i = j;
    }
    ops
}

/// A piece of a diff: a token (a run of word characters or of
/// whitespace) with its tag (0 unchanged, 1 added, 2 cut), or an
/// unchanged stretch of whole paragraphs, left uncut: most of a copy is
/// unchanged, and all a person sees of it is a few words at each end and
/// how many words lie between (read from the text when asked). Its text
/// is what its tokens would give, one after the other.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece<'a> {
    Token(u8, &'a str),
    Same(&'a str),
}

impl<'a> Piece<'a> {
    fn tag(&self) -> u8 {
        match self {
            Piece::Token(t, _) => *t,
            Piece::Same(_) => 0,
        }
    }

    fn text(&self) -> &'a str {
        match self {
            Piece::Token(_, v) | Piece::Same(v) => v,
        }
    }

    /// Words in the piece (a token is one word or none).
    fn words(&self) -> usize {
        match self {
            Piece::Token(_, v) => usize::from(!is_space_token(v)),
            Piece::Same(v) => count_words(v),
        }
    }
}

/// Is the token (a run of whitespace or of other characters) whitespace?
fn is_space_token(v: &str) -> bool {
    v.chars().next().is_some_and(char::is_whitespace)
}

/// The diff as pieces: read the unchanged and cut ones and you have the
/// canonical text, the unchanged and added ones and you have the member.
/// Paragraphs are compared first, words only inside the paragraphs that
/// differ: copies of a wire story share most paragraphs whole, and a word
/// diff of two whole stories costs far more than a few of two paragraphs.
fn raw_diff<'a>(canonical: &'a str, member: &'a str) -> Vec<Piece<'a>> {
    use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};
    let deadline = std::time::Instant::now() + DIFF_DEADLINE;
    let old = paragraphs(canonical);
    let new = paragraphs(member);
    let tokens_of =
        |ps: &[&'a str]| -> Vec<&'a str> { ps.iter().flat_map(|p| tokens(p)).collect() };
    // One step of a word diff, as pieces.
    let push =
        |raw: &mut Vec<Piece<'a>>, tag: DiffTag, cut: &[&'a str], added: &[&'a str]| match tag {
            DiffTag::Equal => raw.extend(cut.iter().map(|t| Piece::Token(0, t))),
            _ => {
                raw.extend(cut.iter().map(|t| Piece::Token(2, t)));
                raw.extend(added.iter().map(|t| Piece::Token(1, t)));
            }
        };
    let mut raw: Vec<Piece> = Vec::new();
    for op in capture_diff_slices_deadline(Algorithm::Myers, &old, &new, Some(deadline)) {
        let (tag, o, n) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            // The paragraphs are consecutive slices of the canonical text.
            let (Some(first), Some(last)) = (old[o.clone()].first(), old[o.clone()].last()) else {
                continue;
            };
            let start = first.as_ptr() as usize - canonical.as_ptr() as usize;
            let end = last.as_ptr() as usize - canonical.as_ptr() as usize + last.len();
            let same = &canonical[start..end];
            if same.chars().all(char::is_whitespace) {
                // (whitespace alone: as its tokens, which may stand
                // between two changes and join them)
                push(&mut raw, tag, &tokens_of(&old[o]), &[]);
            } else {
                raw.push(Piece::Same(same));
            }
            continue;
        }
        let ot = tokens_of(&old[o]);
        let nt = tokens_of(&new[n]);
        if tag != DiffTag::Replace {
            push(&mut raw, tag, &ot, &nt);
            continue;
        }
        for wop in capture_diff_slices_deadline(Algorithm::Myers, &ot, &nt, Some(deadline)) {
            let (wtag, wo, wn) = wop.as_tag_tuple();
            push(&mut raw, wtag, &ot[wo], &nt[wn]);
        }
    }
    group_changes(raw)
}

/// Makes a diff read as a person would write it: a space alone between
/// two changes becomes part of them, and in each run of changes the cut
/// words come first, then the added ones ("signals cut" -> "hints at", not
/// four alternating pieces).
fn group_changes(raw: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(raw.len());
    let mut cut: Vec<Piece> = Vec::new();
    let mut added: Vec<Piece> = Vec::new();
    for (i, &piece) in raw.iter().enumerate() {
        let tag = piece.tag();
        let between_changes = matches!(piece, Piece::Token(0, v) if is_space_token(v))
            && i > 0
            && raw[i - 1].tag() != 0
            && raw.get(i + 1).is_some_and(|n| n.tag() != 0);
        if tag == 0 && !between_changes {
            out.append(&mut cut);
            out.append(&mut added);
            out.push(piece);
            continue;
        }
        let v = piece.text();
        if tag != 1 {
            cut.push(Piece::Token(2, v));
        }
        if tag != 2 {
            added.push(Piece::Token(1, v));
        }
    }
    out.append(&mut cut);
    out.append(&mut added);
    out
}

/// Splits a text into paragraphs, each with the line breaks that follow it.
fn paragraphs(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..b.len() {
        if b[i - 1] == b'\n' && b[i] != b'\n' {
            out.push(&s[start..i]);
            start = i;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// Splits a text into runs of whitespace and runs of anything else.
fn tokens(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let end = run_end(rest, first.is_whitespace());
        let (t, r) = rest.split_at(end);
        rest = r;
        Some(t)
    })
}

/// Where the run at the start of `s` of whitespace (`space`) or of other
/// characters ends. ASCII bytes are read as they are, only others decoded.
fn run_end(s: &str, space: bool) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii() {
            if crate::text::is_ascii_space(c) != space {
                return i;
            }
            i += 1;
        } else {
            let ch = s[i..].chars().next().expect("i is on a character boundary");
            if ch.is_whitespace() != space {
                return i;
            }
            i += ch.len_utf8();
        }
    }
    b.len()
}

fn count_words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// The pieces' text up to its `n`th word (none for 0), as their tokens
/// one by one would give it.
fn take_words(run: &[Piece], n: usize) -> String {
    let mut out = String::new();
    let mut seen = 0;
    for piece in run {
        for v in piece_tokens(piece) {
            if seen == n {
                return out;
            }
            if !is_space_token(v) {
                seen += 1;
            }
            out.push_str(v);
        }
    }
    out
}

/// The pieces' text from its `n`th word from the end, as their tokens
/// read backwards one by one would give it.
fn take_words_back(run: &[Piece], n: usize) -> String {
    let mut parts = Vec::new();
    let mut seen = 0;
    'pieces: for piece in run.iter().rev() {
        let tokens: Box<dyn Iterator<Item = &str>> = match piece {
            Piece::Token(_, v) => Box::new(std::iter::once(*v)),
            Piece::Same(v) => Box::new(tokens_back(v)),
        };
        for v in tokens {
            if seen == n {
                break 'pieces;
            }
            if !is_space_token(v) {
                seen += 1;
            }
            parts.push(v);
        }
    }
    parts.reverse();
    parts.concat()
}

/// A piece's tokens, in order.
fn piece_tokens<'a>(piece: &Piece<'a>) -> Box<dyn Iterator<Item = &'a str> + 'a> {
    match *piece {
        Piece::Token(_, v) => Box::new(std::iter::once(v)),
        Piece::Same(v) => Box::new(tokens(v)),
    }
}

/// [`tokens`] from the end of the text backwards: the same runs, last
/// first.
fn tokens_back(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let last = rest.chars().next_back()?;
        let space = last.is_whitespace();
        let start = rest
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace() != space)
            .map_or(0, |(i, c)| i + c.len_utf8());
        let (r, t) = rest.split_at(start);
        rest = r;
        Some(t)
    })
}

#[derive(Serialize)]
struct PageMember<'a> {
    input: &'a str,
    /// What the page shows for the member: its path, and its id if any.
    label: String,
    canonical: bool,
    title: Option<&'a str>,
    source: Option<&'a str>,
    distance: u32,
    similarity: f64,
    jaccard: f64,
    words: usize,
    earlier: bool,
    diff: Option<Vec<Op>>,
}

#[derive(Serialize)]
struct PageCluster<'a> {
    id: usize,
    canonical: &'a str,
    members: Vec<PageMember<'a>>,
}

/// Renders the page. `text` gives the cleaned text of a document by its
/// input path (None when it cannot be read: the member is listed without
/// a diff).
pub fn render(report: &Report, text: &(dyn Fn(&str) -> Option<String> + Sync)) -> String {
    let mut out = Vec::new();
    render_to(&mut out, report, text).expect("writing to memory");
    String::from_utf8(out).expect("the page is UTF-8")
}

/// Clusters whose diffs are computed at a time, in parallel, before they
/// are written: the page streams out, whatever its size.
const RENDER_CHUNK: usize = 512;

/// [`render`] to a writer, a chunk of clusters at a time.
pub fn render_to(
    w: &mut dyn std::io::Write,
    report: &Report,
    text: &(dyn Fn(&str) -> Option<String> + Sync),
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let (head, tail) = PAGE
        .split_once("/*DATA*/")
        .expect("the page has a data slot");
    w.write_all(head.as_bytes())?;
    w.write_all(b"[")?;
    let mut first = true;
    for chunk in report.clusters.chunks(RENDER_CHUNK) {
        let parts: Vec<String> = chunk
            .par_iter()
            .map(|c| {
                let canonical_text = text(&c.canonical);
                let members = c
                    .members
                    .par_iter()
                    .map(|m| {
                        let key = match &m.id {
                            Some(id) => format!("{}#{id}", m.input),
                            None => m.input.clone(),
                        };
                        let own = text(&key);
                        let words = own.as_deref().map_or(0, count_words);
                        let diff = match (&canonical_text, own) {
                            (Some(ct), Some(mt)) if key != c.canonical => Some(word_diff(ct, &mt)),
                            _ => None,
                        };
                        PageMember {
                            input: &m.input,
                            canonical: key == c.canonical,
                            label: match &m.id {
                                Some(id) => format!("{} #{id}", m.input),
                                None => m.input.clone(),
                            },
                            title: m.title.as_deref(),
                            source: m.source.as_deref(),
                            distance: m.distance,
                            similarity: m.similarity,
                            jaccard: m.jaccard,
                            words,
                            earlier: m.earlier,
                            diff,
                        }
                    })
                    .collect();
                PageCluster {
                    id: c.id,
                    canonical: &c.canonical,
                    members,
                }
            })
            .map(|c: PageCluster| {
                serde_json::to_string(&c)
                    .expect("page data serializes")
                    // never close the script element from inside the data
                    .replace("</", "<\\/")
            })
            .collect();
        for part in parts {
            if !first {
                w.write_all(b",")?;
            }
            first = false;
            w.write_all(part.as_bytes())?;
        }
    }
    w.write_all(b"]")?;
    w.write_all(tail.as_bytes())
}

const PAGE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>newsclean: near-duplicate clusters</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem 1.5rem; color: #222; }
h1 { font-size: 1.3rem; margin: .2rem 0 .6rem; }
#bar { position: sticky; top: 0; background: #fff; padding: .5rem 0; border-bottom: 1px solid #ddd; display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }
#filter { flex: 1; min-width: 14rem; padding: .35rem .5rem; font: inherit; }
button { font: inherit; padding: .3rem .7rem; }
details { border: 1px solid #ddd; border-radius: 6px; margin: .5rem 0; }
summary { cursor: pointer; padding: .45rem .7rem; }
summary .n { display: inline-block; min-width: 5.5rem; color: #555; }
.body { padding: 0 .8rem .8rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
th { font-weight: 600; color: #555; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.canon { font-weight: 600; }
.diff { white-space: pre-wrap; background: #fafafa; border: 1px solid #eee; padding: .6rem; border-radius: 4px; margin: .3rem 0 1rem; }
ins { background: #d9f5dd; text-decoration: none; margin: 0 1px; }
del { background: #fbdada; margin: 0 1px; }
.fold { color: #888; font-style: italic; }
.legend ins, .legend del { padding: 0 .3rem; }
.hidden { display: none; }
</style>
</head>
<body>
<h1>Near-duplicate clusters</h1>
<div id="bar">
  <span id="count"></span>
  <input id="filter" type="search" placeholder="Filter by title or path">
  <button id="open">Open all shown</button>
  <button id="close">Close all</button>
  <span class="legend"><ins>added by the outlet</ins> <del>cut by the outlet</del> (against the canonical)</span>
</div>
<div id="list"></div>
<script id="data" type="application/json">/*DATA*/</script>
<script>
"use strict";
const clusters = JSON.parse(document.getElementById("data").textContent);
const list = document.getElementById("list");
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const canonTitle = c => (c.members[0] && c.members[0].title) || c.canonical;
function summaryHtml(c) {
  return '<summary><span class="n">' + c.members.length + ' documents</span> #' + c.id + ' ' + esc(canonTitle(c)) + '</summary>';
}
list.innerHTML = clusters.map((c, i) => '<details data-i="' + i + '">' + summaryHtml(c) + '</details>').join("");
function diffHtml(ops) {
  return ops.map(([t, s]) => t === 0 ? esc(s) : t === 1 ? "<ins>" + esc(s) + "</ins>" : t === 2 ? "<del>" + esc(s) + "</del>"
    : '<span class="fold"> … ' + esc(s) + ' unchanged words … </span>').join("");
}
function bodyHtml(c) {
  let h = '<div class="body"><table><thead><tr><th>document</th><th>title</th><th>source</th><th>words</th><th>distance</th><th>similarity</th><th>jaccard</th></tr></thead><tbody>';
  for (const m of c.members) {
    h += '<tr class="' + (m.canonical ? "canon" : "") + '"><td>' + esc(m.label) + (m.canonical ? " (canonical)" : "") + (m.earlier ? " (earlier run)" : "") +
      '</td><td>' + esc(m.title) + '</td><td>' + esc(m.source) + '</td><td class="num">' + m.words + '</td><td class="num">' + m.distance +
      '</td><td class="num">' + m.similarity.toFixed(3) + '</td><td class="num">' + m.jaccard.toFixed(3) + '</td></tr>';
  }
  h += '</tbody></table>';
  for (const m of c.members) {
    if (!m.diff) continue;
    h += '<div><b>' + esc(m.label) + '</b> against the canonical:</div><div class="diff">' + diffHtml(m.diff) + '</div>';
  }
  return h + '</div>';
}
function fill(d) {
  if (!d.dataset.filled) { d.insertAdjacentHTML("beforeend", bodyHtml(clusters[+d.dataset.i])); d.dataset.filled = "1"; }
}
list.addEventListener("toggle", e => { if (e.target.open) fill(e.target); }, true);
const shown = () => [...list.children].filter(d => !d.classList.contains("hidden"));
function count() {
  const n = shown().length, docs = shown().reduce((a, d) => a + clusters[+d.dataset.i].members.length, 0);
  document.getElementById("count").textContent = n + " clusters, " + docs + " documents";
}
document.getElementById("filter").addEventListener("input", e => {
  const q = e.target.value.toLowerCase();
  for (const d of list.children) {
    const c = clusters[+d.dataset.i];
    const hit = !q || c.members.some(m => (m.title || "").toLowerCase().includes(q) || m.input.toLowerCase().includes(q));
    d.classList.toggle("hidden", !hit);
  }
  count();
});
document.getElementById("open").addEventListener("click", () => shown().forEach(d => { fill(d); d.open = true; }));
document.getElementById("close").addEventListener("click", () => [...list.children].forEach(d => d.open = false));
count();
// Time from navigation to the list drawn, for tests and benchmarks.
document.body.dataset.readyMs = Math.round(performance.now());
if (location.hash === "#expand") for (const d of list.children) { fill(d); d.open = true; }
</script>
</body>
</html>
"##;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::duplicates::{ClusterOut, MemberOut};

    #[test]
    fn tokens_are_runs_of_whitespace_or_not() {
        // the definition, a character at a time
        fn by_chars(s: &str) -> Vec<&str> {
            let mut out = Vec::new();
            let mut start = 0;
            let mut last: Option<bool> = None;
            for (i, c) in s.char_indices() {
                if last.is_some_and(|l| l != c.is_whitespace()) {
                    out.push(&s[start..i]);
                    start = i;
                }
                last = Some(c.is_whitespace());
            }
            if start < s.len() {
                out.push(&s[start..]);
            }
            out
        }
        let alphabet: Vec<char> = "ab \t\n\r\u{0B}\u{0C}\u{1F}.\u{A0}\u{2009}\u{E9}\u{3000}\u{85}"
            .chars()
            .collect();
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..2000 {
            let mut t = String::new();
            for _ in 0..(x % 30) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                t.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            assert_eq!(tokens(&t).collect::<Vec<_>>(), by_chars(&t), "{t:?}");
        }
    }

    /// The diff as first written, cutting every paragraph into tokens:
    /// what the pieces must give.
    mod by_tokens {
        use super::super::{count_words, paragraphs, tokens, Op, CONTEXT_WORDS, DIFF_DEADLINE};

        pub fn word_diff(canonical: &str, member: &str) -> Vec<Op> {
            let raw = raw_diff(canonical, member);
            let mut ops: Vec<Op> = Vec::new();
            let mut i = 0;
            while i < raw.len() {
                let tag = raw[i].0;
                let mut j = i;
                while j < raw.len() && raw[j].0 == tag {
                    j += 1;
                }
                let run = &raw[i..j];
                let words = run.iter().filter(|(_, v)| !v.trim().is_empty()).count();
                if tag == 0 && words > 2 * CONTEXT_WORDS + 4 {
                    let head_n = if i == 0 { 0 } else { CONTEXT_WORDS };
                    let tail_n = if j == raw.len() { 0 } else { CONTEXT_WORDS };
                    let (head, tail) = (take_words(run, head_n), take_words_back(run, tail_n));
                    let folded = words - count_words(&head) - count_words(&tail);
                    if !head.is_empty() {
                        ops.push(Op(0, head));
                    }
                    ops.push(Op(3, folded.to_string()));
                    if !tail.is_empty() {
                        ops.push(Op(0, tail));
                    }
                } else {
                    ops.push(Op(tag, run.iter().map(|(_, v)| *v).collect()));
                }
                i = j;
            }
            ops
        }

        /// The diff as (tag, token) pairs, tokens being runs of word characters or
        /// of whitespace: read the unchanged and cut tokens and you have the
        /// canonical text, the unchanged and added ones and you have the member.
        /// Paragraphs are compared first, words only inside the paragraphs that
        /// differ: copies of a wire story share most paragraphs whole, and a word
        /// diff of two whole stories costs far more than a few of two paragraphs.
        fn raw_diff<'a>(canonical: &'a str, member: &'a str) -> Vec<(u8, &'a str)> {
            use similar::{capture_diff_slices_deadline, Algorithm, DiffTag};
            let deadline = std::time::Instant::now() + DIFF_DEADLINE;
            let old = paragraphs(canonical);
            let new = paragraphs(member);
            let tokens_of =
                |ps: &[&'a str]| -> Vec<&'a str> { ps.iter().flat_map(|p| tokens(p)).collect() };
            // One step of a diff over token lists, as (tag, token) pairs.
            let push =
                |raw: &mut Vec<(u8, &'a str)>, tag: DiffTag, cut: &[&'a str], added: &[&'a str]| {
                    match tag {
                        DiffTag::Equal => raw.extend(cut.iter().map(|t| (0, *t))),
                        _ => {
                            raw.extend(cut.iter().map(|t| (2, *t)));
                            raw.extend(added.iter().map(|t| (1, *t)));
                        }
                    }
                };
            let mut raw: Vec<(u8, &str)> = Vec::new();
            for op in capture_diff_slices_deadline(Algorithm::Myers, &old, &new, Some(deadline)) {
                let (tag, o, n) = op.as_tag_tuple();
                let ot = tokens_of(&old[o]);
                // (an unchanged run's tokens are the same on both sides)
                let nt = if tag == DiffTag::Equal {
                    Vec::new()
                } else {
                    tokens_of(&new[n])
                };
                if tag != DiffTag::Replace {
                    push(&mut raw, tag, &ot, &nt);
                    continue;
                }
                for wop in capture_diff_slices_deadline(Algorithm::Myers, &ot, &nt, Some(deadline))
                {
                    let (wtag, wo, wn) = wop.as_tag_tuple();
                    push(&mut raw, wtag, &ot[wo], &nt[wn]);
                }
            }
            group_changes(raw)
        }

        /// Makes a diff read as a person would write it: a space alone between
        /// two changes becomes part of them, and in each run of changes the cut
        /// words come first, then the added ones ("signals cut" -> "hints at", not
        /// four alternating pieces).
        fn group_changes(raw: Vec<(u8, &str)>) -> Vec<(u8, &str)> {
            let mut out: Vec<(u8, &str)> = Vec::with_capacity(raw.len());
            let mut cut: Vec<(u8, &str)> = Vec::new();
            let mut added: Vec<(u8, &str)> = Vec::new();
            for (i, &(tag, v)) in raw.iter().enumerate() {
                let between_changes = tag == 0
                    && v.trim().is_empty()
                    && i > 0
                    && raw[i - 1].0 != 0
                    && raw.get(i + 1).is_some_and(|n| n.0 != 0);
                if tag == 0 && !between_changes {
                    out.append(&mut cut);
                    out.append(&mut added);
                    out.push((tag, v));
                    continue;
                }
                if tag != 1 {
                    cut.push((2, v));
                }
                if tag != 2 {
                    added.push((1, v));
                }
            }
            out.append(&mut cut);
            out.append(&mut added);
            out
        }

        fn take_words(run: &[(u8, &str)], n: usize) -> String {
            let mut out = String::new();
            let mut seen = 0;
            for (_, v) in run {
                if seen == n {
                    break;
                }
                if !v.trim().is_empty() {
                    seen += 1;
                }
                out.push_str(v);
            }
            out
        }

        fn take_words_back(run: &[(u8, &str)], n: usize) -> String {
            let mut parts = Vec::new();
            let mut seen = 0;
            for (_, v) in run.iter().rev() {
                if seen == n {
                    break;
                }
                if !v.trim().is_empty() {
                    seen += 1;
                }
                parts.push(*v);
            }
            parts.reverse();
            parts.concat()
        }
    }

    /// Texts and edits of them: paragraphs changed, cut, added and moved,
    /// odd whitespace (leading spaces, blank-only paragraphs, tabs,
    /// no-break spaces, no final newline), non-ASCII words.
    fn diff_pairs() -> Vec<(String, String)> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let words = [
            "the",
            "council",
            "voted",
            "caf\u{e9}",
            "\u{130}stanbul",
            "2025,",
            "said.",
            "\u{201C}no\u{201D}",
        ];
        let seps = [" ", " ", " ", "  ", "\t", "\u{a0}", "\n"];
        let mut out = Vec::new();
        for _ in 0..400 {
            let paras: Vec<String> = (0..1 + next(8))
                .map(|_| {
                    let mut p = String::new();
                    if next(10) == 0 {
                        p.push(' ');
                    }
                    for w in 0..next(60) {
                        if w > 0 {
                            p.push_str(seps[next(seps.len() as u64) as usize]);
                        }
                        p.push_str(words[next(words.len() as u64) as usize]);
                    }
                    if next(12) == 0 {
                        p = " \t".into();
                    }
                    p
                })
                .collect();
            let mut edited = paras.clone();
            for _ in 0..next(4) {
                let i = next(edited.len() as u64) as usize;
                match next(4) {
                    0 => edited[i] = edited[i].replacen("council", "board met", 1),
                    1 if edited.len() > 1 => {
                        edited.remove(i);
                    }
                    2 => edited.insert(i, "An added paragraph.".into()),
                    _ => edited[i].push_str(" more"),
                }
            }
            let join = |ps: &[String], sep: u64, end: bool| {
                ps.join(["\n\n", "\n", "\n\n\n"][sep as usize]) + if end { "\n" } else { "" }
            };
            let (s1, s2, end) = (next(3), next(3), next(3) > 0);
            out.push((join(&paras, s1, true), join(&edited, s2, end)));
        }
        out
    }

    #[test]
    fn pieces_diff_as_tokens_diff() {
        let mut pairs = diff_pairs();
        let long: String = (0..300).map(|i| format!("w{i} ")).collect();
        pairs.push((long.clone(), long.replace("w150 ", "changed ")));
        pairs.push((long.clone(), format!("{long}\n\nTail.")));
        pairs.push((String::new(), long.clone()));
        pairs.push(("\n\n \n\nx".into(), "a\n\n \n\nb".into()));
        for (a, b) in &pairs {
            for (x, y) in [(a, b), (b, a), (a, a)] {
                assert_eq!(
                    word_diff(x, y),
                    by_tokens::word_diff(x, y),
                    "{x:?} -> {y:?}"
                );
            }
        }
    }

    #[test]
    fn tokens_back_are_tokens_reversed() {
        for (t, _) in diff_pairs().iter().take(100) {
            let mut back: Vec<&str> = tokens_back(t).collect();
            back.reverse();
            assert_eq!(back, tokens(t).collect::<Vec<_>>());
        }
    }

    #[test]
    fn diff_marks_additions_and_cuts() {
        let ops = word_diff(
            "the water board said Saturday that supplies fell",
            "the water board said on Saturday that supplies fell",
        );
        assert!(ops.contains(&Op(1, "on ".into())), "{ops:?}");
        let ops = word_diff("one two three four", "one two");
        assert!(
            ops.iter().any(|o| o.0 == 2 && o.1.contains("three")),
            "{ops:?}"
        );
    }

    #[test]
    fn raw_diff_rebuilds_both_texts() {
        let para = |n: usize, w: &str| -> String {
            (0..30)
                .map(|i| format!("{w}{}", (i * 7 + n) % 11))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let a = [para(1, "a"), para(2, "b"), para(3, "c"), para(4, "d")].join("\n\n") + "\n";
        let b = [
            para(1, "a"),
            para(2, "b").replace("b3", "changed words"),
            para(4, "d"),
            "an added paragraph.".into(),
        ]
        .join("\n\n")
            + "\n";
        for (x, y) in [(&a, &b), (&b, &a), (&a, &a), (&a, &String::new())] {
            let raw = raw_diff(x, y);
            let side = |keep: u8| -> String {
                raw.iter()
                    .filter(|p| p.tag() == 0 || p.tag() == keep)
                    .map(Piece::text)
                    .collect()
            };
            assert_eq!(&side(2), x);
            assert_eq!(&side(1), y);
        }
        // the changed paragraph is diffed word by word, the others kept whole
        let raw: Vec<(u8, &str)> = raw_diff(&a, &b)
            .iter()
            .map(|p| (p.tag(), p.text()))
            .collect();
        assert!(raw.contains(&(1, "changed")), "{raw:?}");
        let first_paragraph = |v: &str| v.starts_with('a') && v[1..].parse::<u32>().is_ok();
        assert!(
            !raw.iter().any(|&(t, v)| t != 0 && first_paragraph(v)),
            "{raw:?}"
        );
        assert!(raw.iter().any(|&(t, v)| t == 2 && v == "c3"), "{raw:?}");
        assert!(!raw.iter().any(|&(t, v)| t != 0 && v == "d3"), "{raw:?}");
        assert_eq!(paragraphs("p1\n\np2\nl3\n"), ["p1\n\n", "p2\n", "l3\n"]);
    }

    #[test]
    fn long_unchanged_runs_are_folded() {
        let base: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let a = base.join(" ");
        let b = format!("{} extra", a);
        let ops = word_diff(&a, &b);
        let folded: usize = ops
            .iter()
            .filter(|o| o.0 == 3)
            .map(|o| o.1.parse::<usize>().unwrap())
            .sum();
        let shown: usize = ops
            .iter()
            .filter(|o| o.0 == 0)
            .map(|o| count_words(&o.1))
            .sum();
        assert_eq!(folded + shown, 100);
        assert!(shown <= CONTEXT_WORDS, "{ops:?}");
        assert_eq!(ops.last(), Some(&Op(1, " extra".into())));
    }

    #[test]
    fn page_is_self_contained_and_escapes_data() {
        let report = Report {
            clusters: vec![ClusterOut {
                id: 1,
                canonical: "a.txt".into(),
                members: vec![
                    MemberOut {
                        input: "a.txt".into(),
                        id: None,
                        title: Some("</script><b>x".into()),
                        distance: 0,
                        similarity: 1.0,
                        jaccard: 1.0,
                        source: None,
                        earlier: false,
                    },
                    MemberOut {
                        input: "b.txt".into(),
                        id: None,
                        title: None,
                        distance: 3,
                        similarity: 0.9,
                        jaccard: 0.8,
                        source: Some("AFP".into()),
                        earlier: false,
                    },
                ],
            }],
        };
        let page = render(&report, &|p: &str| Some(format!("text of {p}")));
        assert!(!page.contains("</script><b>"));
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "no external assets"
        );
        assert!(page.contains("\"diff\":[["));
    }
}

//! Residue learned from the corpus itself: lines a site repeats on many of
//! its pages (a newsletter pitch, a fixed footer, a comments prompt) that
//! no phrase list can know.
//!
//! After the first cleaning pass every document contributes the lines that
//! could be boilerplate: those in its header or tail zone, and short lines
//! that are not sentences. Each is counted, per site (the input's top
//! folder), by the distinct *stories* it occurs in, a near-duplicate
//! cluster counting once: a wire story republished by ten outlets repeats
//! its sentences ten times, and those must stay. A line is learned for a
//! site when it occurs in at least `min_stories` distinct stories of that
//! site and in at least `min_share` of the site's documents. The share keeps
//! common closing sentences ("He did not elaborate.") out: they recur across
//! a large corpus, but in a small share of any one site's pages.
//!
//! Memory: each document keeps its candidate lines until learning (about
//! ten, a hash and zone each: 9 bytes a line; not their texts, which the
//! run reads from a document cleaned again for the few lines it learns);
//! counting then uses 16 bytes a candidate line (hash, site, story, zone),
//! sorted in place: about 160 MB per million documents. Only documents
//! that hold a learned line are cleaned and written a second time.

use std::collections::{BTreeMap, HashMap};

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64;

use crate::doc::Doc;
use crate::text::{ends_sentence, loose_key, word_count_upto};

/// Defaults; `--corpus-min-stories` and `--corpus-min-share` change them.
pub const DEFAULT_MIN_STORIES: usize = 3;
pub const DEFAULT_MIN_SHARE: f64 = 0.2;
/// Lines up to this many words count as short.
pub const SHORT_WORDS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LearnParams {
    pub min_stories: usize,
    pub min_share: f64,
}

impl Default for LearnParams {
    fn default() -> Self {
        LearnParams {
            min_stories: DEFAULT_MIN_STORIES,
            min_share: DEFAULT_MIN_SHARE,
        }
    }
}

/// Where a candidate line stood.
pub const ZONE_HEADER: u8 = 1;
pub const ZONE_TAIL: u8 = 2;
pub const ZONE_SHORT: u8 = 4;

/// The key a line is counted under: its words, case and punctuation folded.
pub fn line_hash(text: &str) -> u64 {
    xxh3_64(loose_key(text).as_bytes())
}

/// [`line_hash`] of a line, from its cached loose key.
pub fn line_hash_of(line: &crate::doc::Line) -> u64 {
    xxh3_64(line.loose().as_bytes())
}

/// Kept lines at each end of a document that are candidates whatever their
/// shape: a site's closing sentence reads like body text.
pub const EDGE_LINES: usize = 3;
pub const ZONE_EDGE: u8 = 8;

/// For each line of the document, the zone bits that make it a candidate
/// for site boilerplate (0: not one). Candidates are kept lines in the
/// header or tail zone, among the first or last [`EDGE_LINES`] kept lines,
/// or short and not a sentence. The headline is one too: a site's tagline
/// can be taken for a headline on the first pass (a real headline shared by
/// a few stories stays below the learning thresholds).
pub fn zone_bits(doc: &Doc) -> Vec<u8> {
    let zones = doc.zones();
    let kept = doc.kept();
    let mut bits = vec![0u8; doc.lines.len()];
    for (rank, &i) in kept.iter().enumerate() {
        // (a line with no letter or digit has an empty comparison key)
        if crate::text::has_no_alnum(&doc.lines[i].text) {
            continue;
        }
        let t = &doc.lines[i].text;
        let mut z = 0;
        if zones.header(i) {
            z |= ZONE_HEADER;
        }
        if zones.tail(i) {
            z |= ZONE_TAIL;
        }
        if rank < EDGE_LINES || rank + EDGE_LINES >= kept.len() {
            z |= ZONE_EDGE;
        }
        // (the end first: most lines are sentences, and it costs nothing)
        if !ends_sentence(t) && word_count_upto(t, SHORT_WORDS + 1) <= SHORT_WORDS {
            z |= ZONE_SHORT;
        }
        bits[i] = z;
    }
    bits
}

/// The candidate lines of a cleaned document: (hash, zone bits, text),
/// each hash once.
pub fn candidates(doc: &Doc) -> Vec<(u64, u8, String)> {
    candidate_lines(doc)
        .into_iter()
        .map(|(i, h, z)| (h, z, doc.lines[i].text.clone()))
        .collect()
}

/// [`candidates`] without their texts: what learning counts. (A run asks
/// for the texts of the few lines it learns by cleaning a document that
/// holds them again, rather than keep every candidate's text.)
pub fn candidate_keys(doc: &Doc) -> Vec<(u64, u8)> {
    candidate_lines(doc)
        .into_iter()
        .map(|(_, h, z)| (h, z))
        .collect()
}

/// The candidate lines of a document: (line index, hash, zone bits), one
/// for each hash.
fn candidate_lines(doc: &Doc) -> Vec<(usize, u64, u8)> {
    let mut seen = FxHashSet::default();
    let mut out = Vec::new();
    for (i, z) in zone_bits(doc).into_iter().enumerate() {
        if z == 0 {
            continue;
        }
        let h = line_hash_of(&doc.lines[i]);
        if seen.insert(h) {
            out.push((i, h, z));
        }
    }
    out
}

/// One learned line, with the counts that made it boilerplate.
#[derive(Debug, Clone, PartialEq)]
pub struct Learned {
    pub site: String,
    pub text: String,
    /// Documents of the site it occurs in.
    pub docs: usize,
    /// Distinct stories (near-duplicate clusters count once) of the site.
    pub stories: usize,
    /// Documents of the site in all.
    pub site_docs: usize,
    /// Occurrences in the header zone and in the tail zone.
    pub header: usize,
    pub tail: usize,
}

/// Lines to remove, by site and line hash.
#[derive(Debug, Clone, Default)]
pub struct Table {
    by_site: HashMap<String, FxHashMap<u64, (usize, usize)>>,
    /// Lines loaded from a file: removed on every site.
    everywhere: FxHashMap<u64, String>,
}

impl Table {
    /// Adds another table's lines.
    pub fn merge(&mut self, other: Table) {
        for (site, lines) in other.by_site {
            self.by_site.entry(site).or_default().extend(lines);
        }
        self.everywhere.extend(other.everywhere);
    }

    pub fn is_empty(&self) -> bool {
        self.by_site.is_empty() && self.everywhere.is_empty()
    }

    /// Does the table remove the line of this hash ([`line_hash`]) on
    /// this site?
    pub fn holds(&self, site: Option<&str>, h: u64) -> bool {
        site.and_then(|s| self.by_site.get(s))
            .is_some_and(|m| m.contains_key(&h))
            || self.everywhere.contains_key(&h)
    }

    /// Why the line should go on this site, if it should.
    pub fn reason(&self, site: Option<&str>, text: &str) -> Option<String> {
        let h = line_hash(text);
        if let Some((docs, stories)) = site
            .and_then(|s| self.by_site.get(s))
            .and_then(|m| m.get(&h))
        {
            return Some(format!(
                "repeated on {docs} pages of this site ({stories} different stories)"
            ));
        }
        self.everywhere
            .get(&h)
            .map(|src| format!("learned residue loaded from {src}"))
    }

    /// Adds lines from a file written by `--learned-residue` (site, counts
    /// and text, tab-separated: the line goes on that site, with the same
    /// reason as when learned) or from a plain list (one line of text a
    /// row: it goes on every site). `#` starts a comment.
    pub fn load_lines(&mut self, src: &str, name: &str) {
        for line in src.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let text = f.last().copied().unwrap_or(line);
            if loose_key(text).is_empty() {
                continue;
            }
            let counts = (f.len() >= 7).then(|| (f[1].parse::<usize>(), f[2].parse::<usize>()));
            match counts {
                Some((Ok(docs), Ok(stories))) => {
                    self.by_site
                        .entry(f[0].to_string())
                        .or_default()
                        .insert(line_hash(text), (docs, stories));
                }
                _ => {
                    self.everywhere.insert(line_hash(text), name.to_string());
                }
            }
        }
    }
}

/// One document's contribution to learning.
#[derive(Debug, Clone)]
pub struct DocLines {
    pub site: String,
    /// Story id: its near-duplicate cluster, or the document itself.
    pub story: u32,
    /// Candidate lines: (line hash, zone bits). Their texts are asked for
    /// only for the lines learned (a run keeps them on disk).
    pub lines: Vec<(u64, u8)>,
}

/// Counts candidate lines across documents and learns the boilerplate.
/// `text_of(doc, hash)` gives the text of a candidate line of a document
/// (an index into `docs`); a learned line's text is asked of the
/// documents holding it in turn until one gives it. Returns the table and the
/// learned lines (sorted by site, then by documents, most first), for the
/// report.
pub fn learn(
    docs: impl IntoIterator<Item = DocLines>,
    capacity: usize,
    params: LearnParams,
    text_of: &dyn Fn(usize, u64) -> Option<String>,
) -> (Table, Vec<Learned>) {
    // Site ids and document counts, and (hash, site, story, zone, document)
    // tuples, sorted below: distinct counts by scanning. Documents are
    // taken one at a time; `capacity` (the number of candidate lines, when
    // known) sizes the table once.
    let mut sites: BTreeMap<String, (u32, usize)> = BTreeMap::new();
    let mut tuples: Vec<(u64, u32, u32, u8, u32)> = Vec::with_capacity(capacity);
    for (n, d) in docs.into_iter().enumerate() {
        let next = sites.len() as u32;
        let entry = sites.entry(d.site).or_insert((next, 0));
        entry.1 += 1;
        let site = entry.0;
        for &(h, z) in &d.lines {
            tuples.push((h, site, d.story, z, n as u32));
        }
    }
    let site_name: HashMap<u32, &str> = sites.iter().map(|(k, v)| (v.0, k.as_str())).collect();
    // (equal tuples are alike: the parallel sort's order is the same)
    rayon::slice::ParallelSliceMut::par_sort_unstable(&mut tuples[..]);
    let mut table = Table::default();
    let mut learned = Vec::new();
    let mut i = 0;
    while i < tuples.len() {
        let (h, site) = (tuples[i].0, tuples[i].1);
        let mut j = i;
        let (mut docs_n, mut stories, mut header, mut tail) = (0, 0, 0, 0);
        let mut last_story = None;
        while j < tuples.len() && tuples[j].0 == h && tuples[j].1 == site {
            docs_n += 1;
            if last_story != Some(tuples[j].2) {
                stories += 1;
                last_story = Some(tuples[j].2);
            }
            header += usize::from(tuples[j].3 & ZONE_HEADER != 0);
            tail += usize::from(tuples[j].3 & ZONE_TAIL != 0);
            j += 1;
        }
        let name = site_name[&site];
        let site_docs = sites[name].1;
        if stories >= params.min_stories && docs_n as f64 >= params.min_share * site_docs as f64 {
            table
                .by_site
                .entry(name.to_string())
                .or_default()
                .insert(h, (docs_n, stories));
            learned.push(Learned {
                site: name.to_string(),
                text: tuples[i..j]
                    .iter()
                    .find_map(|t| text_of(t.4 as usize, h))
                    .unwrap_or_default(),
                docs: docs_n,
                stories,
                site_docs,
                header,
                tail,
            });
        }
        i = j;
    }
    learned.sort_by(|a, b| {
        a.site
            .cmp(&b.site)
            .then(b.docs.cmp(&a.docs))
            .then(a.text.cmp(&b.text))
    });
    (table, learned)
}

/// The learned lines as a file for review (and for loading again):
/// tab-separated counts, the text last.
pub fn render_learned(learned: &[Learned], params: LearnParams) -> String {
    let mut s = format!(
        "# newsclean learned residue: lines repeated on many pages of one site.\n\
         # learned when in >= {} distinct stories and >= {:.0}% of the site's documents\n\
         # site\tdocs\tstories\tsite_docs\theader\ttail\ttext\n",
        params.min_stories,
        params.min_share * 100.0
    );
    for l in learned {
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            l.site, l.docs, l.stories, l.site_docs, l.header, l.tail, l.text
        ));
    }
    s
}

/// Shared, read-only table for the stage.
pub type SharedTable = Arc<Table>;

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(site: &str, story: u32, lines: &[(&str, u8)]) -> DocLines {
        DocLines {
            site: site.into(),
            story,
            lines: lines.iter().map(|(t, z)| (line_hash(t), *z)).collect(),
        }
    }

    /// The texts of the tests' lines, by hash.
    fn texts(h: u64) -> Option<String> {
        [
            "Sign up for the Valley Briefing every morning",
            "\u{2013} Talks resume \u{2013}",
            "He did not elaborate",
            "x",
        ]
        .into_iter()
        .find(|t| line_hash(t) == h)
        .map(str::to_string)
    }

    #[test]
    fn site_footer_is_learned_wire_lines_are_not() {
        let mut docs = Vec::new();
        for n in 0..20 {
            docs.push(doc(
                "site-a",
                n,
                &[("Sign up for the Valley Briefing every morning", ZONE_TAIL)],
            ));
        }
        // one story republished in ten documents of the same site: one story
        for n in 0..10 {
            docs.push(doc(
                "site-a",
                100,
                &[("\u{2013} Talks resume \u{2013}", ZONE_SHORT)],
            ));
            let _ = n;
        }
        let (table, learned) = learn(docs, 0, LearnParams::default(), &|_, h| texts(h));
        assert_eq!(learned.len(), 1, "{learned:?}");
        assert_eq!(learned[0].stories, 20);
        assert!(table
            .reason(
                Some("site-a"),
                "Sign up for the Valley Briefing every morning!"
            )
            .is_some());
        assert!(table
            .reason(
                Some("site-b"),
                "Sign up for the Valley Briefing every morning"
            )
            .is_none());
        assert!(table
            .reason(Some("site-a"), "\u{2013} Talks resume \u{2013}")
            .is_none());
    }

    /// A learned line's text is asked of the documents holding it in turn:
    /// one that cannot give it (its source gone since) passes to the next.
    #[test]
    fn a_learned_text_comes_from_the_first_document_that_gives_it() {
        const FOOTER: &str = "Sign up for the Valley Briefing every morning";
        let docs: Vec<DocLines> = (0..20)
            .map(|n| doc("site-a", n, &[(FOOTER, ZONE_TAIL)]))
            .collect();
        let asked = std::sync::Mutex::new(Vec::new());
        let (_, learned) = learn(docs, 0, LearnParams::default(), &|d, h| {
            asked.lock().unwrap().push(d);
            // the first three documents can no longer be read
            (d >= 3).then(|| texts(h)).flatten()
        });
        assert_eq!(learned.len(), 1);
        assert_eq!(learned[0].text, FOOTER);
        assert_eq!(*asked.lock().unwrap(), [0, 1, 2, 3]);
        let (_, learned) = learn(
            (0..20).map(|n| doc("site-a", n, &[(FOOTER, ZONE_TAIL)])),
            0,
            LearnParams::default(),
            &|_, _| None,
        );
        assert_eq!(learned[0].text, "", "no document can say it");
    }

    #[test]
    fn rare_lines_on_a_big_site_are_not_learned() {
        let mut docs = Vec::new();
        for n in 0..100 {
            let line = if n % 20 == 0 {
                "He did not elaborate"
            } else {
                "x"
            };
            docs.push(doc("big", n, &[(line, ZONE_TAIL)]));
        }
        let (_, learned) = learn(docs, 0, LearnParams::default(), &|_, h| texts(h));
        // "x" is in 95% of pages; "He did not elaborate" in 5%: only "x" goes.
        assert_eq!(
            learned.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["x"]
        );
    }

    #[test]
    fn loaded_lines_keep_their_site_or_apply_everywhere() {
        let mut t = Table::default();
        t.load_lines(
            "# comment\nsite\t5\t4\t6\t0\t3\tJoin our readers' panel today\nA plain listed line\n",
            "learned.tsv",
        );
        let r = t
            .reason(Some("site"), "Join our readers\u{2019} panel today")
            .unwrap();
        assert!(
            r.contains("5 pages") && r.contains("4 different stories"),
            "{r}"
        );
        assert!(t
            .reason(Some("other"), "Join our readers' panel today")
            .is_none());
        assert!(t
            .reason(Some("any"), "A plain listed line")
            .unwrap()
            .contains("learned.tsv"));
    }
}

//! Phrase lists, compiled once from the files in `data/`.
//!
//! Detectors never carry phrases in code: they ask a [`PhraseList`] whether a
//! line matches and then apply their own conditions of position and shape.
//! The file format is described in `data/README.md`.

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::text::{contains_word, ends_with_word, fold, key, key_of_folded, starts_with_word};

/// How a phrase matched a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Exact,
    Prefix,
    Suffix,
    Contains,
}

/// A compiled phrase list: exact lines, prefixes, suffixes and infixes, all
/// compared on folded text.
#[derive(Debug, Default)]
pub struct PhraseList {
    exact: FxHashSet<String>,
    /// Length of the longest exact entry: a longer line is none of them.
    exact_max: usize,
    prefix: Vec<String>,
    suffix: Vec<String>,
    /// For each first byte, the prefixes that start with it (in order);
    /// for each last byte, the suffixes that end with it.
    prefix_by_first: Vec<Vec<u32>>,
    suffix_by_last: Vec<Vec<u32>>,
    /// Each prefix's first eight bytes and each suffix's last eight, as
    /// (bytes, mask) words ([`head8`], [`tail8`]): most candidates of a
    /// bucket differ from the line there, found with one comparison.
    prefix_head: Vec<(u64, u64)>,
    suffix_tail: Vec<(u64, u64)>,
    contains: Vec<String>,
    contains_ac: Option<ContainsAutomata>,
}

/// The contained phrases, compiled twice.
#[derive(Debug)]
struct ContainsAutomata {
    /// Leftmost matching, asked only whether any phrase occurs: an
    /// automaton of that kind searches with its vectorised prefilter.
    any: AhoCorasick,
    /// Overlapping matching, which finds every occurrence (the one with
    /// word edges may not be the first), stepping through every byte.
    every: AhoCorasick,
}

impl PhraseList {
    /// Parses the `data/` format: `text`/`=text` exact, `^text` prefix,
    /// `$text` suffix, `~text` contains; `#` comments and blank lines ignored.
    pub fn parse(src: &str) -> Self {
        let mut list = PhraseList::default();
        for raw in src.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            list.add(line);
        }
        list.build();
        list
    }

    fn add(&mut self, entry: &str) {
        let (kind, body) = match entry.chars().next() {
            Some('=') => (Hit::Exact, &entry[1..]),
            Some('^') => (Hit::Prefix, &entry[1..]),
            Some('$') => (Hit::Suffix, &entry[1..]),
            Some('~') => (Hit::Contains, &entry[1..]),
            _ => (Hit::Exact, entry),
        };
        match kind {
            Hit::Exact => {
                self.exact.insert(key(body));
            }
            Hit::Prefix => self.prefix.push(fold(body)),
            Hit::Suffix => self.suffix.push(fold(body)),
            Hit::Contains => self.contains.push(fold(body)),
        }
    }

    fn build(&mut self) {
        // Longest prefixes first, so the reported phrase is the most specific.
        self.prefix.sort_by_key(|p| std::cmp::Reverse(p.len()));
        self.suffix.sort_by_key(|p| std::cmp::Reverse(p.len()));
        self.exact_max = self.exact.iter().map(String::len).max().unwrap_or(0);
        self.prefix_by_first = vec![Vec::new(); 256];
        for (n, p) in self.prefix.iter().enumerate() {
            if let Some(&b) = p.as_bytes().first() {
                self.prefix_by_first[b as usize].push(n as u32);
            }
        }
        self.prefix_head = self.prefix.iter().map(|p| head8(p.as_bytes())).collect();
        self.suffix_tail = self.suffix.iter().map(|p| tail8(p.as_bytes())).collect();
        self.suffix_by_last = vec![Vec::new(); 256];
        for (n, p) in self.suffix.iter().enumerate() {
            if let Some(&b) = p.as_bytes().last() {
                self.suffix_by_last[b as usize].push(n as u32);
            }
        }
        if !self.contains.is_empty() {
            let build = |kind| {
                AhoCorasick::builder()
                    .match_kind(kind)
                    .build(&self.contains)
                    .ok()
            };
            self.contains_ac = build(MatchKind::LeftmostFirst)
                .zip(build(MatchKind::Standard))
                .map(|(any, every)| ContainsAutomata { any, every });
        }
    }

    /// Is the whole line (edge punctuation ignored) an entry of the list?
    pub fn is_exact(&self, line: &str) -> bool {
        if more_ascii_alnum_than(line, self.exact_max) {
            return false;
        }
        !self.exact.is_empty() && self.is_exact_folded(&fold(line))
    }

    /// Where the parts of an ASCII `line` that [`PhraseList::is_exact`] may
    /// accept start, at the earliest: every part of the line starting
    /// before has more letters and digits than the longest entry. 0 for
    /// other text.
    pub fn exact_suffix_start(&self, line: &str) -> usize {
        if !line.is_ascii() {
            return 0;
        }
        let mut alnum = 0;
        for (i, b) in line.bytes().enumerate().rev() {
            alnum += usize::from(b.is_ascii_alphanumeric());
            if alnum > self.exact_max {
                return i + 1;
            }
        }
        0
    }

    /// [`PhraseList::is_exact`] for an already folded line.
    pub fn is_exact_folded(&self, f: &str) -> bool {
        self.has_exact(key_of_folded(f))
    }

    /// The first phrase of the list that matches the line, of any kind.
    pub fn find(&self, line: &str) -> Option<(Hit, String)> {
        self.find_folded(&fold(line))
    }

    /// [`PhraseList::find`] for an already folded line.
    pub fn find_folded(&self, f: &str) -> Option<(Hit, String)> {
        let k = key_of_folded(f);
        if self.has_exact(k) {
            return Some((Hit::Exact, k.to_string()));
        }
        let (Some(&first), Some(&last)) = (f.as_bytes().first(), f.as_bytes().last()) else {
            return None;
        };
        let (head, _) = head8(f.as_bytes());
        if let Some(&n) = self.prefix_by_first[first as usize].iter().find(|&&n| {
            let (bytes, mask) = self.prefix_head[n as usize];
            head & mask == bytes && starts_with_word(f, &self.prefix[n as usize])
        }) {
            return Some((Hit::Prefix, self.prefix[n as usize].clone()));
        }
        let (tail, _) = tail8(f.as_bytes());
        if let Some(&n) = self.suffix_by_last[last as usize].iter().find(|&&n| {
            let (bytes, mask) = self.suffix_tail[n as usize];
            tail & mask == bytes && ends_with_word(f, &self.suffix[n as usize])
        }) {
            return Some((Hit::Suffix, self.suffix[n as usize].clone()));
        }
        if let Some(ac) = &self.contains_ac {
            // Most lines hold no phrase at all: they are passed over by the
            // quick search; the overlapping walk runs only on the few that
            // hold one.
            if !ac.any.is_match(f) {
                return None;
            }
            for m in ac.every.find_overlapping_iter(f) {
                let p = &self.contains[m.pattern().as_usize()];
                if contains_word(f, p) {
                    return Some((Hit::Contains, p.clone()));
                }
            }
        }
        None
    }

    /// Is `k` (a key) one of the exact entries?
    fn has_exact(&self, k: &str) -> bool {
        k.len() <= self.exact_max && self.exact.contains(k)
    }

    /// The exact entries, for detectors that test single words.
    pub fn contains_key(&self, k: &str) -> bool {
        self.has_exact(k)
    }
}

/// Does `s` hold more ASCII letters and digits than `max`? Folding keeps
/// every ASCII letter and digit as one byte (lower-cased) and keying trims
/// only what is neither, so the key of such a text, whatever else it
/// holds, is longer than `max` bytes: lists refuse it without folding it.
/// Reads no further than the byte that passes `max`.
fn more_ascii_alnum_than(s: &str, max: usize) -> bool {
    // (32 bytes at a time: counted on vector lanes, checked per block)
    let mut n = 0;
    for block in s.as_bytes().chunks(32) {
        n += block.iter().filter(|b| b.is_ascii_alphanumeric()).count();
        if n > max {
            return true;
        }
    }
    false
}

/// The first (up to) eight bytes of `b` as a word, and a mask of the
/// bytes it holds: a text starts with `b` only if its own first eight bytes,
/// masked, equal it (a shorter text has zeros where `b` has bytes).
fn head8(b: &[u8]) -> (u64, u64) {
    let n = b.len().min(8);
    let mut w = [0u8; 8];
    w[..n].copy_from_slice(&b[..n]);
    let mask = if n == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    };
    (u64::from_le_bytes(w), mask)
}

/// The last (up to) eight bytes of `b`, ending the word, and their mask:
/// [`head8`] for the end of a text.
fn tail8(b: &[u8]) -> (u64, u64) {
    let n = b.len().min(8);
    let mut w = [0u8; 8];
    w[8 - n..].copy_from_slice(&b[b.len() - n..]);
    let mask = match n {
        0 => 0,
        8 => u64::MAX,
        _ => !((1u64 << (8 * (8 - n))) - 1),
    };
    (u64::from_le_bytes(w), mask)
}

/// A list of names with variants: `Name | variant | variant` a line. Looks a
/// folded key up and answers with the canonical name.
#[derive(Debug, Default)]
pub struct NameList {
    by_key: FxHashMap<String, String>,
    /// The longest key, in bytes: an ASCII text with more letters and
    /// digits than this is no name of the list.
    key_max: usize,
}

impl NameList {
    pub fn parse(src: &str) -> Self {
        let mut by_key = FxHashMap::default();
        for raw in src.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('|').map(str::trim);
            let Some(name) = parts.next() else { continue };
            by_key.insert(key(name), name.to_string());
            for v in parts {
                by_key.insert(key(v), name.to_string());
            }
        }
        let key_max = by_key.keys().map(String::len).max().unwrap_or(0);
        NameList { by_key, key_max }
    }

    /// The canonical name for a (folded or raw) key, if listed.
    pub fn lookup(&self, s: &str) -> Option<&str> {
        if more_ascii_alnum_than(s, self.key_max) {
            return None;
        }
        self.lookup_folded(&fold(s))
    }

    /// [`NameList::lookup`] of a text given its fold `f`: `lookup(s)` is
    /// `lookup_folded(&fold(s))`. Trimming the text's edge punctuation
    /// first changes nothing here (the key is trimmed of it).
    pub fn lookup_folded(&self, f: &str) -> Option<&str> {
        let k = key_of_folded(f);
        if k.len() > self.key_max {
            return None;
        }
        self.by_key.get(k).map(String::as_str)
    }
}

/// A list split in `[section]`s (a line of its own), each parsed as a
/// [`PhraseList`].
pub fn sections(src: &str) -> HashMap<String, PhraseList> {
    let mut out = HashMap::new();
    let mut name = String::new();
    let mut body = String::new();
    for line in src.lines().chain(std::iter::once("[]")) {
        let t = line.trim();
        if t.starts_with('[') && t.ends_with(']') {
            if !body.is_empty() || !name.is_empty() {
                out.insert(std::mem::take(&mut name), PhraseList::parse(&body));
                body.clear();
            }
            name = t[1..t.len() - 1].to_string();
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// Lines of words, each line one item with its variants: returns, for each
/// variant, the item's 1-based position.
fn numbered_words(src: &str) -> FxHashMap<String, u32> {
    let mut out = FxHashMap::default();
    let mut n = 0;
    for line in src.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        n += 1;
        for w in t.split_whitespace() {
            out.insert(w.to_lowercase(), n);
        }
    }
    out
}

/// Every list the detectors use.
#[derive(Debug)]
pub struct Phrases {
    pub navigation: PhraseList,
    pub prompts: PhraseList,
    pub widgets: PhraseList,
    pub share_words: PhraseList,
    pub tail_weak: PhraseList,
    pub tail_strong: PhraseList,
    pub editorial: PhraseList,
    pub copyright: PhraseList,
    pub agencies: NameList,
    pub photo_credits: PhraseList,
    pub credit_labels: Vec<String>,
    /// " photo:", " image credit:" ...: a credit label closing a caption.
    pub credit_patterns: Vec<String>,
    pub byline_openers: PhraseList,
    pub byline_roles: PhraseList,
    pub name_particles: PhraseList,
    pub date_labels: PhraseList,
    pub months: FxHashMap<String, u32>,
    pub weekdays: FxHashMap<String, u32>,
    pub timezones: FxHashSet<String>,
    pub date_units: FxHashSet<String>,
}

static PHRASES: LazyLock<Phrases> = LazyLock::new(|| {
    let mut tail = sections(include_str!("../data/tail_headings.txt"));
    let mut byline = sections(include_str!("../data/byline.txt"));
    let credits_src = include_str!("../data/photo_credits.txt");
    let mut credits = sections(credits_src);
    // Labels, longest first so "photo credit" wins over "photo".
    let mut credit_labels: Vec<String> = credits_src
        .split("[labels]")
        .nth(1)
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(crate::text::fold)
        .collect();
    credit_labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
    Phrases {
        navigation: PhraseList::parse(include_str!("../data/navigation.txt")),
        prompts: PhraseList::parse(include_str!("../data/prompts.txt")),
        widgets: PhraseList::parse(include_str!("../data/widgets.txt")),
        share_words: PhraseList::parse(include_str!("../data/share_words.txt")),
        tail_weak: tail.remove("weak").unwrap_or_default(),
        tail_strong: tail.remove("strong").unwrap_or_default(),
        editorial: PhraseList::parse(include_str!("../data/editorial.txt")),
        copyright: PhraseList::parse(include_str!("../data/copyright.txt")),
        agencies: NameList::parse(include_str!("../data/agencies.txt")),
        photo_credits: credits.remove("credits").unwrap_or_default(),
        credit_patterns: credit_labels.iter().map(|l| format!(" {l}:")).collect(),
        credit_labels,
        byline_openers: byline.remove("openers").unwrap_or_default(),
        byline_roles: byline.remove("roles").unwrap_or_default(),
        name_particles: byline.remove("particles").unwrap_or_default(),
        date_labels: PhraseList::parse(include_str!("../data/date_labels.txt")),
        months: numbered_words(include_str!("../data/months.txt")),
        weekdays: numbered_words(include_str!("../data/weekdays.txt")),
        timezones: numbered_words(include_str!("../data/timezones.txt"))
            .into_keys()
            .collect(),
        date_units: numbered_words(include_str!("../data/date_units.txt"))
            .into_keys()
            .collect(),
    }
});

/// The compiled lists (built on first use, shared by all threads).
pub fn phrases() -> &'static Phrases {
    &PHRASES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_entry_starts_no_earlier_than_the_suffix_start() {
        let list = PhraseList::parse("getty images\nap\n");
        let line = "Boats at dawn, after the storm | Getty Images";
        let from = list.exact_suffix_start(line);
        assert!(from > 0 && from <= line.find("Getty").unwrap(), "{from}");
        assert!((0..from).all(|i| !list.is_exact(&line[i..])));
        assert!(list.is_exact(&line[line.find("Getty").unwrap()..]));
        assert_eq!(list.exact_suffix_start("Getty Images"), 0);
        assert_eq!(
            list.exact_suffix_start("Caf\u{e9} | Getty Images"),
            0,
            "not ASCII"
        );
    }

    #[test]
    fn name_lookup_answers_as_the_key_it_folds() {
        let agencies = &phrases().agencies;
        let mut lines: Vec<String> = [
            "AFP",
            "(AFP)",
            "afp",
            "- AP",
            "Reuters.",
            "AFP/File",
            "Agence France-Presse",
            "Agence France\u{2010}Presse",
            "  Reuters  ",
            "",
            "Home > News > Local",
            "The Associated Press and a very long tail of other words",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // every listed key, and each with a letter more
        for k in agencies.by_key.keys() {
            lines.push(k.clone());
            lines.push(format!("{k}s"));
            lines.push(format!("\u{201C}{k}\u{201D}"));
        }
        lines.extend(
            [
                "\u{130}STANBUL",
                "(\u{130}stanbul Post)",
                "\u{2014} AFP \u{2014}",
                "\u{201C}Reuters\u{201D}.",
                "Caf\u{e9} Reuters and a long tail of words, more than any name has",
                "\u{130}\u{130}\u{130} Agence France-Presse \u{e9}\u{e9}\u{e9}",
            ]
            .map(String::from),
        );
        for l in &lines {
            let want = agencies.by_key.get(&key(l)).map(String::as_str);
            assert_eq!(agencies.lookup(l), want, "{l:?}");
            assert_eq!(agencies.lookup_folded(&fold(l)), want, "{l:?}");
            // edge punctuation trimmed before folding or after
            let trimmed = l.trim_matches(|c: char| !c.is_alphanumeric());
            assert_eq!(agencies.lookup(trimmed), want, "{l:?}");
        }
    }

    #[test]
    fn eight_byte_words_never_refuse_a_real_match() {
        let texts = [
            "",
            "a",
            "read",
            "read more",
            "read more at home",
            "more",
            "ore",
            "a b c d e f g h i",
            "caf\u{e9}s",
        ];
        for t in texts {
            for p in texts {
                let (h, hm) = head8(p.as_bytes());
                let (line_h, _) = head8(t.as_bytes());
                if t.starts_with(p) {
                    assert_eq!(line_h & hm, h, "{t:?} starts with {p:?}");
                }
                let (e, em) = tail8(p.as_bytes());
                let (line_e, _) = tail8(t.as_bytes());
                if t.ends_with(p) {
                    assert_eq!(line_e & em, e, "{t:?} ends with {p:?}");
                }
                // and they tell most texts apart
                if t.len() >= p.len() && p.len() <= 8 {
                    assert_eq!(line_h & hm == h, t.starts_with(p), "{t:?} {p:?}");
                    assert_eq!(line_e & em == e, t.ends_with(p), "{t:?} {p:?}");
                }
            }
        }
    }

    #[test]
    fn exact_lookups_answer_as_the_folded_key() {
        let p = phrases();
        let mut lines: Vec<String> = vec![
            "Advertisement".into(),
            "ADVERTISEMENT \u{2014}".into(),
            "Caf\u{e9} advertisement".into(),
            "\u{e9}".repeat(80),
            format!("{} advertisement", "\u{e9}".repeat(40)),
            "Read more about the council's plan to close the bridge, \u{e9}".into(),
        ];
        for list in [&p.widgets, &p.navigation, &p.tail_strong, &p.photo_credits] {
            for k in &list.exact {
                lines.push(k.clone());
                lines.push(format!("\u{201C}{k}\u{201D}"));
                lines.push(format!("{k} \u{e9}"));
                lines.push(format!("{k}x"));
            }
            for l in &lines {
                assert_eq!(list.is_exact(l), list.is_exact_folded(&fold(l)), "{l:?}");
            }
        }
    }

    #[test]
    fn list_kinds() {
        let l = PhraseList::parse(
            "# c\nshare this\n^editor's note\n$(with afp)\n~all rights reserved\n",
        );
        assert!(l.is_exact("Share this »"));
        assert!(l.find("Editor\u{2019}s Note: this was updated").is_some());
        assert!(l.find("The editor's notebook").is_none());
        assert_eq!(l.find("Troops left (with AFP)").unwrap().0, Hit::Suffix);
        assert_eq!(
            l.find("Acme 2021. All Rights Reserved.").unwrap().0,
            Hit::Contains
        );
        assert!(l.find("Shares rose").is_none());
    }

    #[test]
    fn contained_phrases_are_found_past_earlier_and_overlapping_ones() {
        // The quick "does any occur" check must not hide a word-bounded
        // phrase behind one inside a word, nor one overlapping another.
        let l = PhraseList::parse("~may not be reproduced\n~reproduced in full\n~be re\n");
        let hit = |s: &str| l.find(s).map(|(_, p)| p);
        assert_eq!(
            hit("Maybe rerun: it may not be reproduced."),
            Some("may not be reproduced".into())
        );
        assert_eq!(
            hit("It maybe reproduced in full"),
            Some("reproduced in full".into())
        );
        assert_eq!(hit("To be reread"), None);
        assert_eq!(hit("Nothing of the kind"), None);
    }

    #[test]
    fn all_data_files_load() {
        let p = phrases();
        assert!(p.navigation.is_exact("Home"));
        assert!(p.tail_strong.is_exact("RELATED ARTICLES"));
        assert!(p.tail_weak.is_exact("Check Also"));
        assert_eq!(p.agencies.lookup("Agence France-Presse"), Some("AFP"));
        assert_eq!(p.agencies.lookup("(AFP)"), Some("AFP"));
        assert_eq!(p.months.get("nov"), Some(&11));
        assert_eq!(p.weekdays.get("thursday"), Some(&4));
        assert!(p.timezones.contains("gmt"));
        assert!(p.byline_openers.is_exact("Written by"));
        assert!(p.photo_credits.is_exact("Getty Images"));
        assert_eq!(p.credit_labels[0], "image caption");
        assert!(p.name_particles.is_exact("van"));
        assert!(p.date_units.contains("hours"));
    }
}

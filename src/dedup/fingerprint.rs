//! Fingerprints of a cleaned document: its shingle set and two 64-bit
//! simhashes.
//!
//! Text is reduced to words: case folded, typographic quotes and dashes
//! folded, punctuation dropped ("Farmers’ unions" -> "farmers unions").
//! Shingles are runs of [`SHINGLE_WORDS`] words, hashed with XXH3-64. XXH3 is
//! a published algorithm with fixed output, unlike std's `Hash`/SipHash whose
//! values Rust does not promise to keep across releases: fingerprints stored
//! in an index must mean the same thing next year. Golden tests pin them.
//!
//! Two simhashes are kept. `full` covers the whole body; `lead` covers its
//! first [`LEAD_SHINGLES`] shingles. Outlets republishing wire copy mostly
//! cut from the end, which moves `full` by many bits while `lead` stays put;
//! edits spread through the text move both a little. The headline is left
//! out: every outlet writes its own.

use xxhash_rust::xxh3::xxh3_64;

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 3;
/// Shingles in the lead fingerprint (about the first two paragraphs).
pub const LEAD_SHINGLES: usize = 120;
/// Version of the fingerprint scheme, stored with persisted indexes.
pub const FINGERPRINT_VERSION: u32 = 1;
/// Winnowing window, in shingles: the smallest hash of every run of this
/// many consecutive shingles is a sample (Schleimer, Wilkerson and Aiken,
/// 2003). Samples are chosen by content, so every copy of a passage samples
/// the same shingles, and every run of 12 shingles (14 words) yields one:
/// two texts sharing such a run share a sample. About 2/13 of the shingles
/// are samples.
pub const WINNOW_WINDOW: usize = 12;

/// What dedup keeps of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Simhash of all shingles.
    pub full: u64,
    /// Simhash of the lead's shingles.
    pub lead: u64,
    /// XXH3 of the normalized word sequence: equal for exact duplicates.
    pub exact: u64,
    /// Sorted, distinct shingle hashes (low 32 bits), for confirmation;
    /// empty when `sampled` (a fingerprint from a stored index).
    pub shingles: Vec<u32>,
    /// Sorted, distinct winnowed shingle hashes (low 32 bits).
    pub samples: Vec<u32>,
    /// Number of words.
    pub words: usize,
    /// Only the samples are known (a fingerprint read from an index file).
    pub sampled: bool,
}

impl Fingerprint {
    /// The same fingerprint keeping only the samples: what an index file
    /// stores.
    pub fn to_sampled(&self) -> Fingerprint {
        Fingerprint {
            shingles: Vec::new(),
            sampled: true,
            ..self.clone()
        }
    }
}

/// Winnowing: the smallest hash of each window of `w` consecutive hashes.
/// Returns the selected hashes' low 32 bits, sorted and distinct.
pub fn winnow(hashes: &[u64], w: usize) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    if hashes.is_empty() {
        return out;
    }
    if hashes.len() <= w {
        let min = hashes.iter().copied().min().unwrap_or(0);
        return vec![min as u32];
    }
    // Only the minima's values matter (the output is a sorted set), so the
    // minimum of every window comes from minima over blocks of w: a window
    // is the end of one block and the start of the next (van Herk, 1992;
    // Gil and Werman, 1993). Block by block: the minima from each place
    // to the block's end, then, for each window starting in the block, the
    // minimum of the next block's start so far. No data-sized buffers.
    let n = hashes.len();
    out.reserve(2 * n / (w + 1) + 2);
    let mut to_end = vec![0u64; w];
    let mut last = None;
    for block_start in (0..=n - w).step_by(w) {
        let mut m = u64::MAX;
        for (e, &h) in to_end
            .iter_mut()
            .zip(&hashes[block_start..block_start + w])
            .rev()
        {
            m = m.min(h);
            *e = m;
        }
        // windows starting at block_start + k, up to the last (n - w)
        let starts = w.min(n - w - block_start + 1);
        let next = &hashes[block_start + w..block_start + w + starts - 1];
        let mut from_start = u64::MAX;
        for k in 0..starts {
            if k > 0 {
                from_start = from_start.min(next[k - 1]);
            }
            let m = to_end[k].min(from_start);
            if last != Some(m) {
                out.push(m as u32);
                last = Some(m);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The words of a text, folded for comparison.
pub fn words(text: &str) -> Vec<String> {
    let w = Words::new(text, usize::MAX);
    (0..w.len()).map(|i| w.word(i).to_string()).collect()
}

/// Takes every `byte` out of `v`, moving the rest down in runs.
fn remove_byte(v: &mut Vec<u8>, byte: u8) {
    let Some(first) = memchr::memchr(byte, v) else {
        return;
    };
    let mut write = first;
    let mut read = first + 1;
    while let Some(p) = memchr::memchr(byte, &v[read..]) {
        v.copy_within(read..read + p, write);
        write += p;
        read += p + 1;
    }
    let len = v.len();
    v.copy_within(read..len, write);
    v.truncate(write + len - read);
}

/// The folded words of a text in one buffer, separated by single spaces,
/// with the byte range of each word: a shingle is a slice of the buffer,
/// so hashing needs no copy and no allocation per word.
pub struct Words {
    buf: String,
    /// Start of each word in `buf`; a word ends one byte before the next
    /// word's start (the space), the last at the buffer's end.
    starts: Vec<u32>,
}

impl Words {
    /// Folds the first `max` words of `text`: lower case, letters and
    /// digits only; an apostrophe inside a word ("don't") joins it.
    pub fn new(text: &str, max: usize) -> Words {
        let mut buf: Vec<u8> = Vec::with_capacity(text.len());
        let mut starts = Vec::with_capacity(text.len() / 5);
        let mut in_word = false;
        let bytes = text.as_bytes();
        if text.is_ascii() {
            // The same rules in bulk: an apostrophe joins (it is dropped),
            // letters are lower-cased, any other byte separates (a space),
            // then runs of spaces are squeezed.
            buf.extend(bytes.iter().map(|&b| {
                let lower = b | 0x20;
                if lower.wrapping_sub(b'a') < 26 {
                    lower
                } else if b.is_ascii_digit() || b == b'\'' {
                    b
                } else {
                    b' '
                }
            }));
            remove_byte(&mut buf, b'\'');
            crate::text::squeeze_spaces(&mut buf);
            if !buf.is_empty() {
                starts.push(0);
                // (spaces come every few bytes: a plain loop beats a search)
                // (no further than the word after the last one kept: it
                // marks where the kept words end)
                starts.extend(
                    buf.iter()
                        .enumerate()
                        .filter(|&(_, &b)| b == b' ')
                        .map(|(p, _)| p as u32 + 1)
                        .take(max),
                );
            }
            if starts.len() > max {
                buf.truncate((starts[max] as usize).saturating_sub(1));
                starts.truncate(max);
            }
            let buf = String::from_utf8(buf).expect("ASCII stays ASCII");
            return Words { buf, starts };
        }
        for c in text.chars() {
            let (alnum, joins) = if c.is_ascii() {
                (c.is_ascii_alphanumeric(), c == '\'')
            } else {
                (
                    c.is_alphanumeric(),
                    matches!(c, '\u{2019}' | '\u{2018}' | '\u{02BC}'),
                )
            };
            if !alnum {
                // an apostrophe inside a word ("don't") joins it
                in_word &= joins;
                continue;
            }
            if !in_word {
                if starts.len() >= max {
                    break;
                }
                if !buf.is_empty() {
                    buf.push(b' ');
                }
                starts.push(buf.len() as u32);
                in_word = true;
            }
            if c.is_ascii() {
                buf.push((c as u8).to_ascii_lowercase());
            } else {
                let mut tmp = [0u8; 4];
                for l in c.to_lowercase() {
                    buf.extend_from_slice(l.encode_utf8(&mut tmp).as_bytes());
                }
            }
        }
        let buf = String::from_utf8(buf).expect("built from whole characters");
        Words { buf, starts }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// No words at all.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    fn end(&self, i: usize) -> usize {
        match self.starts.get(i + 1) {
            Some(&next) => next as usize - 1,
            None => self.buf.len(),
        }
    }

    /// Word `i`.
    pub fn word(&self, i: usize) -> &str {
        &self.buf[self.starts[i] as usize..self.end(i)]
    }

    /// Words `i..j` joined by single spaces.
    pub fn span(&self, i: usize, j: usize) -> &str {
        &self.buf[self.starts[i] as usize..self.end(j - 1)]
    }

    /// All words joined by single spaces.
    pub fn joined(&self) -> &str {
        &self.buf
    }

    /// XXH3 hash of each run of `SHINGLE_WORDS` words (joined by a space),
    /// in text order. A text shorter than a shingle gives one shingle of
    /// all its words.
    pub fn shingle_hashes(&self) -> Vec<u64> {
        let n = self.len();
        if n == 0 {
            return Vec::new();
        }
        if n < SHINGLE_WORDS {
            return vec![xxh3_64(self.buf.as_bytes())];
        }
        (0..=n - SHINGLE_WORDS)
            .map(|i| xxh3_64(self.span(i, i + SHINGLE_WORDS).as_bytes()))
            .collect()
    }
}

/// Charikar's simhash: each bit is the sign of the sum, over the features,
/// of +1 where the feature's hash has that bit set and -1 where not. Each
/// distinct feature counts once.
pub fn simhash(features: &[u64]) -> u64 {
    // The sum for a bit is (ones - zeros) = 2 * ones - n: count the ones.
    // Eight bit counters share a u64, one byte each, added eight at a time
    // through a table that spreads a byte's bits over eight bytes; the
    // bytes are emptied into wide counters before they can overflow.
    const SPREAD: [u64; 256] = {
        let mut t = [0u64; 256];
        let mut b = 0;
        while b < 256 {
            let mut bit = 0;
            while bit < 8 {
                if b >> bit & 1 == 1 {
                    t[b] |= 1 << (8 * bit);
                }
                bit += 1;
            }
            b += 1;
        }
        t
    };
    let mut ones = [0u32; 64];
    for chunk in features.chunks(255) {
        let mut packed = [0u64; 8];
        for &h in chunk {
            for (byte, p) in packed.iter_mut().enumerate() {
                *p += SPREAD[(h >> (8 * byte) & 0xFF) as usize];
            }
        }
        for (byte, p) in packed.iter().enumerate() {
            for bit in 0..8 {
                ones[8 * byte + bit] += (p >> (8 * bit) & 0xFF) as u32;
            }
        }
    }
    let n = features.len() as u32;
    ones.iter().enumerate().fold(
        0u64,
        |acc, (bit, &o)| if 2 * o > n { acc | 1 << bit } else { acc },
    )
}

/// Words fingerprinted at most: a news story is a few thousand; a
/// 50 MB document gets a bounded cost.
pub const MAX_WORDS: usize = 200_000;

/// Fingerprints a cleaned body (headline excluded by the caller).
pub fn fingerprint(body: &str) -> Fingerprint {
    let ws = Words::new(body, MAX_WORDS);
    let all = ws.shingle_hashes();
    // One sort serves both sets: ordered by (low 32 bits, high 32 bits),
    // the distinct hashes come out with their low halves sorted, so the
    // 32-bit shingle set is one pass of dedup over them.
    let mut distinct: Vec<u64> = all.iter().map(|h| h.rotate_left(32)).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut shingles: Vec<u32> = distinct.iter().map(|&h| (h >> 32) as u32).collect();
    shingles.dedup();
    distinct.iter_mut().for_each(|h| *h = h.rotate_left(32));
    let mut lead: Vec<u64> = all[..all.len().min(LEAD_SHINGLES)].to_vec();
    lead.sort_unstable();
    lead.dedup();
    Fingerprint {
        full: simhash(&distinct),
        lead: simhash(&lead),
        exact: xxh3_64(ws.joined().as_bytes()),
        shingles,
        samples: winnow(&all, WINNOW_WINDOW),
        words: ws.len(),
        sampled: false,
    }
}

/// Bits in which two fingerprints differ.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Size of the intersection of two sorted, distinct lists.
fn intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Jaccard similarity and containment (shared shingles over the smaller
/// set) of two shingle sets.
pub fn similarity(a: &[u32], b: &[u32]) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0);
    }
    let inter = intersection(a, b) as f64;
    let union = (a.len() + b.len()) as f64 - inter;
    (inter / union, inter / a.len().min(b.len()) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_quotes_and_punctuation() {
        assert_eq!(
            words("Farmers\u{2019} unions \u{2014} \u{201C}Don't\u{201D} WAIT, 9,000 ha."),
            ["farmers", "unions", "dont", "wait", "9", "000", "ha"]
        );
    }

    #[test]
    fn ascii_words_follow_the_general_rules() {
        // A dash at the end sends the same text down the general path.
        for t in [
            "Don't WAIT, 9,000 ha. rock'n'roll 'quoted' a''b x' y ''",
            "  leading and trailing  ",
            "",
            "one",
            "ALL-CAPS_and_under_scores 42nd",
            "'",
            " ' ",
            "a'",
            "  x  ",
        ]
        .into_iter()
        .map(String::from)
        .chain(pseudo_random_ascii(500))
        {
            let t = t.as_str();
            for max in [0, 1, 3, usize::MAX] {
                let ascii = Words::new(t, max);
                let general = Words::new(&format!("{t} \u{2014}"), max);
                assert_eq!(ascii.joined(), general.joined(), "{t:?} max {max}");
                assert_eq!(ascii.starts, general.starts, "{t:?} max {max}");
            }
        }
    }

    /// Strings of letters, digits, apostrophes, spaces and punctuation.
    fn pseudo_random_ascii(n: usize) -> Vec<String> {
        let alphabet = b"aZ9' '-,.\t\n_x";
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (0..x % 30)
                    .map(|k| {
                        alphabet[((x >> (k % 40)) as usize + k as usize) % alphabet.len()] as char
                    })
                    .collect()
            })
            .collect()
    }

    /// Golden values, computed independently with the Python `xxhash`
    /// package and a ten-line Python simhash over the same shingles. They
    /// must never change, or persisted fingerprints lose their meaning: a
    /// deliberate change of scheme bumps FINGERPRINT_VERSION and updates them.
    #[test]
    fn golden_values() {
        assert_eq!(xxh3_64(b""), 0x2d06_8005_38d3_94c2);
        assert_eq!(xxh3_64(b"the council voted"), 0x5c0d_bf72_6e59_0615);
        let fp = fingerprint("The council voted on Tuesday to close the old bridge.");
        assert_eq!(fp.full, 0x1d4b_bb29_4756_0c16);
        assert_eq!(fp.lead, fp.full, "short text: the lead is the whole");
        assert_eq!(fp.words, 10);
    }

    /// The definitions, written plainly: the fast versions must agree.
    fn simhash_by_definition(features: &[u64]) -> u64 {
        let mut sums = [0i64; 64];
        for &h in features {
            for (bit, s) in sums.iter_mut().enumerate() {
                *s += if h >> bit & 1 == 1 { 1 } else { -1 };
            }
        }
        (0..64).fold(
            0,
            |acc, bit| if sums[bit] > 0 { acc | 1 << bit } else { acc },
        )
    }

    fn winnow_by_definition(hashes: &[u64], w: usize) -> Vec<u32> {
        if hashes.len() <= w {
            return hashes
                .iter()
                .min()
                .map(|&m| vec![m as u32])
                .unwrap_or_default();
        }
        let mut out = Vec::new();
        let mut last = None;
        for start in 0..=hashes.len() - w {
            let mut pos = start;
            for i in start..start + w {
                if hashes[i] <= hashes[pos] {
                    pos = i;
                }
            }
            if last != Some(pos) {
                out.push(hashes[pos] as u32);
                last = Some(pos);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn fast_simhash_and_winnow_agree_with_their_definitions() {
        for n in [0usize, 1, 2, 7, 12, 13, 254, 255, 256, 511, 600, 2000] {
            let hashes: Vec<u64> = (0..n as u64).map(|i| xxh3_64(&i.to_le_bytes())).collect();
            assert_eq!(simhash(&hashes), simhash_by_definition(&hashes), "n={n}");
            for w in [1, 5, 12] {
                assert_eq!(
                    winnow(&hashes, w),
                    winnow_by_definition(&hashes, w),
                    "n={n} w={w}"
                );
            }
            // many ties: the rightmost of equal minima is the sample
            let ties: Vec<u64> = hashes.iter().map(|h| h % 7 + (h >> 40 & 1) * 100).collect();
            assert_eq!(winnow(&ties, 12), winnow_by_definition(&ties, 12), "n={n}");
            assert_eq!(simhash(&ties), simhash_by_definition(&ties), "n={n}");
        }
        // a feature list with every bit set as often as not: ties go to 0
        assert_eq!(simhash(&[u64::MAX, 0]), 0);
    }

    #[test]
    fn simhash_of_one_feature_is_the_feature() {
        assert_eq!(simhash(&[0xDEAD_BEEF_0000_0001]), 0xDEAD_BEEF_0000_0001);
        assert_eq!(simhash(&[]), 0);
    }

    #[test]
    fn near_texts_are_near_and_far_texts_far() {
        let a = "The harbour authority said on Monday that the northern quay would close for repairs from next month, after divers found cracks in the concrete supports beneath the ferry terminal. Engineers expect the work to take about six weeks.";
        let b = "The harbour authority said Monday that the northern quay would close for repairs from next month, after divers found cracks in the concrete supports beneath the ferry terminal. Engineers expect the work to take about six weeks.";
        let c = "Rail workers on the Meridian line will walk out for 48 hours from Thursday in a dispute over staffing at rural stations, the union announced on Tuesday, and the operator said it would run fewer trains.";
        let (fa, fb, fc) = (fingerprint(a), fingerprint(b), fingerprint(c));
        assert!(hamming(fa.full, fb.full) < hamming(fa.full, fc.full));
        let (j, cont) = similarity(&fa.shingles, &fb.shingles);
        assert!(j > 0.8 && cont > 0.85, "{j} {cont}");
        let (j, _) = similarity(&fa.shingles, &fc.shingles);
        assert!(j < 0.05);
    }

    #[test]
    fn containment_of_a_trimmed_copy() {
        let full = "One two three four five six. Seven eight nine ten eleven twelve. Thirteen fourteen fifteen sixteen seventeen eighteen.";
        let trimmed = "One two three four five six. Seven eight nine ten eleven twelve.";
        let (j, c) = similarity(&fingerprint(full).shingles, &fingerprint(trimmed).shingles);
        assert!(c > 0.99 && j < 0.7, "{j} {c}");
    }

    #[test]
    fn winnowing_guarantees_a_sample_in_every_window() {
        let hashes: Vec<u64> = (0..200u64).map(|i| xxh3_64(&i.to_le_bytes())).collect();
        let picked = winnow(&hashes, 12);
        for start in 0..=hashes.len() - 12 {
            assert!(
                hashes[start..start + 12]
                    .iter()
                    .any(|&h| picked.contains(&(h as u32))),
                "window {start} has no sample"
            );
        }
        // about 2/(w+1) of the hashes
        assert!(
            picked.len() > 200 / 13 && picked.len() < 200 * 3 / 13,
            "{}",
            picked.len()
        );
        // a shared run of w hashes yields a shared sample
        let other: Vec<u64> = (1000..1100u64)
            .map(|i| xxh3_64(&i.to_le_bytes()))
            .chain(hashes[50..62].iter().copied())
            .collect();
        let po = winnow(&other, 12);
        assert!(po.iter().any(|h| picked.contains(h)));
    }

    #[test]
    fn exact_ignores_case_and_punctuation_only() {
        assert_eq!(
            fingerprint("Hello, World!").exact,
            fingerprint("hello world").exact
        );
        assert_ne!(
            fingerprint("Hello World").exact,
            fingerprint("Hello there World").exact
        );
    }
}

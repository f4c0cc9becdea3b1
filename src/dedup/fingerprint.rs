//! Fingerprints of a cleaned document: its shingle set and two 64-bit
//! simhashes.
//!
//! Text is reduced to words: case folded, typographic quotes and dashes
//! folded, punctuation dropped ("Farmers’ unions" -> "farmers unions").
//! Each word is hashed ([`word_hash`]: MurmurHash3's finalizer over its
//! bytes, XXH3-64 for a word over 16 bytes); shingles are runs of
//! [`SHINGLE_WORDS`] words, each hashed by combining its words' hashes
//! ([`shingle_hash`]). All are fixed, written-down functions, unlike
//! std's `Hash`/SipHash whose values Rust does not promise to keep across
//! releases: fingerprints stored in an index must mean the same thing
//! next year. Golden tests, computed independently in Python, pin them.
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
/// Version of the fingerprint scheme, stored with persisted indexes. (1
/// hashed each shingle's text; 2 combines its words' hashes, with the same
/// words, shingles, samples and simhashes.)
pub const FINGERPRINT_VERSION: u32 = 2;
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
    /// XXH3 of the folded words' hashes in order: equal for exact duplicates.
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
#[inline(always)]
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

/// The folded words of a text in one buffer, separated by single spaces,
/// with the byte range of each word. This is the definition of a word;
/// [`word_hashes`] reads ASCII text faster by the same rules.
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

    /// Word `i`.
    pub fn word(&self, i: usize) -> &str {
        let end = match self.starts.get(i + 1) {
            Some(&next) => next as usize - 1,
            None => self.buf.len(),
        };
        &self.buf[self.starts[i] as usize..end]
    }
}

/// The hash ([`word_hash`]) of each of the first `max` folded words of
/// `text` ([`Words`]), in text order.
#[inline(always)]
pub fn word_hashes(text: &str, max: usize) -> Vec<u64> {
    if !text.is_ascii() {
        let ws = Words::new(text, max);
        return (0..ws.len())
            .map(|i| word_hash(ws.word(i).as_bytes()))
            .collect();
    }
    // The same rules in bulk: letters are lower-cased, digits kept,
    // apostrophes dropped (they join), any other byte separates (a
    // space). Words are then the runs between spaces, found 64 bytes at a
    // time from a mask of the spaces (where a word starts or ends, the
    // mask changes from the byte before): no branch per byte or per word
    // boundary for the processor to guess.
    // (room for the padding below, so that it is not a second allocation)
    let mut folded: Vec<u8> = Vec::with_capacity(text.len() + 64);
    folded.extend(text.bytes().map(|b| {
        let lower = b | 0x20;
        if lower.wrapping_sub(b'a') < 26 {
            lower
        } else if b.is_ascii_digit() || b == b'\'' {
            b
        } else {
            b' '
        }
    }));
    remove_byte(&mut folded, b'\'');
    let len = folded.len();
    // (zeros after the text, read as spaces: whole blocks of 64 bytes,
    // and 16 bytes for a short word's reads)
    folded.resize(len + 64, 0);
    let mut out = Vec::with_capacity(text.len() / 5);
    // A word starts where a word byte follows a space and ends at the
    // first space after it: starts and ends alternate, so each start is
    // paired with the next end without reading the bytes again. A word
    // running past a block's end is finished by the next block's first end.
    // (the byte before the text counts as a space)
    let mut before_is_word = 0u64;
    let mut open: Option<usize> = None;
    for base in (0..len).step_by(64) {
        let block: &[u8; 64] = folded[base..base + 64].try_into().expect("64 bytes");
        let n = (len - base).min(64);
        let mut words = word_bytes_mask(block);
        if n < 64 {
            words &= (1u64 << n) - 1;
        }
        let shifted = words << 1 | before_is_word;
        let mut starts = words & !shifted;
        // (the padding after the text is spaces: a word ending with the
        // text ends in its last block)
        let mut ends = !words & shifted;
        before_is_word = words >> 63;
        if let Some(start) = open {
            if ends == 0 {
                continue;
            }
            let end = base + ends.trailing_zeros() as usize;
            ends &= ends - 1;
            open = None;
            if out.len() == max {
                return out;
            }
            out.push(word_hash_padded(&folded[start..], end - start));
        }
        while starts != 0 {
            let start = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if ends == 0 {
                open = Some(start);
                break;
            }
            let end = base + ends.trailing_zeros() as usize;
            ends &= ends - 1;
            if out.len() == max {
                return out;
            }
            out.push(word_hash_padded(&folded[start..], end - start));
        }
    }
    if let Some(start) = open {
        // (a text ending in a word of a block's last byte)
        if out.len() < max {
            out.push(word_hash_padded(&folded[start..], len - start));
        }
    }
    out
}

/// Bit i set where byte i of a folded block is a word's byte. A word's
/// byte has 0x40 (a letter) or 0x10 (a digit) set, a space (or the zero
/// padding) neither; adding 0x7F to each byte's share of those bits sets
/// its top bit just for a word's byte (no carry leaves a byte), and a
/// multiplication gathers the eight top bits.
#[inline(always)]
fn word_bytes_mask(block: &[u8; 64]) -> u64 {
    let mut words = 0u64;
    for (k, chunk) in block.chunks_exact(8).enumerate() {
        let v = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let top = ((v & 0x5050_5050_5050_5050) + 0x7F7F_7F7F_7F7F_7F7F) & 0x8080_8080_8080_8080;
        words |= ((top >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    words
}

/// The hash of a folded word. A word of up to 16 bytes (nearly all) is
/// read as two little-endian u64 (bytes 0-7 and 8-15, zero-padded), `lo`
/// and `hi`, and hashed as `fmix64(fmix64(hi ^ len) ^ lo ^ 0x9E3779B97F4A7C15)`
/// with MurmurHash3's 64-bit finalizer: a few instructions and no branch
/// on the length, where a general hash picks a path by length and the
/// processor, given words of every length, guesses wrong. A longer word
/// is hashed with XXH3-64.
pub fn word_hash(word: &[u8]) -> u64 {
    if word.len() > 16 {
        return xxh3_64(word);
    }
    let mut padded = [0u8; 16];
    padded[..word.len()].copy_from_slice(word);
    word_hash_padded(&padded, word.len())
}

/// [`word_hash`] of `w[..len]`, where `w` holds at least 16 bytes (those
/// after the word are ignored).
#[inline(always)]
fn word_hash_padded(w: &[u8], len: usize) -> u64 {
    if len > 16 {
        return xxh3_64(&w[..len]);
    }
    let w: &[u8; 16] = w[..16].try_into().expect("16 bytes");
    let lo = u64::from_le_bytes(w[..8].try_into().expect("8 bytes"));
    let hi = u64::from_le_bytes(w[8..].try_into().expect("8 bytes"));
    // keep the word's bytes: the low 8 * min(len, 8) bits of `lo` and
    // 8 * (len - 8) of `hi`
    let [keep_lo, keep_hi] = KEEP[len];
    let lo = lo & keep_lo;
    let hi = hi & keep_hi;
    fmix64(fmix64(hi ^ len as u64) ^ lo ^ 0x9E37_79B9_7F4A_7C15)
}

/// For a word of n bytes (0 to 16) read as two u64, the bits of each to
/// keep.
const KEEP: [[u64; 2]; 17] = {
    let mut t = [[0u64; 2]; 17];
    let mut n: usize = 0;
    while n <= 16 {
        let lo = if n >= 8 { 8 } else { n };
        let hi = n.saturating_sub(8);
        t[n] = [
            if lo == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * lo)) - 1
            },
            if hi == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * hi)) - 1
            },
        ];
        n += 1;
    }
    t
};

/// MurmurHash3's 64-bit finalizer: every input bit moves about half the
/// output bits.
#[inline(always)]
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ h >> 33
}

/// Takes every `byte` out of `v`, moving the rest down in runs.
#[inline(always)]
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

/// The hash of a shingle from its words' hashes: word k's hash rotated
/// by 21k bits, all XORed, then mixed by MurmurHash3's 64-bit finalizer
/// (so that every bit of every word moves about half the bits, as
/// simhash needs). Rotation makes the order count ("a b c" is not
/// "c b a"). Combining word hashes costs a few instructions a shingle,
/// where hashing each shingle's text read every word three times.
#[inline(always)]
pub fn shingle_hash(words: &[u64]) -> u64 {
    let h = words
        .iter()
        .enumerate()
        .fold(0u64, |acc, (k, &w)| acc ^ w.rotate_left(21 * k as u32));
    fmix64(h)
}

/// The hash of each run of [`SHINGLE_WORDS`] words, in text order, from
/// the words' hashes. A text shorter than a shingle gives one shingle of
/// all its words.
#[inline(always)]
pub fn shingle_hashes(words: &[u64]) -> Vec<u64> {
    if words.is_empty() {
        return Vec::new();
    }
    if words.len() < SHINGLE_WORDS {
        return vec![shingle_hash(words)];
    }
    words.windows(SHINGLE_WORDS).map(shingle_hash).collect()
}

/// Charikar's simhash: each bit is the sign of the sum, over the features,
/// of +1 where the feature's hash has that bit set and -1 where not. Each
/// distinct feature counts once.
#[inline(always)]
pub fn simhash(features: &[u64]) -> u64 {
    // The sum for a bit is (ones - zeros) = 2 * ones - n: count the ones,
    // all 64 bits at once. Sixteen features at a time go through a tree of
    // carry-save adders (Harley and Seal's popcount, here per bit
    // position): each adder adds three words bit by bit into a sum and a
    // carry, so `ones`, `twos`, `fours` and `eights` hold each bit's count
    // in binary, and what overflows them, one `sixteens` word per sixteen
    // features, is counted per bit (see [`BitCounts`]). The few features
    // left over are counted per bit directly.
    fn csa(a: u64, b: u64, c: u64) -> (u64, u64) {
        let u = a ^ b;
        ((a & b) | (u & c), u ^ c)
    }
    // Eight features added into `ones` and `twos`: their new values and
    // the two carries into the fours.
    fn add8(ones: u64, twos: u64, f: &[u64]) -> (u64, u64, u64, u64) {
        let (twos_a, o) = csa(ones, f[0], f[1]);
        let (twos_b, o) = csa(o, f[2], f[3]);
        let (fours_a, t) = csa(twos, twos_a, twos_b);
        let (twos_a, o) = csa(o, f[4], f[5]);
        let (twos_b, o) = csa(o, f[6], f[7]);
        let (fours_b, t) = csa(t, twos_a, twos_b);
        (o, t, fours_a, fours_b)
    }
    let (mut ones, mut twos, mut fours, mut eights) = (0u64, 0u64, 0u64, 0u64);
    let mut sixteens = BitCounts::default();
    let mut blocks = features.chunks_exact(16);
    for f in &mut blocks {
        let (o, t, fours_a, fours_b) = add8(ones, twos, &f[..8]);
        let (eights_a, fo) = csa(fours, fours_a, fours_b);
        let (o, t, fours_a, fours_b) = add8(o, t, &f[8..]);
        let (eights_b, fo) = csa(fo, fours_a, fours_b);
        let (sixteen, e) = csa(eights, eights_a, eights_b);
        (ones, twos, fours, eights) = (o, t, fo, e);
        sixteens.add(sixteen);
    }
    let mut rest = BitCounts::default();
    for &h in blocks.remainder() {
        rest.add(h);
    }
    let (sixteens, rest) = (sixteens.totals(), rest.totals());
    let n = features.len() as u64;
    (0..64).fold(0u64, |acc, bit| {
        let b = |w: u64| w >> bit & 1;
        let ones = 16 * u64::from(sixteens[bit])
            + 8 * b(eights)
            + 4 * b(fours)
            + 2 * b(twos)
            + b(ones)
            + u64::from(rest[bit]);
        if 2 * ones > n {
            acc | 1 << bit
        } else {
            acc
        }
    })
}

/// Per bit position, how many of the words added had that bit set. Eight
/// positions share a u64, a byte each, added eight at a time through a
/// table that spreads a byte's bits over eight bytes; the bytes are
/// emptied into wide counters before they can overflow.
struct BitCounts {
    packed: [u64; 8],
    /// Words added since the bytes were emptied.
    pending: u32,
    wide: [u32; 64],
}

impl Default for BitCounts {
    fn default() -> Self {
        BitCounts {
            packed: [0; 8],
            pending: 0,
            wide: [0; 64],
        }
    }
}

impl BitCounts {
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

    fn add(&mut self, h: u64) {
        for (byte, p) in self.packed.iter_mut().enumerate() {
            *p += Self::SPREAD[(h >> (8 * byte) & 0xFF) as usize];
        }
        self.pending += 1;
        if self.pending == 255 {
            self.empty();
        }
    }

    fn empty(&mut self) {
        for (byte, p) in self.packed.iter_mut().enumerate() {
            for bit in 0..8 {
                self.wide[8 * byte + bit] += (*p >> (8 * bit) & 0xFF) as u32;
            }
            *p = 0;
        }
        self.pending = 0;
    }

    fn totals(mut self) -> [u32; 64] {
        self.empty();
        self.wide
    }
}

/// Words fingerprinted at most: a news story is a few thousand; a
/// 50 MB document gets a bounded cost.
pub const MAX_WORDS: usize = 200_000;

/// Fingerprints a cleaned body (headline excluded by the caller).
///
/// On an x86-64 processor with AVX2 and BMI2 (x86-64-v3: Intel since
/// 2013, AMD since 2015) the same code runs compiled for those
/// instructions (wider vectors, one-instruction bit scans), chosen at run
/// time: 15% fewer instructions (219.6M -> 186.6M for 2,000 generated
/// documents). The rest of the binary stays built for any x86-64, so it
/// runs wherever it is copied. The results are the same bits either way.
pub fn fingerprint(body: &str) -> Fingerprint {
    #[cfg(target_arch = "x86_64")]
    if x86_64_v3() {
        // SAFETY: the processor was found to have every feature the
        // function is compiled for.
        return unsafe { fingerprint_x86_64_v3(body) };
    }
    fingerprint_portable(body)
}

/// Has this processor the instructions [`fingerprint_x86_64_v3`] is
/// compiled for? (Each check reads a flag the standard library keeps.)
#[cfg(target_arch = "x86_64")]
fn x86_64_v3() -> bool {
    std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("bmi1")
        && std::is_x86_feature_detected!("bmi2")
        && std::is_x86_feature_detected!("lzcnt")
        && std::is_x86_feature_detected!("popcnt")
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("movbe")
}

/// [`fingerprint_portable`], compiled for x86-64-v3's instructions (the
/// functions it calls are inlined into it, and so compiled the same way).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt,fma,movbe")]
unsafe fn fingerprint_x86_64_v3(body: &str) -> Fingerprint {
    fingerprint_portable(body)
}

/// The fingerprint, built for any x86-64 (and inlined into
/// [`fingerprint_x86_64_v3`] to be built for that too). The helpers that
/// carry its work are marked `#[inline(always)]` so that both builds hold
/// their own copies; one left out runs its portable build in both (as
/// the word splitting of non-ASCII text and XXH3 do).
#[inline(always)]
fn fingerprint_portable(body: &str) -> Fingerprint {
    let words = word_hashes(body, MAX_WORDS);
    let all = shingle_hashes(&words);
    // One sort serves both sets: ordered by (low 32 bits, high 32 bits),
    // the distinct hashes come out with their low halves sorted, so the
    // 32-bit shingle set is one pass of dedup over them.
    let mut distinct: Vec<u64> = all.iter().map(|h| h.rotate_left(32)).collect();
    super::radix::sort_hashes(&mut distinct);
    distinct.dedup();
    let mut shingles: Vec<u32> = distinct.iter().map(|&h| (h >> 32) as u32).collect();
    shingles.dedup();
    distinct.iter_mut().for_each(|h| *h = h.rotate_left(32));
    let lead = distinct_lead(&all[..all.len().min(LEAD_SHINGLES)]);
    Fingerprint {
        full: simhash(&distinct),
        lead: simhash(&lead),
        exact: exact_hash(&words),
        shingles,
        samples: winnow(&all, WINNOW_WINDOW),
        words: words.len(),
        sampled: false,
    }
}

/// The distinct values of at most [`LEAD_SHINGLES`] hashes, in the order
/// first seen (simhash needs the set, not an order). An open-addressed
/// table of 256 slots on the stack, indexed by a hash's top byte, at most
/// half full: where sorting 120 hashes to drop repeats cost thousands of
/// instructions and hundreds of wrongly guessed branches, most values
/// here find their slot empty at the first probe.
#[inline(always)]
fn distinct_lead(hashes: &[u64]) -> Vec<u64> {
    const SLOTS: usize = 256;
    const _: () = assert!(2 * LEAD_SHINGLES <= SLOTS);
    assert!(hashes.len() <= LEAD_SHINGLES, "a lead's shingles");
    let mut out = Vec::with_capacity(hashes.len());
    // (0 marks an empty slot; the value 0 is noted on its own)
    let mut slots = [0u64; SLOTS];
    let mut zero = false;
    for &h in hashes {
        if h == 0 {
            if !zero {
                zero = true;
                out.push(0);
            }
            continue;
        }
        let mut at = (h >> 56) as usize;
        loop {
            match slots[at] {
                0 => {
                    slots[at] = h;
                    out.push(h);
                    break;
                }
                s if s == h => break,
                _ => at = (at + 1) % SLOTS,
            }
        }
    }
    out
}

/// XXH3 of the word hashes (little-endian bytes, in order): equal for
/// texts of the same words.
#[inline(always)]
fn exact_hash(words: &[u64]) -> u64 {
    #[cfg(target_endian = "little")]
    {
        // The words' memory is already their little-endian bytes: hashed
        // where they lie, with no copy.
        // SAFETY: any initialized u64s are readable as 8 bytes each, for
        // as long as `words` is borrowed; u8 needs no alignment.
        let bytes = unsafe {
            std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), std::mem::size_of_val(words))
        };
        xxh3_64(bytes)
    }
    #[cfg(not(target_endian = "little"))]
    {
        let mut bytes = Vec::with_capacity(8 * words.len());
        for w in words {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        xxh3_64(&bytes)
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
    fn the_processor_specific_build_gives_the_same_fingerprints() {
        // `fingerprint` runs the x86-64-v3 build where the processor has
        // it; the portable build must give the same bits (on a processor
        // without it the two are one, and this holds trivially).
        let para = "The council's 12 members voted, again: \u{201C}No.\u{201D} Farmers\u{2019} unions \u{2014} 9,000 ha.";
        let mut texts: Vec<String> = vec![String::new(), "one".into(), "two words".into()];
        for n in [1, 3, 7, 40, 200] {
            texts.push(para.repeat(n));
            texts.push(format!(
                "{}\n{}",
                "Stocks fell sharply on Monday. ".repeat(n),
                para
            ));
        }
        texts.push("x".repeat(70) + " " + &"word ".repeat(300));
        for t in &texts {
            assert_eq!(
                fingerprint(t),
                fingerprint_portable(t),
                "{:?}",
                t.chars().take(40).collect::<String>()
            );
        }
    }

    #[test]
    fn ascii_word_hashes_follow_the_general_rules() {
        // A dash at the end sends the same text down the general path.
        let long = "The council's 12 members voted, again and again. ".repeat(9);
        let edge = format!("{}X {}", " ".repeat(63), "y".repeat(64));
        for t in [
            long.as_str(),
            edge.as_str(),
            "Supercalifragilisticexpialidocious, antidisestablishmentarianism's end",
            "exactly16letters exactly-17letters sixteen'sixteen",
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
            let general_text = format!("{t} \u{2014}");
            for max in [0, 1, 3, usize::MAX] {
                let ws = Words::new(&general_text, max);
                let by_definition: Vec<u64> = (0..ws.len())
                    .map(|i| word_hash(ws.word(i).as_bytes()))
                    .collect();
                assert_eq!(word_hashes(t, max), by_definition, "{t:?} max {max}");
                assert_eq!(
                    word_hashes(&general_text, max),
                    by_definition,
                    "{t:?} max {max}"
                );
            }
        }
    }

    #[test]
    fn a_word_hash_reads_only_the_word() {
        let long = "internationalisation-and-more";
        for len in 0..=long.len() {
            let w = &long.as_bytes()[..len];
            let mut buf = w.to_vec();
            buf.extend_from_slice(b"garbage after it!");
            assert_eq!(word_hash_padded(&buf, len), word_hash(w), "{len}");
        }
        let hashes: std::collections::HashSet<u64> = (0..=long.len())
            .map(|len| word_hash(&long.as_bytes()[..len]))
            .collect();
        assert_eq!(hashes.len(), long.len() + 1, "every prefix differs");
    }

    #[test]
    fn shingles_are_ordered_runs_of_words() {
        let h = word_hashes("a b c d", usize::MAX);
        let s = shingle_hashes(&h);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0], shingle_hash(&h[0..3]));
        assert_eq!(s[1], shingle_hash(&h[1..4]));
        // order counts, and a repeated word does not cancel itself out
        assert_ne!(
            shingle_hash(&[h[0], h[1], h[2]]),
            shingle_hash(&[h[2], h[1], h[0]])
        );
        assert_ne!(
            shingle_hash(&[h[0], h[0], h[1]]),
            shingle_hash(&[h[1], h[0], h[0]])
        );
        // a short text is one shingle of all its words
        assert_eq!(shingle_hashes(&h[..2]), vec![shingle_hash(&h[..2])]);
        assert!(shingle_hashes(&[]).is_empty());
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
    /// package, a Python word splitter, the shingle combination and a
    /// ten-line Python simhash over the same shingles. They must never
    /// change, or persisted fingerprints lose their meaning: a deliberate
    /// change of scheme bumps FINGERPRINT_VERSION and updates them.
    #[test]
    fn golden_values() {
        assert_eq!(xxh3_64(b""), 0x2d06_8005_38d3_94c2);
        assert_eq!(word_hash(b"the"), 0xe0ac_1ee8_76ed_4d4a);
        assert_eq!(word_hash(b"abcdefghijklmnop"), 0x784d_d3f1_a109_9557);
        assert_eq!(word_hash(b"internationalisation"), 0xc3ae_0482_870c_03be);
        let text = "The council voted on Tuesday to close the old bridge.";
        let words = word_hashes(text, usize::MAX);
        assert_eq!(shingle_hash(&words[..3]), 0x73b7_84cc_0fad_c944);
        let fp = fingerprint(text);
        assert_eq!(fp.full, 0x8942_24c4_0b85_0020);
        assert_eq!(fp.lead, fp.full, "short text: the lead is the whole");
        assert_eq!(fp.exact, 0xc1ea_a7f7_d427_e850);
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
        for n in [
            0usize, 1, 2, 7, 12, 13, 15, 16, 17, 254, 255, 256, 511, 600, 2000, 4079, 4080, 4097,
            9000,
        ] {
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
    fn lead_repeats_dropped_as_a_sorted_dedup_drops_them() {
        // (values sharing a top byte, zero, repeats near and far apart)
        let mut hs: Vec<u64> = pseudo_random_ascii(200)
            .iter()
            .map(|w| word_hash(w.as_bytes()))
            .collect();
        hs.extend([0, 0, 7, 7 | 1 << 60, 7, 1 << 63, (1 << 63) | 1]);
        let repeated: Vec<u64> = hs.iter().chain(&hs).copied().collect();
        for part in [&hs[..], &repeated[..], &[][..], &[0][..], &[5, 5, 5][..]] {
            for len in [0, 1, 2, 60, LEAD_SHINGLES] {
                let lead = &part[part.len().saturating_sub(len)..];
                let mut want = lead.to_vec();
                want.sort_unstable();
                want.dedup();
                let mut got = distinct_lead(lead);
                let first_seen = got.clone();
                got.sort_unstable();
                assert_eq!(got, want);
                // each value where it was first seen
                let mut seen = std::collections::HashSet::new();
                let order: Vec<u64> = lead.iter().copied().filter(|h| seen.insert(*h)).collect();
                assert_eq!(first_seen, order);
            }
        }
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

    /// The exact hash is XXH3 of the word hashes' little-endian bytes in
    /// order, whichever way it reads them (stored indexes hold it).
    #[test]
    fn exact_hashes_the_words_little_endian_bytes() {
        let words: Vec<u64> = (0..500u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i << 7))
            .collect();
        for n in [0, 1, 7, 64, 500] {
            let bytes: Vec<u8> = words[..n].iter().flat_map(|w| w.to_le_bytes()).collect();
            assert_eq!(exact_hash(&words[..n]), xxh3_64(&bytes), "{n} words");
        }
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

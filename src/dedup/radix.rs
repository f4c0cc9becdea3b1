//! Sorts of hash values, which are spread uniformly: by their bits,
//! counted into buckets, where a comparison sort guesses about every other
//! branch wrong. [`sort_by_high`] for the `(key << 32) | id` values the
//! dedup index and the sample counting sort by the millions,
//! [`sort_hashes`] for a document's few hundred shingle hashes.

/// Sorts `v` by its values' high 32 bits, of which only the lowest
/// `key_bits` may be set, stably: values of one key keep their order. (So
/// a list whose low halves rise within each key, as ids added in order
/// do, comes out as `sort_unstable` would put it.)
///
/// Least significant digit first, 8 bits a pass for lists of up to 65,535
/// values and 16 bits a pass for longer ones (a count per digit value
/// fits the processor's cache either way); very short lists by a stable
/// comparison sort. `scratch` is the second buffer, kept between calls.
pub fn sort_by_high(v: &mut Vec<u64>, key_bits: u32, scratch: &mut Vec<u64>) {
    assert!(key_bits <= 32, "keys are the high 32 bits");
    if v.len() < 64 {
        v.sort_by_key(|x| x >> 32);
        return;
    }
    let digit_bits: u32 = if v.len() < 1 << 16 { 8 } else { 16 };
    let mask = (1u64 << digit_bits) - 1;
    scratch.clear();
    scratch.resize(v.len(), 0);
    let mut at = vec![0u32; 1 << digit_bits];
    for pass in 0..key_bits.div_ceil(digit_bits) {
        if pass > 0 {
            at.fill(0);
        }
        let shift = 32 + pass * digit_bits;
        scatter(v, scratch, &mut at, |x| (x >> shift & mask) as usize);
        std::mem::swap(v, scratch);
    }
}

/// Sorts hashes (a document's shingle hashes, uniformly spread). Counted
/// into buckets by their top bits (about one value a bucket), the buckets
/// laid out in order, then an insertion sort puts right the few values
/// out of order within a bucket: a few instructions a value and few
/// branches guessed wrong, where a comparison sort of a few hundred hashes
/// guesses wrong at about every other comparison. Short and very long
/// lists go to the standard sort.
#[inline(always)]
pub fn sort_hashes(v: &mut Vec<u64>) {
    let n = v.len();
    if !(64..=1 << 14).contains(&n) {
        v.sort_unstable();
        return;
    }
    // about one value a bucket: 64 to 16,384 buckets
    let bits = usize::BITS - (n - 1).leading_zeros();
    let shift = 64 - bits;
    let mut out = vec![0u64; n];
    scatter(v, &mut out, &mut vec![0u32; 1 << bits], |x| {
        (x >> shift) as usize
    });
    // (values made to share their top bits, as crafted text could, would
    // make the insertion sort quadratic: past a budget of moves the
    // standard sort finishes)
    let mut budget = 16 * n;
    for i in 1..n {
        let x = out[i];
        let mut j = i;
        while j > 0 && out[j - 1] > x {
            out[j] = out[j - 1];
            j -= 1;
        }
        out[j] = x;
        budget = budget.saturating_sub(i - j);
        if budget == 0 {
            out.sort_unstable();
            break;
        }
    }
    *v = out;
}

/// One counting pass: `src`'s values (fewer than 2^32) into `dst` in
/// order of `digit` (below `at.len()`), stably. `at`, a count per digit,
/// must hold zeros; it is left used.
#[inline(always)]
fn scatter(src: &[u64], dst: &mut [u64], at: &mut [u32], digit: impl Fn(u64) -> usize) {
    for &x in src {
        at[digit(x)] += 1;
    }
    let mut sum = 0;
    for a in at.iter_mut() {
        let n = *a;
        *a = sum;
        sum += n;
    }
    for &x in src {
        let d = digit(x);
        dst[at[d] as usize] = x;
        at[d] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_sort_as_the_standard_sort_sorts() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in [
            0, 1, 2, 63, 64, 65, 255, 256, 257, 405, 1000, 4097, 16384, 16385, 40000,
        ] {
            let spread: Vec<u64> = (0..n).map(|_| next()).collect();
            // repeats, equal top bits, extremes, a run of one value
            let mut lumpy: Vec<u64> = (0..n).map(|i| next() >> (i % 64) as u32).collect();
            for (i, v) in lumpy.iter_mut().enumerate().take(n / 3) {
                *v = if i % 2 == 0 { u64::MAX } else { 7 };
            }
            // all in one bucket, in reverse order
            let crafted: Vec<u64> = (0..n as u64).rev().collect();
            for v in [spread, lumpy, crafted] {
                let mut want = v.clone();
                want.sort_unstable();
                let mut got = v;
                sort_hashes(&mut got);
                assert_eq!(got, want, "{n}");
            }
        }
    }

    #[test]
    fn sorts_as_a_stable_sort_by_key() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for key_bits in [1u32, 8, 16, 17, 24, 32] {
            for n in [0usize, 5, 63, 64, 300, (1 << 16) - 1, 1 << 16, 150_000] {
                let v: Vec<u64> = (0..n)
                    .map(|i| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        // keys of key_bits bits, some shared by many values
                        let key = if i % 5 == 0 { x & 7 } else { x } & ((1 << key_bits) - 1);
                        key << 32 | (x >> 40)
                    })
                    .collect();
                let mut want = v.clone();
                want.sort_by_key(|x| x >> 32);
                let mut got = v;
                sort_by_high(&mut got, key_bits, &mut Vec::new());
                assert_eq!(got, want, "{key_bits} bits, {n} values");
            }
        }
    }
}

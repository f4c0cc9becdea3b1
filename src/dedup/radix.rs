//! A radix sort for the `(key << 32) | id` values the dedup index and the
//! sample counting sort by the millions: keys are uniform hash bits, where
//! a comparison sort guesses about every other branch wrong.

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
    let mut at = vec![0usize; 1 << digit_bits];
    for pass in 0..key_bits.div_ceil(digit_bits) {
        let shift = 32 + pass * digit_bits;
        let digit = |x: u64| (x >> shift & mask) as usize;
        at.fill(0);
        for &x in v.iter() {
            at[digit(x)] += 1;
        }
        let mut sum = 0;
        for a in at.iter_mut() {
            let n = *a;
            *a = sum;
            sum += n;
        }
        for &x in v.iter() {
            let d = digit(x);
            scratch[at[d]] = x;
            at[d] += 1;
        }
        std::mem::swap(v, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

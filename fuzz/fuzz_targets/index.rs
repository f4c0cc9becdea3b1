//! The permuted-blocks index finds exactly the pairs a brute-force scan
//! finds, for any fingerprints and any distance.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsclean::dedup::fingerprint::hamming;
use newsclean::dedup::index::BlockIndex;

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else { return };
    let k = u32::from(k % 11);
    let fps: Vec<u64> = rest
        .chunks_exact(8)
        .take(300)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let mut idx = BlockIndex::new(k);
    idx.extend(&fps);
    idx.build();
    let mut want = Vec::new();
    for a in 0..fps.len() {
        for b in a + 1..fps.len() {
            let d = hamming(fps[a], fps[b]);
            if d <= k {
                want.push((a as u32, b as u32, d));
            }
        }
    }
    assert_eq!(idx.pairs(), want);
});

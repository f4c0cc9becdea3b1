//! Scale of the permuted-blocks index: build and all-pairs query time and
//! memory for N synthetic fingerprints.
//!
//! ```sh
//! cargo run --release --example index_bench -- 1000000 [K]
//! /usr/bin/time -v target/release/examples/index_bench 10000000   # peak memory
//! ```
//!
//! The fingerprints are random, with one in ten given a near copy (a few
//! bits flipped), so the pairs to find are known: the run checks that every
//! planted pair within K is found.

use std::time::Instant;

use newsclean::dedup::index::BlockIndex;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let k: u32 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(newsclean::dedup::cluster::DEFAULT_THRESHOLD);
    let mut seed = 0x0123_4567_89AB_CDEFu64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let t0 = Instant::now();
    let mut fps = Vec::with_capacity(n);
    let mut planted = 0usize;
    while fps.len() < n {
        let fp = next();
        fps.push(fp);
        if fps.len() % 10 == 0 && fps.len() < n {
            let mut near = fp;
            for _ in 0..(next() % u64::from(k + 1)) {
                near ^= 1 << (next() % 64);
            }
            fps.push(near);
            planted += 1;
        }
    }
    let gen = t0.elapsed();
    let t1 = Instant::now();
    let mut idx = BlockIndex::new(k);
    idx.extend(&fps);
    idx.build();
    let build = t1.elapsed();
    let t2 = Instant::now();
    let pairs = idx.pairs();
    let query = t2.elapsed();
    // every planted pair (i-1, i) within k must be there
    let found_planted = pairs.iter().filter(|&&(a, b, _)| b == a + 1).count();
    let t3 = Instant::now();
    let probes = 10_000.min(n);
    let hits: usize = (0..probes)
        .map(|i| idx.query(fps[i * (n / probes)]).len())
        .sum();
    let single = t3.elapsed();
    println!(
        "n={n} k={k} tables={} threads={}\n  build {:.2}s, all-pairs {:.2}s ({} pairs, {} planted near copies, {} of them found)\n  {} single queries {:.3}s ({:.1} us each, {:.2} hits each)\n  index memory {:.0} MB ({:.0} bytes per fingerprint); generating took {:.2}s",
        idx.tables(),
        rayon::current_num_threads(),
        build.as_secs_f64(),
        query.as_secs_f64(),
        pairs.len(),
        planted,
        found_planted,
        probes,
        single.as_secs_f64(),
        single.as_secs_f64() * 1e6 / probes as f64,
        hits as f64 / probes as f64,
        idx.memory_bytes() as f64 / 1e6,
        idx.memory_bytes() as f64 / n as f64,
        gen.as_secs_f64()
    );
}

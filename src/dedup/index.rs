//! Near-neighbour search over 64-bit simhashes without comparing all pairs:
//! the permuted-blocks scheme of Manku, Jain and Das Sarma (2007).
//!
//! The 64 bits are cut into `B` blocks. Two fingerprints within Hamming
//! distance `k` differ in at most `k` blocks, so they agree exactly on at
//! least `B - k` of them. One table is kept per choice of `B - k` blocks,
//! keyed by those blocks' bits: any pair within distance `k` shares a key
//! in at least one table, and a pair sharing no key is never compared.
//! `B` is the smallest number of blocks that gives keys of at least
//! [`MIN_KEY_BITS`] bits, so random fingerprints rarely share a key
//! (k = 3 gives Manku's 4 tables of 16-bit keys; k = 6 gives 28 tables).
//!
//! A table is one sorted `Vec<u64>`: key in the high 32 bits, entry id in
//! the low 32, so an entry costs 8 bytes per table.

use rayon::prelude::*;

use super::fingerprint::hamming;

/// Fewest key bits per table: at 16 bits, two random fingerprints share a
/// key with probability 1/65536.
pub const MIN_KEY_BITS: u32 = 16;
/// Largest distance an index is built for (tables grow combinatorially).
pub const MAX_K: u32 = 10;

#[derive(Debug, Clone)]
struct Table {
    /// (shift, width) of each block in the key, high block first.
    blocks: Vec<(u32, u32)>,
    entries: Vec<u64>,
}

impl Table {
    /// Bits in a key.
    fn key_bits(&self) -> u32 {
        self.blocks.iter().map(|&(_, width)| width).sum()
    }

    fn key(&self, fp: u64) -> u64 {
        let mut key = 0u64;
        for &(shift, width) in &self.blocks {
            key = (key << width) | ((fp >> shift) & ((1u64 << width) - 1));
        }
        key
    }
}

/// An index of fingerprints, each with a `u32` id.
#[derive(Debug, Clone)]
pub struct BlockIndex {
    k: u32,
    tables: Vec<Table>,
    fps: Vec<u64>,
}

/// Blocks of 64 bits: `n` blocks, sizes differing by at most one bit.
fn blocks(n: u32) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(n as usize);
    let mut shift = 0;
    for i in 0..n {
        let width = 64 / n + u32::from(i < 64 % n);
        out.push((shift, width));
        shift += width;
    }
    out
}

/// All ways to choose `r` of `0..n`, in lexicographic order.
fn combinations(n: usize, r: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut idx: Vec<usize> = (0..r).collect();
    if r == 0 || r > n {
        return out;
    }
    loop {
        out.push(idx.clone());
        let mut i = r;
        while i > 0 && idx[i - 1] == n - r + i - 1 {
            i -= 1;
        }
        if i == 0 {
            return out;
        }
        idx[i - 1] += 1;
        for j in i..r {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

impl BlockIndex {
    /// An empty index answering "within distance `k`" (`k` <= [`MAX_K`]).
    pub fn new(k: u32) -> BlockIndex {
        let k = k.min(MAX_K);
        // Tables are laid out for at least k = 1 (two 32-bit halves): a key
        // must fit in 32 bits. Exact search (k = 0) uses the same tables.
        let layout = k.max(1);
        // Smallest B > k whose B - k blocks hold at least MIN_KEY_BITS bits.
        let b = (layout + 1..=64)
            .find(|&b| (b - layout) * 64 / b >= MIN_KEY_BITS)
            .unwrap_or(64);
        let all = blocks(b);
        let tables = combinations(b as usize, (b - layout) as usize)
            .into_iter()
            .map(|choice| Table {
                blocks: choice.iter().rev().map(|&i| all[i]).collect(),
                entries: Vec::new(),
            })
            .collect();
        BlockIndex {
            k,
            tables,
            fps: Vec::new(),
        }
    }

    pub fn k(&self) -> u32 {
        self.k
    }

    pub fn tables(&self) -> usize {
        self.tables.len()
    }

    pub fn len(&self) -> usize {
        self.fps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fps.is_empty()
    }

    /// Bytes held by the tables and fingerprints.
    pub fn memory_bytes(&self) -> usize {
        self.fps.capacity() * 8
            + self
                .tables
                .iter()
                .map(|t| t.entries.capacity() * 8)
                .sum::<usize>()
    }

    /// Adds fingerprints; their ids are their positions, in insertion order.
    /// Call [`BlockIndex::build`] before querying.
    pub fn extend(&mut self, fps: &[u64]) {
        let base = self.fps.len() as u64;
        self.fps.extend_from_slice(fps);
        let tables = &mut self.tables;
        tables.par_iter_mut().for_each(|t| {
            t.entries.reserve(fps.len());
            for (i, &fp) in fps.iter().enumerate() {
                let key = t.key(fp);
                t.entries.push(key << 32 | (base + i as u64));
            }
        });
    }

    /// Sorts the tables (in parallel), each by key and, within a key, by
    /// id: ids are added in increasing order, so a stable sort by key
    /// (a radix sort on the key's bits) is all it takes.
    pub fn build(&mut self) {
        self.tables.par_iter_mut().for_each(|t| {
            let bits = t.key_bits();
            super::radix::sort_by_high(&mut t.entries, bits, &mut Vec::new());
        });
    }

    /// Ids of the fingerprints within distance k of `fp`, with distances,
    /// sorted by id.
    pub fn query(&self, fp: u64) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for t in &self.tables {
            let key = t.key(fp);
            let lo = key << 32;
            let start = t.entries.partition_point(|&e| e < lo);
            for &e in t.entries[start..].iter().take_while(|&&e| e >> 32 == key) {
                let id = e as u32;
                let d = hamming(fp, self.fps[id as usize]);
                if d <= self.k {
                    out.push((id, d));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Every pair of entries within distance k: `(a, b, distance)` with
    /// a < b, each pair once, sorted. Tables are scanned in parallel; a pair
    /// is reported by the first table in which it shares a key.
    pub fn pairs(&self) -> Vec<(u32, u32, u32)> {
        let mut out: Vec<(u32, u32, u32)> = self
            .tables
            .par_iter()
            .enumerate()
            .flat_map_iter(|(ti, t)| {
                let mut found = Vec::new();
                let mut start = 0;
                while start < t.entries.len() {
                    let key = t.entries[start] >> 32;
                    let end = start
                        + t.entries[start..]
                            .iter()
                            .take_while(|&&e| e >> 32 == key)
                            .count();
                    let group = &t.entries[start..end];
                    for (x, &ea) in group.iter().enumerate() {
                        for &eb in &group[x + 1..] {
                            let (a, b) = (ea as u32, eb as u32);
                            let (fa, fb) = (self.fps[a as usize], self.fps[b as usize]);
                            let d = hamming(fa, fb);
                            if d <= self.k && self.first_shared_table(fa, fb) == ti {
                                found.push((a.min(b), a.max(b), d));
                            }
                        }
                    }
                    start = end;
                }
                found
            })
            .collect();
        out.sort_unstable();
        out
    }

    fn first_shared_table(&self, a: u64, b: u64) -> usize {
        self.tables
            .iter()
            .position(|t| t.key(a) == t.key(b))
            .unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    /// `n` random fingerprints plus, for every fifth, a copy with `flip`
    /// random bits flipped.
    fn corpus(n: usize, max_flip: u32, seed: u64) -> Vec<u64> {
        let mut s = seed;
        let mut out = Vec::new();
        for i in 0..n {
            let fp = rng(&mut s);
            out.push(fp);
            if i % 5 == 0 {
                let mut near = fp;
                for _ in 0..(rng(&mut s) % (u64::from(max_flip) + 1)) {
                    near ^= 1 << (rng(&mut s) % 64);
                }
                out.push(near);
            }
        }
        out
    }

    fn brute_pairs(fps: &[u64], k: u32) -> Vec<(u32, u32, u32)> {
        let mut out = Vec::new();
        for a in 0..fps.len() {
            for b in a + 1..fps.len() {
                let d = hamming(fps[a], fps[b]);
                if d <= k {
                    out.push((a as u32, b as u32, d));
                }
            }
        }
        out
    }

    #[test]
    fn blocks_cover_64_bits() {
        for n in 1..=20 {
            let b = blocks(n);
            assert_eq!(b.iter().map(|x| x.1).sum::<u32>(), 64);
            assert_eq!(b.last().map(|x| x.0 + x.1), Some(64));
        }
    }

    #[test]
    fn table_counts() {
        assert_eq!(BlockIndex::new(3).tables(), 4, "Manku's k=3");
        assert_eq!(BlockIndex::new(6).tables(), 28);
        assert_eq!(combinations(5, 2).len(), 10);
    }

    #[test]
    fn finds_exactly_the_brute_force_pairs() {
        for k in [0, 3, 4, 6, 8] {
            let fps = corpus(600, k + 2, 7 + u64::from(k));
            let mut idx = BlockIndex::new(k);
            idx.extend(&fps);
            idx.build();
            assert_eq!(idx.pairs(), brute_pairs(&fps, k), "k={k}");
        }
    }

    #[test]
    fn tables_come_out_in_value_order_over_builds() {
        // built, extended, built again: each table as the standard sort of
        // its values would leave it (ids rise within a key)
        let fps = corpus(3000, 4, 5);
        for k in [1, 3, 6, 10] {
            let mut idx = BlockIndex::new(k);
            idx.extend(&fps[..1000]);
            idx.build();
            idx.extend(&fps[1000..]);
            idx.build();
            for t in &idx.tables {
                let mut want = t.entries.clone();
                want.sort_unstable();
                assert_eq!(t.entries, want, "k={k}");
            }
        }
    }

    #[test]
    fn query_matches_brute_force() {
        let fps = corpus(500, 6, 11);
        let mut idx = BlockIndex::new(5);
        idx.extend(&fps[..400]);
        idx.extend(&fps[400..]);
        idx.build();
        for (q, &fp) in fps.iter().enumerate().step_by(7) {
            let want: Vec<(u32, u32)> = fps
                .iter()
                .enumerate()
                .map(|(i, &f)| (i as u32, hamming(fp, f)))
                .filter(|&(_, d)| d <= 5)
                .collect();
            assert_eq!(idx.query(fp), want, "query {q}");
        }
    }
}

//! From fingerprints to clusters of the same story.
//!
//! 1. Exact duplicates (same words after folding) are joined first; one of
//!    each group goes on.
//! 2. Candidates: pairs whose `full` or `lead` simhashes are within the
//!    threshold, found through a [`BlockIndex`] each.
//! 3. Confirmation on the shingle sets: the containment (shared shingles
//!    over the smaller set) must reach `min_similarity`. Containment, not
//!    Jaccard, so that an outlet's trimmed copy still matches the full wire
//!    story; and an exact measure, so that simhash collisions go.
//! 4. Union-find joins confirmed pairs; the canonical member of a cluster is
//!    the most complete one (most words; ties by input path).

use rustc_hash::FxHashMap;
use std::borrow::Cow;

use super::fingerprint::{hamming, similarity, Fingerprint};
use super::index::BlockIndex;

/// Documents with fewer words are never clustered: too little text to tell
/// a story from another.
pub const MIN_WORDS: usize = 25;

/// Defaults, chosen by measurement (see the README's design notes).
pub const DEFAULT_THRESHOLD: u32 = 4;
pub const DEFAULT_MIN_SIMILARITY: f64 = 0.65;

#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Largest simhash distance for a candidate pair.
    pub threshold: u32,
    /// Smallest containment for a confirmed pair.
    pub min_similarity: f64,
    /// Also take candidates from shared sampled shingles (on by default;
    /// off leaves the simhash index alone, for measurement).
    pub sampled_candidates: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            threshold: DEFAULT_THRESHOLD,
            min_similarity: DEFAULT_MIN_SIMILARITY,
            sampled_candidates: true,
        }
    }
}

/// One document as dedup sees it.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    /// Input path, for ordering and for ties.
    pub path: &'a str,
    pub fp: &'a Fingerprint,
}

/// One member of a cluster, compared with the canonical member.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Index into the items.
    pub item: usize,
    /// Hamming distance of the full simhashes.
    pub distance: u32,
    /// Containment of the shingle sets.
    pub similarity: f64,
    pub jaccard: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Index into the items of the canonical member.
    pub canonical: usize,
    /// All members, the canonical first, then by input path.
    pub members: Vec<Member>,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // the smaller index is the root: deterministic
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.0[hi] = lo;
        }
    }
}

/// Samples shared by more documents than this are common phrases, not a
/// sign of one story: they are not counted.
pub const MAX_POSTING: usize = 64;
/// Share of the smaller document's samples two documents must share to be
/// candidates (and never fewer than [`MIN_SHARED_SAMPLES`]).
pub const SHARED_SAMPLE_SHARE: f64 = 0.25;
pub const MIN_SHARED_SAMPLES: usize = 3;

/// Samples that go through one counting pass at most: 64 MB of (hash,
/// document) pairs. Runs with more count in several passes, each over one
/// slice of the hash space. (Counted in samples, not documents: the
/// memory is the samples', so long documents cannot make a pass larger,
/// and short ones make no more passes than the memory needs: a million
/// documents of the generator's, about 48 samples each, take 6 passes,
/// where 150,000 documents a pass made 7. Passes of twice the size, 3 at a
/// million, counted faster but raised that run's peak memory from about
/// 780 MB to 930 MB, too near the 1 GB it must stay under.)
pub const PASS_SAMPLES: usize = 8 << 20;

/// Candidate pairs from shared winnowed shingles: the same shingles are
/// sampled in every copy of a passage, so the share of samples two
/// documents have in common estimates their containment, and a copy both
/// trimmed and edited, too far in simhash, is still found.
///
/// The (hash, document) pairs are sorted and runs of one hash counted;
/// memory is bounded by counting in passes over slices of the hash space.
fn sample_candidates(reps: &[usize], sets: &dyn Sets) -> Vec<(usize, usize)> {
    sample_candidates_in_passes(reps, sets, PASS_SAMPLES)
}

fn sample_candidates_in_passes(
    reps: &[usize],
    sets: &dyn Sets,
    pass_samples: usize,
) -> Vec<(usize, usize)> {
    use rayon::prelude::*;
    let lens: Vec<u32> = reps.iter().map(|&i| sets.samples_len(i) as u32).collect();
    let total: usize = lens.iter().map(|&n| n as usize).sum();
    let passes = total.div_ceil(pass_samples.max(1)).max(1) as u32;
    // Pair counts, keyed by both documents in one word (one multiply to hash).
    let mut shared: FxHashMap<u64, u32> = FxHashMap::default();
    // A pass's samples go to PARTS parts by where their hash lies in the
    // pass's slice of the hash space; each part is sorted and counted on
    // its own, and the counts added up (a hash, so its run, lies in one
    // part). The parts are shared out in groups, one a thread, and each
    // thread reads the samples and keeps those of its own parts: the
    // threads fill, sort and count side by side. The parts' buffers serve
    // every pass, sized once: a part takes about its share of the samples
    // (hashes are uniform), with room for variation.
    let share = total / (passes as usize * PARTS);
    let mut parts: Vec<Vec<u64>> = (0..PARTS)
        .map(|_| Vec::with_capacity(share + share / 8 + 16))
        .collect();
    let group = PARTS.div_ceil(rayon::current_num_threads().clamp(1, PARTS));
    let samples = sets.samples_of(reps);
    for pass in 0..passes {
        let counts: Vec<FxHashMap<u64, u32>> = parts
            .par_chunks_mut(group)
            .enumerate()
            .map(|(g, mine)| {
                let first = g * group;
                let end = first + mine.len();
                mine.iter_mut().for_each(Vec::clear);
                // (The order the samples come in does not matter: the
                // pairs are sorted, and each is distinct.) A document's
                // samples are sorted, and the pass and part a hash goes to
                // rise with it, so this group's samples of this pass are
                // one run of them, found by two binary searches ([`run_of`]):
                // a pass looks at its own samples only. (Samples out of
                // order, which a fingerprint never holds, are each tested.)
                samples.each(&mut |r, s| {
                    let sorted = s.is_sorted();
                    let run = if sorted {
                        run_of(s, passes, pass, first..end)
                    } else {
                        s
                    };
                    for &h in run {
                        let (p, part) = place(h, passes);
                        if sorted || (p == pass && (first..end).contains(&part)) {
                            mine[part - first].push((u64::from(h) << 32) | r as u64);
                        }
                    }
                });
                let mut scratch = Vec::new();
                let mut counts = FxHashMap::default();
                for part in mine {
                    // (the big sorts of clustering: each part's samples,
                    // grouped by their hash)
                    super::radix::sort_by_high(part, 32, &mut scratch);
                    count_shared(part, &mut counts);
                }
                counts
            })
            .collect();
        // (added into the largest count so far: with one thread and one
        // pass, nothing is added twice)
        for mut c in counts {
            if c.len() > shared.len() {
                std::mem::swap(&mut c, &mut shared);
            }
            for (ab, n) in c {
                *shared.entry(ab).or_default() += n;
            }
        }
    }
    // The samples a pair must share, from the smaller document's count:
    // the bound grows with the count, so the pair's bound is the smaller
    // of its documents' bounds, each worked out once.
    let need: Vec<u32> = lens.iter().map(|&n| shared_needed(n)).collect();
    let mut out: Vec<(usize, usize)> = shared
        .into_iter()
        .map(|(ab, n)| ((ab >> 32) as usize, (ab & 0xFFFF_FFFF) as usize, n))
        .filter(|&(a, b, n)| n >= need[a].min(need[b]))
        .map(|(a, b, _)| (a, b))
        .collect();
    out.sort_unstable();
    out
}

/// Parts a counting pass is split into (more than threads, so that the
/// threads end together).
const PARTS: usize = 16;

/// For the (hash, document) pairs of one part, sorted by hash: adds to
/// `shared` how many hashes each pair of documents shares. Each
/// document's samples are distinct: a run of one hash lists distinct
/// documents (in no set order: each pair is keyed by its smaller document
/// first).
fn count_shared(sorted: &[u64], shared: &mut FxHashMap<u64, u32>) {
    for run in sorted.chunk_by(|a, b| a >> 32 == b >> 32) {
        if run.len() < 2 || run.len() > MAX_POSTING {
            continue;
        }
        for (x, &a) in run.iter().enumerate() {
            for &b in &run[x + 1..] {
                let (a, b) = (a & 0xFFFF_FFFF, b & 0xFFFF_FFFF);
                *shared.entry(a.min(b) << 32 | a.max(b)).or_default() += 1;
            }
        }
    }
}

/// The run of the sorted hashes `s` that goes to counting pass `pass` (of
/// `passes`) and to one of `parts` of it ([`place`]).
fn run_of(s: &[u32], passes: u32, pass: u32, parts: std::ops::Range<usize>) -> &[u32] {
    let lo = s.partition_point(|&h| place(h, passes) < (pass, parts.start));
    let hi = lo + s[lo..].partition_point(|&h| place(h, passes) < (pass, parts.end));
    &s[lo..hi]
}

/// The counting pass (of `passes`) and the part of it that a sample hash
/// belongs to: its place in the hash space scaled to the passes gives the
/// pass (a multiply, where `h % passes` divides), the rest of it the part.
/// Both rise with the hash (a larger hash never goes to an earlier pass,
/// or to an earlier part of its pass).
fn place(h: u32, passes: u32) -> (u32, usize) {
    let scaled = u64::from(h) * u64::from(passes);
    (
        (scaled >> 32) as u32,
        (((scaled & 0xFFFF_FFFF) * PARTS as u64) >> 32) as usize,
    )
}

/// Shared samples two documents need when the smaller holds `samples`.
fn shared_needed(samples: u32) -> u32 {
    ((f64::from(samples) * SHARED_SAMPLE_SHARE).ceil() as u32).max(MIN_SHARED_SAMPLES as u32)
}

/// Candidate pairs (indexes into `reps`) from both simhashes and from
/// shared samples.
fn candidates(
    items: &[Item],
    reps: &[usize],
    params: Params,
    sets: &dyn Sets,
) -> Vec<(usize, usize)> {
    let threshold = params.threshold;
    crate::pipeline::trace_step("candidates: shared samples");
    let mut pairs = if params.sampled_candidates {
        sample_candidates(reps, sets)
    } else {
        Vec::new()
    };
    crate::pipeline::trace_step("candidates: simhashes");
    for pick in [|f: &Fingerprint| f.full, |f: &Fingerprint| f.lead] {
        let mut idx = BlockIndex::new(threshold);
        let fps: Vec<u64> = reps.iter().map(|&i| pick(items[i].fp)).collect();
        idx.extend(&fps);
        idx.build();
        pairs.extend(
            idx.pairs()
                .into_iter()
                .map(|(a, b, _)| (a as usize, b as usize)),
        );
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// The most complete member: most words, ties by the smaller path.
fn most_complete(items: &[Item], group: &[usize]) -> usize {
    *group
        .iter()
        .max_by(|&&a, &&b| {
            items[a]
                .fp
                .words
                .cmp(&items[b].fp.words)
                .then_with(|| items[b].path.cmp(items[a].path))
        })
        .expect("a group has members")
}

/// The shingle sets of the items: a run over many documents keeps them on
/// disk, reads the samples to find candidates and the full sets of the
/// candidates only.
pub trait Sets: Sync {
    /// The full shingle set of item `i` (sorted, distinct).
    fn shingles(&self, i: usize) -> Cow<'_, [u32]>;
    /// The samples of item `i` (sorted, distinct).
    fn samples(&self, i: usize) -> Cow<'_, [u32]>;
    /// How many samples item `i` has (to size buffers without reading).
    fn samples_len(&self, i: usize) -> usize {
        self.samples(i).len()
    }
    /// Calls `f(k, samples)` for each item `items[k]`, in any order: a
    /// store on disk gives them in the order it holds them.
    fn each_samples(&self, items: &[usize], f: &mut dyn FnMut(usize, &[u32])) {
        for (k, &i) in items.iter().enumerate() {
            f(k, &self.samples(i));
        }
    }
    /// The samples of `items`, to be read many times over (once for each
    /// counting pass and thread): a store on disk works out where they lie
    /// once, rather than for each reading.
    fn samples_of<'s>(&'s self, items: &'s [usize]) -> Box<dyn EachSamples + 's> {
        Box::new(ByItem { sets: self, items })
    }
}

/// Samples made ready to be read many times ([`Sets::samples_of`]).
pub trait EachSamples: Sync {
    /// Calls `f(k, samples)` for each item `items[k]` of those it was made
    /// for, in any order.
    fn each(&self, f: &mut dyn FnMut(usize, &[u32]));
}

/// [`Sets::each_samples`] at each reading.
struct ByItem<'s, S: Sets + ?Sized> {
    sets: &'s S,
    items: &'s [usize],
}

impl<S: Sets + ?Sized> EachSamples for ByItem<'_, S> {
    fn each(&self, f: &mut dyn FnMut(usize, &[u32])) {
        self.sets.each_samples(self.items, f);
    }
}

/// The sets held by the items' fingerprints.
pub struct InMemory<'a, 'b>(pub &'a [Item<'b>]);

impl Sets for InMemory<'_, '_> {
    fn shingles(&self, i: usize) -> Cow<'_, [u32]> {
        Cow::Borrowed(&self.0[i].fp.shingles)
    }
    fn samples(&self, i: usize) -> Cow<'_, [u32]> {
        Cow::Borrowed(&self.0[i].fp.samples)
    }
}

/// Jaccard and containment of two items: on their full shingle sets, or on
/// their samples when either holds only those (a fingerprint from an index
/// file).
fn item_similarity(items: &[Item], sets: &dyn Sets, a: usize, b: usize) -> (f64, f64) {
    Against::new(items, sets, a).similarity(b)
}

/// A star cluster: its canonical, and each member (the canonical too) with
/// its Jaccard similarity and containment against the canonical.
type Star = (usize, Vec<(usize, (f64, f64))>);

/// Splits a connected group into star clusters: every member must match
/// the canonical itself, not only some other member. Union-find alone
/// chains: a two-paragraph brief contained both in a story and in another
/// agency's story quoting those paragraphs would join the two stories.
/// Members that do not match the canonical form groups of their own, split
/// again the same way. Each star comes with its members' Jaccard
/// similarity and containment against the canonical (the canonical's own:
/// 1 and 1), each worked out once, the canonical's set read once.
fn stars(items: &[Item], load: &dyn Sets, mut group: Vec<usize>, min_similarity: f64) -> Vec<Star> {
    let mut out = Vec::new();
    while group.len() >= 2 {
        let canonical = most_complete(items, &group);
        let c = &items[canonical].fp;
        let against = Against::new(items, load, canonical);
        let mut members = Vec::new();
        let mut rest = Vec::new();
        for &i in &group {
            if i == canonical {
                members.push((i, (1.0, 1.0)));
                continue;
            }
            let sim = against.similarity(i);
            if c.exact == items[i].fp.exact || sim.1 >= min_similarity {
                members.push((i, sim));
            } else {
                rest.push(i);
            }
        }
        if members.len() >= 2 {
            out.push((canonical, members));
        }
        group = rest;
    }
    out
}

/// The similarity of one item (a star's canonical) to others, its shingle
/// set (or samples) read once, when first needed: on both items' full
/// shingle sets, or on their samples when either holds only those.
struct Against<'a, 'b> {
    items: &'a [Item<'b>],
    load: &'a dyn Sets,
    item: usize,
    shingles: std::cell::OnceCell<Cow<'a, [u32]>>,
    samples: std::cell::OnceCell<Cow<'a, [u32]>>,
}

impl<'a, 'b> Against<'a, 'b> {
    fn new(items: &'a [Item<'b>], load: &'a dyn Sets, item: usize) -> Self {
        Against {
            items,
            load,
            item,
            shingles: std::cell::OnceCell::new(),
            samples: std::cell::OnceCell::new(),
        }
    }

    /// Jaccard similarity and containment of `item` and `other`.
    fn similarity(&self, other: usize) -> (f64, f64) {
        let (a, b) = (self.items[self.item].fp, self.items[other].fp);
        if a.sampled || b.sampled {
            let mine = self.samples.get_or_init(|| self.load.samples(self.item));
            similarity(mine, &self.load.samples(other))
        } else {
            let mine = self.shingles.get_or_init(|| self.load.shingles(self.item));
            similarity(mine, &self.load.shingles(other))
        }
    }
}

/// Clusters of two or more documents, largest first (then by canonical path).
pub fn cluster(items: &[Item], params: Params) -> Vec<Cluster> {
    cluster_with(items, params, &InMemory(items))
}

/// [`cluster`] with the shingle sets and samples given by `load` (the
/// items' own lists are not read).
pub fn cluster_with(items: &[Item], params: Params, load: &dyn Sets) -> Vec<Cluster> {
    let mut uf = UnionFind((0..items.len()).collect());
    let eligible: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].fp.words >= MIN_WORDS)
        .collect();
    // 1. exact duplicates
    let mut by_exact: FxHashMap<u64, usize> = FxHashMap::default();
    let mut reps = Vec::new();
    for &i in &eligible {
        match by_exact.get(&items[i].fp.exact) {
            Some(&first) => uf.union(first, i),
            None => {
                by_exact.insert(items[i].fp.exact, i);
                reps.push(i);
            }
        }
    }
    // 2-3. candidates, confirmed
    let confirmed: Vec<(usize, usize)> = {
        use rayon::prelude::*;
        let candidates = candidates(items, &reps, params, load);
        crate::pipeline::trace_step("candidates: confirming");
        candidates
            .into_par_iter()
            .filter(|&(a, b)| {
                let (_, containment) = item_similarity(items, load, reps[a], reps[b]);
                containment >= params.min_similarity
            })
            .collect()
    };
    for (a, b) in confirmed {
        uf.union(reps[a], reps[b]);
    }
    // 4. clusters
    crate::pipeline::trace_step("clusters: stars");
    let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for &i in &eligible {
        let root = uf.find(i);
        groups.entry(root).or_default().push(i);
    }
    // (the groups split on the threads, each reading its members' sets
    // from the store: at a million documents, some 100,000 of them)
    let groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() >= 2).collect();
    let stars: Vec<Star> = {
        use rayon::prelude::*;
        groups
            .into_par_iter()
            .flat_map_iter(|g| stars(items, load, g, params.min_similarity))
            .collect()
    };
    let mut clusters: Vec<Cluster> = stars
        .into_iter()
        .map(|(canonical, g)| {
            let c = items[canonical].fp;
            let mut members: Vec<Member> = g
                .iter()
                .map(|&(i, (jaccard, containment))| Member {
                    item: i,
                    distance: hamming(c.full, items[i].fp.full),
                    similarity: containment,
                    jaccard,
                })
                .collect();
            members.sort_by(|a, b| {
                (a.item != canonical)
                    .cmp(&(b.item != canonical))
                    .then_with(|| items[a.item].path.cmp(items[b.item].path))
            });
            Cluster { canonical, members }
        })
        .collect();
    clusters.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| items[a.canonical].path.cmp(items[b.canonical].path))
    });
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::fingerprint::fingerprint;

    const WIRE: [&str; 6] = [
        "The provincial water board said its twelve main reservoirs held 18 percent of their capacity, down from 31 percent a year ago.",
        "We are managing a shortage that nobody alive here has seen before, the board chairwoman told reporters in the provincial capital.",
        "Farmers unions say almond and citrus growers have already let about 9,000 hectares go unwatered this year.",
        "The board has cut water for irrigation by half since April and warned that supplies in hill towns could be rationed.",
        "Meteorologists said the first half of the year had been the driest since 1961, with a third of the usual rainfall.",
        "Environmental groups blame decades of over-pumping from aquifers and want a moratorium on new irrigated farms.",
    ];

    /// Each text's fingerprint, in order.
    fn fingerprints(texts: &[(&str, String)]) -> Vec<Fingerprint> {
        texts.iter().map(|(_, t)| fingerprint(t)).collect()
    }

    /// The items of `texts`, named by their paths, with their fingerprints.
    fn items<'a>(texts: &'a [(&str, String)], fps: &'a [Fingerprint]) -> Vec<Item<'a>> {
        texts
            .iter()
            .zip(fps)
            .map(|((p, _), fp)| Item { path: p, fp })
            .collect()
    }

    fn run(texts: &[(&str, String)], params: Params) -> Vec<Vec<String>> {
        let fps = fingerprints(texts);
        let items = items(texts, &fps);
        cluster(&items, params)
            .into_iter()
            .map(|c| {
                c.members
                    .iter()
                    .map(|m| texts[m.item].0.to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn republished_copies_cluster_with_the_full_story_canonical() {
        let full = WIRE.join(" ");
        let trimmed = WIRE[..4].join(" ");
        let edited = WIRE.join(" ").replace("said its", "said on Saturday its");
        let other = "Rail workers on the line will walk out for two days from Thursday in a dispute over staffing at rural stations, the union said, and the operator promised a reduced timetable with one train in three while talks continue at the conciliation service next week.".to_string();
        let texts = vec![
            ("a/full.txt", full),
            ("b/trimmed.txt", trimmed),
            ("c/edited.txt", edited),
            ("d/other.txt", other),
        ];
        let clusters = run(&texts, Params::default());
        // The edited copy has more words than the original: it is canonical.
        assert_eq!(clusters, [["c/edited.txt", "a/full.txt", "b/trimmed.txt"]]);
    }

    /// A brief contained in two different stories (the second quotes it)
    /// joins both in union-find; the stars split them: the brief goes
    /// with the story that is canonical, the other story stands alone.
    /// Each member's figures are its own against the canonical.
    #[test]
    fn a_brief_in_two_stories_does_not_chain_them() {
        let brief = WIRE[..2].join(" ");
        let story = WIRE.join(" ");
        let rail = "Rail workers on the line will walk out for two days from Thursday in a dispute over staffing at rural stations, the union said, and the operator promised a reduced timetable with one train in three while talks continue at the conciliation service next week. Commuters were told to expect crowded carriages and to travel outside the morning peak where they can.";
        let quoting = format!("{rail} {brief} {rail}");
        let texts = [
            ("a/story.txt", story),
            ("b/brief.txt", brief),
            ("c/quoting.txt", quoting),
        ];
        let fps = fingerprints(&texts);
        let items = items(&texts, &fps);
        let params = Params::default();
        // (the three are one group before the stars)
        let sim = |a: usize, b: usize| item_similarity(&items, &InMemory(&items), a, b);
        assert!(sim(0, 1).1 >= params.min_similarity && sim(2, 1).1 >= params.min_similarity);
        assert!(sim(0, 2).1 < params.min_similarity);
        let clusters = cluster(&items, params);
        assert_eq!(clusters.len(), 1, "{clusters:?}");
        let c = &clusters[0];
        let canonical = c.canonical;
        assert!(canonical == 0 || canonical == 2);
        let members: Vec<usize> = c.members.iter().map(|m| m.item).collect();
        assert_eq!(members, [canonical, 1]);
        for m in &c.members {
            let (jaccard, containment) = if m.item == canonical {
                (1.0, 1.0)
            } else {
                sim(canonical, m.item)
            };
            assert_eq!((m.jaccard, m.similarity), (jaccard, containment));
            assert_eq!(m.distance, hamming(fps[canonical].full, fps[m.item].full));
        }
        assert!(c.members[1].jaccard < 1.0);
    }

    #[test]
    fn exact_copies_and_short_texts() {
        let full = WIRE.join(" ");
        let texts = vec![
            ("x.txt", full.clone()),
            ("y.txt", full.to_uppercase()),
            ("s1.txt", "Too short to judge.".to_string()),
            ("s2.txt", "Too short to judge.".to_string()),
        ];
        assert_eq!(run(&texts, Params::default()), [["x.txt", "y.txt"]]);
    }

    #[test]
    fn same_topic_different_story_does_not_cluster() {
        let a = WIRE.join(" ");
        let b = "Marta Ruiz has grown almonds on the same hillside for thirty-one years. This summer, for the first time, she has stopped watering a third of her trees because the board halved her water allocation since April. The well her father dug in the 1970s ran dry two summers ago, and the reservoirs are at a record low, she said.".to_string();
        assert!(run(&[("a.txt", a), ("b.txt", b)], Params::default()).is_empty());
    }

    /// Counting in several passes over slices of the hash space, each in
    /// parts, finds the same candidates as one pass: every hash has one
    /// pass and one part of it, in order of the hash (so that a sorted
    /// list's samples of one pass and part are one run of it), and the
    /// passes and parts share the space evenly.
    #[test]
    fn every_hash_has_one_pass_and_part_in_order_and_they_share_the_space() {
        for passes in [1u32, 2, 7, 13] {
            assert_eq!(place(0, passes), (0, 0));
            assert_eq!(place(u32::MAX, passes), (passes - 1, PARTS - 1));
            let mut counts = vec![0u32; passes as usize * PARTS];
            let mut hashes: Vec<u32> = (0..200_000u32)
                .map(|i| xxhash_rust::xxh3::xxh3_64(&i.to_le_bytes()) as u32)
                .collect();
            hashes.sort_unstable();
            for w in hashes.windows(2) {
                assert!(place(w[0], passes) <= place(w[1], passes), "{w:?}");
            }
            for &h in &hashes {
                let (pass, part) = place(h, passes);
                assert!(pass < passes && part < PARTS);
                counts[pass as usize * PARTS + part] += 1;
            }
            let even = 200_000 / (passes * PARTS as u32);
            assert!(
                counts.iter().all(|&c| c.abs_diff(even) < even / 5),
                "{counts:?}"
            );
        }
    }

    /// The run of a sorted list taken for a pass and a group of its
    /// parts holds exactly the hashes that go there.
    #[test]
    fn a_pass_and_parts_take_one_run_of_a_sorted_list() {
        let mut x: u32 = 0x9E37_79B9;
        for n in [0usize, 1, 5, 48, 300] {
            let mut s: Vec<u32> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x
                })
                .collect();
            s.extend([0, u32::MAX]);
            s.sort_unstable();
            s.dedup();
            for passes in [1u32, 2, 7] {
                for pass in 0..passes {
                    for parts in [0..PARTS, 0..8, 8..PARTS, 3..4, 5..5] {
                        let want: Vec<u32> = s
                            .iter()
                            .copied()
                            .filter(|&h| {
                                let (p, part) = place(h, passes);
                                p == pass && parts.contains(&part)
                            })
                            .collect();
                        let got = run_of(&s, passes, pass, parts.clone());
                        assert_eq!(got, want, "{n} {passes} {pass} {parts:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_pairs_bound_is_the_smaller_documents_bound() {
        for a in 0..400u32 {
            for b in (0..400u32).step_by(7) {
                let smaller = a.min(b) as usize;
                let want = ((smaller as f64 * SHARED_SAMPLE_SHARE).ceil() as usize)
                    .max(MIN_SHARED_SAMPLES);
                let got = shared_needed(a).min(shared_needed(b));
                assert_eq!(got as usize, want, "{a} {b}");
            }
        }
    }

    /// Fingerprints of `stories` stories of `words` words, three copies
    /// each: whole, and cut short by `cut` and `2 * cut` words.
    fn three_copies(stories: usize, words: usize, cut: usize) -> Vec<Fingerprint> {
        let mut texts: Vec<String> = Vec::new();
        for story in 0..stories {
            let base: Vec<String> = (0..words).map(|w| format!("w{story}x{w}")).collect();
            for copy in 0..3 {
                texts.push(base[..words - copy * cut].join(" "));
            }
        }
        texts.iter().map(|t| fingerprint(t)).collect()
    }

    #[test]
    fn sample_candidates_do_not_depend_on_the_passes() {
        let fps = three_copies(12, 120, 20);
        let items: Vec<Item> = fps.iter().map(|fp| Item { path: "x", fp }).collect();
        let reps: Vec<usize> = (0..items.len()).collect();
        let one = sample_candidates_in_passes(&reps, &InMemory(&items), usize::MAX);
        assert_eq!(one.len(), 12 * 3, "{one:?}");
        let total: usize = fps.iter().map(|f| f.samples.len()).sum();
        // (from a pass for each sample to about five passes)
        for pass_samples in [1, 7, 100, total / 5] {
            let many = sample_candidates_in_passes(&reps, &InMemory(&items), pass_samples);
            assert_eq!(many, one, "{pass_samples} samples a pass");
            // A store that gives the samples in its own order (the spill
            // file's) finds the same.
            let backwards = sample_candidates_in_passes(&reps, &Backwards(&items), pass_samples);
            assert_eq!(backwards, one, "{pass_samples} samples a pass, backwards");
            // Samples out of order are each tested, and find the same.
            let unsorted = sample_candidates_in_passes(&reps, &Unsorted(&items), pass_samples);
            assert_eq!(
                unsorted, one,
                "{pass_samples} samples a pass, samples unsorted"
            );
        }
    }

    /// Enough documents for the radix sort's path: the candidates are the
    /// same whatever order the samples come in.
    #[test]
    fn many_samples_give_the_same_candidates_in_any_order() {
        let fps = three_copies(1400, 150, 25);
        let items: Vec<Item> = fps.iter().map(|fp| Item { path: "x", fp }).collect();
        let reps: Vec<usize> = (0..items.len()).collect();
        let samples: usize = fps.iter().map(|f| f.samples.len()).sum();
        assert!(samples >= 1 << 16, "{samples} samples");
        let forwards = sample_candidates_in_passes(&reps, &InMemory(&items), usize::MAX);
        assert_eq!(forwards.len(), 1400 * 3, "each story's three pairs");
        let backwards = sample_candidates_in_passes(&reps, &Backwards(&items), usize::MAX);
        assert_eq!(backwards, forwards);
    }

    /// Items' sets, given by `each_samples` last item first.
    struct Backwards<'a, 'b>(&'a [Item<'b>]);

    impl Sets for Backwards<'_, '_> {
        fn shingles(&self, i: usize) -> Cow<'_, [u32]> {
            Cow::Borrowed(&self.0[i].fp.shingles)
        }
        fn samples(&self, i: usize) -> Cow<'_, [u32]> {
            Cow::Borrowed(&self.0[i].fp.samples)
        }
        fn each_samples(&self, items: &[usize], f: &mut dyn FnMut(usize, &[u32])) {
            for (k, &i) in items.iter().enumerate().rev() {
                f(k, &self.0[i].fp.samples);
            }
        }
    }

    /// Items' sets, each item's samples given largest first (out of the
    /// order a fingerprint keeps them in).
    struct Unsorted<'a, 'b>(&'a [Item<'b>]);

    impl Sets for Unsorted<'_, '_> {
        fn shingles(&self, i: usize) -> Cow<'_, [u32]> {
            Cow::Borrowed(&self.0[i].fp.shingles)
        }
        fn samples(&self, i: usize) -> Cow<'_, [u32]> {
            Cow::Owned(self.0[i].fp.samples.iter().rev().copied().collect())
        }
    }
}

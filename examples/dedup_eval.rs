//! How the near-duplicate defaults were chosen: a labelled set built from
//! the cleaned samples, scored pairwise for a grid of settings.
//!
//! ```sh
//! cargo run --release --example dedup_eval [CLEANED_DIR]   # default: samples/expected
//! ```
//!
//! Every distinct story in CLEANED_DIR gets six republished variants, the
//! edits outlets make to wire copy: cut by a quarter and by half from the
//! end, three words changed, the lead edited and the end cut, paragraphs
//! merged, an outlet's own paragraph inserted. Copies already in the folder
//! (the samples' republished wire stories) join their story. Every other
//! pair, same-topic stories included, is a negative. Scores are pairwise
//! precision, recall and F1 over the clusters found.
//!
//! With `--raw`, every document is first wrapped in the residue of one of
//! four fictional outlets (menu, date stamp, byline, a "Most Read" list of
//! the outlet's other headlines, rights line) and cleaned by the full
//! pipeline, as the command line does with scraped files; `--uncleaned`
//! fingerprints the same raw pages without cleaning, for comparison.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use newsclean::dedup::cluster::{cluster, Item, Params};
use newsclean::dedup::fingerprint::{fingerprint, Fingerprint};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FILLER: &[&str] = &[
    "The outlet contacted the ministry for comment but had not received a reply by the time of publication.",
    "Local officials said they were following the situation closely and would give an update later in the week.",
    "The story has drawn wide attention on social media, where residents shared pictures and videos.",
];

fn body(text: &str) -> Vec<String> {
    // Drop the headline: the first paragraph of a cleaned file.
    text.split("\n\n")
        .skip(1)
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn edit_words(p: &str, n: usize, rng: &mut Rng) -> String {
    let mut words: Vec<String> = p.split(' ').map(String::from).collect();
    for _ in 0..n {
        let i = rng.below(words.len());
        words[i] = match rng.below(3) {
            0 => format!("{} also", words[i]),
            1 => "reportedly".to_string(),
            _ => words[i].to_uppercase(),
        };
    }
    words.join(" ")
}

fn variants(paras: &[String], rng: &mut Rng) -> Vec<String> {
    let n = paras.len();
    let keep = |k: usize| paras[..k.max(1)].join("\n");
    let mut out = vec![
        keep(n * 3 / 4),
        keep(n / 2),
        {
            let mut p = paras.to_vec();
            for _ in 0..3 {
                let i = rng.below(n);
                p[i] = edit_words(&p[i], 1, rng);
            }
            p.join("\n")
        },
        {
            let mut p = paras[..(n * 3 / 4).max(1)].to_vec();
            p[0] = edit_words(&p[0], 2, rng);
            p.join("\n")
        },
        paras
            .chunks(2)
            .map(|c| c.join(" "))
            .collect::<Vec<_>>()
            .join("\n"),
    ];
    let mut p = paras.to_vec();
    p.insert(n / 2, FILLER[rng.below(FILLER.len())].to_string());
    out.push(p.join("\n"));
    // A brief: the first third only.
    out.push(keep(n.div_ceil(3)));
    // Half, with the lead rewritten in places.
    let mut p = paras[..(n / 2).max(1)].to_vec();
    p[0] = edit_words(&p[0], 4, rng);
    out.push(p.join("\n"));
    out
}

/// The same event told by another agency: new sentences on the same
/// subject (each paragraph's words shuffled: same vocabulary, different
/// phrasing) around one or two paragraphs quoted word for word.
fn other_agency(paras: &[String], rng: &mut Rng) -> String {
    let mut p: Vec<String> = paras
        .iter()
        .map(|para| {
            let mut w: Vec<&str> = para.split(' ').collect();
            for i in (1..w.len()).rev() {
                w.swap(i, rng.below(i + 1));
            }
            w.join(" ")
        })
        .collect();
    let quotes = 1 + rng.below(2);
    for q in 0..quotes.min(paras.len()) {
        let from = (q * 3 + 1) % paras.len();
        p[from] = paras[from].clone();
    }
    p.join("\n")
}

const OUTLETS: [(&str, &str); 4] = [
    (
        "Home > News > World\nMonday, March 3, 2025\nBy Staff Reporter",
        "Most Read\nCouncil approves new cycle lanes\nFerry fares to rise in April\nLocal team wins cup final\nCopyright 2025 Example Gazette. All rights reserved.",
    ),
    (
        "Skip to content\nNews | Sport | Business | Opinion\nPublished 4 March 2025 - 10:00 GMT\nAFP",
        "Related Articles\nStorm warning for the coast\nMarkets close higher\nShare this\n\u{a9} 2025 Example Herald",
    ),
    (
        "HomeNEWSWORLD NEWS\nTech\nCars\nReviews\nSearch\nBy Jane Roe",
        "Advertisement\nYou may also like\nNew museum wing opens\nSchool meals scheme extended\nThis article has been adapted from its original source.",
    ),
    (
        "Log in\nSubscribe now\n4 min read\nWritten by John Doe, Staff Writer",
        "COMMENTS\nPlease read our community rules before commenting.\nTranslate \u{bb}",
    ),
];

/// The raw page an outlet's scraper would give for a cleaned body.
fn scraped(title: &str, body: &str, outlet: usize) -> String {
    let (head, tail) = OUTLETS[outlet % OUTLETS.len()];
    format!(
        "{head}\n{title}\n\n{}\n\n{tail}\n",
        body.replace('\n', "\n\n")
    )
}

fn pairs_of(groups: &[Vec<usize>]) -> BTreeSet<(usize, usize)> {
    let mut s = BTreeSet::new();
    for g in groups {
        for (x, &a) in g.iter().enumerate() {
            for &b in &g[x + 1..] {
                s.insert((a.min(b), a.max(b)));
            }
        }
    }
    s
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let uncleaned = args.iter().any(|a| a == "--uncleaned");
    let raw = uncleaned || args.iter().any(|a| a == "--raw");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| "samples/expected".into());
    let mut files: Vec<(String, String)> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file() && !e.path().components().any(|c| c.as_os_str() == ".newsclean")
        })
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read_to_string(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    files.sort();
    // Stories: files whose bodies share most of their text are one story (the
    // samples' own republished copies); label them by exact containment.
    let bodies: Vec<Vec<String>> = files.iter().map(|(_, t)| body(t)).collect();
    let fps: Vec<Fingerprint> = bodies.iter().map(|b| fingerprint(&b.join("\n"))).collect();
    let mut story: Vec<usize> = (0..files.len()).collect();
    for a in 0..files.len() {
        for b in 0..a {
            let (_, c) =
                newsclean::dedup::fingerprint::similarity(&fps[a].shingles, &fps[b].shingles);
            if c > 0.9 {
                story[a] = story[b];
                break;
            }
        }
    }
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut texts: Vec<(String, usize)> = Vec::new();
    let originals: Vec<usize> = (0..bodies.len())
        .filter(|&i| story[i] == i && bodies[i].len() >= 2)
        .collect();
    for (i, b) in bodies.iter().enumerate() {
        texts.push((b.join("\n"), story[i]));
        if story[i] == i && b.len() >= 2 {
            for v in variants(b, &mut rng) {
                texts.push((v, i));
            }
        }
    }
    // Hard negatives: each story's event told by another agency, each its
    // own story (label beyond the file indexes).
    for (k, &i) in originals.iter().enumerate() {
        texts.push((other_agency(&bodies[i], &mut rng), 10_000 + k));
    }
    let names: Vec<String> = (0..texts.len()).map(|i| format!("doc{i:05}")).collect();
    let cleaner = newsclean::Cleaner::default();
    let fps: Vec<Fingerprint> = texts
        .iter()
        .enumerate()
        .map(|(i, (t, _))| {
            let title = format!("Headline number {i} of the evaluation");
            if uncleaned {
                fingerprint(&scraped(&title, t, i))
            } else if raw {
                fingerprint(&cleaner.clean(&scraped(&title, t, i)).body_text())
            } else {
                fingerprint(t)
            }
        })
        .collect();
    let mut truth: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, (_, s)) in texts.iter().enumerate() {
        truth.entry(*s).or_default().push(i);
    }
    let truth_pairs = pairs_of(&truth.into_values().collect::<Vec<_>>());
    let n = texts.len();
    println!(
        "{} documents{}, {} stories, {} duplicate pairs, {} negative pairs",
        n,
        match (raw, uncleaned) {
            (_, true) => " (raw, with outlet residue, NOT cleaned)",
            (true, _) => " (raw, with outlet residue, cleaned)",
            _ => "",
        },
        story.iter().collect::<BTreeSet<_>>().len(),
        truth_pairs.len(),
        n * (n - 1) / 2 - truth_pairs.len()
    );
    // Containment against the story's original: true copies and negatives.
    let mut pos = Vec::new();
    let mut neg = Vec::new();
    for (i, (_, st)) in texts.iter().enumerate() {
        let orig = if *st >= 10_000 {
            originals[st - 10_000]
        } else {
            *st
        };
        let o = texts
            .iter()
            .position(|(t, _)| *t == bodies[orig].join("\n"))
            .unwrap_or(orig);
        if o == i {
            continue;
        }
        let (_, c) = newsclean::dedup::fingerprint::similarity(&fps[o].shingles, &fps[i].shingles);
        if *st >= 10_000 {
            neg.push(c)
        } else {
            pos.push(c)
        }
    }
    pos.sort_by(f64::total_cmp);
    neg.sort_by(f64::total_cmp);
    println!(
        "containment against the original: copies min {:.3} median {:.3}; other-agency stories max {:.3} median {:.3}",
        pos[0], pos[pos.len() / 2], neg[neg.len() - 1], neg[neg.len() / 2]
    );
    println!(
        "{:>9} {:>14} {:>8} {:>9} {:>9} {:>9}",
        "threshold", "min_similarity", "sampled", "precision", "recall", "F1"
    );
    for (threshold, min_similarity, sampled_candidates) in [
        (3, 0.65, false),
        (4, 0.65, false),
        (6, 0.65, false),
        (8, 0.65, false),
        (4, 0.5, true),
        (4, 0.6, true),
        (4, 0.65, true),
        (4, 0.7, true),
        (4, 0.8, true),
        (4, 0.9, true),
    ] {
        {
            let items: Vec<Item> = names
                .iter()
                .zip(&fps)
                .map(|(p, fp)| Item { path: p, fp })
                .collect();
            let found = cluster(
                &items,
                Params {
                    threshold,
                    min_similarity,
                    sampled_candidates,
                },
            );
            let groups: Vec<Vec<usize>> = found
                .iter()
                .map(|c| c.members.iter().map(|m| m.item).collect())
                .collect();
            let got = pairs_of(&groups);
            let tp = got.intersection(&truth_pairs).count() as f64;
            let p = if got.is_empty() {
                1.0
            } else {
                tp / got.len() as f64
            };
            let r = tp / truth_pairs.len().max(1) as f64;
            let f1 = if p + r == 0.0 {
                0.0
            } else {
                2.0 * p * r / (p + r)
            };
            println!("{threshold:>9} {min_similarity:>14.2} {sampled_candidates:>8} {p:>9.4} {r:>9.4} {f1:>9.4}");
        }
    }
}

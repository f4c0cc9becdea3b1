//! A deterministic corpus for benchmarks: realistic scraped articles with
//! residue, a share of HTML pages, and wire stories republished by several
//! outlets (trimmed and edited), written for the project from word lists.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- N OUT_DIR [jsonl|tree] [mixed|text|html]
//! ```
//!
//! `jsonl` writes OUT_DIR/corpus.jsonl (one document a line, `id`, `text`,
//! `url`); `tree` writes OUT_DIR/<site>/<n>.txt and .html files, 1,000 a
//! folder. A mixed corpus has one HTML page in four; `text` or `html`
//! makes every document that kind. The same arguments give the same bytes.

use std::io::Write;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[(self.next() % v.len() as u64) as usize]
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const NOUNS: &[&str] = &[
    "council",
    "harbour",
    "ferry",
    "bridge",
    "budget",
    "school",
    "station",
    "library",
    "hospital",
    "market",
    "river",
    "museum",
    "clinic",
    "union",
    "airport",
    "reservoir",
    "factory",
    "court",
    "stadium",
    "theatre",
    "tram",
    "orchard",
    "quay",
    "depot",
    "archive",
    "police",
    "minister",
    "mayor",
    "governor",
    "board",
];
const VERBS: &[&str] = &[
    "approved",
    "rejected",
    "delayed",
    "announced",
    "closed",
    "opened",
    "reviewed",
    "funded",
    "criticised",
    "extended",
    "cut",
    "raised",
    "questioned",
    "defended",
    "postponed",
    "confirmed",
];
const ADJ: &[&str] = &[
    "new",
    "old",
    "regional",
    "national",
    "local",
    "northern",
    "southern",
    "main",
    "small",
    "large",
    "public",
    "private",
    "temporary",
    "permanent",
    "annual",
];
const PLACES: &[&str] = &[
    "Salvara",
    "Ostravik",
    "Harlow Point",
    "Lowgate",
    "Marra",
    "Vetta",
    "Seabridge",
    "Ashby Green",
    "Castel Ombra",
    "Hollin",
    "Riverbend",
    "Northwind",
    "Meridian",
    "Valmora",
];
const SITES: &[&str] = &[
    "harbour-post",
    "northwind-herald",
    "meridian-daily",
    "valley-courier",
    "atlas-times",
    "the-continental",
    "lakeside-ledger",
    "metro-daily-wire",
    "fenland-gazette",
    "skyline-post",
];

fn sentence(r: &mut Rng) -> String {
    format!(
        "The {} {} in {} {} the {} {} plan on {}, after {} {} months of talks with the {} {}, officials said.",
        r.pick(ADJ),
        r.pick(NOUNS),
        r.pick(PLACES),
        r.pick(VERBS),
        r.pick(ADJ),
        r.pick(NOUNS),
        r.pick(&["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]),
        r.below(20) + 2,
        r.pick(&["long", "difficult", "short", "public"]),
        r.pick(ADJ),
        r.pick(NOUNS),
    )
}

fn story(r: &mut Rng) -> (String, Vec<String>) {
    let title = format!(
        "{} {} {} {} in {}",
        r.pick(ADJ),
        r.pick(NOUNS),
        r.pick(VERBS),
        r.pick(NOUNS),
        r.pick(PLACES)
    );
    let mut c = title.chars();
    let title = c
        .next()
        .map(|f| f.to_uppercase().collect::<String>())
        .unwrap_or_default()
        + c.as_str();
    let paras = (0..5 + r.below(8))
        .map(|_| {
            (0..1 + r.below(3))
                .map(|_| sentence(r))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    (title, paras)
}

/// A scraped text dump of the story, with the residue a site leaves.
fn dump(r: &mut Rng, site: &str, title: &str, paras: &[String]) -> String {
    let mut s = String::new();
    if r.below(2) == 0 {
        s.push_str("Home > News > Local\n");
    }
    s.push_str(&format!(
        "Thursday, March {}, 2025\n{title}\n\nBy Staff Reporter\n\n",
        1 + r.below(28)
    ));
    for (i, p) in paras.iter().enumerate() {
        s.push_str(p);
        s.push_str("\n\n");
        if i == 1 {
            s.push_str("Advertisement\n\n");
        }
    }
    s.push_str(&format!(
        "Copyright 2025 {site}. All rights reserved.\n\nMost Read\n\n{}\n{}\n",
        sentence(r).trim_end_matches('.'),
        sentence(r).trim_end_matches('.')
    ));
    s
}

/// The same story as an HTML page of a typical weight (menus, share bar,
/// related list, scripts).
fn page(r: &mut Rng, site: &str, title: &str, paras: &[String]) -> String {
    let menu: String = (0..60)
        .map(|i| format!("<li><a href=\"/s/{i}\">Section {i}</a></li>"))
        .collect();
    let body: String = paras.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    let script = format!(
        "<script>var state = {{{}}};</script>",
        (0..200)
            .map(|i| format!("\"k{i}\":{i}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} | {site}</title>{script}</head><body>\
         <nav><ul>{menu}</ul></nav><div class=\"share-bar\"><a>Facebook</a><a>X</a></div>\
         <article><h1>{title}</h1><div class=\"byline\">By Staff Reporter</div><div class=\"story-body\">{body}</div></article>\
         <div class=\"related\"><h3>Related</h3><ul><li><a href=\"/r/{n}\">{s}</a></li></ul></div>\
         <footer>&copy; 2025 {site}</footer></body></html>",
        n = r.below(1000),
        s = sentence(r)
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let dir = std::path::PathBuf::from(args.get(2).map(String::as_str).unwrap_or("target/corpus"));
    let mode = args.get(3).map(String::as_str).unwrap_or("jsonl");
    // "text" or "html" as a fourth argument: only that kind of document.
    let kinds = args.get(4).map(String::as_str).unwrap_or("mixed");
    std::fs::create_dir_all(&dir).expect("output folder");
    let mut r = Rng(0x00C0_FFEE_1234_5678);
    let mut jsonl = (mode == "jsonl").then(|| {
        std::io::BufWriter::new(
            std::fs::File::create(dir.join("corpus.jsonl")).expect("corpus.jsonl"),
        )
    });
    let mut wire: Option<(String, Vec<String>, usize)> = None;
    let mut bytes = 0usize;
    for i in 0..n {
        let site = SITES[i % SITES.len()];
        // One document in ten is a copy of the current wire story (trimmed
        // or edited), republished by another outlet.
        let (title, paras) = match &mut wire {
            Some((t, p, left)) if r.below(10) == 0 && *left > 0 => {
                *left -= 1;
                let keep = (p.len() * (6 + r.below(5) as usize) / 10).max(2);
                let mut p = p[..keep.min(p.len())].to_vec();
                p[0] = p[0].replacen(" said", " said on", 1);
                (format!("{t} ({site})"), p)
            }
            _ => {
                let s = story(&mut r);
                if r.below(20) == 0 {
                    wire = Some((s.0.clone(), s.1.clone(), 3 + r.below(6) as usize));
                }
                s
            }
        };
        let html = match kinds {
            "text" => false,
            "html" => true,
            _ => i % 4 == 3,
        };
        let text = if html {
            page(&mut r, site, &title, &paras)
        } else {
            dump(&mut r, site, &title, &paras)
        };
        bytes += text.len();
        match &mut jsonl {
            Some(w) => {
                let url = format!("https://{site}.example/{i}");
                let line = if html {
                    serde_json::json!({"id": format!("doc-{i:07}"), "html": text, "text": "", "url": url})
                } else {
                    serde_json::json!({"id": format!("doc-{i:07}"), "text": text, "url": url})
                };
                writeln!(w, "{line}").expect("write");
            }
            None => {
                let folder = dir.join(site).join(format!("{:04}", i / 1000));
                std::fs::create_dir_all(&folder).expect("folder");
                let ext = if html { "html" } else { "txt" };
                std::fs::write(folder.join(format!("{i:07}.{ext}")), text).expect("write");
            }
        }
    }
    eprintln!(
        "{n} documents, {:.1} MB, in {}",
        bytes as f64 / 1e6,
        dir.display()
    );
}

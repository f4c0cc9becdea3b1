//! HTML extraction throughput on one thread, against parsing alone.
//!
//! ```sh
//! cargo run --release --example html_bench [PAGES_DIR] [ROUNDS]
//! ```
//!
//! Each page under PAGES_DIR (default: the HTML samples) is made the size
//! of a typical news page (about 100 KB) by adding what real pages carry
//! around the article: a mega-menu of 400 links, 30 KB of inline script, a
//! JSON data blob, a footer link farm. The run then times, per page,
//! html5ever parsing alone (scraper) and newsclean's whole HTML path
//! (decode, parse, extract, clean), and prints pages/s and MB/s.

use std::time::Instant;

fn pad(page: &str, n: usize) -> String {
    let menu: String = (0..400)
        .map(|i| format!("<li class=\"menu-item\"><a href=\"/section/{i}\">Section {i}</a></li>"))
        .collect();
    let script = format!(
        "<script>window.__STATE__ = {{{}}};</script>",
        (0..1500)
            .map(|i| format!("\"k{i}\":\"v{i}-{n}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let blob = format!(
        "<script type=\"application/json\" id=\"data\">[{}]</script>",
        (0..800)
            .map(|i| format!("{{\"id\":{i},\"t\":\"teaser {i}\"}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let farm: String = (0..300)
        .map(|i| format!("<a href=\"/tag/{i}\">tag {i}</a> "))
        .collect();
    let head_extra = format!(
        "<style>{}</style>",
        ".c{color:red;margin:0 auto}".repeat(300)
    );
    let page = page.replacen("</head>", &format!("{head_extra}{script}</head>"), 1);
    let page = page.replacen(
        "<body",
        &format!("<div class=\"mega\"><ul>{menu}</ul></div><body"),
        1,
    );
    page.replacen(
        "</body>",
        &format!("<div class=\"foot-links\">{farm}</div>{blob}</body>"),
        1,
    )
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "samples/in".into());
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let mut pages: Vec<Vec<u8>> = Vec::new();
    for e in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "html" || x == "htm") {
            let raw = std::fs::read(p).expect("readable page");
            let text = String::from_utf8_lossy(&raw).into_owned();
            pages.push(pad(&text, pages.len()).into_bytes());
        }
    }
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let n = pages.len() * rounds;
    println!(
        "{} pages, average {:.0} KB, {rounds} rounds, one thread",
        pages.len(),
        bytes as f64 / pages.len() as f64 / 1024.0
    );
    let t = Instant::now();
    for _ in 0..rounds {
        for p in &pages {
            let s = std::str::from_utf8(p).unwrap_or("");
            std::hint::black_box(scraper::Html::parse_document(s));
        }
    }
    let parse = t.elapsed().as_secs_f64();
    let cleaner = newsclean::Cleaner::default();
    let t = Instant::now();
    let mut words = 0usize;
    for _ in 0..rounds {
        for p in &pages {
            let c = newsclean::pipeline::clean_bytes(&cleaner, p, true, None).expect("decodes");
            words += c.doc.render().split_whitespace().count();
        }
    }
    let full = t.elapsed().as_secs_f64();
    // Both cores: documents in parallel, as the command line runs them.
    use rayon::prelude::*;
    let t = Instant::now();
    let par_words: usize = (0..rounds)
        .into_par_iter()
        .flat_map_iter(|_| pages.iter())
        .map(|p| {
            let c = newsclean::pipeline::clean_bytes(&cleaner, p, true, None).expect("decodes");
            c.doc.render().split_whitespace().count()
        })
        .sum();
    let par = t.elapsed().as_secs_f64();
    assert_eq!(par_words, words);
    let mb = (bytes * rounds) as f64 / 1e6;
    println!(
        "parse only (scraper/html5ever): {:.0} pages/s, {:.0} MB/s",
        n as f64 / parse,
        mb / parse
    );
    println!(
        "newsclean HTML path (decode, parse, extract, clean): {:.0} pages/s, {:.0} MB/s ({:.0}% of parse speed; {} words out)",
        n as f64 / full,
        mb / full,
        100.0 * parse / full,
        words / rounds
    );
    println!(
        "newsclean HTML path on {} threads: {:.0} pages/s, {:.0} MB/s",
        rayon::current_num_threads(),
        n as f64 / par,
        mb / par
    );
}

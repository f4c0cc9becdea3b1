//! Criterion benchmarks, one per stage of the pipeline, on the bundled
//! samples (text dumps and HTML pages written for the project):
//!
//! ```sh
//! cargo bench --bench stages            # all
//! cargo bench --bench stages -- byline  # one
//! ```
//!
//! Each residue stage is timed alone on normalized documents (what it sees
//! in a run); `clean` is the whole cleaner to its fixed point; `jsonl`
//! reads and writes the same texts as JSON Lines. Throughput
//! is reported in bytes of input, so stages compare with each other and
//! with I/O. The end-to-end runs at 10,000 to 1,000,000 documents are in
//! `bench/e2e.sh`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use newsclean::dedup::fingerprint::fingerprint;
use newsclean::dedup::index::BlockIndex;
use newsclean::doc::Doc;
use newsclean::pipeline::Cleaner;
use newsclean::stages;

/// The bundled sample inputs of one kind: (name, bytes).
fn samples(html: bool) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/in");
    let mut out = Vec::new();
    for site in std::fs::read_dir(&root).expect("samples/in") {
        let site = site.expect("entry").path();
        for f in std::fs::read_dir(&site).expect("site folder") {
            let p = f.expect("entry").path();
            let is_html = p.extension().is_some_and(|x| x == "html");
            if is_html == html {
                let bytes = std::fs::read(&p).expect("sample");
                out.push((p.display().to_string(), bytes));
            }
        }
    }
    out.sort();
    out
}

fn texts() -> Vec<String> {
    samples(false)
        .into_iter()
        .map(|(_, b)| newsclean::input::decode::decode(&b).expect("text").text)
        .collect()
}

fn bytes_of(v: &[String]) -> u64 {
    v.iter().map(|t| t.len() as u64).sum()
}

fn decode(c: &mut Criterion) {
    let raw: Vec<Vec<u8>> = samples(false).into_iter().map(|(_, b)| b).collect();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(raw.iter().map(|b| b.len() as u64).sum()));
    g.bench_function("decode", |b| {
        b.iter(|| {
            for r in &raw {
                std::hint::black_box(newsclean::input::decode::decode(r).ok());
            }
        })
    });
    g.finish();
}

fn residue_stages(c: &mut Criterion) {
    let texts = texts();
    let all = stages::all();
    let (normalize, rest) = all.split_at(1);
    let normalized: Vec<Doc> = texts
        .iter()
        .map(|t| {
            let mut d = Doc::from_text(t);
            normalize[0].run(&mut d);
            d
        })
        .collect();
    let mut g = c.benchmark_group("stages");
    g.throughput(Throughput::Bytes(bytes_of(&texts)));
    g.bench_function("normalize", |b| {
        b.iter(|| {
            for t in &texts {
                let mut d = Doc::from_text(t);
                normalize[0].run(&mut d);
                std::hint::black_box(d.lines.len());
            }
        })
    });
    for stage in rest {
        g.bench_function(stage.name(), |b| {
            b.iter_batched(
                || normalized.clone(),
                |mut docs| {
                    for d in &mut docs {
                        stage.run(d);
                    }
                    docs
                },
                BatchSize::SmallInput,
            )
        });
    }
    let cleaner = Cleaner::default();
    g.bench_function("clean (all stages, to a fixed point)", |b| {
        b.iter(|| {
            for t in &texts {
                std::hint::black_box(cleaner.clean(t).lines.len());
            }
        })
    });
    g.finish();
}

fn html(c: &mut Criterion) {
    let pages: Vec<String> = samples(true)
        .into_iter()
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    let mut g = c.benchmark_group("html");
    g.throughput(Throughput::Bytes(bytes_of(&pages)));
    g.bench_function("extract", |b| {
        b.iter(|| {
            for p in &pages {
                std::hint::black_box(newsclean::input::html::extract::extract(p));
            }
        })
    });
    g.finish();
}

fn dedup(c: &mut Criterion) {
    let cleaner = Cleaner::default();
    let bodies: Vec<String> = texts()
        .iter()
        .map(|t| cleaner.clean(t).body_text())
        .collect();
    let mut g = c.benchmark_group("dedup");
    g.throughput(Throughput::Bytes(bytes_of(&bodies)));
    g.bench_function("fingerprint", |b| {
        b.iter(|| {
            for t in &bodies {
                std::hint::black_box(fingerprint(t));
            }
        })
    });
    // 100,000 pseudo-random fingerprints: index build, all pairs, queries.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let fps: Vec<u64> = (0..100_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        })
        .collect();
    g.throughput(Throughput::Elements(fps.len() as u64));
    g.sample_size(10);
    g.bench_function("index build (100,000)", |b| {
        b.iter(|| {
            let mut idx = BlockIndex::new(4);
            idx.extend(&fps);
            idx.build();
            idx
        })
    });
    let mut idx = BlockIndex::new(4);
    idx.extend(&fps);
    idx.build();
    g.bench_function("index all pairs (100,000)", |b| {
        b.iter(|| idx.pairs().len())
    });
    g.throughput(Throughput::Elements(1_000));
    g.bench_function("index query (1,000 of 100,000)", |b| {
        b.iter(|| {
            fps[..1_000]
                .iter()
                .map(|&f| idx.query(f ^ 0b101).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

/// JSON Lines: a line read into a document (its text and its fields as
/// written), and its output line written, for the samples' texts in lines
/// with an id, a url and a small metadata object.
fn jsonl(c: &mut Criterion) {
    use newsclean::input::jsonl::{parse_doc, render_line, Findings};
    let texts = texts();
    let lines: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(n, t)| {
            serde_json::json!({
                "id": format!("doc-{n}"),
                "url": format!("https://news.example.org/story/{n}"),
                "text": t,
                "metadata": {"crawl": "2025-03", "lang": "en"},
            })
            .to_string()
        })
        .collect();
    let docs: Vec<_> = lines
        .iter()
        .map(|l| parse_doc(l.as_bytes(), 1, None).expect("a document"))
        .collect();
    let findings = Findings {
        title: Some("A headline".into()),
        removed: 7,
        simhash: Some("00ff00ff00ff00ff".into()),
        ..Findings::default()
    };
    let mut g = c.benchmark_group("jsonl");
    g.throughput(Throughput::Bytes(
        lines.iter().map(|l| l.len() as u64).sum(),
    ));
    g.bench_function("read a line", |b| {
        b.iter(|| {
            for l in &lines {
                std::hint::black_box(parse_doc(l.as_bytes(), 1, None).ok());
            }
        })
    });
    g.bench_function("write a line", |b| {
        b.iter(|| {
            for d in &docs {
                std::hint::black_box(render_line(&d.fields, &d.text, &findings));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, decode, residue_stages, html, jsonl, dedup);
criterion_main!(benches);

//! The pipeline: a [`Cleaner`] for one text, and [`run`] for a folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::dedup::cluster::{cluster_with, Item, Params, Sets};
use crate::dedup::fingerprint::{fingerprint, Fingerprint};
use crate::dedup::store::{self, Stored};
use crate::dedup::Mode;
use crate::doc::Doc;
use crate::error::Error;
use crate::input::decode::{decode, DecodeError};
use crate::input::walk::{walk, Entry, Kind};
use crate::report::duplicates::{round, ClusterOut, MemberOut, Report};
use crate::report::manifest::{self, Status};
use crate::spill::{Ref, Spill};
use crate::stages::{self, Stage};
use crate::write::{write_atomic, write_atomic_with};

/// A document cleaned from its bytes.
pub struct Cleaned {
    pub doc: Doc,
    pub encoding: &'static str,
    /// Some bytes were invalid and replaced.
    pub replaced: bool,
    /// For an HTML page: what the page said about itself and where the
    /// article was found.
    pub html: Option<HtmlInfo>,
}

/// What the HTML path adds to a cleaned document.
pub struct HtmlInfo {
    pub meta: crate::input::html::meta::HtmlMeta,
    /// Where the article was found ("div#story-body").
    pub container: String,
    /// No article text was found in the page.
    pub no_article: bool,
}

/// Decodes, extracts (for HTML) and cleans one document's bytes. The HTML
/// path records what extraction left out (stage `html`, line 0) before the
/// residue stages' records, and the page's own metadata wins over what the
/// text stages guessed.
pub fn clean_bytes(
    cleaner: &Cleaner,
    bytes: &[u8],
    html: bool,
    site: Option<&str>,
) -> Result<Cleaned, DecodeError> {
    let d = if html {
        crate::input::html::charset::decode_html(bytes)?
    } else {
        decode(bytes)?
    };
    Ok(clean_str(
        cleaner, &d.text, html, site, d.encoding, d.replaced,
    ))
}

/// Cleans decoded text (an HTML page when `html`): the part of
/// [`clean_bytes`] after decoding, also used for JSON Lines documents.
pub fn clean_str(
    cleaner: &Cleaner,
    text: &str,
    html: bool,
    site: Option<&str>,
    encoding: &'static str,
    replaced: bool,
) -> Cleaned {
    if !html {
        return Cleaned {
            doc: cleaner.clean_site(text, site),
            encoding,
            replaced,
            html: None,
        };
    }
    let page = crate::input::html::extract::extract(text);
    let mut doc = cleaner.clean_site(&page.to_text(), site);
    let mut records = page.records;
    records.append(&mut doc.records);
    doc.records = records;
    let m = &page.meta;
    if let Some(a) = &m.author {
        doc.meta.author = Some(a.clone());
    }
    if let Some(date) = &m.date {
        doc.meta
            .offer_date(date.clone(), crate::doc::DateRank::Markup);
    }
    Cleaned {
        doc,
        encoding,
        replaced,
        html: Some(HtmlInfo {
            no_article: page.blocks.is_empty(),
            container: page.container,
            meta: page.meta,
        }),
    }
}

/// Passes of the residue stages over one document before giving up on a
/// fixed point, beyond one per line (never reached: removals are monotonic,
/// so a document reaches its fixed point within one pass per line, and real
/// documents within two or three).
pub const EXTRA_PASSES: usize = 2;

/// Runs the stages over one text.
pub struct Cleaner {
    stages: Vec<Box<dyn Stage>>,
}

impl Default for Cleaner {
    fn default() -> Self {
        Cleaner {
            stages: stages::all(),
        }
    }
}

impl Cleaner {
    /// A cleaner without the named stages ("normalize" cannot be switched
    /// off: every other stage relies on it).
    /// The same stages plus the user's configured residue (first after
    /// normalize), when the configuration has any.
    pub fn with_config(mut self, config: &crate::config::Config) -> Cleaner {
        if config.has_residue() {
            let at = 1.min(self.stages.len());
            self.stages
                .insert(at, Box::new(crate::stages::custom::Custom::new(config)));
        }
        self
    }

    /// The same stages plus the corpus stage applying `table`, first after
    /// normalize.
    pub fn with_corpus(mut self, table: crate::corpus::SharedTable) -> Cleaner {
        let at = 1.min(self.stages.len());
        self.stages
            .insert(at, Box::new(crate::stages::corpus::Corpus { table }));
        self
    }

    pub fn without(disabled: &[String]) -> Result<Cleaner, Error> {
        let names = stages::names();
        for d in disabled {
            if !names.contains(&d.as_str()) || d == "normalize" {
                let known: Vec<&str> = names
                    .iter()
                    .copied()
                    .filter(|n| *n != "normalize")
                    .collect();
                return Err(Error::UnknownStage(d.clone(), known.join(", ")));
            }
        }
        Ok(Cleaner {
            stages: stages::all()
                .into_iter()
                .filter(|s| !disabled.iter().any(|d| d == s.name()))
                .collect(),
        })
    }

    /// Cleans decoded text. The result holds the kept lines, every removal
    /// with its reason, and the metadata found; [`Doc::render`] gives the
    /// output text.
    ///
    /// Normalize runs once; the residue stages then run in order, again and
    /// again until a pass removes nothing. Stages
    /// judge lines by their zone and neighbours, and one stage's removals
    /// change those for the others: a caption's two copies come together
    /// once the ad between them is gone. Running to a fixed point is what
    /// makes cleaning the output again change nothing.
    pub fn clean(&self, text: &str) -> Doc {
        self.clean_site(text, None)
    }

    /// [`Cleaner::clean`] for a document of a known site (the input's top
    /// folder), which the corpus stage needs.
    pub fn clean_site(&self, text: &str, site: Option<&str>) -> Doc {
        let mut doc = Doc::from_text(text);
        doc.site = site.map(str::to_string);
        let (first, rest) = self.stages.split_at(1.min(self.stages.len()));
        for stage in first {
            stage.run(&mut doc);
        }
        // The stages run in turn until each has seen the document as it
        // now is and changed nothing: a fixed point. A change is a new
        // record or a new headline (captions read it). Each pass that
        // changes anything removes at least one line, which bounds the
        // passes; a stage that ran after the last change need not run again.
        let n = rest.len();
        let budget = (doc.lines.len() + EXTRA_PASSES) * n;
        let mut last_change: Option<usize> = None;
        for step in 0..budget {
            let since = last_change.map_or(step + 1, |c| step - c);
            if since > n {
                break;
            }
            let before = (doc.records.len(), doc.headline);
            rest[step % n].run(&mut doc);
            if (doc.records.len(), doc.headline) != before {
                last_change = Some(step);
            }
        }
        doc
    }
}

/// What a run may be told.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Worker threads (default: all cores).
    pub jobs: Option<usize>,
    /// Stages switched off by name.
    pub disabled: Vec<String>,
    /// What to do with near duplicates.
    pub dedup: Mode,
    /// Near-duplicate thresholds.
    pub params: Params,
    /// A fingerprint index kept between runs: read before, rewritten after.
    pub index: Option<PathBuf>,
    /// Thresholds for residue learned from the corpus.
    pub corpus: crate::corpus::LearnParams,
    /// Write the learned residue lines here, for review.
    pub learned_residue: Option<PathBuf>,
    /// Load residue lines (a learned-residue file or a plain list).
    pub load_residue: Option<PathBuf>,
    /// The output's shape (default: follow the input).
    pub format: Format,
    /// JSON Lines: the field holding HTML to extract, when present.
    pub html_field: Option<String>,
    /// Told how many inputs there are, then as each is done.
    pub progress: Option<std::sync::Arc<dyn Progress>>,
    /// The configuration (its residue lists feed the `custom` stage).
    pub config: crate::config::Config,
    /// Largest input file read, in bytes (default [`DEFAULT_MAX_BYTES`]).
    pub max_bytes: Option<u64>,
    /// Set (by a Ctrl-C handler) to stop taking new documents: the run
    /// writes what is done, manifest included, and reports itself
    /// interrupted.
    pub interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// Files larger than this are not read (`--max-bytes`): a document is held
/// whole in memory while it is cleaned, a few times its size at most, so
/// the cap bounds memory at a few times this per worker thread.
pub const DEFAULT_MAX_BYTES: u64 = 128 * 1024 * 1024;

/// Progress of a run, for a progress bar.
pub trait Progress: Send + Sync {
    /// The number of inputs (files) found.
    fn start(&self, inputs: usize);
    /// One input is done; it gave `docs` documents.
    fn advance(&self, docs: usize);
}

/// What a run did, for the summary on stderr.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub read: usize,
    pub written: usize,
    pub empty: usize,
    pub renamed: usize,
    pub skipped: BTreeMap<String, usize>,
    pub failed: usize,
    pub removed_by_stage: BTreeMap<&'static str, usize>,
    /// Near-duplicate clusters and the documents in them.
    pub clusters: usize,
    pub clustered: usize,
    pub dropped: usize,
    /// Documents of earlier runs read from the index file.
    pub earlier: usize,
    /// Lines learned as site residue from the corpus.
    pub learned: usize,
    /// The run was interrupted: documents not reached were skipped.
    pub interrupted: bool,
    #[serde(skip)]
    pub elapsed: Duration,
}

impl Summary {
    /// The summary as one JSON object (`--json`).
    pub fn to_json(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["elapsed_seconds"] = serde_json::json!(self.elapsed.as_secs_f64());
        serde_json::to_string(&v).unwrap_or_default()
    }

    /// Human-readable, a few lines.
    pub fn render(&self) -> String {
        let mut s = format!(
            "newsclean: {} read, {} written ({} empty), {} skipped, {} failed in {:.2}s\n",
            self.read,
            self.written,
            self.empty,
            self.skipped.values().sum::<usize>(),
            self.failed,
            self.elapsed.as_secs_f64()
        );
        for (why, n) in &self.skipped {
            s.push_str(&format!("  skipped {n}: {why}\n"));
        }
        if self.renamed > 0 {
            s.push_str(&format!(
                "  {} output names taken by another input: written as <full name>.txt (see manifest \"renamed\")\n",
                self.renamed
            ));
        }
        if self.learned > 0 {
            s.push_str(&format!(
                "  learned residue: {} lines repeated across the pages of a site (stage \"corpus\")\n",
                self.learned
            ));
        }
        if self.earlier > 0 {
            s.push_str(&format!(
                "  checked against {} documents of earlier runs (index)\n",
                self.earlier
            ));
        }
        if self.clusters > 0 {
            s.push_str(&format!(
                "  near duplicates: {} clusters of {} documents{} (see .newsclean/duplicates.json)\n",
                self.clusters,
                self.clustered,
                if self.dropped > 0 { format!(", {} dropped", self.dropped) } else { String::new() }
            ));
        }
        if !self.removed_by_stage.is_empty() {
            let parts: Vec<String> = self
                .removed_by_stage
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            s.push_str(&format!("  lines removed: {}\n", parts.join(", ")));
        }
        s
    }
}

/// Where the manifest and reports go, under OUTPUT.
pub const REPORT_DIR: &str = ".newsclean";

/// The cleaner a run uses: all stages but those switched off, with the
/// configured residue unless `custom` is switched off.
pub fn make_cleaner(opts: &RunOptions) -> Result<Cleaner, Error> {
    let c = Cleaner::without(&opts.disabled)?;
    Ok(if opts.disabled.iter().any(|d| d == "custom") {
        c
    } else {
        c.with_config(&opts.config)
    })
}

/// Checks INPUT and OUTPUT before anything is written.
fn check_paths(input: &Path, output: &Path) -> Result<(), Error> {
    let in_canon = input
        .canonicalize()
        .map_err(|_| Error::InputMissing(input.to_path_buf()))?;
    if output.is_file() {
        return Err(Error::OutputIsFile(output.to_path_buf()));
    }
    if let Ok(out_canon) = output.canonicalize() {
        if out_canon == in_canon {
            return Err(Error::SameInputOutput(input.to_path_buf()));
        }
        return Ok(());
    }
    if in_canon.is_file() && output.starts_with(input) {
        return Err(Error::OutputInsideFile(output.to_path_buf()));
    }
    Ok(())
}

/// Cleans every document under `input` into `output`.
///
/// Per-document problems are passed to `on_error` (one line, naming the
/// file) and counted; the run goes on. Only problems with INPUT or OUTPUT
/// themselves return an [`Error`].
pub fn run(
    input: &Path,
    output: &Path,
    opts: &RunOptions,
    on_error: &(dyn Fn(&str) + Sync),
) -> Result<Summary, Error> {
    let start = Instant::now();
    let cleaner = make_cleaner(opts)?;
    check_paths(input, output)?;
    std::fs::create_dir_all(output).map_err(|e| Error::io(output, e))?;
    let out_canon = output.canonicalize().map_err(|e| Error::io(output, e))?;
    if opts.index.is_some() && opts.dedup == Mode::Off {
        return Err(Error::Usage(
            "--index needs near-duplicate detection (not --dedup off)".into(),
        ));
    }
    let stale = crate::write::remove_stale_temps(output);
    if stale > 0 {
        on_error(&format!(
            "{}: removed {stale} temporary files left by an interrupted run",
            output.display()
        ));
    }
    let mut earlier = match &opts.index {
        Some(p) => store::load(p).map_err(|e| Error::Index(e.to_string()))?,
        None => Vec::new(),
    };
    let (entries, walk_errors) = walk(input, Some(&out_canon));

    let mut summary = Summary::default();
    for e in &walk_errors {
        on_error(&format!("{}: {}", e.path.display(), e.message));
        summary.failed += 1;
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::io(output, std::io::Error::other(e)))?;
    let learn_corpus = !opts.disabled.iter().any(|d| d == "corpus");
    let with_fp = opts.dedup != Mode::Off || learn_corpus;
    let progress = opts.progress.as_deref();
    if let Some(p) = progress {
        p.start(entries.len());
    }
    let report_dir = output.join(REPORT_DIR);
    std::fs::create_dir_all(&report_dir).map_err(|e| Error::io(&report_dir, e))?;
    let spill = Spill::new_in(&report_dir).map_err(|e| Error::io(&report_dir, e))?;
    let ctx = Ctx {
        cleaner: &cleaner,
        entries: &entries,
        output,
        with_fp,
        opts,
        spill: &spill,
    };
    let processed: Vec<Processed> = pool.install(|| {
        (0..entries.len())
            .into_par_iter()
            .flat_map_iter(|n| {
                let p = process(&ctx, n, on_error);
                if let Some(bar) = progress {
                    bar.advance(p.len());
                }
                p
            })
            .collect()
    });
    let mut results = Vec::with_capacity(processed.len());
    let mut fps = Vec::with_capacity(processed.len());
    let mut lines = Vec::with_capacity(processed.len());
    let mut sources = Vec::with_capacity(processed.len());
    let mut deferred = Vec::with_capacity(processed.len());
    let mut removed = Vec::with_capacity(processed.len());
    let mut shingles = Vec::with_capacity(processed.len());
    let mut line_texts = Vec::with_capacity(processed.len());
    for p in processed {
        results.push(p.entry);
        fps.push(p.fp);
        lines.push(p.lines);
        sources.push(p.source);
        deferred.push(p.deferred);
        removed.push(p.removed);
        shingles.push(p.shingles);
        line_texts.push(p.line_texts);
    }
    // Second pass: residue learned from the corpus (and loaded from a file),
    // applied to the documents that hold any of it.
    let mut table = crate::corpus::Table::default();
    if let Some(path) = &opts.load_residue {
        let src = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        table.load_lines(&src, &path.display().to_string());
    }
    if learn_corpus {
        let text_of = |n: usize, h: u64| {
            let texts = spill.get_string(line_texts[n]?).ok()?;
            texts
                .split('\n')
                .find(|t| crate::corpus::line_hash(t) == h)
                .map(str::to_string)
        };
        let learned = learn_residue(
            &results,
            Learning {
                fps: &fps,
                spill: &spill,
                sets: &shingles,
                lines: &mut lines,
                text_of: &text_of,
            },
            opts,
            &mut table,
        );
        summary.learned = learned.len();
        if let Some(path) = &opts.learned_residue {
            let text = crate::corpus::render_learned(&learned, opts.corpus);
            write_atomic(path, text.as_bytes()).map_err(|e| Error::io(path, e))?;
        }
    }
    if !table.is_empty() {
        let table = std::sync::Arc::new(table);
        let second = make_cleaner(opts)?.with_corpus(table.clone());
        let ctx2 = Ctx {
            cleaner: &second,
            ..ctx
        };
        let affected: Vec<usize> = (0..results.len())
            .filter(|&n| {
                let site = &results[n].site;
                lines[n].iter().any(|&(h, _)| table.holds(Some(site), h))
            })
            .collect();
        // Messages about a file were given in the first pass.
        let quiet = |msg: &str| {
            if !msg.contains(": warning: ") && !msg.contains(": skipped: ") {
                on_error(msg)
            }
        };
        let again: Vec<(usize, Processed)> = pool.install(|| {
            affected
                .par_iter()
                .filter_map(|&n| {
                    let p = match sources[n] {
                        Source::File(i) => process(&ctx2, i, &quiet).pop()?,
                        Source::Line(i, line, raw) => {
                            let raw = spill.get(raw).ok()?;
                            let doc = crate::input::jsonl::parse_doc(
                                &raw,
                                line,
                                opts.html_field.as_deref(),
                            )
                            .ok()?;
                            let site = results[n].site.clone();
                            let mut p = clean_line(&ctx2, i, &doc, &site).ok()?;
                            p.source = sources[n];
                            p
                        }
                        Source::None => return None,
                    };
                    Some((n, p))
                })
                .collect()
        });
        for (n, p) in again {
            results[n] = p.entry;
            fps[n] = p.fp;
            deferred[n] = p.deferred;
            removed[n] = p.removed;
            shingles[n] = p.shingles;
        }
    }
    if opts.dedup == Mode::Off {
        fps.iter_mut().for_each(|f| *f = None);
        results.iter_mut().for_each(|e| e.simhash = None);
    }
    // Documents of this run replace their own entries from an earlier run.
    let current: std::collections::HashSet<String> =
        results.iter().map(manifest::Entry::key).collect();
    earlier.retain(|e| !current.contains(&e.input));
    summary.earlier = earlier.len();
    let report = pool.install(|| {
        dedup(
            &mut results,
            DedupInput {
                fps: &fps,
                deferred: &deferred,
                shingles: &shingles,
                spill: &spill,
                earlier: &earlier,
            },
            opts,
            output,
            on_error,
            &mut summary,
        )
    });
    if let Some(index) = &opts.index {
        let mut all = earlier;
        all.extend(
            results
                .iter()
                .zip(&fps)
                .zip(&shingles)
                .filter_map(|((e, fp), sets)| {
                    let mut fp = fp.as_ref()?.to_sampled();
                    fp.samples = load_u32s(&spill, sets.as_ref()?.samples);
                    Some(Stored {
                        input: e.key(),
                        title: e.title.clone(),
                        fp,
                    })
                }),
        );
        store::save(index, &all).map_err(|e| Error::io(index, e))?;
    }
    drop(fps);
    write_deferred(
        &mut results,
        Deferred {
            texts: &deferred,
            sources: &sources,
            removed: &removed,
            spill: &spill,
        },
        opts,
        output,
        on_error,
    );

    let names = stages::names();
    let manifest_path = output.join(REPORT_DIR).join("manifest.jsonl");
    write_atomic_with(&manifest_path, |w| {
        for (r, rem) in results.iter().zip(&removed) {
            let records = match rem {
                Some((at, _)) => spill.get_string(*at)?,
                None => "[]".to_string(),
            };
            w.write_all(r.to_json_line_with_removed(&records).as_bytes())?;
            match r.status {
                Status::Written => {
                    summary.read += 1;
                    summary.written += usize::from(!r.dropped);
                    summary.empty += usize::from(r.empty);
                    summary.renamed += usize::from(r.renamed);
                    for stage in manifest::stages_in(&records) {
                        if let Some(name) = names.iter().find(|n| **n == stage) {
                            *summary.removed_by_stage.entry(name).or_default() += 1;
                        }
                    }
                }
                Status::Skipped => {
                    *summary
                        .skipped
                        .entry(r.reason.clone().unwrap_or_default())
                        .or_default() += 1;
                }
                Status::Failed => {
                    summary.read += 1;
                    summary.failed += 1;
                }
            }
        }
        Ok(())
    })
    .map_err(|e| Error::io(&manifest_path, e))?;
    if let Some(report) = report {
        let path = output.join(REPORT_DIR).join("duplicates.json");
        write_atomic(&path, report.to_json().as_bytes()).map_err(|e| Error::io(&path, e))?;
    }
    summary.interrupted = opts
        .interrupt
        .as_ref()
        .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed));
    summary.elapsed = start.elapsed();
    Ok(summary)
}

/// What a stream run did.
#[derive(Debug, Clone, Default)]
pub struct StreamSummary {
    pub documents: usize,
    pub failed: usize,
    /// The reader of the output went away (a `head` in the pipeline).
    pub closed_early: bool,
}

/// Does the text look like an HTML page?
fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(15)
        .collect();
    let head = head.to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || head.starts_with("<body")
}

/// `newsclean - -`: one document (text or an HTML page) from `input` to
/// `output`, or with [`Format::Jsonl`] a JSON Lines stream, line by line as
/// it comes (no clusters: those need the whole corpus; each line gets its
/// simhash). Messages go to `on_error`. A closed output (broken pipe) ends
/// the run quietly.
pub fn run_stream(
    input: &mut dyn std::io::BufRead,
    output: &mut dyn std::io::Write,
    opts: &RunOptions,
    on_error: &dyn Fn(&str),
) -> Result<StreamSummary, Error> {
    use crate::input::jsonl::{parse_doc, render_line, Findings};
    let cleaner = make_cleaner(opts)?;
    let mut summary = StreamSummary::default();
    let broken = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
    let io_err = |e: std::io::Error| Error::io("<stdout>", e);
    if opts.format != Format::Jsonl {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("<stdin>", e))?;
        let text = match decode(&bytes) {
            Ok(d) => d.text,
            Err(e) => {
                on_error(&format!("<stdin>: {e}"));
                summary.failed = 1;
                return Ok(summary);
            }
        };
        let cleaned = clean_str(
            &cleaner,
            &text,
            looks_like_html(&text),
            None,
            "UTF-8",
            false,
        );
        summary.documents = 1;
        match output
            .write_all(cleaned.doc.render().as_bytes())
            .and_then(|_| output.flush())
        {
            Err(e) if broken(&e) => summary.closed_early = true,
            Err(e) => return Err(io_err(e)),
            Ok(()) => {}
        }
        return Ok(summary);
    }
    let mut line_no = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io("<stdin>", e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let raw = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let doc = match parse_doc(raw, line_no, opts.html_field.as_deref()) {
            Ok(d) => d,
            Err(b) => {
                on_error(&format!("<stdin>:{}: {}", b.line, b.message));
                summary.failed += 1;
                continue;
            }
        };
        let cleaned = clean_str(&cleaner, &doc.text, doc.html, None, "UTF-8", false);
        let text = cleaned.doc.render();
        let m = &cleaned.doc.meta;
        let findings = Findings {
            title: m.title.clone(),
            author: m.author.clone(),
            date: m.date.clone(),
            source: m.source.clone(),
            removed: cleaned.doc.records.len(),
            simhash: (opts.dedup != Mode::Off)
                .then(|| format!("{:016x}", fingerprint(&cleaned.doc.body_text()).full)),
            cluster: None,
            canonical: None,
        };
        summary.documents += 1;
        if let Err(e) = output.write_all(render_line(&doc.value, &text, &findings).as_bytes()) {
            if broken(&e) {
                summary.closed_early = true;
                return Ok(summary);
            }
            return Err(io_err(e));
        }
    }
    match output.flush() {
        Err(e) if broken(&e) => summary.closed_early = true,
        Err(e) => return Err(io_err(e)),
        Ok(()) => {}
    }
    Ok(summary)
}

/// What was kept aside for writing at the end.
struct Deferred<'a> {
    texts: &'a [Option<Ref>],
    sources: &'a [Source],
    removed: &'a [Option<(Ref, usize)>],
    spill: &'a Spill,
}

/// Writes the outputs kept for the end (JSON Lines, which carry each
/// document's cluster), one output file at a time.
fn write_deferred(
    results: &mut [manifest::Entry],
    d: Deferred,
    opts: &RunOptions,
    output: &Path,
    on_error: &(dyn Fn(&str) + Sync),
) {
    use crate::input::jsonl::{render_line, Findings};
    // The id a canonical key names: a JSON Lines document's id, else its
    // path. Only canonical members are asked for.
    let wanted: std::collections::HashSet<&str> = results
        .iter()
        .filter_map(|e| e.canonical.as_deref())
        .collect();
    let id_of: std::collections::HashMap<String, String> = results
        .iter()
        .map(|e| (e.key(), e))
        .filter(|(k, _)| wanted.contains(k.as_str()))
        .map(|(k, e)| (k, e.id.clone().unwrap_or_else(|| e.input.clone())))
        .collect();
    let mut files: std::collections::BTreeMap<String, Vec<usize>> =
        std::collections::BTreeMap::new();
    for (n, t) in d.texts.iter().enumerate() {
        if t.is_some() {
            if let Some(out) = &results[n].output {
                files.entry(out.clone()).or_default().push(n);
            }
        }
    }
    let text_of = |n: usize| -> std::io::Result<String> {
        match d.texts[n] {
            Some(r) => d.spill.get_string(r),
            None => Ok(String::new()),
        }
    };
    for (out, docs) in files {
        let path = output.join(&out);
        let result = if out.ends_with(".jsonl") {
            let render = |n: usize| -> std::io::Result<String> {
                let e = &results[n];
                let findings = Findings {
                    title: e.title.clone(),
                    author: e.author.clone(),
                    date: e.date.clone(),
                    source: e.source.clone(),
                    removed: d.removed[n].map_or(0, |(_, k)| k),
                    simhash: e.simhash.clone(),
                    cluster: e.cluster,
                    canonical: e.canonical.as_ref().and_then(|k| id_of.get(k).cloned()),
                };
                let text = text_of(n)?;
                Ok(match d.sources[n] {
                    Source::Line(_, line, raw) => {
                        let raw = d.spill.get(raw)?;
                        let doc =
                            crate::input::jsonl::parse_doc(&raw, line, opts.html_field.as_deref())
                                .map_err(|b| std::io::Error::other(b.message))?;
                        render_line(&doc.value, &text, &findings)
                    }
                    _ => {
                        let mut m = serde_json::Map::new();
                        m.insert("id".into(), serde_json::Value::String(e.input.clone()));
                        render_line(&m, &text, &findings)
                    }
                })
            };
            // Rendered a chunk at a time in parallel, written in order.
            write_atomic_with(&path, |w| {
                for chunk in docs.chunks(JSONL_CHUNK) {
                    let lines: Vec<std::io::Result<String>> =
                        chunk.par_iter().map(|&n| render(n)).collect();
                    for line in lines {
                        w.write_all(line?.as_bytes())?;
                    }
                }
                Ok(())
            })
        } else {
            text_of(docs[0]).and_then(|t| write_atomic(&path, t.as_bytes()))
        };
        if let Err(err) = result {
            on_error(&format!("cannot write {}: {err}", path.display()));
            for n in docs {
                results[n].status = Status::Failed;
                results[n].reason = Some(format!("cannot write {}: {err}", path.display()));
            }
        }
    }
}

/// Who a clustered item is: a document of this run (index into the
/// results) or one from the index file of earlier runs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Owner {
    Current(usize),
    Earlier(usize),
}

/// Clusters the written documents (with those of earlier runs, when an
/// index file is used), notes clusters in their manifest entries, writes
/// the review page, removes non-canonical outputs in drop mode, and gives
/// the report. Only clusters with a document of this run are reported.
/// What clustering reads besides the manifest entries: each document's
/// fingerprint and deferred text, and the documents of earlier runs.
struct DedupInput<'a> {
    fps: &'a [Option<Fingerprint>],
    deferred: &'a [Option<Ref>],
    shingles: &'a [Option<FpRefs>],
    spill: &'a Spill,
    earlier: &'a [Stored],
}

fn dedup(
    results: &mut [manifest::Entry],
    input: DedupInput,
    opts: &RunOptions,
    output: &Path,
    on_error: &(dyn Fn(&str) + Sync),
    summary: &mut Summary,
) -> Option<Report> {
    if opts.dedup == Mode::Off {
        return None;
    }
    let DedupInput {
        fps,
        deferred,
        shingles,
        spill,
        earlier,
    } = input;
    let keys: Vec<String> = results.iter().map(manifest::Entry::key).collect();
    let (current, mut items) = cluster_items(&keys, fps);
    let mut owners: Vec<Owner> = current.into_iter().map(Owner::Current).collect();
    for (n, e) in earlier.iter().enumerate() {
        owners.push(Owner::Earlier(n));
        items.push(Item {
            path: &e.input,
            fp: &e.fp,
        });
    }
    let key_of = |o: Owner| match o {
        Owner::Current(n) => keys[n].clone(),
        Owner::Earlier(n) => earlier[n].input.clone(),
    };
    let doc_of: Vec<Option<usize>> = owners
        .iter()
        .map(|o| match o {
            Owner::Current(n) => Some(*n),
            Owner::Earlier(_) => None,
        })
        .collect();
    let sets = SpillSets {
        spill,
        refs: shingles,
        doc_of: &doc_of,
        items: &items,
    };
    let clusters: Vec<_> = cluster_with(&items, opts.params, &sets)
        .into_iter()
        .filter(|c| {
            c.members
                .iter()
                .any(|m| matches!(owners[m.item], Owner::Current(_)))
        })
        .collect();
    let mut report = Report {
        clusters: Vec::with_capacity(clusters.len()),
    };
    let mut notes: Vec<(usize, usize, String, bool)> = Vec::new();
    for (id, c) in clusters.iter().enumerate() {
        let id = id + 1;
        let canonical = key_of(owners[c.canonical]);
        let members = c
            .members
            .iter()
            .map(|m| {
                let (input, doc_id, title, source, is_earlier) = match owners[m.item] {
                    Owner::Current(n) => {
                        notes.push((n, id, canonical.clone(), m.item != c.canonical));
                        let r = &results[n];
                        (
                            r.input.clone(),
                            r.id.clone(),
                            r.title.clone(),
                            r.source.clone(),
                            false,
                        )
                    }
                    Owner::Earlier(n) => (
                        earlier[n].input.clone(),
                        None,
                        earlier[n].title.clone(),
                        None,
                        true,
                    ),
                };
                MemberOut {
                    input,
                    id: doc_id,
                    title,
                    distance: m.distance,
                    similarity: round(m.similarity),
                    jaccard: round(m.jaccard),
                    source,
                    earlier: is_earlier,
                }
            })
            .collect();
        report.clusters.push(ClusterOut {
            id,
            canonical,
            members,
        });
    }
    summary.clusters = clusters.len();
    summary.clustered = notes.len();
    // The review page diffs the cleaned texts: those kept for writing at
    // the end, or read back from OUTPUT (before drop mode removes any).
    // Documents of earlier runs are listed without a diff.
    let by_key: std::collections::HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(n, k)| (k.as_str(), n))
        .collect();
    let read = |key: &str| {
        let n = *by_key.get(key)?;
        match deferred[n] {
            Some(t) => spill.get_string(t).ok(),
            None => std::fs::read_to_string(output.join(results[n].output.as_deref()?)).ok(),
        }
    };
    let page = crate::report::html::render(&report, &read);
    let page_path = output.join(REPORT_DIR).join("duplicates.html");
    if let Err(err) = write_atomic(&page_path, page.as_bytes()) {
        on_error(&format!("{}: {err}", page_path.display()));
        summary.failed += 1;
    }
    for (n, id, canonical, duplicate) in notes {
        let e = &mut results[n];
        e.cluster = Some(id);
        e.canonical = Some(canonical);
        if duplicate && opts.dedup == Mode::Drop {
            // A file already written goes; a deferred one is never written.
            if let Some(out) = e.output.take() {
                if deferred[n].is_none() {
                    if let Err(err) = std::fs::remove_file(output.join(&out)) {
                        on_error(&format!(
                            "{}: cannot remove dropped duplicate: {err}",
                            output.join(&out).display()
                        ));
                    }
                }
            }
            e.dropped = true;
            summary.dropped += 1;
        }
    }
    Some(report)
}

/// The documents that have a fingerprint, as clustering items named by
/// their keys (unique, also for JSON Lines documents), and their indexes.
fn cluster_items<'a>(
    keys: &'a [String],
    fps: &'a [Option<Fingerprint>],
) -> (Vec<usize>, Vec<Item<'a>>) {
    fps.iter()
        .enumerate()
        .filter_map(|(n, fp)| {
            Some((
                n,
                Item {
                    path: &keys[n],
                    fp: fp.as_ref()?,
                },
            ))
        })
        .unzip()
}

/// Learns the residue of each site from the first pass: stories are the
/// near-duplicate clusters (a document in none is its own story). Adds the
/// learned lines to `table` and returns them for the report.
/// What residue learning reads of the first pass.
struct Learning<'a> {
    fps: &'a [Option<Fingerprint>],
    spill: &'a Spill,
    /// Where each document's sets are in the spill file.
    sets: &'a [Option<FpRefs>],
    /// Candidate lines (hash, zone) of each document.
    lines: &'a mut [Vec<(u64, u8)>],
    /// The text of a document's candidate line, by hash.
    text_of: &'a dyn Fn(usize, u64) -> Option<String>,
}

fn learn_residue(
    results: &[manifest::Entry],
    l: Learning,
    opts: &RunOptions,
    table: &mut crate::corpus::Table,
) -> Vec<crate::corpus::Learned> {
    use crate::corpus::DocLines;
    let Learning {
        fps,
        spill,
        sets,
        lines,
        text_of,
    } = l;
    let keys: Vec<String> = results.iter().map(manifest::Entry::key).collect();
    let (owners, items) = cluster_items(&keys, fps);
    // A document in no cluster is its own story, but documents with the same
    // text are one, however short (too short to cluster).
    let mut first_with: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    let mut story: Vec<u32> = (0..results.len())
        .map(|n| match &fps[n] {
            Some(fp) => *first_with
                .entry(fp.exact)
                .or_insert(n as u32 + 1_000_000_000),
            None => n as u32 + 1_000_000_000,
        })
        .collect();
    let doc_of: Vec<Option<usize>> = owners.iter().map(|&n| Some(n)).collect();
    let clusters = cluster_with(
        &items,
        opts.params,
        &SpillSets {
            spill,
            refs: sets,
            doc_of: &doc_of,
            items: &items,
        },
    );
    for (c, cl) in clusters.iter().enumerate() {
        for m in &cl.members {
            story[owners[m.item]] = c as u32;
        }
    }
    let written: Vec<usize> = (0..results.len())
        .filter(|&n| results[n].status == Status::Written)
        .collect();
    let docs: Vec<DocLines> = written
        .iter()
        .map(|&n| DocLines {
            site: results[n].site.clone(),
            story: story[n],
            lines: std::mem::take(&mut lines[n]),
        })
        .collect();
    let (learned_table, learned) =
        crate::corpus::learn(&docs, opts.corpus, &|d, h| text_of(written[d], h));
    // Give the lines back: the second pass picks the documents to redo.
    let mut it = docs.into_iter();
    for (n, e) in results.iter().enumerate() {
        if e.status == Status::Written {
            if let Some(d) = it.next() {
                lines[n] = d.lines;
            }
        }
    }
    table.merge(learned_table);
    learned
}

fn rel_string(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// What processing one document gives: its manifest entry, its
/// fingerprint, and the lines that could be site residue.
struct Processed {
    entry: manifest::Entry,
    fp: Option<Fingerprint>,
    /// Candidate lines for residue learning: (line hash, zone bits).
    lines: Vec<(u64, u8)>,
    /// Their texts, one a line, in the spill file.
    line_texts: Option<Ref>,
    /// How to clean this document again (second pass).
    source: Source,
    /// The cleaned text, when it is written at the end rather than at once
    /// (documents of JSON Lines input, and any output in JSON Lines): in
    /// the run's spill file.
    deferred: Option<Ref>,
    /// The removal records, as the manifest's JSON array, in the spill
    /// file (the entry's own list is left empty), and how many.
    removed: Option<(Ref, usize)>,
    /// The fingerprint's shingle set and samples, in the spill file; the
    /// fingerprint itself keeps its hashes and counts.
    shingles: Option<FpRefs>,
}

/// Where a fingerprint's sets are in the spill file.
#[derive(Debug, Clone, Copy)]
struct FpRefs {
    shingles: Ref,
    samples: Ref,
}

/// Moves a fingerprint's shingle set and samples to the spill file.
fn spill_sets(spill: &Spill, fp: &mut Fingerprint) -> std::io::Result<FpRefs> {
    let put = |v: &[u32]| {
        let bytes: Vec<u8> = v.iter().flat_map(|h| h.to_le_bytes()).collect();
        spill.put(&bytes)
    };
    let r = FpRefs {
        shingles: put(&fp.shingles)?,
        samples: put(&fp.samples)?,
    };
    fp.shingles = Vec::new();
    fp.samples = Vec::new();
    Ok(r)
}

/// A list of u32s back from the spill file (empty if it cannot be read: a
/// pair is then not confirmed).
fn load_u32s(spill: &Spill, r: Ref) -> Vec<u32> {
    spill
        .get(r)
        .map(|b| {
            b.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
        .unwrap_or_default()
}

/// The sets of clustering items: from the spill file for documents of this
/// run (`doc_of` maps an item to its document), from the fingerprint for
/// the others (an index file's, which hold their samples).
struct SpillSets<'a> {
    spill: &'a Spill,
    refs: &'a [Option<FpRefs>],
    doc_of: &'a [Option<usize>],
    items: &'a [Item<'a>],
}

impl Sets for SpillSets<'_> {
    fn shingles(&self, i: usize) -> std::borrow::Cow<'_, [u32]> {
        match self.doc_of[i].and_then(|n| self.refs[n]) {
            Some(r) => std::borrow::Cow::Owned(load_u32s(self.spill, r.shingles)),
            None => std::borrow::Cow::Borrowed(&self.items[i].fp.shingles),
        }
    }
    fn samples(&self, i: usize) -> std::borrow::Cow<'_, [u32]> {
        match self.doc_of[i].and_then(|n| self.refs[n]) {
            Some(r) => std::borrow::Cow::Owned(load_u32s(self.spill, r.samples)),
            None => std::borrow::Cow::Borrowed(&self.items[i].fp.samples),
        }
    }
}

/// Where a document came from.
#[derive(Clone, Copy)]
enum Source {
    /// A file: index into the walked entries.
    File(usize),
    /// A line of a JSON Lines file (index into the walked entries, line
    /// number, the raw line in the spill file).
    Line(usize, usize, Ref),
    /// Nothing to redo (skipped or failed).
    None,
}

/// The site of a document: its top folder under INPUT ("" at the top).
fn site_of(rel: &Path) -> String {
    let mut c = rel.components();
    match (c.next(), c.next()) {
        (Some(first), Some(_)) => first.as_os_str().to_string_lossy().into_owned(),
        _ => String::new(),
    }
}

/// Reads, cleans and writes one document; fingerprints its body when asked.
/// What shape the output takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Follow the input: text for files, JSON Lines for JSON Lines.
    #[default]
    Auto,
    Text,
    Jsonl,
}

/// Reads and cleans one walked entry: one document for a file, one per
/// line for JSON Lines. Text output of a file is written at once; the
/// rest is written after clustering.
fn process(ctx: &Ctx, n: usize, on_error: &(dyn Fn(&str) + Sync)) -> Vec<Processed> {
    let Ctx {
        cleaner,
        entries,
        output,
        opts,
        ..
    } = *ctx;
    let e = &entries[n];
    let input = rel_string(&e.rel);
    let lone = |entry: manifest::Entry| {
        vec![Processed {
            entry,
            fp: None,
            lines: Vec::new(),
            source: Source::None,
            deferred: None,
            removed: None,
            shingles: None,
            line_texts: None,
        }]
    };
    let skipped = |why: &str, bytes_in: u64| {
        lone(manifest::Entry::not_written(
            input.clone(),
            Status::Skipped,
            why.into(),
            bytes_in,
        ))
    };
    let fail = |msg: String, bytes_in: u64| {
        on_error(&format!("{}: {msg}", e.path.display()));
        lone(manifest::Entry::not_written(
            input.clone(),
            Status::Failed,
            msg,
            bytes_in,
        ))
    };
    if e.kind == Kind::Other {
        return skipped("not a text document (extension)", 0);
    }
    if opts
        .interrupt
        .as_ref()
        .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
    {
        return skipped("run interrupted", 0);
    }
    let max = opts.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    let site = site_of(&e.rel);
    if let Kind::Jsonl { gz } = e.kind {
        return process_jsonl(ctx, n, gz, &input, &site, on_error);
    }
    if let Ok(meta) = std::fs::metadata(&e.path) {
        if meta.len() > max {
            return fail(
                format!(
                    "too large: {} bytes (the limit is {max}; see --max-bytes)",
                    meta.len()
                ),
                meta.len(),
            );
        }
    }
    let bytes = match std::fs::read(&e.path) {
        Ok(b) => b,
        Err(err) => return fail(format!("cannot read: {err}"), 0),
    };
    let bytes_in = bytes.len() as u64;
    let cleaned = match clean_bytes(cleaner, &bytes, e.kind == Kind::Html, Some(&site)) {
        Ok(c) => c,
        Err(DecodeError::Binary) => {
            // A named document that is binary is worth a word; a file
            // without extension is just not a document.
            if e.kind != (Kind::Text { has_ext: false }) {
                on_error(&format!(
                    "{}: skipped: binary file (NUL or control bytes)",
                    e.path.display()
                ));
            }
            return skipped("binary file", bytes_in);
        }
    };
    drop(bytes);
    if cleaned.replaced {
        on_error(&format!(
            "{}: warning: invalid {} bytes replaced by U+FFFD",
            e.path.display(),
            cleaned.encoding
        ));
    }
    let text = cleaned.doc.render();
    let as_jsonl = opts.format == Format::Jsonl;
    let out_rel = if as_jsonl {
        e.out_rel.with_extension("jsonl")
    } else {
        e.out_rel.clone()
    };
    if !as_jsonl {
        let out_path = output.join(&out_rel);
        if let Err(err) = write_atomic(&out_path, text.as_bytes()) {
            return fail(
                format!("cannot write {}: {err}", out_path.display()),
                bytes_in,
            );
        }
    }
    let deferred = if as_jsonl {
        match ctx.spill.put(text.as_bytes()) {
            Ok(r) => Some(r),
            Err(err) => return fail(format!("cannot keep the cleaned text: {err}"), bytes_in),
        }
    } else {
        None
    };
    let mut p = match finish(
        ctx,
        cleaned,
        text,
        input.clone(),
        rel_string(&out_rel),
        bytes_in,
        e.renamed,
    ) {
        Ok(p) => p,
        Err(err) => return fail(format!("cannot keep the removal records: {err}"), bytes_in),
    };
    p.entry.site = site;
    p.source = Source::File(n);
    p.deferred = deferred;
    vec![p]
}

/// JSON Lines documents are read and cleaned this many at a time: the
/// file streams through, whatever its size.
const JSONL_CHUNK: usize = 1024;

/// Reads a JSON Lines file line by line and cleans its documents, a chunk
/// at a time in parallel. Bad lines are reported as FILE:LINE and skipped.
fn process_jsonl(
    ctx: &Ctx,
    n: usize,
    gz: bool,
    input: &str,
    site: &str,
    on_error: &(dyn Fn(&str) + Sync),
) -> Vec<Processed> {
    use crate::input::jsonl::{LineReader, ReadLine};
    let e = &ctx.entries[n];
    let max = ctx.opts.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    let failed = |line: Option<usize>, msg: String| {
        let mut entry = manifest::Entry::not_written(input.to_string(), Status::Failed, msg, 0);
        entry.line = line;
        Processed {
            entry,
            fp: None,
            lines: Vec::new(),
            source: Source::None,
            deferred: None,
            removed: None,
            shingles: None,
            line_texts: None,
        }
    };
    let mut reader = match LineReader::open(&e.path, gz, max) {
        Ok(r) => r,
        Err(err) => {
            on_error(&format!("{}: cannot read: {err}", e.path.display()));
            return vec![failed(None, format!("cannot read: {err}"))];
        }
    };
    let mut out = Vec::new();
    loop {
        let mut chunk = Vec::with_capacity(JSONL_CHUNK);
        let mut error = None;
        while chunk.len() < JSONL_CHUNK {
            match reader.next_line() {
                Ok(Some(l)) => chunk.push(l),
                Ok(None) => break,
                Err(err) => {
                    error = Some(err);
                    break;
                }
            }
        }
        let done = chunk.len() < JSONL_CHUNK;
        out.par_extend(chunk.into_par_iter().map(|l| match l {
            ReadLine::TooLong { line, bytes } => {
                let msg = format!("line too long: over {bytes} bytes (see --max-bytes)");
                on_error(&format!("{}:{line}: {msg}", e.path.display()));
                failed(Some(line), msg)
            }
            ReadLine::Line { line, raw } => {
                match crate::input::jsonl::parse_doc(&raw, line, ctx.opts.html_field.as_deref()) {
                    Ok(doc) => {
                        let site = doc.host().unwrap_or_else(|| site.to_string());
                        let raw_ref = match ctx.spill.put(&raw) {
                            Ok(r) => r,
                            Err(err) => {
                                let msg = format!("cannot keep the document: {err}");
                                on_error(&format!("{}:{line}: {msg}", e.path.display()));
                                return failed(Some(line), msg);
                            }
                        };
                        match clean_line(ctx, n, &doc, &site) {
                            Ok(mut p) => {
                                p.source = Source::Line(n, line, raw_ref);
                                p
                            }
                            Err(err) => {
                                let msg = format!("cannot keep the cleaned text: {err}");
                                on_error(&format!("{}:{line}: {msg}", e.path.display()));
                                failed(Some(line), msg)
                            }
                        }
                    }
                    Err(b) => {
                        on_error(&format!("{}:{}: {}", e.path.display(), b.line, b.message));
                        failed(Some(b.line), b.message)
                    }
                }
            }
        }));
        if let Some(err) = error {
            let msg = format!("cannot read JSON Lines: {err}");
            on_error(&format!("{}: {msg}", e.path.display()));
            out.push(failed(None, msg));
            break;
        }
        if done || interrupted(ctx.opts) {
            break;
        }
    }
    out
}

fn interrupted(opts: &RunOptions) -> bool {
    opts.interrupt
        .as_ref()
        .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
}

/// Cleans one JSON Lines document.
fn clean_line(
    ctx: &Ctx,
    n: usize,
    doc: &crate::input::jsonl::JsonlDoc,
    site: &str,
) -> std::io::Result<Processed> {
    let e = &ctx.entries[n];
    let cleaned = clean_str(ctx.cleaner, &doc.text, doc.html, Some(site), "UTF-8", false);
    let text = cleaned.doc.render();
    let out_rel = match ctx.opts.format {
        Format::Text => {
            let stem = jsonl_stem(&e.rel);
            stem.join(format!("{:06}.txt", doc.line))
        }
        _ => jsonl_stem(&e.rel).with_extension("jsonl"),
    };
    let bytes_in = doc.text.len() as u64;
    let deferred = ctx.spill.put(text.as_bytes())?;
    let mut p = finish(
        ctx,
        cleaned,
        text,
        rel_string(&e.rel),
        rel_string(&out_rel),
        bytes_in,
        false,
    )?;
    p.entry.id = doc.id.clone();
    p.entry.line = Some(doc.line);
    p.entry.site = site.to_string();
    p.deferred = Some(deferred);
    Ok(p)
}

/// "a/b.jsonl.gz" -> "a/b" (the name without its JSON Lines extensions).
fn jsonl_stem(rel: &Path) -> PathBuf {
    let mut p = rel.to_path_buf();
    if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("gz")) {
        p = p.with_extension("");
    }
    p.with_extension("")
}

/// The manifest entry, fingerprint and residue candidates of a cleaned
/// document.
fn finish(
    ctx: &Ctx,
    cleaned: Cleaned,
    text: String,
    input: String,
    output: String,
    bytes_in: u64,
    renamed: bool,
) -> std::io::Result<Processed> {
    let Cleaned {
        doc,
        encoding,
        replaced,
        html,
    } = cleaned;
    let mut fp = ctx.with_fp.then(|| fingerprint(&doc.body_text()));
    let shingles = match &mut fp {
        Some(f) => Some(spill_sets(ctx.spill, f)?),
        None => None,
    };
    let candidates = crate::corpus::candidates(&doc);
    let joined: Vec<&str> = candidates.iter().map(|(_, _, t)| t.as_str()).collect();
    let line_texts = Some(ctx.spill.put(joined.join("\n").as_bytes())?);
    let lines = candidates.iter().map(|&(h, z, _)| (h, z)).collect();
    let records = doc.records_by_line();
    let removed_json = serde_json::to_vec(&records).map_err(std::io::Error::other)?;
    let removed = Some((ctx.spill.put(&removed_json)?, records.len()));
    let entry = manifest::Entry {
        input,
        id: None,
        line: None,
        site: String::new(),
        output: Some(output),
        status: Status::Written,
        reason: None,
        encoding: Some(encoding),
        replaced_bytes: replaced,
        renamed,
        bytes_in,
        bytes_out: text.len() as u64,
        empty: text.is_empty(),
        title: doc.meta.title,
        author: doc.meta.author,
        date: doc.meta.date,
        source: doc.meta.source,
        site_name: html.as_ref().and_then(|h| h.meta.site_name.clone()),
        canonical_url: html.as_ref().and_then(|h| h.meta.canonical.clone()),
        language: html.as_ref().and_then(|h| h.meta.language.clone()),
        container: html.as_ref().map(|h| h.container.clone()),
        no_article: html.as_ref().is_some_and(|h| h.no_article),
        simhash: fp.as_ref().map(|f| format!("{:016x}", f.full)),
        cluster: None,
        canonical: None,
        dropped: false,
        removed: Vec::new(),
    };
    Ok(Processed {
        entry,
        fp,
        lines,
        source: Source::None,
        deferred: None,
        removed,
        shingles,
        line_texts,
    })
}

/// What every document of a pass shares.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    cleaner: &'a Cleaner,
    entries: &'a [Entry],
    output: &'a Path,
    with_fp: bool,
    opts: &'a RunOptions,
    spill: &'a Spill,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lone agency credit under the headline names the source: no earlier
    /// stage (the kicker rule of navigation) may take it first.
    #[test]
    fn lone_agency_credit_gives_the_source() {
        let doc = Cleaner::default().clean(
            "Bridge closes to lorries\nAFP\n\nThe council voted on Tuesday to close the old bridge to lorries after engineers warned.\n",
        );
        assert_eq!(doc.meta.source.as_deref(), Some("AFP"));
        assert_eq!(doc.records[0].stage, "byline");
    }

    #[test]
    fn unknown_stage_is_an_error() {
        assert!(Cleaner::without(&["nope".into()]).is_err());
        assert!(Cleaner::without(&["normalize".into()]).is_err());
        assert!(Cleaner::without(&["tail".into()]).is_ok());
    }
}

//! The pipeline: a [`Cleaner`] for one text, and [`run`] for a folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::dedup::cluster::{cluster_with, Cluster, EachSamples, Item, Params, Sets};
use crate::dedup::fingerprint::{fingerprint, Fingerprint};
use crate::dedup::store::{self, Stored};
use crate::dedup::Mode;
use crate::doc::Doc;
use crate::error::Error;
use crate::input::decode::{decode, DecodeError};
use crate::input::walk::{walk, Entry, Kind};
use crate::report::duplicates::{round, ClusterOut, MemberOut, Report};
use crate::report::manifest::{self, Status};
use crate::spill::{Lane, Ref, Spill};
use crate::stages::{self, Stage};
use crate::write::{
    stage_with, sync_file_system, write_atomic, write_atomic_with, write_output, write_output_with,
};

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
        crate::doc::Judgments::remember(&doc);
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
    // A document's candidate lines are kept for the second pass: for
    // learning, or to find the documents a loaded table applies to.
    let with_lines = learn_corpus || opts.load_residue.is_some();
    let progress = opts.progress.as_deref();
    if let Some(p) = progress {
        p.start(entries.len());
    }
    let report_dir = output.join(REPORT_DIR);
    std::fs::create_dir_all(&report_dir).map_err(|e| Error::io(&report_dir, e))?;
    let spill = Spill::new_in(&report_dir).map_err(|e| Error::io(&report_dir, e))?;
    let names = Names::default();
    let ctx = Ctx {
        cleaner: &cleaner,
        entries: &entries,
        output,
        with_fp,
        with_lines,
        opts,
        spill: &spill,
        names: &names,
    };
    trace_phase(start, "read and clean");
    // Files are processed in parallel batches, the documents of a JSON
    // Lines file a chunk at a time; all go into `docs` in input order.
    let mut docs = Docs::default();
    let mut batch: Vec<usize> = Vec::new();
    let flush = |batch: &mut Vec<usize>, docs: &mut Docs| {
        let out: Vec<Sealed> = pool.install(|| {
            batch
                .par_iter()
                .flat_map_iter(|&n| {
                    let p = process(&ctx, n, on_error);
                    if let Some(bar) = progress {
                        bar.advance(p.len());
                    }
                    p
                })
                .collect()
        });
        docs.extend(out);
        batch.clear();
    };
    for (n, e) in entries.iter().enumerate() {
        match e.kind {
            Kind::Jsonl { gz } if !interrupted(opts) => {
                flush(&mut batch, &mut docs);
                let input = rel_string(&e.rel);
                let site = site_of(&e.rel);
                pool.install(|| process_jsonl(&ctx, n, gz, &input, &site, &mut docs, on_error));
                if let Some(bar) = progress {
                    bar.advance(1);
                }
            }
            _ => {
                batch.push(n);
                if batch.len() >= 4096 {
                    flush(&mut batch, &mut docs);
                }
            }
        }
    }
    flush(&mut batch, &mut docs);
    if tracing() {
        let [main, scan, out, manifest] = spill.lane_sizes().map(|b| b as f64 / 1e6);
        trace_step(&format!(
            "spill: main {main:.0} MB, samples {scan:.0} MB, outputs {out:.0} MB, manifest {manifest:.0} MB"
        ));
    }
    trace_phase(start, "learn residue");
    let early_sync = start_early_sync(&docs, output);
    // Second pass: residue learned from the corpus (and loaded from a file),
    // applied to the documents that hold any of it.
    let mut table = crate::corpus::Table::default();
    let mut first_clusters = None;
    if let Some(path) = &opts.load_residue {
        let src = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        table.load_lines(&src, &path.display().to_string());
    }
    if learn_corpus {
        // (in the run's pool: clustering and learning sort and confirm in
        // parallel, on the threads -j allows)
        let (learned, clusters) = pool.install(|| learn_residue(&ctx, &docs, &mut table));
        first_clusters = Some(clusters);
        summary.learned = learned.len();
        if let Some(path) = &opts.learned_residue {
            let text = crate::corpus::render_learned(&learned, opts.corpus);
            write_atomic(path, text.as_bytes()).map_err(|e| Error::io(path, e))?;
        }
    }
    release_freed_memory();
    trace_phase(start, "second pass");
    if !table.is_empty() {
        let table = std::sync::Arc::new(table);
        let second = make_cleaner(opts)?.with_corpus(table.clone());
        let ctx2 = Ctx {
            cleaner: &second,
            ..ctx
        };
        let all: Vec<usize> = (0..docs.len()).collect();
        let affected: Vec<usize> = all
            .chunks(READ_CHUNK)
            .flat_map(|chunk| {
                let lines = load_lines_many(&spill, chunk.iter().map(|&n| docs[n].lines));
                chunk
                    .iter()
                    .zip(lines)
                    .filter(|(&n, lines)| {
                        let site = &*docs[n].rec.site;
                        lines.iter().any(|&(h, _)| table.holds(Some(site), h))
                    })
                    .map(|(&n, _)| n)
                    .collect::<Vec<usize>>()
            })
            .collect();
        // Messages about a file were given in the first pass.
        let quiet = |msg: &str| {
            if !msg.contains(": warning: ") && !msg.contains(": skipped: ") {
                on_error(msg)
            }
        };
        let again: Vec<(usize, Sealed)> = pool.install(|| {
            affected
                .par_iter()
                .filter_map(|&n| {
                    let d = &docs[n];
                    let p = match d.source {
                        Source::File(i) => process(&ctx2, i, &quiet).pop()?,
                        Source::Line(i, line, at) => {
                            let raw = match at.read(&entries[i].path, &spill) {
                                Ok(raw) => raw,
                                Err(e) => {
                                    let path = entries[i].path.display();
                                    on_error(&format!(
                                        "{path}:{line}: cannot read again for the second pass: {e}"
                                    ));
                                    return None;
                                }
                            };
                            let doc = crate::input::jsonl::parse_doc(
                                &raw,
                                line,
                                opts.html_field.as_deref(),
                            )
                            .ok()?;
                            let mut p = clean_line(&ctx2, i, &doc, &d.rec.site);
                            p.source = d.source;
                            seal(&ctx2, p, &quiet)
                        }
                        Source::None => return None,
                    };
                    Some((n, p))
                })
                .collect()
        });
        if !again.is_empty() {
            // fingerprints may have moved: cluster afresh
            first_clusters = None;
        }
        for (n, p) in again {
            docs[n] = p;
        }
    }
    if opts.dedup == Mode::Off {
        docs.iter_mut().for_each(|d| d.fp = None);
    }
    // Documents of this run replace their own entries from an earlier run.
    if !earlier.is_empty() {
        let current: rustc_hash::FxHashSet<&str> = docs.iter().map(|d| &*d.rec.key).collect();
        earlier.retain(|e| !current.contains(e.input.as_str()));
    }
    summary.earlier = earlier.len();
    release_freed_memory();
    trace_phase(start, "cluster and report");
    let reviewed = pool.install(|| {
        dedup(
            &mut docs,
            &spill,
            Known {
                earlier: &earlier,
                clusters: first_clusters,
            },
            opts,
            output,
            &mut summary,
        )
    });
    trace_phase(start, "index");
    if let Some(index) = &opts.index {
        let mut all = earlier;
        all.extend(docs.iter().filter_map(|d| {
            let mut fp = d.fp.as_ref()?.to_sampled();
            fp.samples = load_u32s(&spill, d.sets.as_ref()?.samples);
            let title = d.rec.fields(&spill).title;
            Some(Stored {
                input: d.rec.key.to_string(),
                title,
                fp,
            })
        }));
        store::save(index, &all).map_err(|e| Error::io(index, e))?;
    }
    // The review page (mostly work for the processor), the deferred
    // outputs and the manifest (mostly copying through the system) go side
    // by side: all only read the documents and the spill. The manifest is
    // written as if every deferred output will be written; should one fail,
    // it is written again with the failure in it. duplicates.json is
    // staged beside them too. What is staged is committed after the sync.
    trace_phase(start, "review page, deferred outputs and manifest");
    let names = stages::names();
    let manifest_path = output.join(REPORT_DIR).join("manifest.jsonl");
    let dup_path = output.join(REPORT_DIR).join("duplicates.json");
    let page_done = std::sync::atomic::AtomicBool::new(false);
    let ((page_failed, write_errors), (manifest, counts, staged_report)) =
        std::thread::scope(|scope| {
            // What is read now is the outputs and the manifest lines: the
            // rest of the spill is let go of meanwhile (freeing the pages
            // of gigabytes takes the kernel a while), and its memory serves
            // the writing. (Were it kept, nothing would be lost: errors here
            // are ignored.)
            scope.spawn(|| {
                let _ = spill.release(Lane::Main);
                let _ = spill.release(Lane::Scan);
            });
            pool.install(|| {
                rayon::join(
                    || {
                        let done = rayon::join(
                            || {
                                let failed = reviewed.as_ref().is_some_and(|r| {
                                    !write_review_page(r, &spill, output, on_error)
                                });
                                // (the outputs lane may be let go of now)
                                page_done.store(true, std::sync::atomic::Ordering::Release);
                                trace_step("report: review page written");
                                failed
                            },
                            || {
                                let errors =
                                    write_deferred(&docs, &spill, output, &page_done, on_error);
                                trace_step("deferred outputs written");
                                errors
                            },
                        );
                        // (the outputs lane is let go of as the manifest ends)
                        let _ = spill.release(Lane::Out);
                        done
                    },
                    || {
                        let mut counts = Summary::default();
                        let manifest =
                            write_manifest(&manifest_path, &docs, &spill, &names, &mut counts);
                        trace_step("manifest written");
                        let staged = reviewed.as_ref().map(|r| {
                            crate::write::stage_with(&dup_path, |w| {
                                w.write_all(r.report.to_json().as_bytes())
                            })
                        });
                        trace_step("duplicates.json staged");
                        (manifest, counts, staged)
                    },
                )
            })
        });
    summary.failed += usize::from(page_failed);
    let (manifest, counts) = if write_errors.is_empty() {
        (manifest, counts)
    } else {
        // (an output could not be written: its entry says so)
        drop(manifest);
        for (n, err) in write_errors {
            docs[n].rec.write_error = Some(err.into());
        }
        let mut counts = Summary::default();
        let manifest = write_manifest(&manifest_path, &docs, &spill, &names, &mut counts);
        (manifest, counts)
    };
    let manifest = manifest.map_err(|e| Error::io(&manifest_path, e))?;
    add_manifest_counts(&mut summary, counts);
    // (a dropped copy's file goes only now: the page diffed it)
    if let Some(r) = &reviewed {
        remove_dropped(&r.dropped_files, on_error);
    }
    // The spill is done with: let go of it before the sync, which then
    // has no need to write its pages out.
    drop(docs);
    drop(spill);
    trace_phase(start, "sync outputs");
    // The outputs were not synced one by one: the manifest comes after all
    // of them are on disk (and is synced itself). (The early sync, if any,
    // is waited for first: this one finds less to write.)
    if let Some(early) = early_sync {
        let _ = early.join();
    }
    sync_file_system(output).map_err(|e| Error::io(output, e))?;
    manifest
        .commit()
        .map_err(|e| Error::io(&manifest_path, e))?;
    trace_phase(start, "duplicates.json");
    if let Some(staged) = staged_report {
        staged
            .and_then(crate::write::Staged::commit)
            .map_err(|e| Error::io(&dup_path, e))?;
    }
    summary.interrupted = interrupted(opts);
    summary.elapsed = start.elapsed();
    trace_phase(start, "done");
    Ok(summary)
}

/// When the first pass wrote outputs of its own (files, not the JSON Lines
/// outputs kept for the end), starts a sync of the file system on a thread
/// of its own: the disk takes them while the run learns, clusters and
/// writes its reports, and the sync before the manifest is committed
/// finds the most of them written. Folder to folder, 100,000 files, seven
/// runs each taking turns: from the end of the first pass to the end of
/// the run 1.16 s -> 0.99 s on average; the final sync 0.65-0.97 s ->
/// 0.01-0.35 s, while the steps between grew slower (the kernel's
/// writing takes processor time from them). What the scratch file holds
/// at that moment is written to disk too, which a short run otherwise
/// never does (a run of more than half a minute has the kernel write it
/// anyway); a run with nothing to gain writes nothing early. Errors are
/// the final sync's to report: this one's are ignored.
fn start_early_sync(docs: &Docs, output: &Path) -> Option<std::thread::JoinHandle<()>> {
    let wrote = docs
        .iter()
        .any(|d| d.deferred.is_none() && d.rec.status == Status::Written && d.rec.output.is_some());
    if !wrote {
        return None;
    }
    let output = output.to_path_buf();
    let early = std::thread::Builder::new()
        .name("newsclean-early-sync".into())
        .spawn(move || {
            let _ = sync_file_system(&output);
            trace_step("early sync of the outputs done");
        })
        .ok()?;
    trace_step("early sync of the outputs started");
    Some(early)
}

/// Writes the manifest (staged, committed after the sync): each document's
/// line as first serialized, read back from the spill a chunk at a time and
/// patched with what was learned later; counts the run's summary on the way.
fn write_manifest(
    path: &Path,
    docs: &Docs,
    spill: &Spill,
    names: &[&'static str],
    summary: &mut Summary,
) -> std::io::Result<crate::write::Staged> {
    stage_with(path, |w| {
        let all: Vec<&Sealed> = docs.iter().collect();
        for chunk in all.chunks(READ_CHUNK) {
            // The chunk's spilled lines, read back a block at a time.
            let spilled: Vec<Ref> = chunk.iter().filter_map(|d| d.rec.spilled()).collect();
            let mut raws = spill.get_many(&spilled).into_iter();
            for d in chunk {
                let r = &d.rec;
                let raw = match &r.line {
                    Held::Spilled(_) => raws.next().expect("one value per spilled line")?,
                    Held::Memory(s) => s.as_bytes().to_vec(),
                };
                let raw = String::from_utf8(raw).map_err(std::io::Error::other)?;
                let line = r.patched(&raw);
                w.write_all(line.as_bytes())?;
                match r.status {
                    Status::Written if r.write_error.is_none() => {
                        summary.read += 1;
                        summary.written += usize::from(!r.dropped);
                        summary.empty += usize::from(r.empty);
                        summary.renamed += usize::from(r.renamed);
                        for stage in manifest::stages_in(&line) {
                            if let Some(name) = names.iter().find(|n| **n == stage) {
                                *summary.removed_by_stage.entry(name).or_default() += 1;
                            }
                        }
                    }
                    Status::Skipped => {
                        *summary
                            .skipped
                            .entry(r.reason.as_deref().unwrap_or_default().to_string())
                            .or_default() += 1;
                    }
                    Status::Written | Status::Failed => {
                        summary.read += 1;
                        summary.failed += 1;
                    }
                }
            }
        }
        Ok(())
    })
}

/// Adds what writing the manifest counted ([`write_manifest`]) to the
/// run's summary.
fn add_manifest_counts(summary: &mut Summary, counts: Summary) {
    summary.read += counts.read;
    summary.written += counts.written;
    summary.empty += counts.empty;
    summary.renamed += counts.renamed;
    summary.failed += counts.failed;
    for (reason, n) in counts.skipped {
        *summary.skipped.entry(reason).or_default() += n;
    }
    for (stage, n) in counts.removed_by_stage {
        *summary.removed_by_stage.entry(stage).or_default() += n;
    }
}

/// Gives the memory freed by a finished phase back to the system (glibc
/// keeps it otherwise, and the next phase's allocations land beside it).
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// With NEWSCLEAN_TRACE set, prints to stderr when each phase of a run
/// starts, with the time so far, the processor time the process has used
/// so far (all threads, user and system), and the memory in use and at
/// peak (from /proc, where there is one): for benchmarks and for finding
/// where a run spends its time, and how many cores each phase keeps busy
/// (its processor time over its wall time).
fn trace_phase(start: Instant, phase: &str) {
    if !tracing() {
        return;
    }
    *TRACE_START.lock().unwrap_or_else(|e| e.into_inner()) = Some(start);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or("?".to_string(), |kb| format!("{} MB", kb / 1024))
    };
    eprintln!(
        "newsclean trace: {:>8.2} s  cpu {:>8}  rss {:>8}  peak {:>8}  {phase}",
        start.elapsed().as_secs_f64(),
        cpu_so_far(),
        field("VmRSS:"),
        field("VmHWM:")
    );
}

/// The processor time (user and system, all threads) the process has used
/// so far, from /proc/self/stat, as "12.34 s"; "?" where there is none.
fn cpu_so_far() -> String {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // (fields after the command name, which is in parentheses and may
    // hold spaces: utime and stime are the 12th and 13th, in clock ticks)
    let ticks: Option<u64> = stat.rsplit_once(')').and_then(|(_, rest)| {
        let f: Vec<&str> = rest.split_whitespace().collect();
        Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
    });
    // (the kernel reports USER_HZ ticks: 100 a second on Linux)
    ticks.map_or("?".to_string(), |t| format!("{:.2} s", t as f64 / 100.0))
}

fn tracing() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NEWSCLEAN_TRACE").is_some())
}

/// The start of the run being traced.
static TRACE_START: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);

/// With NEWSCLEAN_TRACE set, a step inside a phase (time since the run's
/// start), for the phases that do several things.
pub(crate) fn trace_step(step: &str) {
    if !tracing() {
        return;
    }
    if let Some(start) = *TRACE_START.lock().unwrap_or_else(|e| e.into_inner()) {
        eprintln!(
            "newsclean trace: {:>8.2} s  cpu {:>8}    - {step}",
            start.elapsed().as_secs_f64(),
            cpu_so_far()
        );
    }
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
        if let Err(e) = output.write_all(render_line(&doc.fields, &text, &findings).as_bytes()) {
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

/// Writes the outputs kept for the end (JSON Lines, which carry each
/// document's cluster), one output file at a time, streamed. Returns the
/// documents whose output could not be written, with the error.
fn write_deferred(
    docs: &Docs,
    spill: &Spill,
    output: &Path,
    page_done: &std::sync::atomic::AtomicBool,
    on_error: &(dyn Fn(&str) + Sync),
) -> Vec<(usize, String)> {
    // The id a canonical key names: a JSON Lines document's id, else its
    // input path. Only canonical members are asked for.
    let wanted: rustc_hash::FxHashSet<&str> = docs
        .iter()
        .filter_map(|d| d.rec.canonical.as_deref())
        .collect();
    let id_of: rustc_hash::FxHashMap<String, String> = docs
        .iter()
        .filter(|d| wanted.contains(&*d.rec.key))
        .map(|d| {
            let f = d.rec.fields(spill);
            let id = f.id.or(f.input).unwrap_or_default();
            (d.rec.key.to_string(), id)
        })
        .collect();
    // Each output's documents, with where their deferred outputs lie.
    let mut files: std::collections::BTreeMap<String, Vec<(usize, Ref)>> =
        std::collections::BTreeMap::new();
    for (n, d) in docs.iter().enumerate() {
        if let (Some(r), Some(out)) = (d.deferred, &d.rec.output) {
            files.entry(out.to_string()).or_default().push((n, r));
        }
    }
    // A clustered document's line (`line`, its deferred output as read
    // back) gets the cluster and canonical id, put in where the line was
    // rendered without them (every deferred JSON line notes that place).
    let patched = |d: &Sealed, cluster: usize, line: &[u8]| -> std::io::Result<String> {
        let line = std::str::from_utf8(line).map_err(std::io::Error::other)?;
        let canonical = d.rec.canonical.as_deref().and_then(|k| id_of.get(k));
        d.cluster_at
            .and_then(|at| {
                crate::input::jsonl::fill_cluster(
                    line,
                    at as usize,
                    cluster,
                    canonical.map(String::as_str),
                )
            })
            .ok_or_else(|| std::io::Error::other("no place for the cluster in the output line"))
    };
    // The outputs lane is let go of as it is read (once the review page,
    // which reads some of it, is written): the pages it frees are the ones
    // the outputs are then written into. On this project's virtual machine
    // pages just freed took a third of the time to write that memory the
    // system had had back for a while did: a million documents' deferred
    // outputs 10.3 -> 5.4 s. `from[f]`: the first place in the lane that
    // output `f` or a later one reads.
    let files: Vec<(String, Vec<(usize, Ref)>)> = files.into_iter().collect();
    let mut from = vec![u64::MAX; files.len() + 1];
    for f in (0..files.len()).rev() {
        let first = files[f].1.iter().map(|(_, r)| r.offset()).min();
        from[f] = from[f + 1].min(first.unwrap_or(u64::MAX));
    }
    let release = |below: u64| {
        if below != u64::MAX && page_done.load(std::sync::atomic::Ordering::Acquire) {
            let _ = spill.release_below(Lane::Out, below);
        }
    };
    let mut errors = Vec::new();
    for (f, (out, members)) in files.into_iter().enumerate() {
        release(from[f]);
        let path = output.join(&out);
        let result = if out.ends_with(".jsonl") {
            // A thread of its own reads the lines back a chunk at a time
            // (in the order they lie in the spill file, into one buffer)
            // and patches the clustered ones, while this thread writes the
            // chunk before, its lines in output order: writing (the copy
            // into the page cache) is the longer half, and the two went in
            // turns. Other lines are written as they were put, with no
            // copy of their own. (At most two chunks wait between the two;
            // their buffers, some MB each, go back to be filled again
            // rather than be freed and taken afresh.)
            write_output_with(&path, |w| {
                std::thread::scope(|scope| {
                    let (tx, rx) = std::sync::mpsc::sync_channel(2);
                    let (back, empty) = std::sync::mpsc::channel::<ReadBack>();
                    let (members, patched, release) = (&members, &patched, &release);
                    let after = from[f + 1];
                    scope.spawn(move || {
                        // `later[k]`: the first place chunk k or a later
                        // one (of this output or the next) reads
                        let chunks: Vec<&[(usize, Ref)]> = members.chunks(READ_CHUNK).collect();
                        let mut later = vec![after; chunks.len() + 1];
                        for k in (0..chunks.len()).rev() {
                            let first = chunks[k].iter().map(|(_, r)| r.offset()).min();
                            later[k] = later[k + 1].min(first.unwrap_or(u64::MAX));
                        }
                        for (k, chunk) in chunks.iter().enumerate() {
                            release(later[k]);
                            let mut block = empty.try_recv().unwrap_or_default();
                            let read = block.fill(spill, chunk.len(), |k| {
                                let (n, r) = chunk[k];
                                let d = &docs[n];
                                (
                                    r,
                                    d.rec
                                        .cluster
                                        .map(|c| move |line: &[u8]| patched(d, c, line)),
                                )
                            });
                            let failed = read.is_err();
                            // (the writer gone: its write failed)
                            if tx.send(read.map(|()| block)).is_err() || failed {
                                break;
                            }
                        }
                    });
                    for block in rx {
                        let block = block?;
                        for line in block.lines() {
                            w.write_all(line)?;
                        }
                        // (the reader gone: it has read its last chunk)
                        let _ = back.send(block);
                    }
                    Ok(())
                })
            })
        } else {
            spill
                .get_string(members[0].1)
                .and_then(|t| write_output(&path, t.as_bytes()))
        };
        if let Err(err) = result {
            let msg = format!("cannot write {}: {err}", path.display());
            on_error(&msg);
            errors.extend(members.into_iter().map(|(n, _)| (n, msg.clone())));
        }
    }
    errors
}

/// A chunk of deferred output lines read back from the spill file: the
/// bytes as they lie there (each value once, the patched lines after
/// them), and where each line of the chunk is, in output order.
#[derive(Default)]
struct ReadBack {
    bytes: Vec<u8>,
    at: Vec<(usize, usize)>,
}

impl ReadBack {
    /// Reads `len` lines: line `k` is the value `line(k).0`, or, when
    /// `line(k).1` is given, what it makes of the value. Fails with the
    /// first value that cannot be read or patched.
    fn fill<P>(
        &mut self,
        spill: &Spill,
        len: usize,
        line: impl Fn(usize) -> (Ref, Option<P>),
    ) -> std::io::Result<()>
    where
        P: FnOnce(&[u8]) -> std::io::Result<String>,
    {
        self.bytes.clear();
        self.at.clear();
        self.at.resize(len, (0, 0));
        let mut patch = Vec::new();
        let mut failed = None;
        let refs = (0..len).map(|k| (k, line(k).0)).collect();
        spill.scan(refs, |k, value| match value {
            Ok(v) => {
                self.at[k] = (self.bytes.len(), v.len());
                self.bytes.extend_from_slice(v);
                if line(k).1.is_some() {
                    patch.push(k);
                }
            }
            Err(e) => {
                failed.get_or_insert(e);
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        for k in patch {
            let (start, n) = self.at[k];
            if let (_, Some(make)) = line(k) {
                let text = make(&self.bytes[start..start + n])?;
                self.at[k] = (self.bytes.len(), text.len());
                self.bytes.extend_from_slice(text.as_bytes());
            }
        }
        Ok(())
    }

    /// The lines, in output order.
    fn lines(&self) -> impl Iterator<Item = &[u8]> {
        self.at
            .iter()
            .map(|&(start, n)| &self.bytes[start..start + n])
    }
}

/// Who a clustered item is: a document of this run (index into the
/// documents) or one from the index file of earlier runs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Owner {
    Current(usize),
    Earlier(usize),
}

/// What dedup starts from besides this run's documents.
struct Known<'a> {
    /// Documents of earlier runs, from the index.
    earlier: &'a [Stored],
    /// Clusters of this run's documents made while learning residue, still
    /// true if no document changed since.
    clusters: Option<Vec<Cluster>>,
}

/// Clusters the written documents (with those of earlier runs, when an
/// index file is used), notes clusters in their records, marks
/// non-canonical documents dropped in drop mode, and gives the report with
/// what the review page reads and the outputs drop mode removes once the
/// page is written. Only clusters with a document of this run are reported.
fn dedup(
    docs: &mut Docs,
    spill: &Spill,
    known: Known,
    opts: &RunOptions,
    output: &Path,
    summary: &mut Summary,
) -> Option<Reviewed> {
    if opts.dedup == Mode::Off {
        return None;
    }
    let earlier = known.earlier;
    let (current, mut items) = cluster_items(docs);
    let mut owners: Vec<Owner> = current.into_iter().map(Owner::Current).collect();
    for (n, e) in earlier.iter().enumerate() {
        owners.push(Owner::Earlier(n));
        items.push(Item {
            path: &e.input,
            fp: &e.fp,
        });
    }
    let key_of = |o: Owner| match o {
        Owner::Current(n) => docs[n].rec.key.to_string(),
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
        docs,
        doc_of: &doc_of,
        items: &items,
    };
    // Clusters of these very documents, from learning, hold as they are
    // when no earlier run's documents join them.
    let clusters = match known.clusters {
        Some(k) if earlier.is_empty() => k,
        _ => cluster_with(&items, opts.params, &sets),
    };
    let clusters: Vec<_> = clusters
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
    trace_step("report: members");
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
                        let f = docs[n].rec.fields(spill);
                        (f.input.unwrap_or_default(), f.id, f.title, f.source, false)
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
    drop(items);
    summary.clusters = clusters.len();
    summary.clustered = notes.len();
    // Where the review page reads each clustered document's cleaned text:
    // the output kept for writing at the end, or the file written in
    // OUTPUT (noted before drop mode takes the output away: its file goes
    // once the page is written).
    let mut texts = rustc_hash::FxHashMap::default();
    let mut dropped_files = Vec::new();
    for (n, id, canonical, duplicate) in notes {
        let d = &mut docs[n];
        if let Some(out) = d.rec.output.as_deref() {
            let at = match d.deferred {
                Some(r) => TextAt::Spill {
                    at: r,
                    jsonl: out.ends_with(".jsonl"),
                },
                None => TextAt::File(output.join(out)),
            };
            texts.insert(d.rec.key.to_string(), at);
        }
        d.rec.cluster = Some(id);
        d.rec.canonical = Some(canonical.into());
        if duplicate && opts.dedup == Mode::Drop {
            // A file already written goes; a deferred one is never written.
            if let Some(out) = d.rec.output.take() {
                if d.deferred.is_none() {
                    dropped_files.push(output.join(&*out));
                }
            }
            d.rec.dropped = true;
            summary.dropped += 1;
        }
    }
    Some(Reviewed {
        report,
        texts,
        dropped_files,
    })
}

/// What clustering leaves for the review page and for drop mode.
struct Reviewed {
    report: Report,
    /// Where each clustered document's cleaned text is read, by key.
    texts: rustc_hash::FxHashMap<String, TextAt>,
    /// Outputs written in the first pass that drop mode removes.
    dropped_files: Vec<PathBuf>,
}

/// Where a clustered document's cleaned text lies.
enum TextAt {
    /// An output kept for writing at the end: a JSON Lines line (only its
    /// text is read) or the text itself.
    Spill { at: Ref, jsonl: bool },
    /// An output file written in the first pass.
    File(PathBuf),
}

/// Writes the review page, which diffs the clustered documents' cleaned
/// texts (documents of earlier runs are listed without a diff). Says
/// whether it was written.
fn write_review_page(
    r: &Reviewed,
    spill: &Spill,
    output: &Path,
    on_error: &(dyn Fn(&str) + Sync),
) -> bool {
    let read = |key: &str| match r.texts.get(key)? {
        TextAt::Spill { at, jsonl } => {
            let s = spill.get_string(*at).ok()?;
            if *jsonl {
                // (only the text is read; the other fields are skipped)
                #[derive(serde::Deserialize)]
                struct Text {
                    text: Option<String>,
                }
                serde_json::from_str::<Text>(&s).ok()?.text
            } else {
                Some(s)
            }
        }
        TextAt::File(path) => std::fs::read_to_string(path).ok(),
    };
    trace_step("report: review page");
    let page_path = output.join(REPORT_DIR).join("duplicates.html");
    match write_atomic_with(&page_path, |w| {
        crate::report::html::render_to(w, &r.report, &read)
    }) {
        Ok(()) => true,
        Err(err) => {
            on_error(&format!("{}: {err}", page_path.display()));
            false
        }
    }
}

/// Removes the outputs of duplicates dropped after they were written.
fn remove_dropped(files: &[PathBuf], on_error: &(dyn Fn(&str) + Sync)) {
    for f in files {
        if let Err(err) = std::fs::remove_file(f) {
            on_error(&format!(
                "{}: cannot remove dropped duplicate: {err}",
                f.display()
            ));
        }
    }
}

/// The documents that have a fingerprint, as clustering items named by
/// their keys (unique, also for JSON Lines documents), and their indexes.
fn cluster_items(docs: &Docs) -> (Vec<usize>, Vec<Item<'_>>) {
    docs.iter()
        .enumerate()
        .filter_map(|(n, d)| {
            Some((
                n,
                Item {
                    path: &d.rec.key,
                    fp: d.fp.as_ref()?,
                },
            ))
        })
        .unzip()
}

/// Learns the residue of each site from the first pass: stories are the
/// near-duplicate clusters (a document in none is its own story). Adds the
/// learned lines to `table` and returns them for the report.
/// Returns the clusters too: when the second pass changes no document,
/// dedup takes them as they are instead of clustering again.
fn learn_residue(
    ctx: &Ctx,
    docs: &Docs,
    table: &mut crate::corpus::Table,
) -> (Vec<crate::corpus::Learned>, Vec<Cluster>) {
    let (spill, opts) = (ctx.spill, ctx.opts);
    use crate::corpus::DocLines;
    let (owners, items) = cluster_items(docs);
    // A document in no cluster is its own story, but documents with the same
    // text are one, however short (too short to cluster).
    let mut first_with: rustc_hash::FxHashMap<u64, u32> = rustc_hash::FxHashMap::default();
    let mut story: Vec<u32> = (0..docs.len())
        .map(|n| match &docs[n].fp {
            Some(fp) => *first_with
                .entry(fp.exact)
                .or_insert(n as u32 + 1_000_000_000),
            None => n as u32 + 1_000_000_000,
        })
        .collect();
    drop(first_with);
    let doc_of: Vec<Option<usize>> = owners.iter().map(|&n| Some(n)).collect();
    trace_step("learning: clustering");
    let clusters = cluster_with(
        &items,
        opts.params,
        &SpillSets {
            spill,
            docs,
            doc_of: &doc_of,
            items: &items,
        },
    );
    for (c, cl) in clusters.iter().enumerate() {
        for m in &cl.members {
            story[owners[m.item]] = c as u32;
        }
    }
    trace_step("learning: counting lines");
    let written: Vec<usize> = (0..docs.len())
        .filter(|&n| docs[n].rec.status == Status::Written)
        .collect();
    // The documents' candidate lines are read back as learning takes
    // them, a chunk at a time.
    let lines = written.chunks(READ_CHUNK).flat_map(|chunk| {
        let lines = load_lines_many(spill, chunk.iter().map(|&n| docs[n].lines));
        chunk
            .iter()
            .zip(lines)
            .map(|(&n, lines)| DocLines {
                site: docs[n].rec.site.to_string(),
                story: story[n],
                lines,
            })
            .collect::<Vec<DocLines>>()
    });
    let capacity = written
        .iter()
        .map(|&n| docs[n].lines.map_or(0, |r| r.len() / 9))
        .sum();
    // (a learned line's text: its document cleaned again, as the first
    // pass cleaned it)
    let text_of = |d: usize, h: u64| {
        let doc = clean_again(ctx, &docs[written[d]])?;
        crate::corpus::candidates(&doc)
            .into_iter()
            .find(|&(k, _, _)| k == h)
            .map(|(_, _, text)| text)
    };
    let (learned_table, learned) = crate::corpus::learn(lines, capacity, opts.corpus, &text_of);
    table.merge(learned_table);
    (learned, clusters)
}

/// A document of the run cleaned again from its source as `ctx`'s
/// cleaner cleans it (nothing written): the first pass's document, for
/// what the run did not keep of it. None when the source cannot be read
/// again (a file deleted since, say).
fn clean_again(ctx: &Ctx, d: &Sealed) -> Option<Doc> {
    let site = Some(&*d.rec.site);
    match d.source {
        Source::File(i) => {
            let e = &ctx.entries[i];
            let bytes = std::fs::read(&e.path).ok()?;
            let cleaned = clean_bytes(ctx.cleaner, &bytes, e.kind == Kind::Html, site).ok()?;
            Some(cleaned.doc)
        }
        Source::Line(i, line, at) => {
            let raw = at.read(&ctx.entries[i].path, ctx.spill).ok()?;
            let doc =
                crate::input::jsonl::parse_doc(&raw, line, ctx.opts.html_field.as_deref()).ok()?;
            Some(clean_str(ctx.cleaner, &doc.text, doc.html, site, "UTF-8", false).doc)
        }
        Source::None => None,
    }
}

fn rel_string(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The documents of a run, in input order, in chunks of a fixed size: it
/// grows without ever moving what it holds (a vector that doubles would
/// briefly hold one and a half times its contents).
#[derive(Default)]
struct Docs {
    chunks: Vec<Vec<Sealed>>,
    len: usize,
}

const DOCS_CHUNK: usize = 1 << 14;

impl Docs {
    fn push(&mut self, d: Sealed) {
        if self.chunks.last().is_none_or(|c| c.len() == DOCS_CHUNK) {
            self.chunks.push(Vec::with_capacity(DOCS_CHUNK));
        }
        self.chunks.last_mut().expect("a chunk").push(d);
        self.len += 1;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn iter(&self) -> impl Iterator<Item = &Sealed> {
        self.chunks.iter().flatten()
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut Sealed> {
        self.chunks.iter_mut().flatten()
    }
}

impl Extend<Sealed> for Docs {
    fn extend<I: IntoIterator<Item = Sealed>>(&mut self, it: I) {
        for d in it {
            self.push(d);
        }
    }
}

impl std::ops::Index<usize> for Docs {
    type Output = Sealed;
    fn index(&self, n: usize) -> &Sealed {
        &self.chunks[n / DOCS_CHUNK][n % DOCS_CHUNK]
    }
}

impl std::ops::IndexMut<usize> for Docs {
    fn index_mut(&mut self, n: usize) -> &mut Sealed {
        &mut self.chunks[n / DOCS_CHUNK][n % DOCS_CHUNK]
    }
}

/// A processed document as the run keeps it until its end: a small record
/// in memory, the rest in the spill file.
struct Sealed {
    rec: Rec,
    fp: Option<Fingerprint>,
    /// Candidate lines for residue learning, (hash, zone) packed in the
    /// spill file ([`load_lines_many`]). (Their texts are not kept: the
    /// few a run learns are read from the document cleaned again,
    /// [`clean_again`].)
    lines: Option<Ref>,
    source: Source,
    deferred: Option<Ref>,
    /// Where a deferred JSON line's cluster goes.
    cluster_at: Option<u32>,
    /// Where the fingerprint's shingles and samples are in the spill.
    sets: Option<FpRefs>,
}

/// What the run needs of a document's manifest entry until the end; the
/// entry itself is serialized (the manifest line, removal records and
/// all) into the spill file as soon as the document is done.
#[derive(Debug)]
struct Rec {
    key: Box<str>,
    site: std::sync::Arc<str>,
    status: Status,
    empty: bool,
    renamed: bool,
    output: Option<std::sync::Arc<str>>,
    /// Why it was skipped or failed.
    reason: Option<Box<str>>,
    /// Set by clustering.
    cluster: Option<usize>,
    canonical: Option<Box<str>>,
    dropped: bool,
    /// The final write failed.
    write_error: Option<Box<str>>,
    line: Held,
}

/// A manifest line (without its newline): in the spill file, or in memory
/// when the spill file could not take it.
#[derive(Debug)]
enum Held {
    Spilled(Ref),
    Memory(Box<str>),
}

impl Rec {
    /// The entry as first serialized (no cluster).
    fn raw_line(&self, spill: &Spill) -> std::io::Result<String> {
        match &self.line {
            Held::Spilled(r) => spill.get_string(*r),
            Held::Memory(s) => Ok(s.to_string()),
        }
    }

    /// Where the entry is in the spill, if it is there.
    fn spilled(&self) -> Option<Ref> {
        match self.line {
            Held::Spilled(r) => Some(r),
            Held::Memory(_) => None,
        }
    }

    /// The manifest line, from the entry as first serialized (`raw`), with
    /// what was learned after the document was done (cluster, canonical,
    /// dropped, a failed final write), and its newline.
    fn patched(&self, raw: &str) -> String {
        patch_line(
            raw,
            self.cluster,
            self.canonical.as_deref(),
            self.dropped,
            self.write_error.as_deref(),
        )
    }

    /// The entry's naming fields, parsed (for the documents a report
    /// names); the rest of the line (removal records) is skipped unread.
    fn fields(&self, spill: &Spill) -> Named {
        self.raw_line(spill)
            .ok()
            .and_then(|l| serde_json::from_str(&l).ok())
            .unwrap_or_default()
    }
}

/// The fields of a manifest line that name its document.
#[derive(Debug, Default, serde::Deserialize)]
struct Named {
    input: Option<String>,
    id: Option<String>,
    title: Option<String>,
    source: Option<String>,
}

/// Edits a serialized manifest entry written before clustering. The keys
/// patched stand at the entry's top level, and in JSON a string value
/// always escapes its quotes, so `"cluster":null,` can only be the key
/// itself: the edit is exact (a test compares it with serializing the
/// edited entry).
fn patch_line(
    raw: &str,
    cluster: Option<usize>,
    canonical: Option<&str>,
    dropped: bool,
    write_error: Option<&str>,
) -> String {
    let json = |s: &str| serde_json::to_string(s).expect("strings serialize");
    let mut line = raw.to_string();
    if let Some(err) = write_error {
        line = line.replacen(
            "\"status\":\"written\"",
            &format!("\"status\":\"failed\",\"reason\":{}", json(err)),
            1,
        );
    }
    if let Some(c) = cluster {
        let canonical = canonical.map_or("null".to_string(), json);
        let dropped = if dropped { "\"dropped\":true," } else { "" };
        line = line.replacen(
            "\"cluster\":null,\"canonical\":null,",
            &format!("\"cluster\":{c},\"canonical\":{canonical},{dropped}"),
            1,
        );
    }
    if dropped {
        // A dropped duplicate has no output.
        if let Some(start) = line.find("\"output\":\"") {
            let value = start + "\"output\":".len();
            if let Some(len) = json_string_len(&line[value..]) {
                line.replace_range(value..value + len, "null");
            }
        }
    }
    line.push('\n');
    line
}

/// Length of the JSON string literal that opens `s` (quotes included).
fn json_string_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    if b.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Moves what a processed document needs later (its manifest entry, raw
/// line, deferred output, shingle sets and candidate texts) to the spill,
/// one value per lane (gathered there with other documents' values), and
/// keeps the small record. If the spill refuses a value (one over 4 GiB,
/// or a large one whose write fails), the document is failed (its entry
/// stays in memory); a gathered value whose later write fails reads as an
/// error where it is needed.
fn seal(ctx: &Ctx, p: Processed, on_error: &(dyn Fn(&str) + Sync)) -> Sealed {
    let Processed {
        mut entry,
        mut fp,
        lines,
        mut source,
        raw,
        deferred,
        cluster_at,
    } = p;
    // The parts of the main lane are appended to one buffer, sized once,
    // which goes to the spill in one write; `part` notes where each lies.
    let shingles_len = fp.as_ref().map_or(0, |f| 4 * f.shingles.len());
    let mut buf: Vec<u8> =
        Vec::with_capacity(raw.as_ref().map_or(0, Vec::len) + shingles_len + 9 * lines.len());
    fn part(buf: &mut Vec<u8>, fill: impl FnOnce(&mut Vec<u8>)) -> (usize, usize) {
        let start = buf.len();
        fill(buf);
        (start, buf.len() - start)
    }
    let raw_at = raw
        .as_deref()
        .map(|r| part(&mut buf, |b| b.extend_from_slice(r)));
    let shingles_at = fp
        .as_ref()
        .map(|f| part(&mut buf, |b| put_u32s(b, &f.shingles)));
    // The samples go to a file of their own, which the clustering scans
    // once per counting pass.
    let samples = fp.as_ref().map(|f| {
        let mut b = Vec::with_capacity(4 * f.samples.len());
        put_u32s(&mut b, &f.samples);
        b
    });
    let lines_at = (!lines.is_empty()).then(|| {
        part(&mut buf, |b| {
            for &(h, z) in &lines {
                b.extend_from_slice(&h.to_le_bytes());
                b.push(z);
            }
        })
    });
    let json = entry.to_json().into_bytes();
    // The deferred output and the manifest line go to lanes of their own,
    // let go of as soon as they are written out.
    let stored = (|| {
        let base = ctx.spill.put(&buf)?;
        let put = |lane, b: Option<&[u8]>| b.map(|b| ctx.spill.put_in(lane, b)).transpose();
        let samples = put(Lane::Scan, samples.as_deref())?;
        let deferred = put(Lane::Out, deferred.as_deref().map(str::as_bytes))?;
        let json = ctx.spill.put_in(Lane::Manifest, &json)?;
        std::io::Result::Ok((base, samples, deferred, json))
    })();
    drop(buf);
    let (line, lines, deferred, sets) = match stored {
        Ok((base, samples_ref, deferred_ref, json_ref)) => {
            let at = |(start, len): (usize, usize)| base.slice(start, len);
            if let (Source::Line(_, _, RawAt::Spill(r)), Some(a)) = (&mut source, raw_at) {
                *r = at(a);
            }
            if let Some(f) = &mut fp {
                f.shingles = Vec::new();
                f.samples = Vec::new();
            }
            (
                Held::Spilled(json_ref),
                lines_at.map(at),
                deferred_ref,
                shingles_at.zip(samples_ref).map(|(sh, sa)| FpRefs {
                    shingles: at(sh),
                    samples: sa,
                }),
            )
        }
        Err(err) => {
            let msg = format!("cannot keep the document in the scratch file: {err}");
            on_error(&format!("{}: {msg}", entry.key()));
            entry.status = Status::Failed;
            entry.reason = Some(msg);
            fp = None;
            source = Source::None;
            let json = entry.to_json();
            (Held::Memory(json.into()), None, None, None)
        }
    };
    let e = &entry;
    let rec = Rec {
        key: e.key().into(),
        site: ctx.names.get(&e.site),
        status: e.status,
        empty: e.empty,
        renamed: e.renamed,
        output: e.output.as_deref().map(|o| ctx.names.get(o)),
        reason: (e.status != Status::Written)
            .then(|| e.reason.as_deref().map(Into::into))
            .flatten(),
        cluster: None,
        canonical: None,
        dropped: false,
        write_error: None,
        line,
    };
    Sealed {
        rec,
        fp,
        lines,
        source,
        deferred,
        cluster_at,
        sets,
    }
}

/// What processing one document gives: its manifest entry, its
/// fingerprint, and the lines that could be site residue.
/// [`seal`] moves its texts and sets to the spill.
struct Processed {
    entry: manifest::Entry,
    fp: Option<Fingerprint>,
    /// Candidate lines for residue learning: (line hash, zone bits).
    lines: Vec<(u64, u8)>,
    /// How to clean this document again (second pass).
    source: Source,
    /// The raw JSON line of a JSON Lines document read in this pass (its
    /// `source` then gets the place in the spill file).
    raw: Option<Vec<u8>>,
    /// The output, when it is written at the end rather than at once
    /// (documents of JSON Lines input, and any output in JSON Lines): the
    /// text, or the JSON line without its cluster.
    deferred: Option<String>,
    /// Where a deferred JSON line's cluster goes
    /// ([`crate::input::jsonl::fill_cluster`]).
    cluster_at: Option<u32>,
}

/// Where a fingerprint's sets are in the spill file.
#[derive(Debug, Clone, Copy)]
struct FpRefs {
    shingles: Ref,
    samples: Ref,
}

/// Documents' candidate lines back from the spill file (none for a
/// document without, or whose lines cannot be read), read a block at a
/// time.
fn load_lines_many(spill: &Spill, refs: impl Iterator<Item = Option<Ref>>) -> Vec<Vec<(u64, u8)>> {
    let refs: Vec<Option<Ref>> = refs.collect();
    let spilled: Vec<Ref> = refs.iter().flatten().copied().collect();
    let mut values = spill.get_many(&spilled).into_iter();
    refs.iter()
        .map(|r| {
            let Some(Ok(b)) = r.and_then(|_| values.next()) else {
                return Vec::new();
            };
            b.chunks_exact(9)
                .map(|c| {
                    let mut h = [0u8; 8];
                    h.copy_from_slice(&c[..8]);
                    (u64::from_le_bytes(h), c[8])
                })
                .collect()
        })
        .collect()
}

/// One shared copy of each site and output name: many documents have the
/// same (all those of one JSON Lines file share their output).
#[derive(Default)]
struct Names(std::sync::Mutex<rustc_hash::FxHashSet<std::sync::Arc<str>>>);

impl Names {
    fn get(&self, name: &str) -> std::sync::Arc<str> {
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = set.get(name) {
            return a.clone();
        }
        let a: std::sync::Arc<str> = name.into();
        set.insert(a.clone());
        a
    }
}

/// A list of u32s back from the spill file (empty if it cannot be read: a
/// pair is then not confirmed).
fn load_u32s(spill: &Spill, r: Ref) -> Vec<u32> {
    spill
        .get(r)
        .map(|b| u32s_of(&b).collect())
        .unwrap_or_default()
}

/// u32s as the spill holds them: little-endian, one after another.
fn put_u32s(b: &mut Vec<u8>, v: &[u32]) {
    v.iter().for_each(|h| b.extend_from_slice(&h.to_le_bytes()));
}

/// The u32s of bytes written by [`put_u32s`].
fn u32s_of(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// The sets of clustering items: from the spill file for documents of this
/// run (`doc_of` maps an item to its document), from the fingerprint for
/// the others (an index file's, which hold their samples).
struct SpillSets<'a> {
    spill: &'a Spill,
    docs: &'a Docs,
    doc_of: &'a [Option<usize>],
    items: &'a [Item<'a>],
}

impl SpillSets<'_> {
    /// Where item `i`'s sets are in the spill, if it is a document of this
    /// run.
    fn refs(&self, i: usize) -> Option<FpRefs> {
        self.doc_of[i].and_then(|n| self.docs[n].sets)
    }
}

impl Sets for SpillSets<'_> {
    fn shingles(&self, i: usize) -> std::borrow::Cow<'_, [u32]> {
        match self.refs(i) {
            Some(r) => std::borrow::Cow::Owned(load_u32s(self.spill, r.shingles)),
            None => std::borrow::Cow::Borrowed(&self.items[i].fp.shingles),
        }
    }
    fn samples(&self, i: usize) -> std::borrow::Cow<'_, [u32]> {
        match self.refs(i) {
            Some(r) => std::borrow::Cow::Owned(load_u32s(self.spill, r.samples)),
            None => std::borrow::Cow::Borrowed(&self.items[i].fp.samples),
        }
    }
    fn samples_len(&self, i: usize) -> usize {
        match self.refs(i) {
            Some(r) => r.samples.len() / 4,
            None => self.items[i].fp.samples.len(),
        }
    }
    fn each_samples(&self, items: &[usize], f: &mut dyn FnMut(usize, &[u32])) {
        self.samples_of(items).each(f);
    }
    fn samples_of<'s>(&'s self, items: &'s [usize]) -> Box<dyn EachSamples + 's> {
        // The documents' samples are read from their file in its order, in
        // large blocks; the index's are at hand. Where each lies is looked
        // up and put in file order once: a million documents' places, found
        // in their records (scattered in memory) and sorted, cost more than
        // reading the samples, once for each counting pass and thread.
        let mut at = Vec::with_capacity(items.len());
        let mut held = Vec::new();
        for (k, &i) in items.iter().enumerate() {
            match self.refs(i) {
                Some(r) => at.push((k, r.samples)),
                None => held.push((k, i)),
            }
        }
        Spill::in_file_order(&mut at);
        Box::new(SpillSamples {
            sets: self,
            at,
            held,
        })
    }
}

/// Samples of a [`SpillSets`], ready to be read many times over: the
/// places of those in the spill, in file order, and the items that hold
/// theirs.
struct SpillSamples<'s, 'a> {
    sets: &'s SpillSets<'a>,
    at: Vec<(usize, Ref)>,
    held: Vec<(usize, usize)>,
}

impl EachSamples for SpillSamples<'_, '_> {
    fn each(&self, f: &mut dyn FnMut(usize, &[u32])) {
        for &(k, i) in &self.held {
            f(k, &self.sets.items[i].fp.samples);
        }
        let mut values: Vec<u32> = Vec::new();
        self.sets.spill.scan_in_order(&self.at, |k, bytes| {
            values.clear();
            values.extend(u32s_of(bytes.unwrap_or_default()));
            f(k, &values);
        });
    }
}

/// Where a document came from.
#[derive(Clone, Copy)]
enum Source {
    /// A file: index into the walked entries.
    File(usize),
    /// A line of a JSON Lines file (index into the walked entries, line
    /// number, where its raw bytes are kept).
    Line(usize, usize, RawAt),
    /// Nothing to redo (skipped or failed).
    None,
}

/// Where a JSON Lines document's raw line can be read again, for the
/// second pass.
#[derive(Debug, Clone, Copy)]
enum RawAt {
    /// In the input file itself (read as it is, not gunzipped), with a
    /// hash to notice a file changed under the run: nothing is copied.
    Input { offset: u64, len: u32, hash: u64 },
    /// In the spill file (a gunzipped input).
    Spill(Ref),
}

impl RawAt {
    fn read(self, path: &Path, spill: &Spill) -> std::io::Result<Vec<u8>> {
        match self {
            RawAt::Spill(r) => spill.get(r),
            RawAt::Input { offset, len, hash } => {
                let raw = crate::input::jsonl::read_at(path, offset, len as usize)?;
                if xxhash_rust::xxh3::xxh3_64(&raw) != hash {
                    return Err(std::io::Error::other("the file changed during the run"));
                }
                Ok(raw)
            }
        }
    }
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
fn process(ctx: &Ctx, n: usize, on_error: &(dyn Fn(&str) + Sync)) -> Vec<Sealed> {
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
        vec![seal(
            ctx,
            Processed {
                entry,
                fp: None,
                lines: Vec::new(),
                source: Source::None,
                raw: None,
                deferred: None,
                cluster_at: None,
            },
            on_error,
        )]
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
    if interrupted(opts) {
        return skipped("run interrupted", 0);
    }
    let max = opts.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    let site = site_of(&e.rel);
    if let Kind::Jsonl { gz } = e.kind {
        let mut out = Docs::default();
        process_jsonl(ctx, n, gz, &input, &site, &mut out, on_error);
        return out.chunks.into_iter().flatten().collect();
    }
    let bytes = match read_at_most(&e.path, max) {
        Ok(Ok(b)) => b,
        Ok(Err(len)) => {
            return fail(
                format!("too large: {len} bytes (the limit is {max}; see --max-bytes)"),
                len,
            )
        }
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
        if let Err(err) = write_output(&out_path, text.as_bytes()) {
            return fail(
                format!("cannot write {}: {err}", out_path.display()),
                bytes_in,
            );
        }
    }
    let mut p = finish(
        ctx,
        cleaned,
        &text,
        input.clone(),
        rel_string(&out_rel),
        bytes_in,
        e.renamed,
    );
    p.entry.site = site;
    p.source = Source::File(n);
    if as_jsonl {
        let m = crate::input::jsonl::Fields::with_id(&input);
        let (line, at) = crate::input::jsonl::render_line_marked(&m, &text, &findings(&p.entry));
        p.deferred = Some(line);
        p.cluster_at = u32::try_from(at).ok();
    }
    vec![seal(ctx, p, on_error)]
}

/// The bytes of the file at `path`, or its size (`Err`) when it has more
/// than `max`. The size is asked of the open file: the path is looked up
/// once.
fn read_at_most(path: &Path, max: u64) -> std::io::Result<Result<Vec<u8>, u64>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > max {
        return Ok(Err(len));
    }
    // (read by hand: std's read_to_end asks the size again; one byte
    // more than the size sees the end in the first read's wake)
    let mut bytes = vec![0u8; len as usize + 1];
    let mut filled = 0;
    loop {
        match f.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        if filled == bytes.len() {
            // (a file grown since it was measured)
            bytes.resize(2 * bytes.len(), 0);
        }
    }
    bytes.truncate(filled);
    Ok(Ok(bytes))
}

/// What a JSON Lines output says of a document (its cluster is filled in
/// when the output is written).
fn findings(e: &manifest::Entry) -> crate::input::jsonl::Findings {
    crate::input::jsonl::Findings {
        title: e.title.clone(),
        author: e.author.clone(),
        date: e.date.clone(),
        source: e.source.clone(),
        removed: e.removed.len(),
        simhash: e.simhash.clone(),
        cluster: None,
        canonical: None,
    }
}

/// JSON Lines documents are read and cleaned this many at a time: the
/// file streams through, whatever its size.
const JSONL_CHUNK: usize = 1024;

/// What the phases after the first pass read back of each document (its
/// candidate lines, deferred output, manifest line) is read this many
/// documents at a time, in blocks ([`Spill::get_many`]).
const READ_CHUNK: usize = 4096;

/// Reads a JSON Lines file line by line and cleans its documents, a chunk
/// at a time in parallel. Bad lines are reported as FILE:LINE and skipped.
fn process_jsonl(
    ctx: &Ctx,
    n: usize,
    gz: bool,
    input: &str,
    site: &str,
    out: &mut Docs,
    on_error: &(dyn Fn(&str) + Sync),
) {
    use crate::input::jsonl::{LineReader, ReadLine};
    let e = &ctx.entries[n];
    let max = ctx.opts.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    let failed = |line: Option<usize>, msg: String| {
        let mut entry = manifest::Entry::not_written(input.to_string(), Status::Failed, msg, 0);
        entry.line = line;
        seal(
            ctx,
            Processed {
                entry,
                fp: None,
                lines: Vec::new(),
                source: Source::None,
                raw: None,
                deferred: None,
                cluster_at: None,
            },
            on_error,
        )
    };
    let mut reader = match LineReader::open(&e.path, gz, max) {
        Ok(r) => r,
        Err(err) => {
            on_error(&format!("{}: cannot read: {err}", e.path.display()));
            out.push(failed(None, format!("cannot read: {err}")));
            return;
        }
    };
    // One line read: cleaned and sealed, or the reason it failed.
    let seal_line = |l: ReadLine| -> Sealed {
        match l {
            ReadLine::TooLong { line, bytes } => {
                let msg = format!("line too long: over {bytes} bytes (see --max-bytes)");
                on_error(&format!("{}:{line}: {msg}", e.path.display()));
                failed(Some(line), msg)
            }
            ReadLine::Line { line, raw, at } => {
                match crate::input::jsonl::parse_doc(&raw, line, ctx.opts.html_field.as_deref()) {
                    Ok(doc) => {
                        let site = doc.host().unwrap_or_else(|| site.to_string());
                        let mut p = clean_line(ctx, n, &doc, &site);
                        // A line of a plain file is read again from the
                        // file if the second pass needs it; only a
                        // gunzipped one is copied to the spill file.
                        match (at, u32::try_from(raw.len())) {
                            (Some(offset), Ok(len)) => {
                                let hash = xxhash_rust::xxh3::xxh3_64(&raw);
                                p.source =
                                    Source::Line(n, line, RawAt::Input { offset, len, hash });
                            }
                            _ => {
                                p.source = Source::Line(n, line, RawAt::Spill(Ref::default()));
                                p.raw = Some(raw);
                            }
                        }
                        seal(ctx, p, on_error)
                    }
                    Err(b) => {
                        on_error(&format!("{}:{}: {}", e.path.display(), b.line, b.message));
                        failed(Some(b.line), b.message)
                    }
                }
            }
        }
    };
    // A thread reads the next chunk of lines while the pool cleans this
    // one (it waits for the hand-over: at most two chunks are held); the
    // chunks are cleaned as they come, in order, until a read error or an
    // interruption.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(0);
        scope.spawn(move || loop {
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
            let last = chunk.len() < JSONL_CHUNK || error.is_some();
            // (the receiver gone: the run stopped taking documents)
            if tx.send((chunk, error)).is_err() || last {
                break;
            }
        });
        for (chunk, error) in rx {
            let sealed: Vec<Sealed> = chunk.into_par_iter().map(&seal_line).collect();
            out.extend(sealed);
            if let Some(err) = error {
                let msg = format!("cannot read JSON Lines: {err}");
                on_error(&format!("{}: {msg}", e.path.display()));
                out.push(failed(None, msg));
                break;
            }
            if interrupted(ctx.opts) {
                break;
            }
        }
    });
}

/// Has Ctrl-C asked the run to stop taking documents?
fn interrupted(opts: &RunOptions) -> bool {
    opts.interrupt
        .as_ref()
        .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
}

/// Cleans one JSON Lines document.
fn clean_line(ctx: &Ctx, n: usize, doc: &crate::input::jsonl::JsonlDoc, site: &str) -> Processed {
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
    let mut p = finish(
        ctx,
        cleaned,
        &text,
        rel_string(&e.rel),
        rel_string(&out_rel),
        bytes_in,
        false,
    );
    p.entry.id = doc.id.clone();
    p.entry.line = Some(doc.line);
    p.entry.site = site.to_string();
    let out = match ctx.opts.format {
        Format::Text => text,
        _ => {
            let (line, at) =
                crate::input::jsonl::render_line_marked(&doc.fields, &text, &findings(&p.entry));
            p.cluster_at = u32::try_from(at).ok();
            line
        }
    };
    p.deferred = Some(out);
    p
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
    text: &str,
    input: String,
    output: String,
    bytes_in: u64,
    renamed: bool,
) -> Processed {
    let Cleaned {
        mut doc,
        encoding,
        replaced,
        html,
    } = cleaned;
    let fp = ctx.with_fp.then(|| fingerprint(&doc.body_text()));
    let lines = if ctx.with_lines {
        crate::corpus::candidate_keys(&doc)
    } else {
        Vec::new()
    };
    let removed = doc.take_records_by_line();
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
        simhash: fp
            .as_ref()
            .filter(|_| ctx.opts.dedup != Mode::Off)
            .map(|f| format!("{:016x}", f.full)),
        cluster: None,
        canonical: None,
        dropped: false,
        removed,
    };
    Processed {
        entry,
        fp,
        lines,
        source: Source::None,
        raw: None,
        deferred: None,
        cluster_at: None,
    }
}

/// What every document of a pass shares.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    cleaner: &'a Cleaner,
    entries: &'a [Entry],
    output: &'a Path,
    with_fp: bool,
    with_lines: bool,
    opts: &'a RunOptions,
    spill: &'a Spill,
    names: &'a Names,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines read back come out in the order asked, whatever order they
    /// lie in the spill file, the patched ones as their patch makes them;
    /// a patch that fails fails the chunk.
    #[test]
    fn read_back_lines_in_order_with_patches() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        // put last line first, across two lanes' worth of values
        let texts: Vec<String> = (0..50).map(|k| format!("line {k}\n")).collect();
        let mut refs: Vec<Ref> = vec![Ref::default(); texts.len()];
        for k in (0..texts.len()).rev() {
            refs[k] = spill.put_in(Lane::Out, texts[k].as_bytes()).unwrap();
        }
        let upper = |b: &[u8]| Ok(String::from_utf8_lossy(b).to_uppercase());
        let mut block = ReadBack::default();
        for _ in 0..2 {
            // (a buffer filled again gives the same)
            block
                .fill(&spill, texts.len(), |k| {
                    (refs[k], (k % 7 == 3).then_some(upper))
                })
                .unwrap();
            let got: Vec<String> = block
                .lines()
                .map(|l| String::from_utf8(l.to_vec()).unwrap())
                .collect();
            let want: Vec<String> = texts
                .iter()
                .enumerate()
                .map(|(k, t)| {
                    if k % 7 == 3 {
                        t.to_uppercase()
                    } else {
                        t.clone()
                    }
                })
                .collect();
            assert_eq!(got, want);
        }
        let refuse = |_: &[u8]| Err(std::io::Error::other("no place"));
        let failed = block.fill(&spill, texts.len(), |k| {
            (refs[k], (k == 9).then_some(refuse))
        });
        assert!(failed.is_err());
    }

    /// Documents keep their order and index across chunks.
    #[test]
    fn docs_index_across_chunks() {
        let mut docs = Docs::default();
        let n = DOCS_CHUNK * 2 + 3;
        for i in 0..n {
            let mut e =
                manifest::Entry::not_written(format!("{i}.txt"), Status::Skipped, "x".into(), 0);
            e.site = "s".into();
            docs.push(Sealed {
                rec: Rec {
                    key: e.key().into(),
                    site: "s".into(),
                    status: e.status,
                    empty: false,
                    renamed: false,
                    output: None,
                    reason: None,
                    cluster: None,
                    canonical: None,
                    dropped: false,
                    write_error: None,
                    line: Held::Memory("{}".into()),
                },
                fp: None,
                lines: None,
                source: Source::None,
                deferred: None,
                cluster_at: None,
                sets: None,
            });
        }
        assert_eq!(docs.len(), n);
        assert_eq!(docs.chunks.len(), 3);
        for i in [0, DOCS_CHUNK - 1, DOCS_CHUNK, n - 1] {
            assert_eq!(&*docs[i].rec.key, format!("{i}.txt"));
        }
        docs[DOCS_CHUNK].rec.dropped = true;
        assert_eq!(docs.iter().filter(|d| d.rec.dropped).count(), 1);
        assert_eq!(
            docs.iter().nth(DOCS_CHUNK + 1).unwrap().rec.key.as_ref(),
            format!("{}.txt", DOCS_CHUNK + 1)
        );
    }

    /// Patching a manifest line written before clustering gives exactly
    /// the line of the entry with its cluster (and drop, and a failed
    /// write) set, whatever quotes the texts hold.
    #[test]
    fn patched_manifest_lines_equal_serialized_entries() {
        let mut e = manifest::Entry::not_written(
            "a \"output\":\"x\" \"cluster\":null,.txt".into(),
            Status::Written,
            "r".into(),
            9,
        );
        e.reason = None;
        e.output = Some("out/\"q\\\".txt".into());
        e.title = Some("\"cluster\":null,\"canonical\":null, \"status\":\"written\"".into());
        e.removed = vec![crate::doc::Record {
            stage: "tail",
            reason: "\"output\":\"y\"".into(),
            text: "t".into(),
            line: 3,
        }];
        let raw = serde_json::to_string(&e).unwrap();
        for (dropped, failed) in [(false, false), (true, false), (false, true)] {
            let mut want = e.clone();
            want.cluster = Some(7);
            want.canonical = Some("b.txt#\"x\"".into());
            if dropped {
                want.dropped = true;
                want.output = None;
            }
            if failed {
                want.status = Status::Failed;
                want.reason = Some("cannot write \"o\"".into());
            }
            let got = patch_line(
                &raw,
                Some(7),
                Some("b.txt#\"x\""),
                dropped,
                failed.then_some("cannot write \"o\""),
            );
            assert_eq!(
                got,
                want.to_json_line(),
                "dropped {dropped} failed {failed}"
            );
        }
        assert_eq!(patch_line(&raw, None, None, false, None), e.to_json_line());
    }

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

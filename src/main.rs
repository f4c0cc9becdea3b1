//! The `newsclean` binary: parse the command line and the configuration,
//! call the library, map the outcome to an exit code (0 all well, 1 some
//! documents failed, 2 usage or fatal error). A closed stdout (a `head` in
//! the pipeline) ends the run quietly.

mod cli;

/// mimalloc (see the module for why, and why not through its own crate).
#[global_allocator]
static ALLOC: newsclean::alloc::Allocator = newsclean::alloc::Allocator;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, Parser};
use cli::{Cli, Command, DedupArg, FormatArg, ShellArg};
use newsclean::config::Config;
use newsclean::pipeline::{Format, Progress};
use newsclean::{explain::explain, Cleaner, RunOptions};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("newsclean: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The configuration: `--config FILE`, else `newsclean.toml` here, else
/// the defaults.
fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    let default = Path::new("newsclean.toml");
    match path {
        Some(p) => Ok(Config::load(p)?),
        None if default.is_file() => Ok(Config::load(default)?),
        None => Ok(Config::default()),
    }
}

/// Prints to stdout; a closed stdout is not an error.
fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Stages) => {
            print(&(newsclean::stages::names().join("\n") + "\n"));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Config { config }) => {
            print(&load_config(config.as_deref())?.to_toml());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Completions { shell }) => {
            use clap_complete::Shell;
            let shell = match shell {
                ShellArg::Bash => Shell::Bash,
                ShellArg::Zsh => Shell::Zsh,
                ShellArg::Fish => Shell::Fish,
                ShellArg::Elvish => Shell::Elvish,
                ShellArg::Powershell => Shell::PowerShell,
            };
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "newsclean", &mut out);
            print(&String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Man) => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            print(&String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Explain {
            file,
            disable,
            load_residue,
            site,
            config,
        }) => {
            let config = load_config(config.as_deref())?;
            let mut disabled = config.stages.disable.clone();
            disabled.extend(disable);
            let opts = RunOptions {
                disabled,
                config,
                ..RunOptions::default()
            };
            let mut cleaner = newsclean::pipeline::make_cleaner(&opts)?;
            if let Some(path) = &load_residue {
                let src = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let mut table = newsclean::corpus::Table::default();
                table.load_lines(&src, &path.display().to_string());
                cleaner = cleaner.with_corpus(Arc::new(table));
            }
            explain_file(&cleaner, &file, site)
        }
        None => {
            let (Some(input), Some(output)) = (cli.input.clone(), cli.output.clone()) else {
                anyhow::bail!("INPUT and OUTPUT are required");
            };
            let config = load_config(cli.config.as_deref())?;
            let opts = options(&cli, config);
            let stream = output.as_os_str() == "-";
            if stream != (input.as_os_str() == "-") {
                anyhow::bail!("- (a stream) goes for both INPUT and OUTPUT: `newsclean - -`");
            }
            if stream {
                return run_stream(&cli, &opts);
            }
            run_folder(&cli, opts, &input, &output)
        }
    }
}

fn explain_file(cleaner: &Cleaner, file: &Path, site: Option<String>) -> anyhow::Result<ExitCode> {
    let site = site.or_else(|| {
        file.parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
    });
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let html = newsclean::input::walk::kind_of(file) == newsclean::input::walk::Kind::Html;
    let cleaned = newsclean::pipeline::clean_bytes(cleaner, &bytes, html, site.as_deref())
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let mut report = explain(&file.display().to_string(), cleaned.encoding, &cleaned.doc);
    if let Some(h) = &cleaned.html {
        report.push_str(&format!("# article found in: {}\n", h.container));
    }
    print(&report);
    Ok(ExitCode::SUCCESS)
}

/// Flags over the configuration file over the defaults.
fn options(cli: &Cli, config: Config) -> RunOptions {
    let dedup = match cli.dedup {
        Some(DedupArg::Mark) => newsclean::dedup::Mode::Mark,
        Some(DedupArg::Drop) => newsclean::dedup::Mode::Drop,
        Some(DedupArg::Off) => newsclean::dedup::Mode::Off,
        None => match config.dedup.mode.as_str() {
            "drop" => newsclean::dedup::Mode::Drop,
            "off" => newsclean::dedup::Mode::Off,
            _ => newsclean::dedup::Mode::Mark,
        },
    };
    let format = match cli.format {
        Some(FormatArg::Text) => Format::Text,
        Some(FormatArg::Jsonl) => Format::Jsonl,
        Some(FormatArg::Auto) => Format::Auto,
        None => match config.format.as_str() {
            "text" => Format::Text,
            "jsonl" => Format::Jsonl,
            _ => Format::Auto,
        },
    };
    let mut disabled = config.stages.disable.clone();
    disabled.extend(cli.disable.iter().cloned());
    RunOptions {
        jobs: cli.jobs.or((config.jobs > 0).then_some(config.jobs)),
        disabled,
        dedup,
        params: newsclean::dedup::cluster::Params {
            threshold: cli.threshold.unwrap_or(config.dedup.threshold),
            min_similarity: cli.min_similarity.unwrap_or(config.dedup.min_similarity),
            sampled_candidates: true,
        },
        index: cli.index.clone(),
        corpus: newsclean::corpus::LearnParams {
            min_stories: cli.corpus_min_stories.unwrap_or(config.corpus.min_stories),
            min_share: cli.corpus_min_share.unwrap_or(config.corpus.min_share),
        },
        learned_residue: cli.learned_residue.clone(),
        load_residue: cli.load_residue.clone(),
        format,
        html_field: cli.html_field.clone().or(config.html_field.clone()),
        progress: None,
        config,
        max_bytes: cli.max_bytes,
        interrupt: None,
    }
}

fn run_stream(cli: &Cli, opts: &RunOptions) -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut output = std::io::BufWriter::new(stdout.lock());
    let report = |msg: &str| eprintln!("newsclean: {msg}");
    let s = newsclean::pipeline::run_stream(&mut input, &mut output, opts, &report)?;
    drop(output);
    if cli.json {
        eprintln!(
            "{}",
            serde_json::json!({"documents": s.documents, "failed": s.failed, "closed_early": s.closed_early})
        );
    }
    Ok(if s.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A progress bar on stderr, shown only when stderr is a terminal.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn start(&self, inputs: usize) {
        self.0.set_length(inputs as u64);
    }
    fn advance(&self, _docs: usize) {
        self.0.inc(1);
    }
}

/// Ctrl-C: the first stops taking new documents (the run writes what is
/// done, manifest included, then exits 130); the second stops at once.
fn on_interrupt() -> Arc<std::sync::atomic::AtomicBool> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    let _ = ctrlc::set_handler(move || {
        if f.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("newsclean: interrupted: finishing the documents under way (Ctrl-C again to stop at once)");
    });
    flag
}

fn run_folder(
    cli: &Cli,
    mut opts: RunOptions,
    input: &Path,
    output: &Path,
) -> anyhow::Result<ExitCode> {
    opts.interrupt = Some(on_interrupt());
    let show_bar = !cli.quiet && !cli.verbose && std::io::stderr().is_terminal();
    let bar = show_bar.then(|| {
        // No colours: plain characters suit NO_COLOR and every terminal.
        let style = indicatif::ProgressStyle::with_template(
            "{pos}/{len} files [{bar:30}] {per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
        let b = indicatif::ProgressBar::with_draw_target(
            Some(0),
            indicatif::ProgressDrawTarget::stderr(),
        );
        b.set_style(style);
        Arc::new(Bar(b))
    });
    if let Some(b) = &bar {
        opts.progress = Some(b.clone() as Arc<dyn Progress>);
    }
    let report = |msg: &str| match &bar {
        Some(b) => b.0.suspend(|| eprintln!("newsclean: {msg}")),
        None => eprintln!("newsclean: {msg}"),
    };
    let summary = newsclean::run(input, output, &opts, &report)?;
    if let Some(b) = &bar {
        b.0.finish_and_clear();
    }
    if cli.verbose {
        log_removals(output);
    }
    if cli.json {
        print(&(summary.to_json() + "\n"));
    } else if !cli.quiet {
        eprint!("{}", summary.render());
    }
    Ok(if summary.interrupted {
        ExitCode::from(130)
    } else if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `-v`: every removal of the run, from the manifest, on stderr.
fn log_removals(output: &Path) {
    let Ok(manifest) = std::fs::read_to_string(output.join(".newsclean/manifest.jsonl")) else {
        return;
    };
    let mut err = std::io::stderr().lock();
    for line in manifest.lines() {
        let Ok(e) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let name = match e.get("id").and_then(|v| v.as_str()) {
            Some(id) => format!("{}#{id}", e["input"].as_str().unwrap_or("")),
            None => e["input"].as_str().unwrap_or("").to_string(),
        };
        for r in e["removed"].as_array().into_iter().flatten() {
            let _ = writeln!(
                err,
                "{name}:{}: [{}] {}: {}",
                r["line"],
                r["stage"].as_str().unwrap_or(""),
                r["reason"].as_str().unwrap_or(""),
                r["text"].as_str().unwrap_or("")
            );
        }
    }
}

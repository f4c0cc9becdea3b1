//! The `newsclean` binary: parse the command line, call the library, map
//! the outcome to an exit code (0 all well, 1 some documents failed, 2 usage
//! or fatal error).

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command};
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

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Stages) => {
            let mut out = std::io::stdout().lock();
            for name in newsclean::stages::names() {
                let _ = writeln!(out, "{name}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Explain {
            file,
            disable,
            load_residue,
            site,
        }) => {
            let mut cleaner = Cleaner::without(&disable)?;
            if let Some(path) = &load_residue {
                let src = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let mut table = newsclean::corpus::Table::default();
                table.load_lines(&src, &path.display().to_string());
                cleaner = cleaner.with_corpus(std::sync::Arc::new(table));
            }
            let site = site.or_else(|| {
                file.parent()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
            });
            let bytes =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let html = newsclean::input::walk::kind_of(&file) == newsclean::input::walk::Kind::Html;
            let cleaned = newsclean::pipeline::clean_bytes(&cleaner, &bytes, html, site.as_deref())
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let mut report = explain(&file.display().to_string(), cleaned.encoding, &cleaned.doc);
            if let Some(h) = &cleaned.html {
                report.push_str(&format!("# article found in: {}\n", h.container));
            }
            let _ = std::io::stdout().lock().write_all(report.as_bytes());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let (Some(input), Some(output)) = (cli.input, cli.output) else {
                anyhow::bail!("INPUT and OUTPUT are required");
            };
            let opts = RunOptions {
                jobs: cli.jobs,
                disabled: cli.disable,
                dedup: cli.dedup.into(),
                params: newsclean::dedup::cluster::Params {
                    threshold: cli.threshold,
                    min_similarity: cli.min_similarity,
                    sampled_candidates: true,
                },
                index: cli.index,
                corpus: newsclean::corpus::LearnParams {
                    min_stories: cli.corpus_min_stories,
                    min_share: cli.corpus_min_share,
                },
                learned_residue: cli.learned_residue,
                load_residue: cli.load_residue,
            };
            let report = |msg: &str| eprintln!("newsclean: {msg}");
            let summary = newsclean::run(&input, &output, &opts, &report)?;
            if !cli.quiet {
                eprint!("{}", summary.render());
            }
            Ok(if summary.failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

//! The command line as the user types it. `main` turns it, with the
//! configuration file, into [`newsclean::RunOptions`]; nothing else sees
//! clap types. Help, completions and the man page all come from this one
//! definition.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DedupArg {
    Mark,
    Drop,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Auto,
    Text,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

pub fn parse_share(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not between 0 and 1"))
    }
}

/// Clean scraped news articles into normalized plain text and find the
/// same wire story republished by many outlets.
///
/// Every document under INPUT (text dumps, HTML pages, JSON Lines) is
/// cleaned and written to the same relative path under OUTPUT.
/// OUTPUT/.newsclean/ holds the manifest (every line removed, with the stage
/// and reason) and the near-duplicate reports. `newsclean - -` cleans stdin
/// to stdout.
#[derive(Debug, Parser)]
#[command(
    name = "newsclean",
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  newsclean scraped/ clean/\n  newsclean --format jsonl corpus.jsonl.gz clean/\n  cat page.html | newsclean - -\n  newsclean explain scraped/site/story.txt"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Folder (walked recursively), single file, or - for stdin.
    #[arg(required = true)]
    pub input: Option<PathBuf>,

    /// Folder to write to (created if needed), or - for stdout (with INPUT -).
    #[arg(required = true)]
    pub output: Option<PathBuf>,

    /// Output shape: text files, JSON Lines, or auto (follow the input).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// JSON Lines: a field holding HTML to extract (used when present).
    #[arg(long, value_name = "FIELD")]
    pub html_field: Option<String>,

    /// Settings file (default: newsclean.toml in the current folder, if any).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Switch a stage off (repeatable or comma-separated); see `newsclean stages`.
    #[arg(long, value_name = "STAGE", value_delimiter = ',')]
    pub disable: Vec<String>,

    /// Near duplicates: `mark` lists them in .newsclean/duplicates.json and
    /// writes every document; `drop` writes only the canonical member of each
    /// cluster; `off` lists none (the corpus stage still fingerprints to
    /// learn, unless disabled too: `--dedup off --disable corpus` is fastest).
    #[arg(long, value_enum)]
    pub dedup: Option<DedupArg>,

    /// Largest simhash distance (bits of 64) for two documents to be compared (0-10, default 4).
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u32).range(0..=10))]
    pub threshold: Option<u32>,

    /// Smallest share of shingles (of the shorter document) two documents must
    /// share to be the same story, 0 to 1 (default 0.65).
    #[arg(long, value_name = "SHARE", value_parser = parse_share)]
    pub min_similarity: Option<f64>,

    /// A fingerprint index kept between runs: documents of this run are
    /// checked against those of earlier runs, then added (created if missing,
    /// rewritten atomically).
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,

    /// Learned residue: a line is site boilerplate when it recurs in at least
    /// this many different stories of one site (default 3).
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..))]
    pub corpus_min_stories: Option<usize>,

    /// Learned residue: ... and on at least this share of the site's pages, 0 to 1 (default 0.2).
    #[arg(long, value_name = "SHARE", value_parser = parse_share)]
    pub corpus_min_share: Option<f64>,

    /// Write the residue lines learned from the corpus to FILE (tab-separated,
    /// with their counts) for review.
    #[arg(long, value_name = "FILE")]
    pub learned_residue: Option<PathBuf>,

    /// Remove the lines listed in FILE (a --learned-residue file, or one line
    /// of text a row).
    #[arg(long, value_name = "FILE")]
    pub load_residue: Option<PathBuf>,

    /// Largest input file read, in bytes (larger ones fail with a message;
    /// default 128 MiB); in a JSON Lines file, the largest line. Memory
    /// stays within a few times this per thread.
    #[arg(long, value_name = "BYTES")]
    pub max_bytes: Option<u64>,

    /// Print only errors: no progress, no summary.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Log every removal (document, stage, reason, text) on stderr.
    #[arg(short, long)]
    pub verbose: bool,

    /// Print the end summary as JSON (on stdout; on stderr when OUTPUT is -).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a document line by line with why each removed line went.
    Explain {
        /// The file to explain (text or HTML).
        file: PathBuf,
        /// Switch a stage off, as for a run.
        #[arg(long, value_name = "STAGE", value_delimiter = ',')]
        disable: Vec<String>,
        /// Apply residue learned by a run (its --learned-residue file), to
        /// see the corpus stage's removals too.
        #[arg(long, value_name = "FILE")]
        load_residue: Option<PathBuf>,
        /// The site the file belongs to, for learned residue (default: the
        /// name of its folder).
        #[arg(long, value_name = "NAME")]
        site: Option<String>,
        /// Settings file, as for a run.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// List the cleaning stages.
    Stages,
    /// Print the effective configuration (file and defaults) as TOML.
    Config {
        /// Settings file (default: newsclean.toml in the current folder, if any).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Print the man page (roff).
    Man,
}

//! The command line as the user types it. `main` turns it into
//! [`newsclean::RunOptions`]; nothing else sees clap types.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DedupArg {
    Mark,
    Drop,
    Off,
}

impl From<DedupArg> for newsclean::dedup::Mode {
    fn from(a: DedupArg) -> Self {
        match a {
            DedupArg::Mark => newsclean::dedup::Mode::Mark,
            DedupArg::Drop => newsclean::dedup::Mode::Drop,
            DedupArg::Off => newsclean::dedup::Mode::Off,
        }
    }
}

fn parse_share(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is not between 0 and 1"))
    }
}

/// Clean scraped news articles into normalized plain text.
///
/// Every document under INPUT is cleaned and written to the same relative
/// path under OUTPUT with a .txt extension. OUTPUT/.newsclean/manifest.jsonl
/// records, for each document, its metadata and every line removed with the
/// stage and reason.
#[derive(Debug, Parser)]
#[command(
    name = "newsclean",
    version,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Folder (walked recursively) or single file to clean.
    #[arg(required = true)]
    pub input: Option<PathBuf>,

    /// Folder the cleaned text is written to (created if needed).
    #[arg(required = true)]
    pub output: Option<PathBuf>,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Switch a stage off (repeatable or comma-separated); see `newsclean stages`.
    #[arg(long, value_name = "STAGE", value_delimiter = ',')]
    pub disable: Vec<String>,

    /// Near duplicates: `mark` lists them in .newsclean/duplicates.json and
    /// writes every document; `drop` writes only the canonical member of each
    /// cluster; `off` skips fingerprinting.
    #[arg(long, value_enum, default_value_t = DedupArg::Mark)]
    pub dedup: DedupArg,

    /// Largest simhash distance (bits of 64) for two documents to be compared.
    #[arg(long, value_name = "BITS", default_value_t = newsclean::dedup::cluster::DEFAULT_THRESHOLD,
          value_parser = clap::value_parser!(u32).range(0..=10))]
    pub threshold: u32,

    /// Smallest share of shingles (of the shorter document) two documents must
    /// share to be the same story, 0 to 1.
    #[arg(long, value_name = "SHARE", default_value_t = newsclean::dedup::cluster::DEFAULT_MIN_SIMILARITY,
          value_parser = parse_share)]
    pub min_similarity: f64,

    /// A fingerprint index kept between runs: documents of this run are
    /// checked against those of earlier runs, then added (created if missing,
    /// rewritten atomically).
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,

    /// Learned residue: a line is site boilerplate when it recurs in at least
    /// this many different stories of one site (near duplicates count once).
    #[arg(long, value_name = "N", default_value_t = newsclean::corpus::DEFAULT_MIN_STORIES,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..))]
    pub corpus_min_stories: usize,

    /// Learned residue: ... and on at least this share of the site's pages, 0 to 1.
    #[arg(long, value_name = "SHARE", default_value_t = newsclean::corpus::DEFAULT_MIN_SHARE,
          value_parser = parse_share)]
    pub corpus_min_share: f64,

    /// Write the residue lines learned from the corpus to FILE (tab-separated,
    /// with their counts) for review.
    #[arg(long, value_name = "FILE")]
    pub learned_residue: Option<PathBuf>,

    /// Remove the lines listed in FILE (a --learned-residue file, or one line
    /// of text a row) wherever they stand outside the body.
    #[arg(long, value_name = "FILE")]
    pub load_residue: Option<PathBuf>,

    /// Print only errors, no summary.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a document line by line with why each removed line went.
    Explain {
        /// The file to explain.
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
    },
    /// List the cleaning stages in the order they run.
    Stages,
}

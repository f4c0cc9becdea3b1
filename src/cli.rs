//! The command line as the user types it. `main` turns it into
//! [`newsclean::RunOptions`]; nothing else sees clap types.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
    },
    /// List the cleaning stages in the order they run.
    Stages,
}

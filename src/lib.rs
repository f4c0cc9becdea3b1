//! newsclean turns scraped news articles into clean, normalized plain text.
//!
//! The data flows one way:
//!
//! ```text
//! walk -> decode -> normalize -> residue stages -> write
//! ```
//!
//! - [`input`] finds documents and decodes their bytes;
//! - [`stages`] holds one module per cleaning stage, all behind one trait;
//! - [`Cleaner`] runs the stages over one text;
//! - [`run`] does a whole folder: cleaned files, a manifest of every removal;
//!   what it keeps of each document until the end waits in a [`spill`] file,
//!   so its memory stays bounded whatever the corpus.
//!
//! Clean one string:
//!
//! ```
//! let text = "Bridge closes to lorries\n\nBy Jane Doe\n\nThe council voted on \
//!             Tuesday to close the old bridge to lorries.\n\nAdvertisement\n";
//! let cleaned = newsclean::Cleaner::default().clean(text);
//! assert_eq!(
//!     cleaned.render(),
//!     "Bridge closes to lorries\n\nThe council voted on Tuesday to close the old bridge to lorries.\n"
//! );
//! assert_eq!(cleaned.meta.author.as_deref(), Some("Jane Doe"));
//! ```

pub mod alloc;
pub mod config;
pub mod corpus;
pub mod dates;
pub mod dedup;
pub mod doc;
pub mod error;
pub mod explain;
pub mod input;
pub mod phrases;
pub mod pipeline;
pub mod report;
pub mod spill;
pub mod stages;
pub mod text;
pub mod write;

pub use doc::{Doc, Meta, Record};
pub use error::Error;
pub use pipeline::{run, Cleaner, RunOptions, Summary};

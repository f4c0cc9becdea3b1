//! Errors that stop a whole run. A problem with one document is never one of
//! these: it is reported with the file's path, counted, and the run goes on.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("input {0} does not exist")]
    InputMissing(PathBuf),
    #[error("input and output are the same folder ({0}): refusing to write over the input")]
    SameInputOutput(PathBuf),
    #[error("output {0} is an existing file, not a folder")]
    OutputIsFile(PathBuf),
    #[error("output {0} lies inside a single input file's path")]
    OutputInsideFile(PathBuf),
    #[error("unknown stage {0:?} (known: {1})")]
    UnknownStage(String, String),
    #[error("{0}")]
    Usage(String),
    #[error("index file: {0}")]
    Index(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

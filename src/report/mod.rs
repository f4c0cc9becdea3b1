//! Reports written to `OUTPUT/.newsclean/`.

pub mod duplicates;
pub mod manifest;

//! Reports written to `OUTPUT/.newsclean/`.

pub mod duplicates;
pub mod html;
pub mod manifest;

//! Reports written to `OUTPUT/.newsclean/`.

pub mod manifest;

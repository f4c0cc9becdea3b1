//! Near-duplicate detection: the same wire story republished by many
//! outlets.
//!
//! ```text
//! cleaned text -> fingerprint -> index (candidates) -> confirm -> clusters
//! ```
//!
//! Residue is stripped before fingerprinting, so boilerplate shared by two
//! pages of one site never makes them look alike.

pub mod cluster;
pub mod fingerprint;
pub mod index;
pub mod radix;

/// What to do with the duplicates found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Write every document; list the clusters (the default).
    #[default]
    Mark,
    /// Write only the canonical member of each cluster (and every document
    /// in no cluster).
    Drop,
    /// No fingerprints, no clusters.
    Off,
}
pub mod store;

//! `OUTPUT/.newsclean/duplicates.json`: the clusters of near-duplicate
//! documents, for other tools and for review:
//!
//! ```json
//! {"clusters": [{"id": 1, "canonical": "a/x.txt", "members": [
//!   {"input": "a/x.txt", "title": "...", "distance": 0, "similarity": 1.0}, ...]}]}
//! ```
//!
//! `input` is relative to INPUT; members include the canonical (first);
//! only clusters of two or more are listed, the largest first. Members also
//! carry `source` and `jaccard`, and `earlier: true` when they come from
//! an earlier run's index (`--index`).

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub clusters: Vec<ClusterOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterOut {
    pub id: usize,
    pub canonical: String,
    pub members: Vec<MemberOut>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberOut {
    pub input: String,
    /// JSON Lines documents: the document's id in its file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub title: Option<String>,
    pub distance: u32,
    pub similarity: f64,
    pub jaccard: f64,
    pub source: Option<String>,
    /// The member comes from an earlier run's index (`--index`), not this
    /// run's input.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub earlier: bool,
}

impl Report {
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("report serializes");
        s.push('\n');
        s
    }
}

/// Rounds a similarity for the report (4 decimals are plenty to review).
pub fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

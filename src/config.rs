//! `newsclean.toml`: settings a user keeps with a corpus, rather than
//! typing them each time. Read from `--config FILE`, or from
//! `newsclean.toml` in the current folder when there is one. Flags given on
//! the command line win over the file; the file wins over the built-in
//! defaults. `newsclean config` prints the effective configuration.
//!
//! ```toml
//! jobs = 2                       # worker threads (0: one per core)
//! format = "auto"                # auto | text | jsonl
//! html_field = "html"            # JSON Lines: a field holding HTML
//!
//! [stages]
//! disable = ["captions"]
//!
//! [dedup]
//! mode = "mark"                  # mark | drop | off
//! threshold = 4
//! min_similarity = 0.65
//!
//! [corpus]
//! min_stories = 3
//! min_share = 0.2
//!
//! [residue]                      # extra residue, on every site
//! phrases = ["Sign up for the Valley Briefing"]   # whole lines
//! patterns = ['^Follow .+ on Instagram$']          # regular expressions
//!
//! [sites.valley-courier]         # only for INPUT/valley-courier/...
//! phrases = ["The Valley Courier has served the valley since 1921."]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::corpus::{DEFAULT_MIN_SHARE, DEFAULT_MIN_STORIES};
use crate::dedup::cluster::{DEFAULT_MIN_SIMILARITY, DEFAULT_THRESHOLD};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub jobs: usize,
    pub format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html_field: Option<String>,
    pub stages: Stages,
    pub dedup: Dedup,
    pub corpus: Corpus,
    pub residue: Residue,
    pub sites: BTreeMap<String, Residue>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Stages {
    pub disable: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Dedup {
    pub mode: String,
    pub threshold: u32,
    pub min_similarity: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Corpus {
    pub min_stories: usize,
    pub min_share: f64,
}

/// Extra residue: whole lines (compared as newsclean compares lines: case,
/// quotes and punctuation folded) and regular expressions a whole line must
/// match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Residue {
    pub phrases: Vec<String>,
    pub patterns: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            jobs: 0,
            format: "auto".into(),
            html_field: None,
            stages: Stages::default(),
            dedup: Dedup::default(),
            corpus: Corpus::default(),
            residue: Residue::default(),
            sites: BTreeMap::new(),
        }
    }
}

impl Default for Dedup {
    fn default() -> Self {
        Dedup {
            mode: "mark".into(),
            threshold: DEFAULT_THRESHOLD,
            min_similarity: DEFAULT_MIN_SIMILARITY,
        }
    }
}

impl Default for Corpus {
    fn default() -> Self {
        Corpus {
            min_stories: DEFAULT_MIN_STORIES,
            min_share: DEFAULT_MIN_SHARE,
        }
    }
}

/// A configuration that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

impl Config {
    /// Parses and checks a configuration (values in range, patterns that
    /// compile, known stage names).
    pub fn parse(src: &str, path: &str) -> Result<Config, ConfigError> {
        let err = |message: String| ConfigError {
            path: path.to_string(),
            message,
        };
        let c: Config =
            toml::from_str(src).map_err(|e| err(e.to_string().trim_end().replace('\n', " ")))?;
        if !matches!(c.format.as_str(), "auto" | "text" | "jsonl") {
            return Err(err(format!(
                "format = {:?}: use auto, text or jsonl",
                c.format
            )));
        }
        if !matches!(c.dedup.mode.as_str(), "mark" | "drop" | "off") {
            return Err(err(format!(
                "dedup.mode = {:?}: use mark, drop or off",
                c.dedup.mode
            )));
        }
        if c.dedup.threshold > crate::dedup::index::MAX_K {
            return Err(err(format!(
                "dedup.threshold = {}: at most {}",
                c.dedup.threshold,
                crate::dedup::index::MAX_K
            )));
        }
        for (name, v) in [
            ("dedup.min_similarity", c.dedup.min_similarity),
            ("corpus.min_share", c.corpus.min_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(err(format!("{name} = {v}: between 0 and 1")));
            }
        }
        if c.corpus.min_stories < 2 {
            return Err(err("corpus.min_stories: at least 2".into()));
        }
        let known = crate::stages::names();
        for s in &c.stages.disable {
            if !known.contains(&s.as_str()) || s == "normalize" {
                return Err(err(format!("stages.disable: unknown stage {s:?}")));
            }
        }
        for (scope, r) in std::iter::once(("residue", &c.residue))
            .chain(c.sites.iter().map(|(k, v)| (k.as_str(), v)))
        {
            for p in &r.patterns {
                regex::Regex::new(p).map_err(|e| err(format!("{scope}: pattern {p:?}: {e}")))?;
            }
        }
        Ok(c)
    }

    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let src = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Config::parse(&src, &path.display().to_string())
    }

    /// The configuration as TOML, defaults included.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Is any extra residue configured?
    pub fn has_residue(&self) -> bool {
        let any = |r: &Residue| !r.phrases.is_empty() || !r.patterns.is_empty();
        any(&self.residue) || self.sites.values().any(any)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip() {
        let c = Config::default();
        assert_eq!(Config::parse(&c.to_toml(), "x").unwrap(), c);
    }

    #[test]
    fn partial_file_keeps_defaults() {
        let c = Config::parse(
            "[dedup]\nthreshold = 6\n[sites.valley]\nphrases = [\"A\"]\n",
            "x",
        )
        .unwrap();
        assert_eq!(c.dedup.threshold, 6);
        assert_eq!(c.dedup.min_similarity, DEFAULT_MIN_SIMILARITY);
        assert_eq!(c.sites["valley"].phrases, ["A"]);
    }

    #[test]
    fn errors_name_the_line() {
        let e = Config::parse("jobs = 2\n[dedup]\nthreshhold = 6\n", "n.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("n.toml:") && e.contains("line 3"), "{e}");
        let e = Config::parse("[dedup]\nmode = \"keep\"\n", "n.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("mark, drop or off"), "{e}");
        let e = Config::parse("[residue]\npatterns = [\"(\"]\n", "n.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("pattern"), "{e}");
        assert!(Config::parse("[stages]\ndisable = [\"nope\"]\n", "n").is_err());
    }
}

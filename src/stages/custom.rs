//! Custom: residue the user configured (`newsclean.toml`: `[residue]` for
//! every site, `[sites.NAME]` for one). A line goes when it is one of the
//! phrases (compared with case, quotes and punctuation folded) or matches
//! one of the patterns as a whole.

use std::collections::{HashMap, HashSet};

use regex::Regex;

use super::Stage;
use crate::config::{Config, Residue};
use crate::doc::Doc;
use crate::text::loose_key;

#[derive(Default)]
struct Compiled {
    phrases: HashSet<String>,
    patterns: Vec<(String, Regex)>,
}

impl Compiled {
    fn new(r: &Residue) -> Compiled {
        Compiled {
            phrases: r
                .phrases
                .iter()
                .map(|p| loose_key(p))
                .filter(|k| !k.is_empty())
                .collect(),
            patterns: r
                .patterns
                .iter()
                .filter_map(|p| {
                    Regex::new(&format!("^(?:{p})$"))
                        .ok()
                        .map(|re| (p.clone(), re))
                })
                .collect(),
        }
    }

    fn reason(&self, line: &str) -> Option<String> {
        if !self.phrases.is_empty() && self.phrases.contains(&loose_key(line)) {
            return Some("configured phrase".into());
        }
        self.patterns
            .iter()
            .find(|(_, re)| re.is_match(line))
            .map(|(p, _)| format!("configured pattern {p:?}"))
    }
}

pub struct Custom {
    all: Compiled,
    sites: HashMap<String, Compiled>,
}

impl Custom {
    /// The stage for a configuration (patterns were checked when it was read).
    pub fn new(c: &Config) -> Custom {
        Custom {
            all: Compiled::new(&c.residue),
            sites: c
                .sites
                .iter()
                .map(|(k, v)| (k.clone(), Compiled::new(v)))
                .collect(),
        }
    }
}

impl Stage for Custom {
    fn name(&self) -> &'static str {
        "custom"
    }

    fn run(&self, doc: &mut Doc) {
        let site = doc.site.as_deref().and_then(|s| self.sites.get(s));
        for i in doc.kept() {
            let text = &doc.lines[i].text;
            let why = site
                .and_then(|c| c.reason(text).map(|r| format!("{r} for this site")))
                .or_else(|| self.all.reason(text));
            if let Some(why) = why {
                doc.remove(i, self.name(), why);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::doc;

    #[test]
    fn phrases_and_patterns_global_and_per_site() {
        let c = Config::parse(
            "[residue]\npatterns = ['Follow .+ on Instagram']\n[sites.valley]\nphrases = [\"Our town, our paper!\"]\n",
            "t",
        )
        .unwrap();
        let stage = Custom::new(&c);
        let body = "The council voted on Tuesday to close the old bridge to lorries after engineers warned.";
        let text = format!("{body}\nFollow the Valley Courier on Instagram\nOUR TOWN, OUR PAPER\n");
        let mut d = doc(&text);
        d.site = Some("valley".into());
        stage.run(&mut d);
        assert_eq!(d.render(), format!("{body}\n"));
        let mut d = doc(&text);
        d.site = Some("harbour".into());
        stage.run(&mut d);
        assert_eq!(
            d.records.len(),
            1,
            "the site phrase applies to its site only"
        );
    }
}

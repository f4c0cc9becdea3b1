//! Corpus: lines a site repeats on many of its pages, learned from the
//! corpus in a first pass (see [`crate::corpus`]). The stage applies the
//! learned table in the second pass, first of the residue stages, so that a
//! site's tagline is gone before the headline is chosen. A line the table
//! lists for the document's site goes wherever it stands: it was learned
//! because it recurs, at the edges of pages, across different stories of
//! that site. The reason gives the counts.

use super::Stage;
use crate::corpus::SharedTable;
use crate::doc::Doc;

pub struct Corpus {
    pub table: SharedTable,
}

impl Stage for Corpus {
    fn name(&self) -> &'static str {
        "corpus"
    }

    fn run(&self, doc: &mut Doc) {
        if self.table.is_empty() {
            return;
        }
        for i in doc.kept() {
            if let Some(reason) = self.table.reason(doc.site.as_deref(), &doc.lines[i].text) {
                doc.remove(i, self.name(), reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{learn, DocLines, LearnParams, ZONE_TAIL};
    use crate::stages::testutil::doc;

    #[test]
    fn removes_learned_lines_of_its_site_only() {
        let footer = "Sign up for the Valley Briefing every morning";
        let docs: Vec<DocLines> = (0..5)
            .map(|n| DocLines {
                site: "valley".into(),
                story: n,
                lines: vec![(crate::corpus::line_hash(footer), ZONE_TAIL)],
            })
            .collect();
        let (table, _) = learn(docs, 0, LearnParams::default(), &|_, _| {
            Some(footer.to_string())
        });
        let stage = Corpus {
            table: std::sync::Arc::new(table),
        };
        let body = "The council voted on Tuesday to close the old bridge to lorries after engineers warned.";
        let mut d = doc(&format!("Bridge closes\n{body}\n{footer}\n"));
        d.site = Some("valley".into());
        stage.run(&mut d);
        assert_eq!(d.render(), format!("Bridge closes\n\n{body}\n"));
        assert!(d.records[0].reason.contains("5 pages"));
        let mut other = doc(&format!("Bridge closes\n{body}\n{footer}\n"));
        other.site = Some("harbour".into());
        stage.run(&mut other);
        assert!(other.records.is_empty());
    }
}

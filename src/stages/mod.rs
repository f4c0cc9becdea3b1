//! The cleaning stages, in the order they run.
//!
//! Each stage is one module, named for what it removes, behind one trait:
//! it gets the whole [`Doc`], takes lines out through [`Doc::remove`] (which
//! records the stage and the reason) and may fill in [`crate::doc::Meta`].
//! A stage reads lines, zones and metadata; it never calls into another
//! stage. Shared line-shape helpers live in [`crate::text`], phrase lists in
//! [`crate::phrases`].

use crate::doc::Doc;

pub mod byline;
pub mod captions;
pub mod copyright;
pub mod corpus;
pub mod custom;
pub mod datestamp;
pub mod editorial;
pub mod headline;
pub mod metadata;
pub mod navigation;
pub mod normalize;
pub mod prompts;
pub mod tail;
pub mod widgets;

/// One bit per stage that remembers, per line, that it will never take the
/// line ([`crate::doc::Line::may_take`]).
pub mod bit {
    pub const WIDGETS: u32 = 1;
    pub const PROMPTS: u32 = 1 << 1;
    pub const DATESTAMP: u32 = 1 << 2;
    pub const BYLINE: u32 = 1 << 3;
    pub const COPYRIGHT: u32 = 1 << 4;
    pub const EDITORIAL: u32 = 1 << 5;
    pub const CAPTIONS: u32 = 1 << 6;
    pub const NAVIGATION: u32 = 1 << 7;
}

/// One step of the cleaning pipeline.
pub trait Stage: Send + Sync {
    /// The name recorded with each removal, and used to switch it off.
    fn name(&self) -> &'static str;
    /// Runs over the document, removing lines and noting metadata.
    fn run(&self, doc: &mut Doc);
}

/// Every stage, in pipeline order. Normalize comes first: the residue
/// detectors see clean, trimmed, one-paragraph lines. Line-shape detectors
/// (widgets, navigation, prompts, dates, bylines) go before the ones that
/// rely on knowing where the body is (tail blocks, headline, captions).
pub fn all() -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(normalize::Normalize),
        Box::new(widgets::Widgets),
        Box::new(navigation::Navigation),
        Box::new(prompts::Prompts),
        Box::new(datestamp::DateStamp),
        Box::new(byline::Byline),
        Box::new(copyright::Copyright),
        Box::new(editorial::Editorial),
        Box::new(tail::Tail),
        Box::new(headline::Headline),
        Box::new(captions::Captions),
        Box::new(metadata::Metadata),
    ]
}

/// The names of all stages. `corpus` runs in a second pass, first after
/// normalize, with what the first pass learned.
pub fn names() -> Vec<&'static str> {
    let mut n: Vec<&'static str> = all().iter().map(|s| s.name()).collect();
    n.push("corpus");
    n.push("custom");
    n
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_stage_remembers_its_verdicts_under_a_bit_of_its_own() {
        use super::bit::*;
        let bits = [
            WIDGETS, PROMPTS, DATESTAMP, BYLINE, COPYRIGHT, EDITORIAL, CAPTIONS, NAVIGATION,
        ];
        let all = bits.iter().fold(0u32, |acc, b| acc | b);
        assert!(bits.iter().all(|b| b.count_ones() == 1));
        assert_eq!(all.count_ones() as usize, bits.len(), "no bit shared");
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::doc::Doc;

    use super::normalize::Normalize;
    use super::Stage;

    /// A normalized document from text, ready for a residue stage.
    pub fn doc(text: &str) -> Doc {
        let mut d = Doc::from_text(text);
        Normalize.run(&mut d);
        d
    }

    /// The document after running `stage` on normalized `text`.
    pub fn run_stage(stage: &dyn Stage, text: &str) -> Doc {
        let mut d = doc(text);
        stage.run(&mut d);
        d
    }

    /// The kept lines of a document.
    pub fn kept(d: &Doc) -> Vec<&str> {
        d.lines
            .iter()
            .filter(|l| l.kept)
            .map(|l| l.text.as_str())
            .collect()
    }

    /// The kept lines after running `stage` on `text`.
    pub fn kept_after(stage: &dyn Stage, text: &str) -> Vec<String> {
        kept(&run_stage(stage, text))
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// The removed texts after running `stage` on `text`.
    pub fn removed_after(stage: &dyn Stage, text: &str) -> Vec<String> {
        let d = run_stage(stage, text);
        d.records.iter().map(|r| r.text.clone()).collect()
    }
}

//! Headline: the first line left after the header residue, when it is
//! shaped like a title (not a finished sentence, not too long). It becomes
//! the document's title and the first line of the output. Copies of it go:
//! the same title printed twice, or a breadcrumb trail that ends with it
//! ("HomeNEWSWORLD NEWS" followed by the headline).

use super::Stage;
use crate::doc::Doc;
use crate::text::{char_len, chars_at_most, ends_sentence, word_count};

pub struct Headline;

/// How many lines after the headline a copy of it is looked for.
const COPY_WINDOW: usize = 6;

impl Stage for Headline {
    fn name(&self) -> &'static str {
        "headline"
    }

    fn run(&self, doc: &mut Doc) {
        let kept = doc.kept();
        let Some(&first) = kept.first() else {
            return;
        };
        let mut head = first;
        // A trail glued to the headline, with the headline on the next line.
        if let Some(&second) = kept.get(1) {
            let (k1, k2) = (
                doc.lines[first].loose().to_string(),
                doc.lines[second].loose().to_string(),
            );
            if k1.len() > k2.len()
                && k1.ends_with(&k2)
                && !k2.is_empty()
                && is_title_shaped(&doc.lines[second].text)
            {
                doc.remove(first, self.name(), "breadcrumb ending with the headline");
                head = second;
            }
        }
        // A masthead: a short Title-Case line underlined by a separator, with
        // the real headline below it.
        if is_masthead(doc, head) {
            if let Some(&next) = kept.iter().find(|&&i| i > head) {
                if is_title_shaped(&doc.lines[next].text)
                    && word_count(&doc.lines[next].text) > word_count(&doc.lines[head].text)
                {
                    doc.remove(head, self.name(), "masthead above the headline");
                    head = next;
                }
            }
        }
        let text = doc.lines[head].text.clone();
        if !is_title_shaped(&text) {
            return;
        }
        doc.headline = Some(head);
        doc.meta.title = Some(text.clone());
        let k = doc.lines[head].loose().to_string();
        if k.is_empty() {
            return;
        }
        for &i in kept.iter().filter(|&&i| i > head).take(COPY_WINDOW) {
            let other = doc.lines[i].loose();
            if other == k {
                doc.remove(i, self.name(), "headline repeated");
            } else if other.ends_with(&k)
                && word_count(other) - word_count(&k) <= 6
                && !doc.lines[i].is_body_like()
            {
                doc.remove(i, self.name(), "breadcrumb ending with the headline");
            }
        }
    }
}

/// A short line of capitalised words followed by a separator line ("=====").
fn is_masthead(doc: &Doc, i: usize) -> bool {
    let t = &doc.lines[i].text;
    let underlined = doc
        .lines
        .get(i + 1)
        .is_some_and(|l| !l.kept && crate::text::has_no_alnum(&l.text) && char_len(&l.text) >= 3);
    let capitalised = t.split_whitespace().all(|w| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
    });
    underlined && capitalised && word_count(t) <= 4
}

/// Shaped like a headline: one to 30 words, at most 250 characters, not a
/// sentence closed by a full stop ("?" and "!" are fine; so is a final
/// abbreviation such as "U.S.").
pub fn is_title_shaped(s: &str) -> bool {
    let w = word_count(s);
    if w == 0 || w > 30 || !chars_at_most(s, 250) {
        return false;
    }
    let t = s.trim_end_matches(['"', '\'', '\u{201D}', '\u{2019}', ')']);
    if t.ends_with('.') {
        let last = t.split_whitespace().last().unwrap_or("");
        let abbreviation = last[..last.len() - 1].contains('.');
        return abbreviation;
    }
    !ends_sentence(s) || t.ends_with('?') || t.ends_with('!')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::{doc, run_stage};
    use crate::stages::Stage;

    const BODY: &str =
        "The council voted on Tuesday to close the old bridge to lorries after engineers warned.";

    fn run(text: &str) -> Doc {
        run_stage(&Headline, text)
    }

    #[test]
    fn first_title_line_is_the_headline() {
        let d = run(&format!("Bridge closes to lorries\n{BODY}\n"));
        assert_eq!(d.meta.title.as_deref(), Some("Bridge closes to lorries"));
        assert_eq!(d.headline, Some(0));
    }

    #[test]
    fn no_headline_when_the_text_starts_with_prose() {
        let d = run(&format!("{BODY}\n{BODY}\n"));
        assert_eq!(d.meta.title, None);
    }

    #[test]
    fn repeated_headline_kept_once() {
        let d = run(&format!(
            "Bridge closes to lorries\nBridge closes to lorries\n{BODY}\n"
        ));
        assert_eq!(d.render(), format!("Bridge closes to lorries\n\n{BODY}\n"));
        let d = run(&format!(
            "HomeNEWSLOCALBridge closes to lorries\nBridge closes to lorries\n{BODY}\n"
        ));
        assert_eq!(d.render(), format!("Bridge closes to lorries\n\n{BODY}\n"));
        assert_eq!(d.records[0].reason, "breadcrumb ending with the headline");
    }

    #[test]
    fn masthead_underlined_above_headline() {
        let mut d = doc(&format!(
            "The Harbour Post\n=========\nBridge closes to lorries\n{BODY}\n"
        ));
        crate::stages::widgets::Widgets.run(&mut d);
        Headline.run(&mut d);
        assert_eq!(d.meta.title.as_deref(), Some("Bridge closes to lorries"));
        // Without the rule under it, a short title stays the headline.
        let d = run(&format!(
            "Storm Hits Coast\nThousands without power as winds reach the coast\n{BODY}\n"
        ));
        assert_eq!(d.meta.title.as_deref(), Some("Storm Hits Coast"));
    }

    #[test]
    fn title_shapes() {
        assert!(is_title_shaped("Is the bridge safe?"));
        assert!(is_title_shaped("Talks resume with the U.S."));
        assert!(!is_title_shaped("The bridge closed."));
    }
}

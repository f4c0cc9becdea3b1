//! Editorial notes: lines about the article rather than of it. "This
//! article has been adapted from its original source.", "Editor's note:
//! ...", "Additional reporting by ...", "Jane Doe contributed to this
//! report.", "(With AFP)". Phrases come from `data/editorial.txt`; a note is
//! short (at most a few sentences), so long paragraphs are never touched.

use super::Stage;
use crate::doc::Doc;
use crate::phrases::phrases;
use crate::text::word_count_upto;

pub struct Editorial;

/// Longest line taken for an editorial note.
const MAX_NOTE: usize = 280;

impl Stage for Editorial {
    fn name(&self) -> &'static str {
        "editorial"
    }

    fn run(&self, doc: &mut Doc) {
        for i in doc.kept() {
            if !doc.lines[i].may_take(super::bit::EDITORIAL, |l| note(l).is_some()) {
                continue;
            }
            if let Some(phrase) = note(&doc.lines[i]) {
                doc.remove(i, self.name(), format!("editorial note \"{phrase}\""));
            }
        }
    }
}

/// The editorial phrase that makes the line a note, if it is one.
fn note(l: &crate::doc::Line) -> Option<String> {
    let text = &l.text;
    if l.char_len() > MAX_NOTE || word_count_upto(text, 2) < 2 {
        return None;
    }
    let (_, phrase) = phrases().editorial.find_folded(l.folded())?;
    if phrase.ends_with(" by") && !credit_follows(text, &phrase) {
        return None;
    }
    Some(phrase)
}

/// A credit phrase ("reporting by") must be followed by a name: "Reporting
/// by Ali Hassan", not "Reporting by local journalists exposed ...".
fn credit_follows(text: &str, phrase: &str) -> bool {
    let skip = phrase.split_whitespace().count();
    text.split_whitespace()
        .nth(skip)
        .and_then(|w| w.trim_start_matches(['(', '"']).chars().next())
        .is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::kept_after;

    const BODY: &str =
        "The council voted on Tuesday to close the old bridge to lorries after engineers warned.";

    #[test]
    fn notes_go() {
        let text = format!(
            "{BODY}\nThis article has been adapted from its original source.\nEditor\u{2019}s note: an earlier version misspelt a name.\nJane Doe contributed to this report.\n(Reporting by Ali Hassan; Editing by Kofi Mensah)\nThe port reopened. (With AFP)\n"
        );
        assert_eq!(kept_after(&Editorial, &text), [BODY]);
    }

    #[test]
    fn prose_stays() {
        let text = "Reporting by local journalists has exposed the scheme, and the mayor has now resigned after weeks of pressure from the council and from residents who had demanded answers about the contracts since the spring, when the first documents leaked to the press and the opposition called for an inquiry into the deals.\nThe source of the leak was never found.\n";
        assert_eq!(kept_after(&Editorial, text).len(), 2);
        let text = "Reporting by local journalists exposed the scheme.\n";
        assert_eq!(kept_after(&Editorial, text).len(), 1);
    }
}

//! Bylines and credit lines standing on their own:
//! - "By Jane Doe", "Written by Jane Doe and Ali Hassan | Reuters";
//! - "Jane Doe, Staff Writer" in the header or the tail;
//! - a labelled date line: "Published November 15th, 2018 - 06:00 GMT";
//! - a lone agency credit: "AFP", "(Reuters)";
//! - an author's name alone on a line in the header, under the headline.
//!
//! A dateline that opens the first paragraph ("PARIS, Oct 2, (Agencies): The
//! alliance ...") is body text and stays: every rule here wants a short line
//! that is not a sentence. Names, agencies and dates go to the metadata.

use super::Stage;
use crate::dates::parse_stamp;
use crate::doc::{DateRank, Doc};
use crate::phrases::phrases;
use crate::text::{ends_sentence, fold, is_name_shaped, starts_with_word};

pub struct Byline;

impl Stage for Byline {
    fn name(&self) -> &'static str {
        "byline"
    }

    fn run(&self, doc: &mut Doc) {
        let zones = doc.zones();
        let kept = doc.kept();
        for (rank, &i) in kept.iter().enumerate() {
            if !doc.lines[i].may_take(super::bit::BYLINE, could_be_byline) {
                continue;
            }
            let text = doc.lines[i].text.clone();
            if let Some(stamp) = doc.lines[i].stamp().cloned() {
                if let Some(label) = &stamp.label {
                    if let Some(iso) = stamp.iso() {
                        doc.meta.offer_date(iso, DateRank::Byline);
                    }
                    doc.remove(i, self.name(), format!("\"{label}\" date line"));
                }
                continue;
            }
            if let Some(agency) = lone_agency_line(&doc.lines[i]) {
                doc.meta.offer_source(&agency);
                doc.remove(i, self.name(), format!("agency credit \"{agency}\""));
                continue;
            }
            let edge = zones.header(i) || zones.tail(i);
            if let Some(b) = parse_byline(&text, doc.lines[i].folded(), edge) {
                if let Some(a) = &b.author {
                    doc.meta.offer_author(a);
                }
                if let Some(s) = &b.agency {
                    doc.meta.offer_source(s);
                }
                if let Some(d) = b.date {
                    doc.meta.offer_date(d, DateRank::Byline);
                }
                doc.remove(i, self.name(), "byline");
                continue;
            }
            if rank >= 1 && zones.header(i) && is_author_line(&text, Some(doc.lines[i].folded())) {
                doc.meta.offer_author(&text);
                doc.remove(i, self.name(), "author name under the headline");
            }
        }
    }
}

/// Could any rule here take the line, wherever it stood? (A byline read
/// with `edge` set is read without it too whenever it has an opener.)
fn could_be_byline(l: &crate::doc::Line) -> bool {
    let text = &l.text;
    if l.char_len() > 140 {
        return false;
    }
    match l.stamp() {
        Some(stamp) => stamp.label.is_some(),
        None => {
            lone_agency_line(l).is_some()
                || parse_byline(text, l.folded(), true).is_some()
                || is_author_line(text, Some(l.folded()))
        }
    }
}

/// "AFP", "(Reuters)", "AFP/File", "— AP": a line that is only an agency.
pub fn lone_agency(line: &str) -> Option<String> {
    let t = line.trim_matches(|c: char| !c.is_alphanumeric());
    phrases().agencies.lookup(t).map(str::to_string)
}

/// [`lone_agency`] of a document's line, read on its cached fold (the
/// edge punctuation `lone_agency` trims first, the key trims after).
fn lone_agency_line(l: &crate::doc::Line) -> Option<String> {
    phrases()
        .agencies
        .lookup_folded(l.folded())
        .map(str::to_string)
}

/// An author's name alone: name-shaped, and not a menu word or a heading.
/// `folded` is the line folded, when known (a line's cached fold): the
/// four lists read one fold, made here at most once.
fn is_author_line(line: &str, folded: Option<&str>) -> bool {
    if !is_name_shaped(line) {
        return false;
    }
    let f = crate::text::fold_unless_known(line, folded);
    let f = f.as_ref();
    let p = phrases();
    !p.navigation.is_exact_folded(f)
        && !p.tail_weak.is_exact_folded(f)
        && !p.tail_strong.is_exact_folded(f)
        && !p.widgets.is_exact_folded(f)
}

#[derive(Debug, Default, PartialEq)]
struct ParsedByline {
    author: Option<String>,
    agency: Option<String>,
    date: Option<String>,
}

/// Splits "Jane Doe and Ali Hassan, Staff Writers | Reuters | 3 March 2024"
/// into parts; every part must be a name, a role, an agency or a date.
fn parse_byline(line: &str, f: &str, edge: bool) -> Option<ParsedByline> {
    if ends_sentence(line) && !line.ends_with("Jr.") && !line.ends_with("Sr.") {
        return None;
    }
    let p = phrases();
    // The longest opener that starts the line ("written by" before "by").
    // (Folded text has single spaces: the first n words are a prefix.)
    let opener_len = f
        .match_indices(' ')
        .map(|(i, _)| i)
        .chain(std::iter::once(f.len()))
        .take(3)
        .filter(|&end| p.byline_openers.is_exact_folded(&f[..end]))
        .max();
    let rest: &str = match opener_len {
        Some(n) => {
            // Map the folded length back onto the original: skip as many words.
            let words = f[..n].split_whitespace().count();
            let mut r = line;
            for _ in 0..words {
                r = r.trim_start();
                r = &r[r.find(char::is_whitespace).unwrap_or(r.len())..];
            }
            r.trim_start_matches([':', ' '])
        }
        None if edge => line,
        None => return None,
    };
    let parts: Vec<&str> = split_parts(rest);
    // Without an opener the line needs several credit parts: "Jane Doe,
    // Reuters", "Guardian staff and agencies".
    if parts.is_empty() || (opener_len.is_none() && parts.len() < 2) {
        return None;
    }
    let mut out = ParsedByline::default();
    for (n, part) in parts.iter().enumerate() {
        if let Some(a) = lone_agency(part) {
            out.agency.get_or_insert(a);
        } else if is_author_line(part, None) {
            out.author.get_or_insert_with(|| part.to_string());
        } else if is_role(part) {
        } else if let Some(stamp) = parse_stamp(part) {
            out.date = out.date.or(stamp.iso());
        } else if n > 0 && opener_len.is_some() && starts_with_word(&fold(part), "in") {
            // "By Jane Doe in Paris"
        } else {
            return None;
        }
    }
    // Without an opener the line must hold a name: "Jane Doe, Reuters".
    let first_ok = lone_agency(parts[0]).is_some() || is_name_shaped(parts[0]) || is_role(parts[0]);
    if !first_ok {
        return None;
    }
    Some(out)
}

/// A role ("Staff Writer"), or an outlet's name followed by one ("Meridian
/// Daily staff", "Atlas Times reporter").
fn is_role(part: &str) -> bool {
    let roles = &phrases().byline_roles;
    if roles.is_exact(part) {
        return true;
    }
    // Where each word starts (folding makes any run of spaces one, so the
    // last words are read in place rather than joined again).
    let mut starts = [0usize; 6];
    let mut n = 0;
    for w in part.split_whitespace() {
        if n == starts.len() {
            return false;
        }
        starts[n] = w.as_ptr() as usize - part.as_ptr() as usize;
        n += 1;
    }
    let capital = |at: usize| part[at..].chars().next().is_some_and(char::is_uppercase);
    (1..=2.min(n.saturating_sub(1))).any(|k| {
        starts[..n - k].iter().all(|&at| capital(at)) && roles.is_exact(&part[starts[n - k]..])
    })
}

fn tidy(p: &str) -> &str {
    p.trim().trim_end_matches(['.', ','])
}

/// Separators between the parts of a byline, applied in this order.
const PART_SEPARATORS: &[&str] = &[
    " | ",
    " and ",
    " & ",
    ", ",
    " - ",
    " \u{2013} ",
    " \u{2014} ",
    " / ",
    " \u{00B7} ",
    " in ",
];

fn split_parts(s: &str) -> Vec<&str> {
    let mut parts = vec![s];
    let found = crate::text::separators_in(s, PART_SEPARATORS);
    // Parts that another tidying would leave as they are: the steps for
    // separators the line does not hold change nothing more.
    let mut settled = false;
    for (k, sep) in PART_SEPARATORS.iter().enumerate() {
        if found & 1 << k != 0 {
            parts = parts
                .into_iter()
                .flat_map(|p| p.split(sep))
                .map(tidy)
                .filter(|p| !p.is_empty())
                .collect();
            settled = false;
        } else if !settled {
            // (parts are pieces of `s`: none holds the separator)
            let before = (parts.len(), parts.iter().map(|p| p.len()).sum::<usize>());
            parts.iter_mut().for_each(|p| *p = tidy(p));
            parts.retain(|p| !p.is_empty());
            settled = before == (parts.len(), parts.iter().map(|p| p.len()).sum::<usize>());
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::{kept, run_stage};

    const BODY: &str =
        "The council voted on Tuesday to close the old bridge to lorries after engineers warned.";

    fn run(text: &str) -> Doc {
        run_stage(&Byline, text)
    }

    #[test]
    fn parts_split_as_with_every_step_taken() {
        // split_parts as first written: every step tidies every part.
        let every_step = |s: &str| -> Vec<String> {
            let mut parts = vec![s.to_string()];
            for sep in PART_SEPARATORS {
                parts = parts
                    .iter()
                    .flat_map(|p| {
                        p.split(sep)
                            .map(|x| tidy(x).to_string())
                            .collect::<Vec<_>>()
                    })
                    .filter(|p| !p.is_empty())
                    .collect();
            }
            parts
        };
        for s in [
            "By Jane Doe and Ali Hassan, Staff Writers | Reuters | 3 March 2024",
            "Jane Doe .",
            "a . ,",
            " x , . . ",
            "Jane Doe , Reuters .",
            "",
            " . ",
            "A & B / C \u{00B7} D - E \u{2013} F \u{2014} G in H",
            "one. , two. ,",
        ] {
            assert_eq!(split_parts(s), every_step(s), "{s:?}");
        }
    }

    #[test]
    fn roles_read_in_place_as_joined_words() {
        // is_role as first written: the last words joined again.
        let joined = |part: &str| {
            let roles = &phrases().byline_roles;
            if roles.is_exact(part) {
                return true;
            }
            let words: Vec<&str> = part.split_whitespace().collect();
            if words.len() > 6 {
                return false;
            }
            (1..=2.min(words.len().saturating_sub(1))).any(|n| {
                let (head, tail) = words.split_at(words.len() - n);
                roles.is_exact(&tail.join(" "))
                    && head
                        .iter()
                        .all(|w| w.chars().next().is_some_and(char::is_uppercase))
            })
        };
        for part in [
            "Staff Writer",
            "Meridian Daily staff",
            "Atlas Times  reporter",
            "Atlas\ttimes staff",
            "atlas Times staff",
            "A B C D E staff",
            "A B C D E F staff",
            "staff",
            "",
            "Jane Doe",
            "\u{c9}cho du Nord staff writer",
            "Senior  Staff   Writer",
            "The Meridian Daily staff",
        ] {
            assert_eq!(is_role(part), joined(part), "{part:?}");
        }
    }

    #[test]
    fn by_lines() {
        let d = run(&format!(
            "Bridge closes\nBy Jane Doe and Ali Hassan | Reuters\n{BODY}\n"
        ));
        assert_eq!(kept(&d), ["Bridge closes", BODY]);
        assert_eq!(d.meta.author.as_deref(), Some("Jane Doe"));
        assert_eq!(d.meta.source.as_deref(), Some("Reuters"));
        let d = run(&format!(
            "Bridge closes\nWritten by Kofi Mensah, Staff Writer\n{BODY}\n"
        ));
        assert_eq!(kept(&d), ["Bridge closes", BODY]);
        let d = run(&format!(
            "Bridge closes\nBy Harbour Post reporter\n{BODY}\n"
        ));
        assert_eq!(kept(&d), ["Bridge closes", BODY]);
        let d = run(&format!("Bridge closes\nBy the river staff\n{BODY}\n"));
        assert_eq!(kept(&d).len(), 3);
    }

    #[test]
    fn credit_lines_without_opener() {
        let d = run(&format!(
            "Bridge closes\n{BODY}\nHarbour Post staff and agencies\n"
        ));
        assert_eq!(kept(&d), ["Bridge closes", BODY]);
        let d = run(&format!("Bridge closes\nJane Doe, Reuters\n{BODY}\n"));
        assert_eq!(kept(&d), ["Bridge closes", BODY]);
        // Menu words and headings are not credits.
        let d = run(&format!("Bridge closes\n{BODY}\nNews, Sport\n"));
        assert_eq!(kept(&d).len(), 3);
        let d = run(&format!("Bridge closes\n{BODY}\nRelated Articles\n"));
        assert_eq!(kept(&d).len(), 3);
    }

    #[test]
    fn published_line_and_agency() {
        let d = run(&format!(
            "Bridge closes\nPublished November 15th, 2018 - 06:00 GMT\nAFP\n{BODY}\n"
        ));
        assert_eq!(kept(&d), ["Bridge closes", BODY]);
        assert_eq!(d.meta.date.as_deref(), Some("2018-11-15"));
        assert_eq!(d.meta.source.as_deref(), Some("AFP"));
    }

    #[test]
    fn author_name_under_headline() {
        let d = run(&format!(
            "Bridge closes to lorries\nMinnie Murray\n{BODY}\n"
        ));
        assert_eq!(kept(&d), ["Bridge closes to lorries", BODY]);
        assert_eq!(d.meta.author.as_deref(), Some("Minnie Murray"));
    }

    #[test]
    fn prose_starting_with_by_stays() {
        let text = format!(
            "Bridge closes\n{BODY}\nBy the end of the year, the bridge will be closed to all traffic.\nBy Tuesday\nPARIS, Oct 2, (Agencies): The alliance said it would press on.\n"
        );
        let d = run(&text);
        assert_eq!(kept(&d).len(), 5, "{:?}", d.records);
    }

    #[test]
    fn names_in_the_body_stay() {
        let d = run(&format!("Bridge closes\n{BODY}\nMinnie Murray\n{BODY}\n"));
        assert!(d.records.is_empty());
    }
}

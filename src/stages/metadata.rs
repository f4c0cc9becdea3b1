//! Metadata from the body itself: the dateline that opens the first
//! paragraph names the wire agency and often the date ("BEIRUT (AP) _",
//! "AFP, November 11, 2017 –", "PARIS, Oct 2, (Agencies):"). Nothing is
//! removed: a dateline is part of the story.

use super::Stage;
use crate::dates::parse_stamp;
use crate::doc::{DateRank, Doc};
use crate::phrases::phrases;
use crate::text::word_count;

pub struct Metadata;

/// How many body paragraphs from the top may hold the dateline.
const DATELINE_PARAGRAPHS: usize = 3;

/// How far into the first paragraph a dateline may reach.
const MAX_DATELINE: usize = 90;

impl Stage for Metadata {
    fn name(&self) -> &'static str {
        "metadata"
    }

    fn run(&self, doc: &mut Doc) {
        // The dateline opens the story, but a scraper may have put a
        // standfirst or a stray caption before it: look at the first few
        // body paragraphs and take the first dateline found.
        let firsts = doc
            .lines
            .iter()
            .filter(|l| l.kept && l.is_body_like())
            .take(DATELINE_PARAGRAPHS);
        for line in firsts {
            let (agency, date) = read_dateline(&line.text);
            if agency.is_none() && date.is_none() {
                continue;
            }
            if let Some(a) = agency {
                doc.meta.offer_source(&a);
            }
            if let Some(d) = date {
                doc.meta.offer_date(d, DateRank::Dateline);
            }
            break;
        }
    }
}

/// The agency and ISO date named in a dateline, if the paragraph opens
/// with one.
pub fn read_dateline(par: &str) -> (Option<String>, Option<String>) {
    let mut end = None;
    // a separator starting within MAX_DATELINE bytes ends within five more
    let window = crate::text::prefix(par, MAX_DATELINE + 5);
    const SEPS: [&str; 7] = [" \u{2013} ", " \u{2014} ", " - ", " _ ", " -- ", ": ", "):"];
    // Which the window holds, in one pass over its spaces; then where.
    let found = crate::text::separators_in(window, &SEPS);
    for (k, sep) in SEPS.iter().enumerate() {
        if found & 1 << k == 0 {
            continue;
        }
        if let Some(pos) = crate::text::find_short(window, sep) {
            let pos = if *sep == "):" { pos + 1 } else { pos };
            if pos <= MAX_DATELINE && end.is_none_or(|e| pos < e) {
                end = Some(pos);
            }
        }
    }
    let Some(end) = end else {
        return (None, None);
    };
    let head = &par[..end];
    if word_count(head) > 9 {
        return (None, None);
    }
    let agencies = &phrases().agencies;
    let mut agency = None;
    let mut rest = Vec::new();
    for (n, seg) in head
        .split([',', '(', ')'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        if let Some(a) = agencies.lookup(seg) {
            agency.get_or_insert_with(|| a.to_string());
        } else if n == 0
            && seg
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase)
        {
            // the city: "BEIRUT", "PARIS"
        } else {
            rest.push(seg);
        }
    }
    let date = if rest.is_empty() {
        None
    } else {
        parse_stamp(&rest.join(" ")).and_then(|s| s.iso())
    };
    (agency, date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datelines() {
        assert_eq!(
            read_dateline("BEIRUT (AP) _ A spokesman said the forces had advanced."),
            (Some("AP".into()), None)
        );
        assert_eq!(
            read_dateline("AFP, November 11, 2017 \u{2013} The group recaptured the town."),
            (Some("AFP".into()), Some("2017-11-11".into()))
        );
        assert_eq!(
            read_dateline("PARIS, Oct 2, (Agencies): The alliance faces a tough fight."),
            (Some("Agencies".into()), None)
        );
        assert_eq!(
            read_dateline("The council said: the bridge will close."),
            (None, None)
        );
    }
}

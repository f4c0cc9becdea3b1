//! Navigation: menus and breadcrumb trails.
//!
//! - menu words glued together by a scraper that dropped the spaces between
//!   links: "HomeNEWSWORLD NEWS..." (a menu word directly followed by a
//!   capital);
//! - breadcrumb trails with separators: "Home > World > Middle East",
//!   "News | Sport | Weather", "Home » Business";
//! - a menu printed one item per line: three or more short lines in a row
//!   (one to three words, no sentence punctuation) outside the body;
//! - a lone section label ("World News") above the headline.
//!
//! Menu words come from `data/navigation.txt`.

use super::Stage;
use crate::doc::{Doc, Zones};
use crate::phrases::phrases;
use crate::text::{chars_at_most, ends_sentence, key_of_folded, loose_key, word_count_upto};

pub struct Navigation;

impl Stage for Navigation {
    fn name(&self) -> &'static str {
        "navigation"
    }

    fn run(&self, doc: &mut Doc) {
        let zones = doc.zones();
        remove_menu_runs(doc, &zones, self.name());
        let first_kept = doc.kept().first().copied().unwrap_or(0);
        for i in doc.kept() {
            let l = &doc.lines[i];
            if l.is_body_like() || !l.may_take(super::bit::NAVIGATION, could_be_navigation) {
                continue;
            }
            let text = l.text.clone();
            if glued_menu(&text) {
                doc.remove(i, self.name(), "menu words run together");
            } else if let Some(items) = crumb_items(&text) {
                let last = items.last().copied().unwrap_or("");
                // A trail ending in the headline: keep the headline when it
                // does not stand on a line of its own as well.
                let long_tail = word_count_upto(last, 4) >= 4 && !nav_item(last);
                if long_tail && !stands_elsewhere(doc, i, last) {
                    // `last` is a sub-slice of `text`: cut where it starts.
                    let cut = last.as_ptr() as usize - text.as_ptr() as usize;
                    doc.cut_prefix(i, cut, self.name(), "breadcrumb trail before the headline");
                } else {
                    doc.remove(i, self.name(), "breadcrumb trail");
                }
            } else if zones.header(i) && phrases().navigation.is_exact_folded(doc.lines[i].folded())
            {
                doc.remove(i, self.name(), "section label above the article");
            } else if zones.header(i) && i != first_kept && is_kicker(&text) {
                doc.remove(
                    i,
                    self.name(),
                    "one-word section label or kicker in the header",
                );
            }
        }
    }
}

/// Could one of the rules `run` applies past the menu runs (glued menu
/// words, a breadcrumb trail, a section label, a kicker) take the line,
/// in any zone? Read from the text alone, so asked once per text
/// ([`crate::doc::Line::may_take`]).
fn could_be_navigation(l: &crate::doc::Line) -> bool {
    glued_menu(&l.text)
        || crumb_items(&l.text).is_some()
        || phrases().navigation.is_exact_folded(l.folded())
        || is_kicker(&l.text)
}

/// A single capitalised word of letters: "Cities", "ANALYSIS".
fn is_kicker(s: &str) -> bool {
    // An agency credit ("AFP") is the byline stage's: it names the source.
    // (the lookup, which folds, last: most lines fail the shape first)
    !s.contains(char::is_whitespace)
        && s.chars().count() >= 3
        && s.chars().all(char::is_alphabetic)
        && s.chars().next().is_some_and(char::is_uppercase)
        && phrases().agencies.lookup(s).is_none()
}

/// Is the whole text a menu word or phrase?
fn nav_item(s: &str) -> bool {
    phrases().navigation.is_exact(s)
}

/// "HomeNEWSWORLD NEWS...": the line opens with a menu word glued to a
/// capital letter.
fn glued_menu(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    // a boundary: lower->Upper ("HomeNews") or UPPER->Upper after a full
    // menu word ("NEWSWorld" cannot be told, so only lower->Upper counts),
    // from the third character on
    let mut chars = first.char_indices();
    let Some((_, mut prev)) = chars.next() else {
        return false;
    };
    for (n, (pos, c)) in chars.enumerate() {
        if n >= 1 && c.is_uppercase() && prev.is_lowercase() && nav_item(&first[..pos]) {
            return true;
        }
        prev = c;
    }
    false
}

const CRUMB_SEPARATORS: &[&str] = &[
    " > ",
    " \u{00BB} ",
    " \u{203A} ",
    " | ",
    " / ",
    " \u{2022} ",
    " \u{00B7} ",
    " :: ",
    " \u{2192} ",
];

/// The items of a breadcrumb or menu line, if the line is one.
fn crumb_items(line: &str) -> Option<Vec<&str>> {
    // The first separator of the list that the line holds.
    let found = crate::text::separators_in(line, CRUMB_SEPARATORS);
    let sep = CRUMB_SEPARATORS.get(found.trailing_zeros() as usize)?;
    let items: Vec<&str> = line
        .split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.len() < 2 {
        return None;
    }
    let strong = matches!(*sep, " > " | " \u{00BB} " | " \u{203A} " | " \u{2192} ");
    let (head, last) = items.split_at(items.len() - 1);
    let short = |s: &&str| word_count_upto(s, 5) <= 4 && !ends_sentence(s) && chars_at_most(s, 40);
    if !head.iter().all(short) {
        return None;
    }
    let navs = items.iter().filter(|s| nav_item(s)).count();
    let last_ok = short(&last[0])
        || (strong && !ends_sentence(last[0]) && word_count_upto(last[0], 21) <= 20);
    if !last_ok {
        return None;
    }
    // Two items need a ">"-like separator and a menu word ("Home > World");
    // more items need a menu word, or to be many and short.
    let ok = if items.len() == 2 {
        strong && navs >= 1
    } else {
        navs >= 1 || (items.len() >= 4 && items.iter().all(short))
    };
    ok.then_some(items)
}

/// Does `text` also stand as another kept line (the headline on its own)?
fn stands_elsewhere(doc: &Doc, i: usize, text: &str) -> bool {
    let k = loose_key(text);
    doc.lines
        .iter()
        .enumerate()
        .any(|(j, l)| j != i && l.kept && l.loose() == k)
}

/// A line that can be an item of a menu printed one item per line.
fn menu_line(l: &crate::doc::Line) -> bool {
    let s = &l.text;
    let w = word_count_upto(s, 4);
    (1..=3).contains(&w)
        && chars_at_most(s, 30)
        && !ends_sentence(s)
        && !s.chars().any(|c| c.is_ascii_digit())
        && !key_of_folded(l.folded()).is_empty()
}

/// Runs of three or more menu-shaped lines in the header or tail zone.
fn remove_menu_runs(doc: &mut Doc, zones: &Zones, stage: &'static str) {
    let kept = doc.kept();
    let mut start = 0;
    while start < kept.len() {
        let zone_ok = |i: usize| zones.header(i) || zones.tail(i);
        let mut end = start;
        while end < kept.len() && zone_ok(kept[end]) && menu_line(&doc.lines[kept[end]]) {
            end += 1;
        }
        let run = &kept[start..end];
        if run.len() >= 3 {
            let navs = run
                .iter()
                .filter(|&&i| nav_item(&doc.lines[i].text))
                .count();
            if navs >= 1 || run.len() >= 5 {
                let mut take = run.to_vec();
                // The last item, right before the first body paragraph, and
                // not a menu word: that is a short headline, not a menu item.
                if let (Some(&last), Some(first)) = (run.last(), zones.first_body) {
                    let next_is_body = kept.get(end).is_some_and(|&n| n == first);
                    if next_is_body
                        && !nav_item(&doc.lines[last].text)
                        && word_count_upto(&doc.lines[last].text, 2) >= 2
                    {
                        take.pop();
                    }
                }
                for i in take {
                    doc.remove(i, stage, format!("menu of {} one-line items", run.len()));
                }
            }
        }
        start = end.max(start + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::{kept_after, removed_after};

    const BODY: &str =
        "The council voted on Tuesday to close the old bridge to lorries after engineers warned.";

    #[test]
    fn glued_menu_words() {
        let text = format!(
            "HomeNEWSWORLD NEWSBridge closes to lorries\nBridge closes to lorries\n{BODY}\n"
        );
        assert_eq!(
            kept_after(&Navigation, &text),
            ["Bridge closes to lorries", BODY]
        );
        assert!(!glued_menu("McDonald's opens a new branch"));
        assert!(!glued_menu("iPhone sales rise"));
    }

    #[test]
    fn breadcrumb_trails() {
        let text = format!("Home > World > Middle East\nHeadline of the day\n{BODY}\n");
        assert_eq!(
            kept_after(&Navigation, &text),
            ["Headline of the day", BODY]
        );
        let text = format!("News | Sport | Weather | Travel\n{BODY}\n");
        assert_eq!(kept_after(&Navigation, &text), [BODY]);
    }

    #[test]
    fn trail_ending_in_headline_keeps_headline() {
        let text = format!(
            "Home \u{00BB} World \u{00BB} Bridge closes to lorries after warning\n{BODY}\n"
        );
        let mut d = crate::stages::testutil::doc(&text);
        Navigation.run(&mut d);
        assert_eq!(d.lines[0].text, "Bridge closes to lorries after warning");
        assert_eq!(d.records[0].text, "Home \u{00BB} World \u{00BB}");
    }

    #[test]
    fn menu_one_item_per_line() {
        let text = format!("Tech\nCars\nReviews\nSearch\nBridge closes\n{BODY}\n");
        assert_eq!(kept_after(&Navigation, &text), ["Bridge closes", BODY]);
    }

    #[test]
    fn keeps_body_and_short_lines_inside_it() {
        let text = format!("Bridge closes\n{BODY}\nOne\nTwo\nThree\n{BODY}\n");
        assert!(removed_after(&Navigation, &text).is_empty());
        // A sentence with a pipe is not a trail.
        let text = "Prices rose | the bank said on Monday that inflation would ease.\n";
        assert!(removed_after(&Navigation, text).is_empty());
    }

    #[test]
    fn kicker_in_header_only() {
        let text = format!("Bridge closes\nCities\n{BODY}\nCities\n{BODY}\n");
        assert_eq!(
            kept_after(&Navigation, &text),
            ["Bridge closes", BODY, "Cities", BODY]
        );
        assert!(!is_kicker("Cities,"));
        assert!(
            !is_kicker("AFP"),
            "agency credits are left to the byline stage"
        );
        assert!(!is_kicker("cities"));
    }

    #[test]
    fn section_label_only_in_header() {
        let text = format!("WORLD NEWS\nBridge closes\n{BODY}\nPolitics\n{BODY}\n");
        assert_eq!(
            kept_after(&Navigation, &text),
            ["Bridge closes", BODY, "Politics", BODY]
        );
    }
}

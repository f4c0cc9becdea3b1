//! Date stamps: lines that are only a date and maybe a time ("Thursday, March
//! 28, 2024", "28/03/2024 10:32", "3 hours ago"). A date line cannot be a
//! sentence of the article, so it goes wherever it stands; where it stands
//! says what it was. The first line of the page is a page or crawl stamp;
//! one further down the header is the publication date. Labelled lines
//! ("Published ...") belong to the byline stage.

use super::Stage;
use crate::doc::{DateRank, Doc};

pub struct DateStamp;

impl Stage for DateStamp {
    fn name(&self) -> &'static str {
        "datestamp"
    }

    fn run(&self, doc: &mut Doc) {
        let zones = doc.zones();
        let kept = doc.kept();
        let unlabelled = |l: &crate::doc::Line| l.stamp().is_some_and(|s| s.label.is_none());
        for (rank, &i) in kept.iter().enumerate() {
            if !doc.lines[i].may_take(super::bit::DATESTAMP, unlabelled) {
                continue;
            }
            let Some(stamp) = doc.lines[i].stamp().cloned() else {
                continue;
            };
            if stamp.label.is_some() {
                continue;
            }
            let (reason, date_rank) = if rank == 0 {
                ("page date stamp at the top", DateRank::PageStamp)
            } else if zones.header(i) {
                ("date line in the article header", DateRank::Byline)
            } else {
                ("date stamp", DateRank::PageStamp)
            };
            if let Some(iso) = stamp.iso() {
                doc.meta.offer_date(iso, date_rank);
            }
            doc.remove(i, self.name(), reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::doc;

    const BODY: &str =
        "The council voted on Tuesday to close the old bridge to lorries after engineers warned.";

    #[test]
    fn stamps_go_and_dates_are_ranked() {
        let mut d = doc(&format!(
            "Thursday, March 28, 2024\nBridge closes\nJane Roe\nFebruary 11, 2019\n{BODY}\nIn March 2024 the bridge reopened to buses only.\n"
        ));
        DateStamp.run(&mut d);
        let kept: Vec<&str> = d
            .lines
            .iter()
            .filter(|l| l.kept)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(
            kept,
            [
                "Bridge closes",
                "Jane Roe",
                BODY,
                "In March 2024 the bridge reopened to buses only."
            ]
        );
        assert_eq!(d.meta.date.as_deref(), Some("2019-02-11"));
        assert_eq!(d.records[0].reason, "page date stamp at the top");
    }

    #[test]
    fn labelled_lines_left_for_byline() {
        let mut d = doc("Published November 15th, 2018 - 06:00 GMT\n");
        DateStamp.run(&mut d);
        assert!(d.records.is_empty());
    }
}

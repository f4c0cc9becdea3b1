//! `newsclean explain FILE`: the document line by line, each removed line
//! shown with the stage and the reason that took it out.

use std::fmt::Write;

use crate::doc::Doc;

/// Renders the explanation of a cleaned document.
///
/// Each input line (after normalization) is printed once: `+` for kept
/// text, `-` for removed text followed by `[stage] reason`. The metadata
/// found and a count per stage close the report.
pub fn explain(name: &str, encoding: &str, doc: &Doc) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {name} ({encoding})");
    let mut by_line: std::collections::BTreeMap<usize, Vec<&crate::doc::Record>> =
        Default::default();
    for r in &doc.records {
        by_line.entry(r.line).or_default().push(r);
    }
    // Removals made before there were lines (HTML extraction: line 0).
    if let Some(recs) = by_line.remove(&0) {
        for r in recs {
            let _ = writeln!(out, "-    . | {}", r.text);
            let _ = writeln!(out, "       [{}] {}", r.stage, r.reason);
        }
    }
    for l in &doc.lines {
        if let Some(recs) = by_line.remove(&l.line_no) {
            for r in recs {
                let _ = writeln!(out, "- {:>4} | {}", r.line, r.text);
                let _ = writeln!(out, "       [{}] {}", r.stage, r.reason);
            }
        }
        if l.kept {
            let mark = if Some(l.line_no) == doc.headline.map(|h| doc.lines[h].line_no) {
                "H"
            } else {
                "+"
            };
            let _ = writeln!(out, "{mark} {:>4} | {}", l.line_no, l.text);
        }
    }
    let m = &doc.meta;
    let _ = writeln!(out, "#");
    for (k, v) in [
        ("title", &m.title),
        ("author", &m.author),
        ("date", &m.date),
        ("source", &m.source),
    ] {
        let _ = writeln!(out, "# {k}: {}", v.as_deref().unwrap_or("-"));
    }
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in &doc.records {
        *counts.entry(r.stage).or_default() += 1;
    }
    let kept = doc.lines.iter().filter(|l| l.kept).count();
    let removed: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(
        out,
        "# kept {kept} lines; removed {}{}",
        doc.records.len(),
        if removed.is_empty() {
            String::new()
        } else {
            format!(" ({})", removed.join(", "))
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cleaner;

    #[test]
    fn shows_each_removal_with_stage_and_reason() {
        let doc = Cleaner::default().clean(
            "Bridge closes to lorries\n\nThe council voted on Tuesday to close the old bridge to lorries.\n\nAdvertisement\n",
        );
        let e = explain("x.txt", "UTF-8", &doc);
        assert!(e.contains("H    1 | Bridge closes to lorries"), "{e}");
        assert!(
            e.contains("-    5 | Advertisement\n       [widgets] widget text \"advertisement\""),
            "{e}"
        );
        assert!(e.contains("# title: Bridge closes to lorries"));
    }
}

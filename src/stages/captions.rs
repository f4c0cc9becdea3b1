//! Image captions: a short line printed twice near itself (the caption and
//! the image's alt text), both copies going; and a line closed by a photo
//! credit: "Smoke over the port (Shutterstock)", "Rescuers at work. Photo:
//! Jane Doe/AFP". A news-agency credit after a finished sentence ("... the
//! minister said. (AFP)") is how wire copy ends, so that line stays.

use super::Stage;
use crate::doc::Doc;
use crate::phrases::phrases;
use crate::text::{ends_sentence, fold, starts_with_word};

pub struct Captions;

/// Longest line taken as a caption.
const MAX_CAPTION: usize = 300;
/// How many kept lines apart the two copies of a caption may stand.
const REPEAT_WINDOW: usize = 3;

impl Stage for Captions {
    fn name(&self) -> &'static str {
        "captions"
    }

    fn run(&self, doc: &mut Doc) {
        let kept = doc.kept();
        // Only lines short enough to be captions need a comparison key.
        // (a hash of it: equal hashes are confirmed on the keys themselves)
        let keys: Vec<Option<u64>> = kept
            .iter()
            .map(|&i| {
                if doc.lines[i].char_len() <= MAX_CAPTION {
                    let loose = doc.lines[i].loose();
                    (!loose.is_empty()).then(|| xxhash_rust::xxh3::xxh3_64(loose.as_bytes()))
                } else {
                    None
                }
            })
            .collect();
        for (a, &i) in kept.iter().enumerate() {
            if Some(i) == doc.headline || keys[a].is_none() {
                continue;
            }
            for b in a + 1..(a + 1 + REPEAT_WINDOW).min(kept.len()) {
                let j = kept[b];
                if keys[b] != keys[a]
                    || Some(j) == doc.headline
                    || !doc.lines[j].kept
                    || doc.lines[i].loose() != doc.lines[j].loose()
                {
                    continue;
                }
                if ends_sentence(&doc.lines[i].text) {
                    // A finished sentence printed twice is a paragraph the
                    // scraper doubled: one copy is article text.
                    doc.remove(j, self.name(), "paragraph repeated");
                } else {
                    doc.remove(i, self.name(), "image caption (line repeated near itself)");
                    doc.remove(j, self.name(), "image caption (line repeated near itself)");
                }
            }
        }
        for i in doc.kept() {
            if Some(i) == doc.headline {
                continue;
            }
            let l = &doc.lines[i];
            let credited = |l: &crate::doc::Line| {
                l.char_len() <= MAX_CAPTION && photo_credit_folded(&l.text, l.folded()).is_some()
            };
            if !l.may_take(super::bit::CAPTIONS, credited) {
                continue;
            }
            if let Some(credit) = photo_credit_folded(&l.text, l.folded()) {
                doc.remove(
                    i,
                    self.name(),
                    format!("image caption with photo credit \"{credit}\""),
                );
            }
        }
    }
}

/// The credit that closes a caption line, if the line is one.
#[cfg(test)]
fn photo_credit(line: &str) -> Option<String> {
    if crate::text::char_len(line) > MAX_CAPTION {
        return None;
    }
    photo_credit_folded(line, &fold(line))
}

/// The credit that closes a caption line of at most [`MAX_CAPTION`]
/// characters, given the line and its fold `f`.
fn photo_credit_folded(line: &str, f: &str) -> Option<String> {
    let p = phrases();
    // "Getty Images" alone: the credit of an image the scraper dropped.
    if p.photo_credits.is_exact_folded(f) {
        return Some(crate::text::key(line));
    }
    // "Photo: Jane Doe/AFP" as a line of its own.
    for label in &p.credit_labels {
        if starts_with_word(f, label) && f[label.len()..].trim_start().starts_with([':', ',']) {
            return Some(label.clone());
        }
    }
    if let Some(label) = credit_after_colon(f) {
        return Some(label);
    }
    // A closing "(...)" group.
    let t = line.trim_end();
    if t.ends_with(')') {
        let open = t.rfind('(')?;
        let inner = &t[open + 1..t.len() - 1];
        let before = t[..open].trim_end();
        if before.is_empty() {
            return None;
        }
        let sentence_before = ends_sentence(before);
        let fi = fold(inner);
        let labelled = p.credit_labels.iter().any(|l| starts_with_word(&fi, l));
        for part in inner.split(['/', ',', ';']).map(str::trim) {
            if p.photo_credits.is_exact(part) || labelled {
                return Some(inner.to_string());
            }
            if !sentence_before && p.agencies.lookup(part).is_some() {
                return Some(inner.to_string());
            }
        }
        return None;
    }
    // "... | Getty Images", "... - Shutterstock". Only the end of the line
    // can be a credit: the separators are looked for there.
    const SEPS: [&str; 5] = [" | ", " - ", " \u{2013} ", " \u{2014} ", " / "];
    let longest = SEPS.iter().map(|s| s.len()).max().unwrap_or(0);
    let tail = &t[p
        .photo_credits
        .exact_suffix_start(t)
        .saturating_sub(longest)..];
    // (which separators the tail holds, found in one pass: most tails
    // hold none, and a search for each would visit every space)
    let found = crate::text::separators_in(tail, &SEPS);
    for (k, sep) in SEPS.iter().enumerate() {
        if found & 1 << k == 0 {
            continue;
        }
        if let Some(at) = crate::text::rfind_short(tail, sep) {
            let last = &tail[at + sep.len()..];
            if p.photo_credits.is_exact(last) {
                return Some(last.to_string());
            }
        }
    }
    None
}

/// "... at dawn. Photo: Jane Doe/AFP": a short credit closes the (folded)
/// line; the credit's label, if so. Every pattern is " label:": its last
/// occurrence ends at the last colon that follows " label", so only the
/// colons need looking at (found with memchr; most lines hold none).
fn credit_after_colon(f: &str) -> Option<String> {
    memchr::memchr(b':', f.as_bytes())?;
    let p = phrases();
    for (label, pat) in p.credit_labels.iter().zip(&p.credit_patterns) {
        let head = &pat[..pat.len() - 1];
        let Some(c) = memchr::memrchr_iter(b':', f.as_bytes()).find(|&c| f[..c].ends_with(head))
        else {
            continue;
        };
        let pos = c - head.len();
        let credit = f[pos + pat.len()..].trim();
        let before = f[..pos].trim_end();
        let closes = before.ends_with(['.', ',', '|', '-', ';']) || ends_sentence(before);
        if closes && !credit.is_empty() && credit.split_whitespace().count() <= 6 {
            return Some(label.clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::testutil::kept_after;

    const BODY: &str =
        "The council voted on Tuesday to close the old bridge to lorries after engineers warned.";
    const BODY2: &str = "Residents asked for a shuttle bus while the bridge is closed.";

    #[test]
    fn repeated_captions_both_go() {
        let text = format!("Headline\n{BODY}\nThe old bridge\u{2019}s supports\nThe old bridge's supports \n{BODY2}\n");
        assert_eq!(kept_after(&Captions, &text), ["Headline", BODY, BODY2]);
    }

    #[test]
    fn doubled_paragraph_kept_once() {
        let text = format!("Headline\n{BODY}\n{BODY}\n{BODY2}\n");
        assert_eq!(kept_after(&Captions, &text), ["Headline", BODY, BODY2]);
    }

    #[test]
    fn credit_captions_go() {
        for l in [
            "ISIS in Syria (Shutterstock)",
            "Smoke rises over the port (AFP)",
            "Smoke rises over the port on Sunday. (Photo: Jane Doe/AFP)",
            "Photo: Jane Doe/Reuters",
            "Rescuers at the scene | Getty Images",
            "The entrance at Northwind General. Photo: Northwind Herald",
            "Boats at dawn: the fleet leaves. Photo: Jane Doe/AFP",
            "Photo: archive. The old pier in 1950. Photo: Jane Doe",
            "Getty Images",
            "Image source, Getty Images",
            "Image caption, Crowds gathered outside the town hall on Monday",
        ] {
            assert!(photo_credit(l).is_some(), "caption: {l}");
        }
    }

    #[test]
    fn a_credit_after_a_separator_is_found_at_the_end_of_a_long_line() {
        let long = "Fishing boats leave the old harbour at dawn as the fleet heads out for the winter season";
        for (l, credit) in [
            (format!("{long} - Getty Images"), Some("Getty Images")),
            (format!("{long} | Getty Images"), Some("Getty Images")),
            (
                format!("Caf\u{e9} {long} | Getty Images"),
                Some("Getty Images"),
            ),
            (format!("Getty Images - {long}"), None),
            (
                format!("{long} | Getty Images | and a closing remark"),
                None,
            ),
        ] {
            assert_eq!(photo_credit(&l).as_deref(), credit, "{l}");
        }
    }

    #[test]
    fn body_with_agency_credit_stays() {
        for l in [
            "The minister resigned on Friday, the ministry said. (AFP)",
            "The plan was approved by the council (by seven votes to two).",
            "Prices rose (Reuters reported) but fell later.",
            "Image quality matters, the photographer said, and so does light.",
            "He took the photo: a blurred shot of the harbour that later won a prize in the national competition.",
        ] {
            assert!(photo_credit(l).is_none(), "body: {l}");
        }
    }
}

//! Line-shape helpers shared by every stage.
//!
//! Detectors decide on *shape* (length, terminal punctuation, capitalisation) and on *phrases* (see [`crate::phrases`]). Everything that compares
//! text goes through [`fold`] or [`key`] so that "Editor’s Note —" and
//! "editor's note -" are the same thing to every stage.

/// Lowercase, typographic quotes and dashes folded to ASCII, whitespace
/// collapsed, trimmed. Punctuation is kept.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return fold_ascii(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => {
                '\''
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// `folded`, the fold of `s` when the caller has it (a line's cached
/// fold), else [`fold`] of `s` made now.
pub fn fold_unless_known<'a>(s: &str, folded: Option<&'a str>) -> std::borrow::Cow<'a, str> {
    match folded {
        Some(f) => std::borrow::Cow::Borrowed(f),
        None => std::borrow::Cow::Owned(fold(s)),
    }
}

/// Does `b` hold two spaces in a row? (The searcher is built once: built
/// for each line, it cost more than the search.)
pub fn has_double_space(b: &[u8]) -> bool {
    find_double_space(b).is_some()
}

/// [`fold`] for ASCII text: byte-wise, no char decoding.
fn fold_ascii(s: &str) -> String {
    // Most lines come normalized: single spaces, no tabs, trimmed. Then
    // folding is lower-casing (and backticks), done in bulk.
    let b = s.as_bytes();
    let odd_space = b.iter().fold(false, |acc, &x| {
        acc | ((b'\t'..=b'\r').contains(&x) && x != 0x0b)
    });
    let spaced = b.first() == Some(&b' ') || b.last() == Some(&b' ') || has_double_space(b);
    if !odd_space && !spaced {
        // (`str::to_ascii_lowercase` gives a String without checking
        // again that the bytes are UTF-8, as String::from_utf8 would)
        let out = s.to_ascii_lowercase();
        if memchr::memchr(b'`', out.as_bytes()).is_some() {
            return out.replace('`', "'");
        }
        return out;
    }
    let mut out = Vec::with_capacity(s.len());
    let mut space = false;
    for &b in s.as_bytes() {
        let b = if b == b'`' { b'\'' } else { b };
        if b.is_ascii_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(b' ');
            space = false;
        }
        out.push(b.to_ascii_lowercase());
    }
    String::from_utf8(out).expect("ASCII stays ASCII")
}

/// The [`key`] of an already folded text, as a slice of it.
pub fn key_of_folded(f: &str) -> &str {
    f.trim_matches(|c: char| !c.is_alphanumeric())
}

/// [`fold`], then everything that is not a letter or digit stripped from both
/// ends: "Translate »" -> "translate", "[custom-feed]" -> "custom-feed".
pub fn key(s: &str) -> String {
    let f = fold(s);
    f.trim_matches(|c: char| !c.is_alphanumeric()).to_string()
}

/// A comparison key that ignores all punctuation: letters and digits only,
/// single spaces between words. Used to find repeated lines (captions,
/// headlines) whose copies differ in quotes, dashes or spacing.
pub fn loose_key(s: &str) -> String {
    loose_key_of_folded(&fold(s))
}

/// [`loose_key`] of an already folded text.
pub fn loose_key_of_folded(f: &str) -> String {
    if f.is_ascii() {
        // Every byte that is not a letter or digit becomes a space (a
        // branch-free map, run on vector lanes), then runs of spaces are
        // squeezed: prose has few, found by a fast search.
        let mut out: Vec<u8> = f
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { b } else { b' ' })
            .collect();
        squeeze_spaces(&mut out);
        return String::from_utf8(out).expect("ASCII stays ASCII");
    }
    let mut out = String::with_capacity(f.len());
    for w in f.split(|c: char| !c.is_alphanumeric()) {
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Trims spaces from both ends of `v` and squeezes each run of spaces
/// inside it to one.
pub fn squeeze_spaces(v: &mut Vec<u8>) {
    let end = v.iter().rposition(|&b| b != b' ').map_or(0, |p| p + 1);
    v.truncate(end);
    let mut read = v.iter().position(|&b| b != b' ').unwrap_or(end);
    let mut write = 0;
    while let Some(p) = find_double_space(&v[read..]) {
        // keep the run's first space; the text after it starts with a
        // non-space (the end was trimmed)
        let keep = read + p + 1;
        v.copy_within(read..keep, write);
        write += keep - read;
        read = keep + v[keep..].iter().position(|&b| b != b' ').unwrap_or(0);
    }
    v.copy_within(read..end, write);
    v.truncate(write + end - read);
}

/// Where `b` first holds two spaces in a row.
fn find_double_space(b: &[u8]) -> Option<usize> {
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"  "));
    FINDER.find(b)
}

/// Which of `seps` (at most 32, of two bytes or more) occur in `s`, a bit
/// each (bit k for `seps[k]`). Those that start with a space (" | ") are
/// found in one pass, rather than a search each: over the bytes that can
/// follow the space when they are few and not letters, else over the
/// spaces of `s`.
pub fn separators_in(s: &str, seps: &[&str]) -> u32 {
    debug_assert!(seps.len() <= 32 && seps.iter().all(|p| p.len() > 1));
    let b = s.as_bytes();
    let mut found = 0;
    for (k, sep) in seps.iter().enumerate() {
        if !sep.starts_with(' ') && s.contains(sep) {
            found |= 1 << k;
        }
    }
    // The bytes that follow the opening space of some separator: a space
    // followed by anything else (a letter, mostly) opens none.
    let mut second = [false; 256];
    let mut seconds = [0u8; 6];
    let mut distinct = 0;
    for sep in seps.iter().filter(|p| p.starts_with(' ')) {
        let next = sep.as_bytes()[1];
        if !std::mem::replace(&mut second[usize::from(next)], true) {
            if distinct < seconds.len() {
                seconds[distinct] = next;
            }
            distinct += 1;
        }
    }
    let spaced_at = |at: usize, found: &mut u32| {
        let rest = &b[at..];
        for (k, sep) in seps.iter().enumerate() {
            let sep = sep.as_bytes();
            if sep[0] == b' ' && rest.starts_with(sep) {
                *found |= 1 << k;
            }
        }
    };
    // Few second bytes, none a letter or digit (" | ", " > ", " / "): they
    // are rarer than spaces, so they are what is searched for, three at a
    // time, and the space before each is checked.
    if distinct <= seconds.len() && !seconds[..distinct].iter().any(u8::is_ascii_alphanumeric) {
        for three in seconds[..distinct].chunks(3) {
            let (x, y, z) = (
                three[0],
                three[three.len().min(2) - 1],
                three[three.len() - 1],
            );
            for at in memchr::memchr3_iter(x, y, z, b) {
                if at > 0 && b[at - 1] == b' ' {
                    spaced_at(at - 1, &mut found);
                }
            }
        }
        return found;
    }
    for at in memchr::memchr_iter(b' ', b) {
        let rest = &b[at..];
        let Some(&next) = rest.get(1) else { break };
        if second[usize::from(next)] {
            spaced_at(at, &mut found);
        }
    }
    found
}

/// First position of a short `needle` in `hay`, found through its first
/// byte. Same answer as `hay.find(needle)`, without building a two-way
/// searcher on each call: the stages look for a few bytes in short lines.
pub fn find_short(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let &first = n.first()?;
    memchr::memchr_iter(first, h).find(|&i| h[i..].starts_with(n))
}

/// Last position of a short `needle` in `hay` (as `hay.rfind(needle)`).
pub fn rfind_short(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let &first = n.first()?;
    memchr::memrchr_iter(first, h).find(|&i| h[i..].starts_with(n))
}

/// `s` without any repetitions of `pat` at its start (as
/// `s.trim_start_matches(pat)` with a string pattern).
pub fn trim_start_all<'a>(mut s: &'a str, pat: &str) -> &'a str {
    if pat.is_empty() {
        return s;
    }
    while let Some(rest) = s.strip_prefix(pat) {
        s = rest;
    }
    s
}

/// `s` without any repetitions of `pat` at its end (as
/// `s.trim_end_matches(pat)` with a string pattern).
pub fn trim_end_all<'a>(mut s: &'a str, pat: &str) -> &'a str {
    if pat.is_empty() {
        return s;
    }
    while let Some(rest) = s.strip_suffix(pat) {
        s = rest;
    }
    s
}

/// Words: maximal runs of non-space characters.
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split_whitespace()
}

/// Words in `s`: runs of non-whitespace ([`word_count_upto`] with no cap).
pub fn word_count(s: &str) -> usize {
    word_count_upto(s, usize::MAX)
}

/// The ASCII characters `char::is_whitespace` accepts: space and \t to \r.
pub fn is_ascii_space(b: u8) -> bool {
    b == b' ' || (b'\t'..=b'\r').contains(&b)
}

/// [`word_count`], counting no further than `cap`: `min(word_count(s), cap)`
/// without reading a long paragraph to its end.
pub fn word_count_upto(s: &str, cap: usize) -> usize {
    // Eight bytes at a time, with no branch per word for the processor to
    // guess: the top bit of each byte marks whitespace, a word starts at
    // a byte that is not whitespace after one that is (or the text's
    // start), and the starts are counted with one popcount. Only the
    // bytes read must be ASCII (a text is not checked whole first: a
    // long paragraph with a small cap is read no further than its first
    // words): at a block holding any other byte, the count starts again
    // on characters. (The words counted on ASCII bytes before the cap is
    // reached are the same words Unicode whitespace makes.)
    let by_chars = || s.split_whitespace().take(cap).count();
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut n = 0;
    // (the byte before the block was whitespace: 1 or 0)
    let mut before = 1u64;
    let mut count = |block: u64, n: &mut usize| {
        let space = ascii_space_bytes(block);
        let starts = !space & HI & (space << 8 | before << 7);
        *n += starts.count_ones() as usize;
        before = space >> 63;
    };
    let mut blocks = s.as_bytes().chunks_exact(8);
    for block in blocks.by_ref() {
        let v = u64::from_le_bytes(block.try_into().expect("8 bytes"));
        if v & HI != 0 {
            return by_chars();
        }
        count(v, &mut n);
        if n >= cap {
            return cap;
        }
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut last = [b' '; 8];
        last[..rest.len()].copy_from_slice(rest);
        let v = u64::from_le_bytes(last);
        if v & HI != 0 {
            return by_chars();
        }
        count(v, &mut n);
    }
    n.min(cap)
}

/// The top bit of each byte of `v` (eight ASCII bytes) set where the byte
/// is whitespace ([`is_ascii_space`]: a space or \t to \r), the rest 0.
/// No byte's sum carries into the next: each is below 0x80.
fn ascii_space_bytes(v: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let x = v ^ (0x20 * LO);
    // top bit set where x is not 0 (the byte is not a space)
    let not_blank = (((x & !HI) + 0x7F * LO) | x) & HI;
    // top bit set where the byte is at least 9, and at least 14
    let from_tab = (v + (0x80 - 9) * LO) & HI;
    let past_cr = (v + (0x80 - 14) * LO) & HI;
    (!not_blank & HI) | (from_tab & !past_cr)
}

/// The longest prefix of `s` of at most `n` bytes that ends on a character
/// boundary.
pub fn prefix(s: &str, n: usize) -> &str {
    if n >= s.len() {
        return s;
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Is `s` at most `max` characters long? `char_len(s) <= max`, answered
/// from the byte length where it can be (a character is one to four
/// bytes): only a text between `max` and `4 * max` bytes is counted.
pub fn chars_at_most(s: &str, max: usize) -> bool {
    s.len() <= max || (s.len() <= max.saturating_mul(4) && char_len(s) <= max)
}

/// Length in characters (in bytes, for ASCII text).
pub fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Closing characters that may follow the terminal punctuation of a sentence.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '\u{2019}' | '\u{201D}' | '\u{00BB}' | '*'
    )
}

/// Does the line end like a sentence (".", "!", "?", "…", possibly followed by
/// closing quotes or brackets)?
pub fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end().trim_end_matches(is_closer);
    if t.ends_with("...") || t.ends_with('\u{2026}') {
        return false;
    }
    matches!(t.chars().last(), Some('.' | '!' | '?'))
}

/// Ends with an ellipsis: a truncated teaser.
pub fn ends_truncated(s: &str) -> bool {
    let t = s.trim_end_matches(is_closer).trim_end();
    t.ends_with("...") || t.ends_with('\u{2026}')
}

/// A line that reads as article prose: a sentence of some length, or a long
/// line whatever its punctuation. Used to find where the body starts and
/// ends, which is what "header zone" and "tail zone" mean.
pub fn is_body_like(s: &str) -> bool {
    // Cheapest first: a sentence needs eight words counted, not twenty.
    (ends_sentence(s) && !ends_truncated(s) && word_count_upto(s, 8) >= 8)
        || (!chars_at_most(s, 159) && word_count_upto(s, 20) >= 20)
}

/// A line with no letter and no digit at all ("------ ----", "* * *", "»").
pub fn has_no_alnum(s: &str) -> bool {
    !s.chars().any(char::is_alphanumeric)
}

fn starts_upper(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// A line shaped like a personal name: two to five words, each capitalised
/// (or a name particle), made of letters, hyphens, apostrophes and initials,
/// no digits, at most 50 characters. "Minnie Murray", "Jean-Luc de la Roche",
/// "J. R. Okafor".
pub fn is_name_shaped(s: &str) -> bool {
    if !chars_at_most(s, 50) {
        return false;
    }
    let ws: Vec<&str> = words(s).collect();
    if !(2..=5).contains(&ws.len()) {
        return false;
    }
    let mut capitals = 0;
    for w in &ws {
        let ok_chars = w
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '\u{2019}' | '.'));
        if !ok_chars {
            return false;
        }
        if starts_upper(w) {
            capitals += 1;
            // An all-caps word longer than 3 letters is a shout, not a name
            // ("NEWS", "WORLD"), unless the whole line is in capitals.
        } else if !crate::phrases::phrases().name_particles.is_exact(w) {
            return false;
        }
    }
    let first_last_cap = starts_upper(ws[0]) && starts_upper(ws[ws.len() - 1]);
    capitals >= 2 && first_last_cap
}

/// The first word, without surrounding punctuation.
pub fn first_word(s: &str) -> &str {
    s.split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
}

/// Does `hay` (folded) start with `needle` (folded) at a word boundary?
pub fn starts_with_word(hay: &str, needle: &str) -> bool {
    hay.starts_with(needle)
        && hay[needle.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
}

/// Does `hay` (folded) end with `needle` (folded) at a word boundary?
pub fn ends_with_word(hay: &str, needle: &str) -> bool {
    hay.ends_with(needle)
        && hay[..hay.len() - needle.len()]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
}

/// Does `hay` (folded) contain `needle` (folded) at word boundaries?
pub fn contains_word(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = hay[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = hay[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_found_as_a_search_finds_them() {
        let seps = [" | ", " > ", ", ", " \u{00BB} ", " and ", " in ", " - "];
        for s in [
            "",
            " ",
            "Home > World | Europe",
            "Jane Doe and Ali Hassan in Paris",
            "a  |  b",
            "x \u{00BB} y - z >",
            "band in|",
            " and",
            "Doe, Reuters",
        ] {
            let want = seps
                .iter()
                .enumerate()
                .filter(|(_, p)| s.contains(*p))
                .fold(0, |acc, (k, _)| acc | 1 << k);
            assert_eq!(separators_in(s, &seps), want, "{s:?}");
        }
        // few second bytes, none a letter: found through those bytes
        let seps = [
            " > ",
            " \u{00BB} ",
            " \u{203A} ",
            " | ",
            " / ",
            " \u{2022} ",
            " :: ",
        ];
        for s in [
            "",
            ">",
            " >",
            "Home > World | Europe",
            "a/b / c",
            "x \u{203A} y \u{2022} z",
            "\u{201C}quoted\u{201D} :: end",
            "::: a ::b",
            "> | / lead",
        ] {
            let want = seps
                .iter()
                .enumerate()
                .filter(|(_, p)| s.contains(*p))
                .fold(0, |acc, (k, _)| acc | 1 << k);
            assert_eq!(separators_in(s, &seps), want, "{s:?}");
        }
        // separators that share their second byte, and some without a
        // space
        let seps = [" \u{2013} ", " \u{2014} ", " - ", " _ ", " -- ", ": ", "):"];
        for s in [
            "BEIRUT (AP) _ A spokesman",
            "PARIS (AFP): x",
            "a -- b",
            "a --b - c",
            "x \u{2014} y",
            "x \u{2013}y",
            "-- : ",
        ] {
            let want = seps
                .iter()
                .enumerate()
                .filter(|(_, p)| s.contains(*p))
                .fold(0, |acc, (k, _)| acc | 1 << k);
            assert_eq!(separators_in(s, &seps), want, "{s:?}");
        }
    }

    #[test]
    fn short_searches_agree_with_std() {
        let hays = [
            "",
            "a",
            "a - b - c",
            "Paris -- x",
            " - ",
            "--",
            "x):y): z",
            "caf\u{e9} \u{2013} fin \u{2013}",
            "amam",
            "pmam",
            "a.m.a.m.",
        ];
        let needles = [
            " - ",
            "--",
            "):",
            ": ",
            " \u{2013} ",
            "am",
            "a.m.",
            "x",
            "zz",
        ];
        for h in hays {
            for n in needles {
                assert_eq!(find_short(h, n), h.find(n), "{h:?} {n:?}");
                assert_eq!(rfind_short(h, n), h.rfind(n), "{h:?} {n:?}");
                assert_eq!(trim_start_all(h, n), h.trim_start_matches(n), "{h:?} {n:?}");
                assert_eq!(trim_end_all(h, n), h.trim_end_matches(n), "{h:?} {n:?}");
            }
            assert_eq!(trim_end_all(h, ""), h);
            assert_eq!(find_short(h, ""), None);
        }
    }

    #[test]
    fn double_spaces_found_anywhere() {
        for (s, want) in [
            ("", false),
            (" ", false),
            ("a b", false),
            ("  ", true),
            ("a  b", true),
            ("a b ", false),
            ("x\t\ty", false),
            ("long line with one  gap at the end of many words", true),
        ] {
            assert_eq!(has_double_space(s.as_bytes()), want, "{s:?}");
        }
    }

    #[test]
    fn ascii_loose_key_is_the_words_joined() {
        let mut texts: Vec<String> = [
            "",
            " ",
            "a",
            "-a-",
            "u.s. forces -- and  allies!",
            "  home > world ",
            "1,000",
            "x--y z",
            "a  b",
            " a b ",
        ]
        .map(String::from)
        .to_vec();
        // and pseudo-random runs of letters, spaces and punctuation
        let alphabet = b"aZ9 '-,.\t_x  ";
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..2000 {
            let mut t = String::new();
            for _ in 0..(x % 50) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                t.push(char::from(alphabet[(x % alphabet.len() as u64) as usize]));
            }
            texts.push(t);
        }
        for f in &texts {
            let words: Vec<&str> = f
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(loose_key_of_folded(f), words.join(" "), "{f:?}");
        }
    }

    #[test]
    fn prefix_keeps_whole_characters() {
        assert_eq!(prefix("caf\u{e9}s", 4), "caf");
        assert_eq!(prefix("caf\u{e9}s", 5), "caf\u{e9}");
        assert_eq!(prefix("abc", 10), "abc");
    }

    #[test]
    fn fold_ascii_fast_path_agrees_with_the_byte_loop() {
        let slow = |s: &str| {
            let mut out = String::new();
            let mut space = false;
            for c in s.chars() {
                let c = if c == '`' { '\'' } else { c };
                if c.is_ascii_whitespace() {
                    space = !out.is_empty();
                    continue;
                }
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        };
        for s in [
            "",
            " ",
            "Plain Line",
            "Two  Spaces",
            " Lead",
            "Trail ",
            "Tab\there",
            "Vertical\x0btab",
            "Back`tick`s",
            "Form\x0cfeed\r\n",
        ] {
            assert_eq!(fold(s), slow(s), "{s:?}");
        }
    }

    #[test]
    fn chars_at_most_agrees_with_the_count() {
        for s in [
            "",
            "a",
            "abcd",
            "\u{e9}\u{e9}",
            "\u{1F600}\u{1F600}\u{1F600}",
            "ab\u{1F600}cd",
            "caf\u{e9} au lait",
        ] {
            for max in 0..20 {
                assert_eq!(chars_at_most(s, max), char_len(s) <= max, "{s:?} {max}");
            }
        }
        assert!(chars_at_most("x", usize::MAX));
    }

    #[test]
    fn word_count_agrees_with_split_whitespace() {
        for s in [
            "",
            " ",
            "one",
            "  two  words ",
            "a\tb\nc\x0bd\x0ce\rf",
            "caf\u{e9} au lait\u{a0}noir",
            "x\u{2003}y",
            "one two three four five six seven eight nine ten\u{2003}eleven twelve",
            "one two three four five six seven eight nine ten \u{a0}eleven",
        ] {
            assert_eq!(word_count(s), s.split_whitespace().count(), "{s:?}");
            for cap in 0..14 {
                assert_eq!(
                    word_count_upto(s, cap),
                    word_count(s).min(cap),
                    "{s:?} {cap}"
                );
            }
        }
        // Every ASCII byte, whitespace or not, next to every other.
        let all: String = (0u8..128).map(char::from).collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let s: String = (0..x % 40)
                .map(|k| {
                    let pick = (x >> (k % 50)) as usize + k as usize;
                    // whitespace half the time
                    if pick % 2 == 0 {
                        [' ', '\t', '\n', '\x0b', '\x0c', '\r'][pick / 2 % 6]
                    } else {
                        all.as_bytes()[pick / 2 % 128] as char
                    }
                })
                .collect();
            for cap in [0, 1, 2, 5, 8, 20, usize::MAX] {
                assert_eq!(
                    word_count_upto(&s, cap),
                    s.split_whitespace().count().min(cap),
                    "{s:?} {cap}"
                );
            }
        }
        // Long lines, words and spaces at every offset.
        for len in 55..140 {
            for pattern in ["ab ", "a  ", "abcdefg\t", " x"] {
                let s: String = pattern.chars().cycle().take(len).collect();
                for cap in [0, 1, 7, 8, 20, 21, 22, 40, 100] {
                    assert_eq!(
                        word_count_upto(&s, cap),
                        word_count(&s).min(cap),
                        "{s:?} {cap}"
                    );
                }
            }
        }
    }

    #[test]
    fn fold_quotes_dashes_space() {
        assert_eq!(
            fold("Editor\u{2019}s  Note \u{2014} X"),
            "editor's note - x"
        );
        assert_eq!(fold("  A\tB  "), "a b");
    }

    #[test]
    fn ascii_fast_path_matches_the_general_fold() {
        for t in [
            "  Editor's NOTE:  x\ty ",
            "`quoted`",
            "",
            "A",
            "Hello,   World!",
        ] {
            let general: String = {
                // the same text with one non-ASCII char appended, folded, then trimmed of it
                let f = fold(&format!("{t}\u{e9}"));
                f.trim_end_matches('\u{e9}').trim_end().to_string()
            };
            assert_eq!(fold(t), general, "{t:?}");
        }
    }

    #[test]
    fn key_strips_edge_punctuation() {
        assert_eq!(key("Translate \u{00BB}"), "translate");
        assert_eq!(key("[custom-twitter-feeds]"), "custom-twitter-feeds");
        assert_eq!(key("COMMENTS:"), "comments");
    }

    #[test]
    fn loose_key_ignores_punctuation() {
        assert_eq!(
            loose_key("Islamic State group's shrinking territory"),
            loose_key("Islamic State group\u{2019}s shrinking territory ")
        );
    }

    #[test]
    fn sentence_endings() {
        assert!(ends_sentence("He left."));
        assert!(ends_sentence("\u{201C}We will win.\u{201D}"));
        assert!(ends_sentence("Is it?"));
        assert!(!ends_sentence("Tough IS fight ahead"));
        assert!(!ends_sentence("Wednesday, Nov. 6, \u{2026}"));
        assert!(ends_truncated("Wednesday, Nov. 6, \u{2026}"));
    }

    #[test]
    fn body_like_lines() {
        assert!(is_body_like(
            "The council voted on Tuesday to close the old bridge to lorries."
        ));
        assert!(!is_body_like("Tough IS fight ahead"));
        assert!(!is_body_like("By Minnie Murray"));
    }

    #[test]
    fn name_shapes() {
        assert!(is_name_shaped("Minnie Murray"));
        assert!(is_name_shaped("Jean-Luc de la Roche"));
        assert!(is_name_shaped("J. R. Okafor"));
        assert!(!is_name_shaped("Minnie"));
        assert!(!is_name_shaped("Syrian fighters advance in clashes"));
        assert!(!is_name_shaped("February 11, 2019"));
        assert!(!is_name_shaped("The council voted on Tuesday to close it"));
    }

    #[test]
    fn word_boundaries() {
        assert!(starts_with_word("by jane doe", "by"));
        assert!(!starts_with_word("byzantine empire", "by"));
        assert!(contains_word(
            "jane doe contributed to this report.",
            "contributed to this report"
        ));
        assert!(!contains_word("subscribers", "subscribe"));
        assert!(ends_with_word("islamic state (afp)", "(afp)"));
    }
}

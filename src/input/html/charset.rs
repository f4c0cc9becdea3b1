//! The encoding of an HTML page: a BOM first, then the charset the page
//! declares in its first 4 KB (`<meta charset>` or an http-equiv
//! Content-Type), then detection. A declaration the bytes contradict (a page
//! saying ISO-8859-1 whose bytes are valid UTF-8 with multi-byte
//! characters) loses to UTF-8: scraped pages are often re-encoded without
//! their meta tag being updated.

use encoding_rs::{Encoding, UTF_8};

use crate::input::decode::{decode, DecodeError, Decoded};

/// The charset label declared in the first bytes of a page, if any.
pub fn declared(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let mut i = from + pos + 7;
        while i < lower.len() && matches!(lower[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        if i < lower.len() && lower[i] == b'=' {
            i += 1;
            while i < lower.len() && matches!(lower[i], b' ' | b'"' | b'\'') {
                i += 1;
            }
            let start = i;
            while i < lower.len()
                && (lower[i].is_ascii_alphanumeric()
                    || matches!(lower[i], b'-' | b'_' | b':' | b'.'))
            {
                i += 1;
            }
            if let Some(enc) = Encoding::for_label(&lower[start..i]) {
                // A page cannot really be UTF-16 if its meta tag is readable
                // as ASCII: the HTML standard reads this as UTF-8.
                if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                    return Some(UTF_8);
                }
                return Some(enc);
            }
        }
        from += pos + 7;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes an HTML page.
pub fn decode_html(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if Encoding::for_bom(bytes).is_some() {
        return decode(bytes);
    }
    if let Some(enc) = declared(bytes) {
        let utf8 = std::str::from_utf8(bytes).ok();
        let multibyte = utf8.is_some_and(|s| !s.is_ascii());
        if enc != UTF_8 && multibyte {
            // declared a legacy charset, but the bytes are UTF-8
            return decode(bytes);
        }
        if bytes.contains(&0) {
            return Err(DecodeError::Binary);
        }
        let (text, _, had_errors) = enc.decode(bytes);
        if had_errors && enc == UTF_8 {
            // declared UTF-8 but it is not: detect
            return decode(bytes);
        }
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            replaced: had_errors,
        });
    }
    decode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_charset_and_http_equiv() {
        assert_eq!(
            declared(b"<html><head><meta charset=\"ISO-8859-1\">"),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(
            declared(
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1250\">"
            ),
            Some(encoding_rs::WINDOWS_1250)
        );
        assert_eq!(declared(b"<meta charset=utf-16>"), Some(UTF_8));
        assert_eq!(declared(b"<p>no charset here</p>"), None);
    }

    #[test]
    fn declared_legacy_decodes() {
        let d =
            decode_html(b"<meta charset=\"windows-1252\"><p>caf\xe9 \x93quoted\x94</p>").unwrap();
        assert!(d.text.contains("caf\u{e9} \u{201c}quoted\u{201d}"));
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn wrong_declaration_loses_to_utf8() {
        let d = decode_html(
            "<meta charset=\"iso-8859-1\"><p>caf\u{e9} \u{201c}x\u{201d}</p>".as_bytes(),
        )
        .unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.contains("caf\u{e9}"));
        let d = decode_html(b"<meta charset=\"utf-8\"><p>caf\xe9 and the minister\x92s words</p>")
            .unwrap();
        assert!(d.text.contains("caf\u{e9}"), "{}", d.text);
    }
}

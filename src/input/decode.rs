//! Decode: bytes to text without failing on the encodings scrapers leave.
//!
//! UTF-8 with or without a BOM; UTF-16 LE/BE with a BOM; text that is UTF-8
//! but for a stray byte or two is read as UTF-8 (the bad bytes become U+FFFD
//! and the manifest says so); anything else is given to chardetng, which
//! picks a legacy encoding (Windows-1252, ISO-8859-x, ...). A file with NUL
//! bytes (and no UTF-16 BOM) or mostly control bytes is binary: skipped.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// Decoded text and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The encoding's name ("UTF-8", "windows-1252", "UTF-16LE").
    pub encoding: &'static str,
    /// Some bytes were not valid and became U+FFFD.
    pub replaced: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("binary file (NUL or control bytes)")]
    Binary,
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            replaced: had_errors,
        });
    }
    if looks_binary(bytes) {
        return Err(DecodeError::Binary);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: s.to_string(),
            encoding: UTF_8.name(),
            replaced: false,
        });
    }
    if mostly_utf8(bytes) {
        return Ok(Decoded {
            text: String::from_utf8_lossy(bytes).into_owned(),
            encoding: UTF_8.name(),
            replaced: true,
        });
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let enc = det.guess(None, chardetng::Utf8Detection::Deny);
    // UTF-16 without a BOM is not guessed: its NUL bytes made it binary.
    let enc = if enc == UTF_16LE || enc == UTF_16BE || reads_as_western(bytes) {
        WINDOWS_1252
    } else {
        enc
    };
    let (text, _, had_errors) = enc.decode(bytes);
    Ok(Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
        replaced: had_errors,
    })
}

/// On short texts with few non-ASCII bytes chardetng may guess a Central
/// European code page for English with a "£" (0xA3 is "Ł" in windows-1250).
/// When every non-ASCII byte reads in Windows-1252 as typographic
/// punctuation, a currency sign or a Western European letter, Windows-1252
/// is taken: real Polish or Czech text has bytes that read there as
/// superscripts or rare letters ("³", "¹", "Š"), and keeps the guess.
fn reads_as_western(bytes: &[u8]) -> bool {
    let (text, _, errors) = WINDOWS_1252.decode(bytes);
    !errors
        && text.chars().filter(|c| !c.is_ascii()).all(|c| {
            matches!(c,
                '\u{2018}'..='\u{201E}' | '\u{2013}' | '\u{2014}' | '\u{2026}' | '\u{2022}'
                | '\u{20AC}' | '\u{00A0}' | '\u{00A3}' | '\u{00A9}' | '\u{00AE}' | '\u{00B0}'
                | '\u{00AB}' | '\u{00BB}' | '\u{00B7}' | '\u{00BF}' | '\u{00A1}'
                | '\u{00C0}'..='\u{00D6}' | '\u{00D8}'..='\u{00F6}' | '\u{00F8}'..='\u{00FF}')
                && !matches!(c, '\u{00D0}' | '\u{00DE}' | '\u{00F0}' | '\u{00FE}')
        })
}

/// NUL bytes, or more than 10% control bytes other than whitespace.
fn looks_binary(bytes: &[u8]) -> bool {
    if memchr_nul(bytes) {
        return true;
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    controls * 10 > sample.len()
}

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// Valid UTF-8 multi-byte sequences outnumber invalid bytes by far: a UTF-8
/// file with a few damaged bytes, not a legacy encoding.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut valid_multi = 0usize;
    let mut invalid = 0usize;
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid_multi += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                // SAFETY-free: `good` is valid UTF-8 by construction.
                valid_multi += std::str::from_utf8(good)
                    .map(|s| s.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                let skip = e.error_len().unwrap_or(bad.len());
                // A run of bad bytes (a character cut in two) counts once.
                if !good.is_empty() || invalid == 0 {
                    invalid += 1;
                }
                rest = &bad[skip..];
            }
        }
    }
    valid_multi >= 2 && invalid * 4 <= valid_multi + 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode("caf\u{e9}".as_bytes()).unwrap().text, "caf\u{e9}");
        let d = decode(b"\xEF\xBB\xBFcaf\xC3\xA9").unwrap();
        assert_eq!(d.text, "caf\u{e9}");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn utf16_with_bom() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hi \u{e9}".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap().text, "hi \u{e9}");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("hi \u{e9}".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be).unwrap().text, "hi \u{e9}");
    }

    #[test]
    fn windows_1252_smart_quotes() {
        let bytes = b"\x93Quoted\x94 and it\x92s the caf\xe9 \x96 a dash, the minister\x92s words.";
        let d = decode(bytes).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("\u{201C}Quoted\u{201D}"));
        assert!(d.text.contains("it\u{2019}s"));
    }

    #[test]
    fn short_english_with_pound_sign_is_windows_1252() {
        let d = decode(b"Councillors agreed a \xa362 million budget. A household will pay \xa392 more, the \x93least painful\x94 choice.").unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("\u{a3}62"));
    }

    #[test]
    fn polish_stays_central_european() {
        // "Zażółć gęślą jaźń" and more, in windows-1250.
        let bytes = b"Za\xbf\xf3\xb3\xe6 g\xea\x9cl\xb9 ja\x9f\xf1. W\xb3adze miasta og\xb3osi\xb3y, \xbfe most zostanie zamkni\xeaty dla ci\xea\xbfar\xf3wek.";
        let d = decode(bytes).unwrap();
        assert_ne!(d.encoding, "windows-1252");
    }

    #[test]
    fn stray_bad_byte_in_utf8() {
        let mut bytes = "\u{201C}Quoted\u{201D} text with caf\u{e9} and na\u{ef}ve words"
            .as_bytes()
            .to_vec();
        bytes.insert(10, 0xFF);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.replaced);
        assert!(d.text.contains("caf\u{e9}"));
    }

    #[test]
    fn binary() {
        assert_eq!(decode(b"PK\x03\x04\x00\x00"), Err(DecodeError::Binary));
        assert_eq!(
            decode(&[1u8, 2, 3, 4, 5, 6, 7, 8]),
            Err(DecodeError::Binary)
        );
        assert!(decode(b"").is_ok());
    }
}

//! Byte length of text in the charset the server counts in, without allocating.
//!
//! CP949 (windows-949, encoding_rs's `EUC_KR`): ASCII is always 1 byte and every
//! precomposed Hangul syllable (U+AC00–U+D7A3) always 2, so only other characters
//! are asked of `encoding_rs`, one at a time, into a small stack buffer. UTF-8 is
//! the length of the `str`.

use std::fmt;

use encoding_rs::{EUC_KR, EncoderResult};

/// How request text is measured and encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Charset {
    /// CP949 (windows-949, the WHATWG EUC-KR): Hangul syllables 2 bytes, ASCII 1.
    #[default]
    Cp949,
    /// UTF-8: Hangul syllables 3 bytes.
    Utf8,
}

impl Charset {
    /// The charset's usual name: `CP949` or `UTF-8`.
    pub const fn name(self) -> &'static str {
        match self {
            Charset::Cp949 => "CP949",
            Charset::Utf8 => "UTF-8",
        }
    }

    /// The `encoding_rs` encoding that writes text in this charset.
    pub fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Charset::Cp949 => EUC_KR,
            Charset::Utf8 => encoding_rs::UTF_8,
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A character the charset cannot encode (an emoji in CP949, for one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unencodable {
    /// The character.
    pub ch: char,
    /// Its index among the text's characters, counting from 0.
    pub index: usize,
    /// The charset that cannot encode it.
    pub charset: Charset,
}

impl fmt::Display for Unencodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "character {:?} (U+{:04X}) at index {} cannot be encoded in {}",
            self.ch, self.ch as u32, self.index, self.charset
        )
    }
}

impl std::error::Error for Unencodable {}

/// The byte length of `text` in `charset`, or the first character it cannot encode.
pub fn byte_len(text: &str, charset: Charset) -> Result<usize, Unencodable> {
    match charset {
        Charset::Cp949 => cp949_len(text),
        Charset::Utf8 => Ok(text.len()),
    }
}

/// The byte length of `text` in CP949, or the first character CP949 cannot encode.
///
/// Scans the UTF-8 bytes: an ASCII byte is 1, a three-byte sequence decoding to a
/// precomposed Hangul syllable is 2, and only other characters are decoded and
/// asked of `encoding_rs`.
pub fn cp949_len(text: &str) -> Result<usize, Unencodable> {
    let bytes = text.as_bytes();
    let mut total = 0;
    let mut at = 0;
    while let Some(&lead) = bytes.get(at) {
        if lead < 0x80 {
            total += 1;
            at += 1;
            continue;
        }
        // Leads EB and EC start U+B000..=U+CFFF, every one a Hangul syllable:
        // no need to look at the continuation bytes (the text is valid UTF-8).
        if matches!(lead, 0xEB | 0xEC) {
            total += 2;
            at += 3;
            continue;
        }
        // Hangul syllables U+AC00..=U+D7A3 are encoded EA B0 80 ..= ED 9E A3: in
        // valid UTF-8 the lead and the next two bytes tell without decoding.
        if (0xEA..=0xED).contains(&lead)
            && let Some(&[b1, b2]) = bytes.get(at + 1..at + 3)
        {
            let hangul = match lead {
                0xEA => b1 >= 0xB0,
                0xED => b1 < 0x9E || (b1 == 0x9E && b2 <= 0xA3),
                _ => true, // EB, EC: U+B000..=U+CFFF, all syllables
            };
            if hangul {
                total += 2;
                at += 3;
                continue;
            }
        }
        // Any other character: decode it and ask encoding_rs.
        let Some(ch) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        match cp949_char_len(ch) {
            Some(len) => total += len,
            None => {
                let index = text.get(..at).map_or(0, |before| before.chars().count());
                return Err(Unencodable {
                    ch,
                    index,
                    charset: Charset::Cp949,
                });
            }
        }
        at += ch.len_utf8();
    }
    Ok(total)
}

/// The CP949 length of one character that is neither ASCII nor a Hangul syllable,
/// asked of `encoding_rs`; `None` when CP949 cannot encode it.
fn cp949_char_len(ch: char) -> Option<usize> {
    let mut utf8 = [0u8; 4];
    let src = ch.encode_utf8(&mut utf8);
    // One CP949 character is at most 2 bytes; leave room anyway.
    let mut out = [0u8; 8];
    let mut encoder = EUC_KR.new_encoder();
    let (result, _read, written) =
        encoder.encode_from_utf8_without_replacement(src, &mut out, true);
    match result {
        EncoderResult::InputEmpty => Some(written),
        EncoderResult::Unmappable(_) | EncoderResult::OutputFull => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn encode_then_len(text: &str) -> Option<usize> {
        let (bytes, _, had_errors) = EUC_KR.encode(text);
        (!had_errors).then_some(bytes.len())
    }

    #[test]
    fn ascii_hangul_and_symbols() {
        assert_eq!(cp949_len("abc"), Ok(3));
        assert_eq!(cp949_len("가나다"), Ok(6));
        assert_eq!(cp949_len("똠방각하"), Ok(8));
        assert_eq!(cp949_len("※①"), Ok(4));
        assert_eq!(byte_len("가", Charset::Utf8), Ok(3));
    }

    #[test]
    fn emoji_is_named_with_its_index() {
        let err = cp949_len("쿠폰🎁!").unwrap_err();
        assert_eq!(err.ch, '🎁');
        assert_eq!(err.index, 2);
        assert!(err.to_string().contains("U+1F381"), "{err}");
    }

    #[test]
    fn hangul_fast_path_edges_agree_with_encoding_rs() {
        let edges = [
            0x9FFF, 0xA000, 0xABFF, 0xAC00, 0xAC01, 0xAFFF, 0xB000, 0xBFFF, 0xC000, 0xCFFF, 0xD000,
            0xD79F, 0xD7A3, 0xD7A4, 0xD7FF, 0xE000,
        ];
        for cp in edges {
            let Some(ch) = char::from_u32(cp) else {
                continue;
            };
            let text = format!("a{ch}b");
            assert_eq!(cp949_len(&text).ok(), encode_then_len(&text), "U+{cp:04X}");
        }
    }

    proptest! {
        #[test]
        fn cp949_count_matches_encode_then_len(text in "\\PC{0,40}") {
            match encode_then_len(&text) {
                Some(len) => prop_assert_eq!(cp949_len(&text), Ok(len)),
                None => prop_assert!(cp949_len(&text).is_err()),
            }
        }

        #[test]
        fn cp949_count_matches_around_the_hangul_block(text in "[\u{A000}-\u{E000}a ]{0,30}") {
            prop_assert_eq!(cp949_len(&text).ok(), encode_then_len(&text));
        }

        #[test]
        fn cp949_count_matches_on_korean_mix(text in "[가-힣a-z0-9 ㄱ-ㅎ·※一-龥]{0,60}") {
            prop_assert_eq!(cp949_len(&text).ok(), encode_then_len(&text));
        }
    }
}

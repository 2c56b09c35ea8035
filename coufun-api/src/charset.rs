//! Charsets, once for the whole crate: the charset the server counts and reads
//! text in (CP949 by default, UTF-8 on request) and byte counting in it
//! (implemented in `coufun-rules`, which the compile-time literal macros share;
//! re-exported here), and the one reader of charset names — in an XML
//! declaration or a `Content-Type` header, for answers and exchange notices
//! alike — with the rule for bodies that declare none.
//!
//! Korean and Java servers name CP949 in many ways (`euc-kr`, `MS949`,
//! `x-windows-949`, `ks_c_5601-1987`, `x-IBM949`, …): every one of them reads as
//! CP949 (`encoding_rs::EUC_KR`, the WHATWG EUC-KR, which is windows-949).
//!
//! ```
//! use coufun_api::charset::{content_type_charset, encoding_for_label, undeclared_encoding};
//!
//! let label = content_type_charset("text/xml; charset=\"MS949\"");
//! assert_eq!(label, Some("MS949"));
//! assert_eq!(encoding_for_label("MS949"), Some(encoding_rs::EUC_KR));
//! assert_eq!(encoding_for_label("x-IBM949"), Some(encoding_rs::EUC_KR));
//! assert_eq!(encoding_for_label("utf-8"), Some(encoding_rs::UTF_8));
//! // A body that declares nothing: UTF-8 when it is valid UTF-8, else CP949.
//! assert_eq!(undeclared_encoding("가".as_bytes()), encoding_rs::UTF_8);
//! assert_eq!(undeclared_encoding(&[0xB0, 0xA1]), encoding_rs::EUC_KR);
//! ```

use std::fmt;

pub use coufun_rules::charset::{Charset, Unencodable, byte_len, cp949_len};
use encoding_rs::{EUC_KR, Encoding, UTF_8};

/// Names of CP949 / EUC-KR that `encoding_rs` (the WHATWG label list) does not
/// know but Java (`x-windows-949`, `MS949`, `x-IBM949`, `x-IBM970`, …), Python
/// (`cp949`, `uhc`, `ksx1001`, …) and Korean servers use, written lower-case
/// with `-`, `_`, `.` and spaces left out (see [`normalized`]).
const CP949_NAMES: &[&str] = &[
    // EUC-KR and its aliases.
    "euckr",
    "cseuckr",
    "xeuckr",
    "korean",
    "ksc5601",
    "ksc56011987",
    "ksc56011989",
    "kscs5601",
    "5601",
    "ksx1001",
    "ksx10011998",
    // windows-949 / CP949 (Unified Hangul Code) and Java's names for it.
    "cp949",
    "ms949",
    "windows949",
    "xwindows949",
    "949",
    "uhc",
    "xuhc",
    // IBM's code pages for Korean (Java's x-IBM949, x-IBM949C, x-IBM970).
    "xibm949",
    "ibm949",
    "xibm949c",
    "ibm949c",
    "cp949c",
    "949c",
    "xibm970",
    "ibm970",
    "cp970",
    "970",
    "ibmeuckr",
];

/// `label` lower-case, without `-`, `_`, `.` and spaces: `KS_C_5601-1987` is
/// `ksc56011987`.
fn normalized(label: &str) -> String {
    label
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The encoding a charset name stands for, as an XML declaration's
/// `encoding="…"` or a `Content-Type`'s `charset=` writes it (surrounding
/// whitespace and quotes ignored, case-insensitive). Every name of CP949 /
/// EUC-KR gives [`encoding_rs::EUC_KR`]; other names are looked up in the
/// WHATWG list (`utf-8`, `shift_jis`, …). `None` for a name nobody uses.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if label.is_empty() {
        return None;
    }
    if CP949_NAMES.contains(&normalized(label).as_str()) {
        return Some(EUC_KR);
    }
    Encoding::for_label(label.as_bytes())
}

/// The SDK's [`Charset`] a name stands for: [`Charset::Cp949`] for every name
/// of CP949 / EUC-KR, [`Charset::Utf8`] for UTF-8, `None` for anything else
/// (what a COUFUN exchange notice may be written in).
pub fn charset_for_label(label: &str) -> Option<Charset> {
    charset_of(encoding_for_label(label)?)
}

/// The SDK's [`Charset`] whose [`encoding`](Charset::encoding) is `encoding`,
/// `None` for an encoding that is neither CP949 nor UTF-8.
pub(crate) fn charset_of(encoding: &'static Encoding) -> Option<Charset> {
    [Charset::Cp949, Charset::Utf8]
        .into_iter()
        .find(|charset| charset.encoding() == encoding)
}

/// The `charset` parameter of a `Content-Type` value, unquoted: `Some("EUC-KR")`
/// for `text/xml; charset="EUC-KR"`. `None` when there is none (a value
/// without a media type before the first `;` has no parameters).
pub fn content_type_charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').trim())
    })
}

/// The media type of a `Content-Type` value (what stands before its first `;`),
/// trimmed: `text/xml` for `text/xml; charset=EUC-KR`.
pub fn content_type_media(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// The encoding of a body that names none (no byte-order mark, no XML
/// declaration, no `charset`): UTF-8 when its bytes are valid UTF-8 (CP949
/// Hangul never is), else CP949.
pub fn undeclared_encoding(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        UTF_8
    } else {
        EUC_KR
    }
}

/// Where the charset a body was read in came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CharsetSource {
    /// A byte-order mark at the start of the body.
    ByteOrderMark,
    /// The XML declaration's `encoding="…"`.
    XmlDeclaration,
    /// The `Content-Type` header's `charset`.
    ContentType,
    /// Nothing named one: UTF-8 when valid, else CP949.
    Undeclared,
}

impl fmt::Display for CharsetSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CharsetSource::ByteOrderMark => "named by its byte-order mark",
            CharsetSource::XmlDeclaration => "declared in its XML declaration",
            CharsetSource::ContentType => "named by the Content-Type header",
            CharsetSource::Undeclared => "assumed: the body names no charset",
        })
    }
}

/// The offset of the first byte of `bytes` that is not a character of
/// `encoding`, or `None` when all of it decodes.
pub fn first_invalid_byte(encoding: &'static Encoding, bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut out = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, after) => {
            Some(read.saturating_sub(usize::from(bad) + usize::from(after)))
        }
        encoding_rs::DecoderResult::InputEmpty | encoding_rs::DecoderResult::OutputFull => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every CP949 / EUC-KR name the crate reads, as servers write them.
    const CP949_LABELS: &[&str] = &[
        "euc-kr",
        "EUC-KR",
        "euckr",
        "EUCKR",
        "euc_kr",
        "x-euc-kr",
        "csEUCKR",
        "korean",
        "ks_c_5601-1987",
        "KS_C_5601-1987",
        "ks_c_5601-1989",
        "ks_c_5601",
        "ksc5601",
        "ksc_5601",
        "KSC5601-1987",
        "ksc5601_1987",
        "5601",
        "iso-ir-149",
        "csKSC56011987",
        "ks_x_1001",
        "ksx1001",
        "cp949",
        "CP949",
        "ms949",
        "MS949",
        "MS_949",
        "windows-949",
        "Windows949",
        "x-windows-949",
        "X-WINDOWS-949",
        "949",
        "uhc",
        "x-uhc",
        "x-IBM949",
        "ibm949",
        "IBM-949",
        "x-IBM949C",
        "ibm-949c",
        "cp949c",
        "x-IBM970",
        "ibm970",
        "cp970",
        "ibm-euckr",
    ];

    #[test]
    fn every_cp949_name_reads_as_cp949() {
        for label in CP949_LABELS {
            assert_eq!(encoding_for_label(label), Some(EUC_KR), "{label}");
            assert_eq!(charset_for_label(label), Some(Charset::Cp949), "{label}");
            // Quoted and padded, as a header may hold it.
            assert_eq!(
                encoding_for_label(&format!(" \"{label}\" ")),
                Some(EUC_KR),
                "{label}"
            );
        }
    }

    #[test]
    fn other_names_keep_their_meaning() {
        for label in ["utf-8", "UTF8", "unicode-1-1-utf-8"] {
            assert_eq!(charset_for_label(label), Some(Charset::Utf8), "{label}");
        }
        assert_eq!(
            encoding_for_label("Shift_JIS"),
            Some(encoding_rs::SHIFT_JIS)
        );
        assert_eq!(charset_for_label("Shift_JIS"), None);
        for unknown in ["", "klingon", "\"\"", "euc-kr-2"] {
            assert_eq!(encoding_for_label(unknown), None, "{unknown}");
        }
        // Johab is another Korean charset, not CP949.
        assert_ne!(encoding_for_label("johab"), Some(EUC_KR));
    }

    #[test]
    fn the_charset_of_a_content_type_is_its_charset_parameter() {
        assert_eq!(
            content_type_charset("text/xml; charset=EUC-KR"),
            Some("EUC-KR")
        );
        assert_eq!(
            content_type_charset("text/xml;CHARSET=\"utf-8\" "),
            Some("utf-8")
        );
        assert_eq!(
            content_type_charset("application/x-www-form-urlencoded; q=1; charset=MS949"),
            Some("MS949")
        );
        assert_eq!(content_type_charset("text/xml"), None);
        assert_eq!(content_type_charset("charset=utf-8"), None);
        assert_eq!(content_type_media(" text/xml ; charset=x"), "text/xml");
    }

    #[test]
    fn an_undeclared_body_is_utf8_only_when_valid() {
        let (cp949, _, _) = EUC_KR.encode("<A>상품권</A>");
        assert_eq!(undeclared_encoding(&cp949), EUC_KR);
        assert_eq!(undeclared_encoding("<A>상품권</A>".as_bytes()), UTF_8);
        assert_eq!(undeclared_encoding(b"<A>ascii</A>"), UTF_8);
    }

    #[test]
    fn the_first_invalid_byte_is_found() {
        assert_eq!(first_invalid_byte(UTF_8, b"ab\xffcd"), Some(2));
        assert_eq!(first_invalid_byte(UTF_8, "가나".as_bytes()), None);
        assert_eq!(first_invalid_byte(EUC_KR, b"\xb0\xa1\xff\xfe"), Some(2));
    }
}

//! Turning response bytes into UTF-8 text: the charset comes from a byte-order
//! mark, else the XML declaration's `encoding="…"`, else the `Content-Type`
//! header's `charset`, else the body is UTF-8 when valid and CP949 when not.
//! Every name Korean and Java servers give CP949 / EUC-KR reads as windows-949
//! (the WHATWG EUC-KR, a superset): names are read by [`crate::charset`].

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8};

use super::DecodeError;
use crate::Charset;
use crate::charset::{
    CharsetSource, charset_of, encoding_for_label, first_invalid_byte, undeclared_encoding,
};

/// How far into the body the XML declaration must end.
const DECLARATION_WINDOW: usize = 256;

/// The charset `body` is read in, where that came from, and how many bytes of
/// byte-order mark to skip.
fn choose(
    body: &[u8],
    header_charset: Option<&str>,
) -> Result<(&'static Encoding, CharsetSource, usize), DecodeError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(body) {
        return Ok((encoding, CharsetSource::ByteOrderMark, bom_len));
    }
    let (label, source) = match (declared_encoding(body), header_charset) {
        (Some(label), _) => (label, CharsetSource::XmlDeclaration),
        (None, Some(label)) if !label.trim().is_empty() => (label, CharsetSource::ContentType),
        _ => return Ok((undeclared_encoding(body), CharsetSource::Undeclared, 0)),
    };
    match encoding_for_label(label) {
        Some(encoding) => Ok((encoding, source, 0)),
        None => Err(DecodeError::UnknownEncoding {
            label: label.chars().take(40).collect(),
            origin: source,
        }),
    }
}

/// The body as UTF-8 bytes, decoded by the charset it declares (or, when it
/// declares none, UTF-8 if valid, else CP949); the error names the charset
/// tried, where it came from and the first byte that is not of it.
pub(crate) fn body_text<'a>(
    body: &'a [u8],
    header_charset: Option<&str>,
) -> Result<Cow<'a, [u8]>, DecodeError> {
    let (encoding, source, skip) = choose(body, header_charset)?;
    let bytes = body.get(skip..).unwrap_or_default();
    let invalid = |offset: usize| DecodeError::InvalidBytes {
        encoding: encoding.name(),
        origin: source,
        offset: offset + skip,
    };
    if encoding == UTF_8 {
        return match std::str::from_utf8(bytes) {
            Ok(_) => Ok(Cow::Borrowed(bytes)),
            Err(e) => Err(invalid(e.valid_up_to())),
        };
    }
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(Cow::Owned(text.into_owned().into_bytes())),
        None => Err(invalid(first_invalid_byte(encoding, bytes).unwrap_or(0))),
    }
}

/// The charset the fast scanner reads `body` in, and the body without its
/// BOM, when it is one of the SDK's [`Charset`]s (UTF-8 or CP949, chosen
/// exactly as [`body_text`] chooses); `None` sends the body to the general path.
pub(crate) fn fast_charset<'a>(
    body: &'a [u8],
    header_charset: Option<&str>,
) -> Option<(Charset, &'a [u8])> {
    let (encoding, _, skip) = choose(body, header_charset).ok()?;
    Some((charset_of(encoding)?, body.get(skip..)?))
}

/// The body as text for an error excerpt: decoded like [`body_text`] but
/// replacing what does not decode instead of failing.
#[cfg(feature = "client")]
pub(crate) fn lossy_text(body: &[u8], header_charset: Option<&str>) -> String {
    let encoding = choose(body, header_charset)
        .map(|(e, _, _)| e)
        .unwrap_or(UTF_8);
    encoding.decode(body).0.into_owned()
}

/// The `encoding` pseudo-attribute of a leading `<?xml … ?>` declaration.
pub(crate) fn declared_encoding(body: &[u8]) -> Option<&str> {
    let window = body.get(..DECLARATION_WINDOW.min(body.len()))?;
    let start = window.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = window.get(start..)?;
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let declaration = std::str::from_utf8(rest.get(5..end)?).ok()?;
    let after = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(&value[..value.find(quote)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_declared_encoding() {
        let euc_kr = b"<?xml version=\"1.0\" encoding=\"euc-kr\"?><A/>";
        assert_eq!(declared_encoding(euc_kr), Some("euc-kr"));
        let single = b"  <?xml version='1.0' encoding = 'UTF-8' ?><A/>";
        assert_eq!(declared_encoding(single), Some("UTF-8"));
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?><A/>"), None);
        assert_eq!(declared_encoding(b"<A encoding=\"euc-kr\"/>"), None);
    }

    #[test]
    fn decodes_euc_kr_bytes_by_the_declaration() {
        let (bytes, _, _) =
            encoding_rs::EUC_KR.encode("<?xml version=\"1.0\" encoding=\"euc-kr\"?><A>상품</A>");
        let text = body_text(&bytes, Some("utf-8")).map(|t| String::from_utf8(t.into_owned()));
        assert_eq!(
            text.ok().and_then(Result::ok).as_deref(),
            Some("<?xml version=\"1.0\" encoding=\"euc-kr\"?><A>상품</A>")
        );
    }

    #[test]
    fn bytes_invalid_in_the_declared_encoding_are_refused() {
        let body = b"<?xml version=\"1.0\" encoding=\"euc-kr\"?><A>\xff\xfe</A>";
        let error = body_text(body, None);
        assert_eq!(
            error,
            Err(DecodeError::InvalidBytes {
                encoding: "EUC-KR",
                origin: CharsetSource::XmlDeclaration,
                offset: 42,
            })
        );
        let message = error.err().map(|e| e.to_string()).unwrap_or_default();
        for said in ["EUC-KR", "XML declaration", "42"] {
            assert!(message.contains(said), "{said} missing from {message}");
        }
    }

    #[test]
    fn utf8_named_by_the_header_but_not_utf8_is_refused_with_the_reason() {
        let (cp949, _, _) = encoding_rs::EUC_KR.encode("<A>상품</A>");
        let error = body_text(&cp949, Some("utf-8"));
        assert_eq!(
            error,
            Err(DecodeError::InvalidBytes {
                encoding: "UTF-8",
                origin: CharsetSource::ContentType,
                offset: 3,
            })
        );
    }

    #[test]
    fn an_undeclared_body_is_utf8_when_valid_else_cp949() {
        let text = "<A>상품</A>";
        let (cp949, _, _) = encoding_rs::EUC_KR.encode(text);
        for body in [cp949.into_owned(), text.as_bytes().to_vec()] {
            let decoded = body_text(&body, None).map(|t| String::from_utf8(t.into_owned()));
            assert_eq!(decoded.ok().and_then(Result::ok).as_deref(), Some(text));
            assert!(fast_charset(&body, None).is_some());
        }
    }

    #[test]
    fn an_unknown_label_is_named() {
        let body = b"<?xml version=\"1.0\" encoding=\"klingon\"?><A/>";
        assert!(
            matches!(body_text(body, None), Err(DecodeError::UnknownEncoding { label, .. }) if label == "klingon")
        );
    }
}

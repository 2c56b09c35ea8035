//! Turning response bytes into UTF-8 text: the charset comes from a byte-order
//! mark, else the XML declaration's `encoding="…"`, else the `Content-Type`
//! header's `charset`, else UTF-8. Old Korean servers declare `euc-kr`; it is
//! decoded as windows-949 (the WHATWG EUC-KR), a superset.

use std::borrow::Cow;

use encoding_rs::{EUC_KR, Encoding, UTF_8};

use super::fast::TextCharset;

use super::DecodeError;

/// How far into the body the XML declaration must end.
const DECLARATION_WINDOW: usize = 256;

/// The body as UTF-8 bytes, decoded by the charset it declares. A UTF-8 body
/// is returned as is (without its BOM) and not validated here: the XML reader
/// validates every event it reads, and validating twice would cost a tenth of
/// the decoding time.
pub(crate) fn body_text<'a>(
    body: &'a [u8],
    header_charset: Option<&str>,
) -> Result<Cow<'a, [u8]>, DecodeError> {
    let (encoding, skip) = match Encoding::for_bom(body) {
        Some((encoding, bom_len)) => (encoding, bom_len),
        None => {
            let label = declared_encoding(body).or(header_charset);
            match label {
                Some(label) => (
                    Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                        DecodeError::UnknownEncoding {
                            label: label.chars().take(40).collect(),
                        }
                    })?,
                    0,
                ),
                None => (UTF_8, 0),
            }
        }
    };
    let bytes = body.get(skip..).unwrap_or_default();
    if encoding == UTF_8 {
        return Ok(Cow::Borrowed(bytes));
    }
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(Cow::Owned(text.into_owned().into_bytes())),
        None => Err(DecodeError::InvalidBytes {
            encoding: encoding.name(),
        }),
    }
}

/// The charset the fast scanner reads `body` in, and the body without its
/// BOM, when it is one the scanner knows (UTF-8 or EUC-KR, chosen exactly as
/// [`body_text`] chooses); `None` sends the body to the general path.
pub(crate) fn fast_charset<'a>(
    body: &'a [u8],
    header_charset: Option<&str>,
) -> Option<(TextCharset, &'a [u8])> {
    let (encoding, skip) = match Encoding::for_bom(body) {
        Some((encoding, bom_len)) => (encoding, bom_len),
        None => match declared_encoding(body).or(header_charset) {
            Some(label) => (Encoding::for_label(label.trim().as_bytes())?, 0),
            None => (UTF_8, 0),
        },
    };
    let charset = if encoding == UTF_8 {
        TextCharset::Utf8
    } else if encoding == EUC_KR {
        TextCharset::EucKr
    } else {
        return None;
    };
    Some((charset, body.get(skip..)?))
}

/// The body as text for an error excerpt: decoded like [`body_text`] but
/// replacing what does not decode instead of failing.
#[cfg(feature = "client")]
pub(crate) fn lossy_text(body: &[u8], header_charset: Option<&str>) -> String {
    let encoding = Encoding::for_bom(body)
        .map(|(e, _)| e)
        .or_else(|| {
            declared_encoding(body)
                .or(header_charset)
                .and_then(|l| Encoding::for_label(l.trim().as_bytes()))
        })
        .unwrap_or(UTF_8);
    encoding.decode(body).0.into_owned()
}

/// The `encoding` pseudo-attribute of a leading `<?xml … ?>` declaration.
fn declared_encoding(body: &[u8]) -> Option<&str> {
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
        assert!(matches!(
            body_text(body, None),
            Err(DecodeError::InvalidBytes { .. })
        ));
    }

    #[test]
    fn an_unknown_label_is_named() {
        let body = b"<?xml version=\"1.0\" encoding=\"klingon\"?><A/>";
        assert!(
            matches!(body_text(body, None), Err(DecodeError::UnknownEncoding { label }) if label == "klingon")
        );
    }
}

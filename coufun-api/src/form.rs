//! The one `application/x-www-form-urlencoded` codec of the workspace, on
//! bytes: the client's request bodies and query strings, the sandbox's request
//! parsing, and the exchange notice's body both ways. Text is turned into bytes
//! (CP949 or UTF-8) by the caller; this module only escapes and splits.
//!
//! ```
//! use coufun_api::form;
//!
//! let mut body = Vec::new();
//! form::append_pair(&mut body, b"SEND_TITLE", &[0xB0, 0xA1, b' ', b'&']);
//! form::append_pair(&mut body, b"TR_ID", b"order-1");
//! assert_eq!(body, b"SEND_TITLE=%B0%A1+%26&TR_ID=order-1");
//!
//! let pairs = form::parse(&body)?;
//! assert_eq!(pairs[0].value, [0xB0, 0xA1, b' ', b'&']);
//! assert_eq!(pairs[1].name, b"TR_ID");
//! # Ok::<(), form::FormError>(())
//! ```

/// A form that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// A `%` not followed by two hex digits.
    #[error("byte {offset} of the form is a '%' not followed by two hex digits")]
    BadEscape {
        /// Its offset in the form.
        offset: usize,
    },
}

/// One `name=value` of a form, percent-decoded (`+` is a space), as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPair {
    /// The name's bytes.
    pub name: Vec<u8>,
    /// The value's bytes (empty for `name` and `name=`).
    pub value: Vec<u8>,
}

/// Whether `b` stands for itself in a form (the WHATWG urlencoded set: ASCII
/// letters, digits and `*-._`).
const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_')
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `bytes` escaped: unreserved bytes as they are, a space as `+`,
/// every other byte as `%XX` (upper-case hex).
pub fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        if is_unreserved(b) {
            out.push(b);
        } else if b == b' ' {
            out.push(b'+');
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xF)]]);
        }
    }
}

/// Appends `name=value` (both escaped), after a `&` unless `out` is empty.
pub fn append_pair(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    if !out.is_empty() {
        out.push(b'&');
    }
    escape_into(out, name);
    out.push(b'=');
    escape_into(out, value);
}

/// [`append_pair`] onto text (an escaped form is ASCII), e.g. a query string.
pub fn append_pair_str(out: &mut String, name: &[u8], value: &[u8]) {
    let mut bytes = Vec::with_capacity(name.len() + value.len() * 3 + 2);
    append_pair(&mut bytes, name, value);
    if !out.is_empty() {
        out.push('&');
    }
    // Every byte `append_pair` writes is ASCII.
    out.extend(bytes.iter().map(|&b| char::from(b)));
}

/// Splits `body` at `&` and decodes each piece; empty pieces are skipped. A
/// `%` without two hex digits after it is refused, with its offset.
pub fn parse(body: &[u8]) -> Result<Vec<FormPair>, FormError> {
    split(body, true)
}

/// Like [`parse`], but a `%` without two hex digits after it stands for
/// itself, as lenient servlet containers read it (a server that must not
/// refuse what a client sends).
pub fn parse_lenient(body: &[u8]) -> Vec<FormPair> {
    split(body, false).unwrap_or_default()
}

fn split(body: &[u8], strict: bool) -> Result<Vec<FormPair>, FormError> {
    let mut pairs = Vec::new();
    let mut offset = 0;
    for piece in body.split(|&b| b == b'&') {
        if !piece.is_empty() {
            let (name, value, value_offset) = match piece.iter().position(|&b| b == b'=') {
                Some(eq) => (&piece[..eq], &piece[eq + 1..], offset + eq + 1),
                None => (piece, &[][..], offset + piece.len()),
            };
            pairs.push(FormPair {
                name: unescape(name, offset, strict)?,
                value: unescape(value, value_offset, strict)?,
            });
        }
        offset += piece.len() + 1;
    }
    Ok(pairs)
}

/// `bytes` percent-decoded, `+` as a space; `offset` is where `bytes` starts
/// in the form (for the error).
fn unescape(bytes: &[u8], offset: usize, strict: bool) -> Result<Vec<u8>, FormError> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |j: usize| bytes.get(j).and_then(|&h| (h as char).to_digit(16));
                match (hex(i + 1), hex(i + 2)) {
                    (Some(hi), Some(lo)) => {
                        out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
                        i += 2;
                    }
                    _ if strict => return Err(FormError::BadEscape { offset: offset + i }),
                    _ => out.push(b'%'),
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let mut body = Vec::new();
        append_pair(&mut body, b"A B", &all);
        append_pair(&mut body, b"", b"");
        assert!(body.is_ascii());
        let pairs = parse(&body).unwrap_or_default();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].name, b"A B");
        assert_eq!(pairs[0].value, all);
        assert_eq!(parse_lenient(&body), pairs);
        let mut text = String::new();
        append_pair_str(&mut text, b"A B", &all);
        append_pair_str(&mut text, b"", b"");
        assert_eq!(text.as_bytes(), body.as_slice());
    }

    #[test]
    fn escaping_is_the_whatwg_urlencoded_set() {
        let mut out = Vec::new();
        escape_into(&mut out, b"aZ09*-._ ~/+=&%");
        assert_eq!(out, b"aZ09*-._+%7E%2F%2B%3D%26%25");
    }

    #[test]
    fn a_bad_escape_is_refused_with_its_offset_or_kept_when_lenient() {
        assert_eq!(
            parse(b"A=1&B=x%zz"),
            Err(FormError::BadEscape { offset: 7 })
        );
        assert_eq!(parse(b"A%4"), Err(FormError::BadEscape { offset: 1 }));
        let lenient = parse_lenient(b"A=1&B=x%zz&&C");
        assert_eq!(lenient.len(), 3);
        assert_eq!(lenient[1].value, b"x%zz");
        assert_eq!(
            (lenient[2].name.as_slice(), lenient[2].value.as_slice()),
            (&b"C"[..], &b""[..])
        );
    }
}

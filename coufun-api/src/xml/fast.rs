//! [`FastCursor`]: the scanner that reads the documents servers actually send
//! straight from the raw body, without transcoding it first and without
//! quick-xml's general machinery. It accepts a strict subset of XML (an
//! optional `<?xml …?>` declaration, elements without attributes whose names
//! are ASCII, text with the five predefined entities and character
//! references, whitespace between elements) and fails on anything else — a
//! comment, CDATA, an attribute, a mismatched end tag, bytes invalid in the
//! charset, a value that does not parse. Failing means "not for me": the
//! caller then decodes the document again with the general cursor, which
//! gives the answer or the precise error. So the scanner never has to
//! reproduce an error, only to accept nothing the general cursor would read
//! differently.
//!
//! EUC-KR (read as windows-949) is ASCII-compatible in the sense that matters
//! here: its trail bytes are never `<`, `>`, `&`, `/` or `;`, so markup is
//! found by scanning bytes, and only text is transcoded (ASCII text not at all).

use std::borrow::Cow;

use quick_xml::events::BytesRef;

use super::DecodeError;
use crate::Charset;

/// What every refusal of the scanner returns; the value is never shown, the
/// general cursor decodes the document again.
const GIVE_UP: DecodeError = DecodeError::Empty;

/// A forward-only scanner over one document (see the module header).
pub(crate) struct FastCursor<'a> {
    input: &'a [u8],
    pos: usize,
    /// The text's charset (a BOM already removed).
    charset: Charset,
    /// The element most recently returned was `<X/>`.
    pending_empty: bool,
    /// Names of the open elements, to match end tags.
    open: Vec<&'a [u8]>,
}

impl std::fmt::Debug for FastCursor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlCursor")
            .field("position", &self.pos)
            .field("depth", &self.open.len())
            .finish()
    }
}

#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

#[inline]
fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// `NAME_BYTES[b]`: `b` may stand in a tag name after its first byte (ASCII
/// letters and digits, `_`, `-`, `.`): one load per byte of the hottest loop.
static NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
        b += 1;
    }
    table
};

#[inline]
fn is_name_byte(b: u8) -> bool {
    NAME_BYTES[usize::from(b)]
}

/// The position of the first `<`, `&` or `\r` in `bytes`, or its length.
#[inline]
fn text_end(bytes: &[u8]) -> usize {
    memchr::memchr3(b'<', b'&', b'\r', bytes).unwrap_or(bytes.len())
}

impl<'a> FastCursor<'a> {
    pub(crate) fn new(input: &'a [u8], charset: Charset) -> Self {
        FastCursor {
            input,
            pos: 0,
            charset,
            pending_empty: false,
            open: Vec::with_capacity(4),
        }
    }

    #[inline]
    fn skip_space(&mut self) {
        while let Some(&b) = self.input.get(self.pos) {
            if !is_space(b) {
                break;
            }
            self.pos += 1;
        }
    }

    /// Reads a tag name at `pos` (just after `<` or `</`).
    #[inline]
    fn name(&mut self) -> Result<&'a [u8], DecodeError> {
        let start = self.pos;
        match self.input.get(start) {
            Some(&b) if is_name_start(b) => {}
            _ => return Err(GIVE_UP),
        }
        let mut end = start + 1;
        while let Some(&b) = self.input.get(end) {
            if !is_name_byte(b) {
                break;
            }
            end += 1;
        }
        self.pos = end;
        self.input.get(start..end).ok_or(GIVE_UP)
    }

    /// At `<` of a start tag: reads `<NAME>` or `<NAME/>` and opens it.
    #[inline]
    fn start_tag(&mut self) -> Result<&'a [u8], DecodeError> {
        self.pos += 1;
        let name = self.name()?;
        match self.input.get(self.pos) {
            Some(b'>') => self.pos += 1,
            Some(b'/') if self.input.get(self.pos + 1) == Some(&b'>') => {
                self.pos += 2;
                self.pending_empty = true;
            }
            _ => return Err(GIVE_UP),
        }
        self.open.push(name);
        Ok(name)
    }

    /// At `</`: reads the end tag of the innermost open element and closes it.
    #[inline]
    fn end_tag(&mut self) -> Result<(), DecodeError> {
        let name = self.open.pop().ok_or(GIVE_UP)?;
        let start = self.pos + 2;
        let end = start + name.len();
        if self.input.get(start..end) != Some(name) || self.input.get(end) != Some(&b'>') {
            return Err(GIVE_UP);
        }
        self.pos = end + 1;
        Ok(())
    }

    /// Text bytes in the document's charset as UTF-8, refused when invalid.
    #[inline]
    fn decode(&self, bytes: &'a [u8]) -> Result<Cow<'a, str>, DecodeError> {
        match self.charset {
            Charset::Utf8 => std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|_| GIVE_UP),
            // CP949: EUC-KR, decoded as windows-949.
            charset => charset
                .encoding()
                .decode_without_bom_handling_and_without_replacement(bytes)
                .ok_or(GIVE_UP),
        }
    }

    pub(crate) fn open_root(&mut self) -> Result<&'a [u8], DecodeError> {
        self.skip_space();
        if self.input[self.pos..].starts_with(b"<?xml") {
            let rest = &self.input[self.pos + 5..];
            if !rest.first().is_some_and(|&b| is_space(b)) {
                return Err(GIVE_UP);
            }
            let end = rest.windows(2).position(|w| w == b"?>").ok_or(GIVE_UP)?;
            if !rest[..end].is_ascii() || rest[..end].contains(&b'<') {
                return Err(GIVE_UP);
            }
            self.pos += 5 + end + 2;
            self.skip_space();
        }
        if self.input.get(self.pos) != Some(&b'<') {
            return Err(GIVE_UP);
        }
        self.start_tag()
    }

    #[inline]
    pub(crate) fn next_child(&mut self) -> Result<Option<&'a [u8]>, DecodeError> {
        if std::mem::take(&mut self.pending_empty) {
            self.open.pop();
            return Ok(None);
        }
        // Only whitespace stands between elements here.
        self.skip_space();
        if self.input.get(self.pos) != Some(&b'<') {
            return Err(GIVE_UP);
        }
        match self.input.get(self.pos + 1) {
            Some(b'/') => {
                self.end_tag()?;
                Ok(None)
            }
            _ => self.start_tag().map(Some),
        }
    }

    #[inline]
    pub(crate) fn text(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        if std::mem::take(&mut self.pending_empty) {
            self.open.pop();
            return Ok(Cow::Borrowed(""));
        }
        let rest = &self.input[self.pos..];
        let end = text_end(rest);
        let text = if rest.get(end) == Some(&b'<') {
            // The common case: one run of plain text.
            let text = self.decode(&rest[..end])?;
            self.pos += end;
            text
        } else {
            Cow::Owned(self.text_with_references()?)
        };
        if self.input.get(self.pos + 1) != Some(&b'/') {
            return Err(GIVE_UP);
        }
        self.end_tag()?;
        Ok(text)
    }

    /// Text holding references or carriage returns, up to the next `<`:
    /// each run decoded and its line ends normalized as XML 1.0 says, each
    /// reference resolved as the general cursor resolves it.
    fn text_with_references(&mut self) -> Result<String, DecodeError> {
        let mut out = String::new();
        loop {
            let rest = &self.input[self.pos..];
            let end = text_end(rest);
            out.push_str(&self.decode(&rest[..end])?);
            self.pos += end;
            match rest.get(end) {
                Some(b'<') => return Ok(out),
                Some(b'\r') => {
                    out.push('\n');
                    self.pos += 1;
                    if self.input.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                }
                Some(b'&') => {
                    let after = &rest[end + 1..];
                    let close = after
                        .iter()
                        .position(|&b| matches!(b, b';' | b'&' | b'<'))
                        .ok_or(GIVE_UP)?;
                    if after[close] != b';' || !after[..close].is_ascii() {
                        return Err(GIVE_UP);
                    }
                    let name = std::str::from_utf8(&after[..close]).map_err(|_| GIVE_UP)?;
                    let mut buf = [0u8; 4];
                    let reference = BytesRef::new(name);
                    out.push_str(super::cursor::resolve_reference(&reference, &mut buf)?);
                    self.pos += 1 + close + 1;
                }
                _ => return Err(GIVE_UP),
            }
        }
    }

    pub(crate) fn skip(&mut self) -> Result<(), DecodeError> {
        if std::mem::take(&mut self.pending_empty) {
            self.open.pop();
            return Ok(());
        }
        let depth = self.open.len();
        loop {
            let rest = &self.input[self.pos..];
            let end = memchr::memchr2(b'<', b'&', rest).unwrap_or(rest.len());
            if rest.get(end) != Some(&b'<') {
                return Err(GIVE_UP);
            }
            self.decode(&rest[..end])?;
            self.pos += end;
            if self.input.get(self.pos + 1) == Some(&b'/') {
                self.end_tag()?;
                if self.open.len() < depth {
                    return Ok(());
                }
            } else {
                self.start_tag()?;
                if std::mem::take(&mut self.pending_empty) {
                    self.open.pop();
                }
            }
        }
    }

    pub(crate) fn finish(&mut self) -> Result<(), DecodeError> {
        self.skip_space();
        if self.pos == self.input.len() && self.open.is_empty() {
            Ok(())
        } else {
            Err(GIVE_UP)
        }
    }
}

//! [`XmlCursor`]: a forward-only walk over one response document, straight on
//! quick-xml's event reader. Generated decoders ask it for the next child
//! element, for an element's text, or to skip an element they do not know.
//! Entities other than XML's five predefined ones and character references are
//! refused, and a document type declaration is refused: nothing is expanded.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::fast::FastCursor;
use super::{DecodeError, FieldValue};
use crate::Charset;

/// A forward-only cursor over the elements of one XML document: either the
/// fast byte scanner (the private `xml::fast` module), which gives up on anything unusual,
/// or quick-xml's event reader, which reads every well-formed document.
pub struct XmlCursor<'a> {
    inner: Inner<'a>,
}

enum Inner<'a> {
    Events(EventCursor<'a>),
    Fast(FastCursor<'a>),
}

/// The general cursor, on quick-xml's event reader.
struct EventCursor<'a> {
    input: &'a [u8],
    reader: Reader<&'a [u8]>,
    /// The element most recently returned was `<X/>`: it has no content to read.
    pending_empty: bool,
    /// Names of the open elements, for the message when the document stops early.
    open: Vec<&'a [u8]>,
}

impl std::fmt::Debug for XmlCursor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Inner::Events(c) => f
                .debug_struct("XmlCursor")
                .field("position", &c.reader.buffer_position())
                .field("depth", &c.open.len())
                .finish(),
            Inner::Fast(c) => c.fmt(f),
        }
    }
}

macro_rules! dispatch {
    ($self:ident, $c:ident => $e:expr) => {
        match &mut $self.inner {
            Inner::Events($c) => $e,
            Inner::Fast($c) => $e,
        }
    };
}

impl<'a> XmlCursor<'a> {
    /// A cursor at the start of `input` (UTF-8; the reader checks each event).
    pub fn new(input: &'a [u8]) -> Self {
        XmlCursor {
            inner: Inner::Events(EventCursor::new(input)),
        }
    }

    /// The fast scanner over `input` in `charset` (the raw body, not
    /// transcoded). It fails on anything it does not expect; the caller then
    /// decodes again with [`XmlCursor::new`].
    pub(crate) fn fast(input: &'a [u8], charset: Charset) -> Self {
        XmlCursor {
            inner: Inner::Fast(FastCursor::new(input, charset)),
        }
    }

    /// Opens the document's root element, after the declaration, comments and
    /// whitespace, and returns its name (bytes of UTF-8).
    pub fn open_root(&mut self) -> Result<&'a [u8], DecodeError> {
        dispatch!(self, c => c.open_root())
    }

    /// The name (bytes of UTF-8) of the next child element of the element last
    /// opened, or `None` at its end.
    /// The caller must then read the child with [`text`](Self::text) or
    /// [`value`](Self::value), walk into it with `next_child`, or
    /// [`skip`](Self::skip) it.
    #[inline]
    pub fn next_child(&mut self) -> Result<Option<&'a [u8]>, DecodeError> {
        dispatch!(self, c => c.next_child())
    }

    /// The text of the element last opened (character references and the five
    /// predefined entities resolved, CDATA taken as is), consuming its end tag.
    #[inline]
    pub fn text(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        dispatch!(self, c => c.text())
    }

    /// The element last opened, read as a `T`: `None` when it is empty (for
    /// every type but text), an error naming `element` when it does not parse.
    #[inline]
    pub fn value<T: FieldValue>(
        &mut self,
        element: &'static str,
    ) -> Result<Option<T>, DecodeError> {
        let text = self.text()?;
        T::parse_text(text).map_err(|found| DecodeError::InvalidValue {
            element,
            expected: T::EXPECTED,
            found,
        })
    }

    /// Skips the element last opened with everything inside it.
    pub fn skip(&mut self) -> Result<(), DecodeError> {
        dispatch!(self, c => c.skip())
    }

    /// Checks that nothing but whitespace, comments and processing
    /// instructions follows the root element.
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        dispatch!(self, c => c.finish())
    }
}

impl<'a> EventCursor<'a> {
    fn new(input: &'a [u8]) -> Self {
        EventCursor {
            input,
            reader: Reader::from_reader(input),
            pending_empty: false,
            open: Vec::with_capacity(4),
        }
    }

    #[inline]
    fn read(&mut self) -> Result<(usize, Event<'a>), DecodeError> {
        let at = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
        match self.reader.read_event() {
            Ok(event) => Ok((at, event)),
            Err(e) => Err(DecodeError::Syntax {
                position: self.reader.error_position(),
                message: e.to_string(),
            }),
        }
    }

    /// Opens the element whose start tag, named `name`, was read at byte `at`
    /// (`empty` for `<X/>`), and returns its name, borrowed from the input.
    #[inline]
    fn opened(&mut self, at: usize, name: &str, empty: bool) -> Result<&'a [u8], DecodeError> {
        let from = at + 1;
        match self.input.get(from..from + name.len()) {
            Some(found) if found == name.as_bytes() => {
                self.open.push(found);
                self.pending_empty = empty;
                Ok(found)
            }
            _ => Err(DecodeError::Syntax {
                position: at as u64,
                message: "start tag not where the reader reported it".to_owned(),
            }),
        }
    }

    fn truncated(&self) -> DecodeError {
        DecodeError::Truncated {
            open: self.open_name(),
        }
    }

    /// The innermost open element's name, as text.
    fn open_name(&self) -> String {
        self.open
            .last()
            .map_or_else(String::new, |s| String::from_utf8_lossy(s).into_owned())
    }

    /// A [`DecodeError::Syntax`] at the reader's position.
    fn syntax(&self, message: &str) -> DecodeError {
        DecodeError::Syntax {
            position: self.reader.buffer_position(),
            message: message.to_owned(),
        }
    }

    /// Opens the document's root element, after the declaration, comments and
    /// whitespace, and returns its name (bytes of UTF-8).
    fn open_root(&mut self) -> Result<&'a [u8], DecodeError> {
        loop {
            let (at, event) = self.read()?;
            match event {
                Event::Start(s) => return self.opened(at, s.name().0, false),
                Event::Empty(s) => return self.opened(at, s.name().0, true),
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if is_blank(&t) => {}
                Event::DocType(_) => return Err(DecodeError::DoctypeRefused),
                Event::Eof => return Err(DecodeError::Empty),
                _ => return Err(self.syntax("content before the root element")),
            }
        }
    }

    /// The name (bytes of UTF-8) of the next child element of the element last
    /// opened, or `None` at its end.
    /// The caller must then read the child with [`text`](Self::text) or
    /// [`value`](Self::value), walk into it with `next_child`, or
    /// [`skip`](Self::skip) it.
    #[inline]
    fn next_child(&mut self) -> Result<Option<&'a [u8]>, DecodeError> {
        if std::mem::take(&mut self.pending_empty) {
            self.open.pop();
            return Ok(None);
        }
        loop {
            let (at, event) = self.read()?;
            match event {
                Event::Start(s) => return self.opened(at, s.name().0, false).map(Some),
                Event::Empty(s) => return self.opened(at, s.name().0, true).map(Some),
                Event::End(_) => {
                    self.open.pop();
                    return Ok(None);
                }
                Event::Eof => return Err(self.truncated()),
                Event::DocType(_) => return Err(DecodeError::DoctypeRefused),
                Event::GeneralRef(r) => check_reference(&r)?,
                // Whitespace, comments and stray text between elements carry nothing.
                _ => {}
            }
        }
    }

    /// The text of the element last opened (character references and the five
    /// predefined entities resolved, CDATA taken as is), consuming its end tag.
    #[inline]
    fn text(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        if std::mem::take(&mut self.pending_empty) {
            self.open.pop();
            return Ok(Cow::Borrowed(""));
        }
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        loop {
            match self.read()?.1 {
                Event::Text(t) => append(&mut text, t.xml10_content()),
                Event::CData(c) => append(&mut text, c.into_inner()),
                Event::GeneralRef(r) => {
                    let mut buf = [0u8; 4];
                    let resolved = resolve_reference(&r, &mut buf)?;
                    text.to_mut().push_str(resolved);
                }
                Event::End(_) => {
                    self.open.pop();
                    return Ok(text);
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return Err(self.truncated()),
                Event::Start(_) | Event::Empty(_) => {
                    return Err(DecodeError::UnexpectedElement {
                        inside: self.open_name(),
                    });
                }
                Event::DocType(_) => return Err(DecodeError::DoctypeRefused),
                Event::Decl(_) => return Err(self.syntax("XML declaration inside an element")),
            }
        }
    }

    /// Skips the element last opened with everything inside it.
    fn skip(&mut self) -> Result<(), DecodeError> {
        if std::mem::take(&mut self.pending_empty) {
            self.open.pop();
            return Ok(());
        }
        let mut depth = 0usize;
        loop {
            match self.read()?.1 {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    if depth == 0 {
                        self.open.pop();
                        return Ok(());
                    }
                    depth -= 1;
                }
                Event::GeneralRef(r) => check_reference(&r)?,
                Event::DocType(_) => return Err(DecodeError::DoctypeRefused),
                Event::Eof => return Err(self.truncated()),
                _ => {}
            }
        }
    }

    /// Checks that nothing but whitespace, comments and processing
    /// instructions follows the root element.
    fn finish(&mut self) -> Result<(), DecodeError> {
        loop {
            match self.read()?.1 {
                Event::Eof => return Ok(()),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if is_blank(&t) => {}
                _ => return Err(self.syntax("content after the root element")),
            }
        }
    }
}

fn is_blank(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

fn append<'a>(text: &mut Cow<'a, str>, more: Cow<'a, str>) {
    if text.is_empty() {
        *text = more;
    } else {
        text.to_mut().push_str(&more);
    }
}

/// A character reference or one of the five predefined entities, as text.
pub(crate) fn resolve_reference<'b>(
    reference: &'b quick_xml::events::BytesRef<'_>,
    buf: &'b mut [u8; 4],
) -> Result<&'b str, DecodeError> {
    let undefined = || DecodeError::UndefinedEntity {
        name: reference.chars().take(32).collect(),
    };
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.encode_utf8(buf)),
        Ok(None) => quick_xml::escape::resolve_xml_entity(reference).ok_or_else(undefined),
        Err(_) => Err(undefined()),
    }
}

fn check_reference(reference: &quick_xml::events::BytesRef<'_>) -> Result<(), DecodeError> {
    let mut buf = [0u8; 4];
    resolve_reference(reference, &mut buf).map(|_| ())
}

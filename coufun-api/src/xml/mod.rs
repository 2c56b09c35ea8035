//! COUFUN response XML, both ways. Reading: the body is decoded by its declared
//! charset (byte-order mark, XML declaration, `Content-Type`), then walked by [`XmlCursor`] on quick-xml's event reader
//! into the generated response types ([`crate::responses`]); the envelope's
//! result code and message are read here. Writing: the generated encoders build
//! the same documents through [`XmlWriter`], for the sandbox server.

mod cursor;
mod prolog;
mod values;
mod writer;

use std::fmt;

pub use cursor::XmlCursor;
pub use values::{CalendarDate, FieldValue, Phone, Reported};
pub use writer::XmlWriter;

pub(crate) use prolog::lossy_text;

use crate::generated::responses::{ENVELOPE_ROOT, RESULT_CODE_ELEMENT, RESULT_MESSAGE_ELEMENT};
use crate::{Charset, Lang, ResultCode};

/// A response document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is not XML at all (an HTML error page, plain text).
    #[error("the body is not XML (an HTML page or plain text)")]
    NotXml,
    /// The body is empty or holds no element.
    #[error("the body holds no XML element")]
    Empty,
    /// quick-xml found the document ill-formed.
    #[error("ill-formed XML at byte {position}: {message}")]
    Syntax {
        /// Byte offset in the decoded text.
        position: u64,
        /// What quick-xml reported.
        message: String,
    },
    /// The document stops before its elements are closed.
    #[error("the XML document ends inside <{open}> (truncated)")]
    Truncated {
        /// The innermost element left open.
        open: String,
    },
    /// The document has a `<!DOCTYPE>`; DTDs are never read.
    #[error("the XML document has a <!DOCTYPE> declaration, which is refused")]
    DoctypeRefused,
    /// An entity other than XML's five predefined ones.
    #[error("the XML document uses the undefined entity &{name}; (entities are never expanded)")]
    UndefinedEntity {
        /// The entity's name.
        name: String,
    },
    /// An element holds elements where text was expected.
    #[error("<{inside}> holds an element where text was expected")]
    UnexpectedElement {
        /// The element that should hold text.
        inside: String,
    },
    /// The root element is not the envelope's.
    #[error("the root element is <{found}>, expected <{expected}>")]
    UnexpectedRoot {
        /// The envelope's root element.
        expected: &'static str,
        /// The root element found (at most 40 characters).
        found: String,
    },
    /// The envelope has no result code.
    #[error("the response has no <{element}> result code")]
    MissingResultCode {
        /// The result-code element.
        element: &'static str,
    },
    /// The result code is not two digits.
    #[error("the result code {found:?} is not two digits")]
    InvalidResultCode {
        /// What was found (at most 16 characters).
        found: String,
    },
    /// An element's text is not a value of its type.
    #[error("<{element}> should hold {expected}, found {found:?}")]
    InvalidValue {
        /// The element.
        element: &'static str,
        /// What it should hold.
        expected: &'static str,
        /// A short excerpt of what it holds, phone-like digits masked.
        found: String,
    },
    /// The declared charset is unknown.
    #[error("the body declares the unknown encoding {label:?}")]
    UnknownEncoding {
        /// The label declared (at most 40 characters).
        label: String,
    },
    /// The bytes are not valid in the declared charset.
    #[error("the body is not valid {encoding}")]
    InvalidBytes {
        /// The charset's name.
        encoding: &'static str,
    },
}

/// A generated response type: decodes from and encodes to the children of the
/// envelope's root element.
pub trait Response: Default + fmt::Debug + Send + Sized + 'static {
    /// The operation it answers, e.g. `"goods_list"`.
    const OPERATION: &'static str;

    /// Reads the child element `name` (just opened on `cursor`) when it is one of
    /// this response's; returns `false`, consuming nothing, when it is not.
    fn decode_child(
        &mut self,
        name: &[u8],
        cursor: &mut XmlCursor<'_>,
    ) -> Result<bool, DecodeError>;

    /// Writes this response's elements (everything but the result code and message).
    fn encode_children(&self, writer: &mut XmlWriter);

    /// The whole success document (`00` and the manual's message) in `charset`.
    fn to_xml(&self, charset: Charset) -> Vec<u8> {
        encode_document(
            ResultCode::Success,
            ResultCode::Success.message(Lang::Ko),
            Some(self),
            charset,
        )
    }
}

/// What the server answered: the envelope's code and message, and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reply<R> {
    /// The result code (an unknown code stays [`ResultCode::Unknown`]).
    pub code: ResultCode,
    /// The server's own message (empty when it sent none).
    pub message: String,
    /// The operation's fields.
    pub body: R,
}

/// Decodes a whole response document. `header_charset` is the `Content-Type`
/// header's charset, used only when the body declares none.
pub fn decode_document<R: Response>(
    body: &[u8],
    header_charset: Option<&str>,
) -> Result<Reply<R>, DecodeError> {
    if !looks_like_xml(body) {
        return Err(DecodeError::NotXml);
    }
    let text = prolog::body_text(body, header_charset)?;
    let mut cursor = XmlCursor::new(&text);
    let root = cursor.open_root()?;
    if root != ENVELOPE_ROOT.as_bytes() {
        if root.eq_ignore_ascii_case(b"html") {
            return Err(DecodeError::NotXml);
        }
        return Err(DecodeError::UnexpectedRoot {
            expected: ENVELOPE_ROOT,
            found: String::from_utf8_lossy(root).chars().take(40).collect(),
        });
    }
    let mut reply = R::default();
    let mut code = None;
    let mut message = String::new();
    while let Some(name) = cursor.next_child()? {
        if name == RESULT_CODE_ELEMENT.as_bytes() {
            code = Some(cursor.text()?.trim().to_owned());
        } else if name == RESULT_MESSAGE_ELEMENT.as_bytes() {
            message = cursor.text()?.trim().to_owned();
        } else if !reply.decode_child(name, &mut cursor)? {
            cursor.skip()?;
        }
    }
    cursor.finish()?;
    let code = code.ok_or(DecodeError::MissingResultCode {
        element: RESULT_CODE_ELEMENT,
    })?;
    let code = code
        .parse::<ResultCode>()
        .map_err(|e| DecodeError::InvalidResultCode { found: e.found })?;
    Ok(Reply {
        code,
        message,
        body: reply,
    })
}

/// Writes a whole response document: the envelope with `code` and `message`,
/// then `body`'s elements if any, in `charset` (CP949 declares `euc-kr`).
pub fn encode_document<R: Response>(
    code: ResultCode,
    message: &str,
    body: Option<&R>,
    charset: Charset,
) -> Vec<u8> {
    let label = charset.encoding().name().to_ascii_lowercase();
    let mut w = XmlWriter::with_declaration(&label);
    w.open(ENVELOPE_ROOT);
    w.text_element(RESULT_CODE_ELEMENT, code.as_str());
    w.text_element(RESULT_MESSAGE_ELEMENT, message);
    if let Some(body) = body {
        body.encode_children(&mut w);
    }
    w.close(ENVELOPE_ROOT);
    let text = w.finish();
    // Characters CP949 lacks become numeric character references, which XML reads back.
    charset.encoding().encode(&text).0.into_owned()
}

/// An error document (no body) for `code`, with `message` (the manual's when `None`).
pub fn encode_error(code: ResultCode, message: Option<&str>, charset: Charset) -> Vec<u8> {
    encode_document::<NoBody>(
        code,
        message.unwrap_or(code.message(Lang::Ko)),
        None,
        charset,
    )
}

#[derive(Debug, Default)]
struct NoBody;

impl Response for NoBody {
    const OPERATION: &'static str = "";
    fn decode_child(&mut self, _: &[u8], _: &mut XmlCursor<'_>) -> Result<bool, DecodeError> {
        Ok(false)
    }
    fn encode_children(&self, _: &mut XmlWriter) {}
}

/// Whether the body starts like an XML document rather than HTML or plain text.
fn looks_like_xml(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let head = &body[start..body.len().min(start + 16)];
    let lower: Vec<u8> = head.to_ascii_lowercase();
    head.first() == Some(&b'<')
        && !lower.starts_with(b"<!doctype html")
        && !lower.starts_with(b"<html")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CouponStatus;
    use crate::responses::{CouponStatusResponse, GoodsListResponse};

    fn decode<R: Response>(text: &[u8]) -> Result<Reply<R>, DecodeError> {
        decode_document::<R>(text, None)
    }

    #[test]
    fn references_cdata_empty_and_unknown_elements() {
        let doc = b"<?xml version=\"1.0\"?>\n<!-- c --><RESULT>\n  <RESULT_CODE> 00 </RESULT_CODE>\n  <NEW_FIELD><DEEP a=\"1\">x</DEEP></NEW_FIELD>\n  <GOODS><GOODS_NAME>A &amp; B &#xAC00;<![CDATA[<raw>]]></GOODS_NAME><PRICE/><SALE_END></SALE_END></GOODS>\n  <GOODS/>\n</RESULT>\n";
        let reply = decode::<GoodsListResponse>(doc).map_err(|e| e.to_string());
        let reply = reply.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.code, ResultCode::Success);
        assert_eq!(reply.body.goods.len(), 2);
        assert_eq!(
            reply.body.goods[0].goods_name.as_deref(),
            Some("A & B 가<raw>")
        );
        assert_eq!(reply.body.goods[0].price, None);
        assert_eq!(reply.body.goods[0].sale_end, None);
    }

    #[test]
    fn enum_values_outside_the_spec_stay_unknown() {
        let doc = b"<RESULT><RESULT_CODE>00</RESULT_CODE><COUPON><STATUS>U</STATUS></COUPON><COUPON><STATUS>Z</STATUS></COUPON></RESULT>";
        let reply = decode::<CouponStatusResponse>(doc).map_err(|e| e.to_string());
        let statuses: Vec<_> = reply
            .map(|r| r.body.coupons.into_iter().map(|c| c.status).collect())
            .unwrap_or_default();
        assert_eq!(
            statuses,
            vec![
                Some(Reported::Known(CouponStatus::Used)),
                Some(Reported::Unknown("Z".into()))
            ]
        );
    }

    #[test]
    fn each_defect_has_its_own_error() {
        type Case = (&'static [u8], fn(&DecodeError) -> bool);
        let cases: [Case; 8] = [
            (b"", |e| matches!(e, DecodeError::NotXml)),
            (b"  <!-- only a comment -->", |e| matches!(e, DecodeError::Empty)),
            (b"<RESULT><RESULT_CODE>00</RESULT_CODE><GOODS><GOODS_NAME>\xff</GOODS_NAME></GOODS></RESULT>", |e| matches!(e, DecodeError::Syntax { .. })),
            (b"<OTHER/>", |e| matches!(e, DecodeError::UnexpectedRoot { .. })),
            (b"<RESULT><RESULT_MSG>x</RESULT_MSG></RESULT>", |e| matches!(e, DecodeError::MissingResultCode { .. })),
            (b"<RESULT><RESULT_CODE>0</RESULT_CODE></RESULT>", |e| matches!(e, DecodeError::InvalidResultCode { .. })),
            (b"<RESULT><RESULT_CODE>00</RESULT_CODE><GOODS><PRICE>12a</PRICE></GOODS></RESULT>", |e| matches!(e, DecodeError::InvalidValue { element: "PRICE", .. })),
            (b"<RESULT><RESULT_CODE>00</RESULT_CODE></RESULT><RESULT/>", |e| matches!(e, DecodeError::Syntax { .. })),
        ];
        for (doc, is_expected) in cases {
            match decode::<GoodsListResponse>(doc) {
                Err(e) => assert!(is_expected(&e), "{:?}: {e:?}", String::from_utf8_lossy(doc)),
                Ok(r) => panic!("{:?} decoded: {r:?}", String::from_utf8_lossy(doc)),
            }
        }
    }
}

//! COUFUN answer XML, both ways. Reading: the body is decoded by its declared
//! charset (byte-order mark, XML declaration, `Content-Type`), then walked by
//! [`XmlCursor`] on quick-xml's event reader into the generated answer types
//! ([`crate::responses`]), each under its operation's own root element; the
//! result code and message every answer holds are read here. Writing: the
//! generated encoders build the same documents through [`XmlWriter`], for the
//! sandbox server.

mod cursor;
mod fast;
mod prolog;
mod values;
mod writer;

use std::fmt;

pub use cursor::XmlCursor;
pub use values::{CalendarDate, FieldValue, Phone, Reported, Timestamp};
pub use writer::XmlWriter;

pub(crate) use cursor::resolve_reference;
#[cfg(feature = "client")]
pub(crate) use prolog::lossy_text;
pub(crate) use prolog::{body_text, declared_encoding};

use crate::generated::responses::{RESULT_CODE_ELEMENT, RESULT_MESSAGE_ELEMENT};
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
    /// The root element is not the operation's (and the document holds no
    /// refusal code under it).
    #[error("the root element is <{found}>, expected <{expected}>")]
    UnexpectedRoot {
        /// The operation's root element.
        expected: &'static str,
        /// The root element found (at most 40 characters).
        found: String,
    },
    /// The answer has no result code.
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
    #[error("the body names the unknown charset {label:?} ({origin})")]
    UnknownEncoding {
        /// The label declared (at most 40 characters).
        label: String,
        /// Where it was named.
        origin: crate::charset::CharsetSource,
    },
    /// The bytes are not valid in the charset they were read in.
    #[error(
        "the body was read as {encoding} ({origin}), but the bytes at offset {offset} \
         are not a character of {encoding}"
    )]
    InvalidBytes {
        /// The charset tried.
        encoding: &'static str,
        /// Why it was tried.
        origin: crate::charset::CharsetSource,
        /// The offset of the first byte that is not of it.
        offset: usize,
    },
}

/// A generated answer type: decodes from and encodes to the children of its
/// operation's root element.
pub trait Response: Default + fmt::Debug + Send + Sized + 'static {
    /// The operation it answers, e.g. `"goods_list"`.
    const OPERATION: &'static str;
    /// The answer's root element, e.g. `"PRODUCTLIST"`.
    const ROOT: &'static str;

    /// Reads the child element `name` (just opened on `cursor`) when it is one of
    /// this answer's; returns `false`, consuming nothing, when it is not. `flat`
    /// keeps the record formed by record fields standing flat under the root.
    fn decode_child(
        &mut self,
        name: &[u8],
        cursor: &mut XmlCursor<'_>,
        flat: &mut FlatRecord,
    ) -> Result<bool, DecodeError>;

    /// Writes this answer's elements (everything but the result code and message).
    fn encode_children(&self, writer: &mut XmlWriter);

    /// The value decoding starts from: `Default`, and in the generated answers
    /// every element marked absent until it is read.
    fn unread() -> Self {
        Self::default()
    }

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

/// While one answer is decoded: which record, if any, the record fields that
/// stand flat under the root (as the status manual's sample has them) fill.
#[derive(Debug, Default)]
pub struct FlatRecord {
    index: Option<usize>,
}

impl FlatRecord {
    /// The record flat fields fill: the one begun by the first flat field, or a
    /// new one appended to `records`.
    pub fn get<'a, T: Default>(&mut self, records: &'a mut Vec<T>) -> &'a mut T {
        self.get_with(records, T::default)
    }

    /// Like [`FlatRecord::get`], a new record made by `unread` (every element
    /// marked absent until it is read).
    pub fn get_with<'a, T>(&mut self, records: &'a mut Vec<T>, unread: fn() -> T) -> &'a mut T {
        let index = match self.index {
            Some(i) if i < records.len() => i,
            _ => {
                records.push(unread());
                records.len() - 1
            }
        };
        self.index = Some(index);
        &mut records[index]
    }
}

/// What the server answered: the result code and message, and the body.
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

/// Decodes a whole answer document under `R`'s root. `header_charset` is the
/// `Content-Type` header's charset, used only when the body declares none.
///
/// Unknown elements are skipped, empty ones read as absent. A document under
/// another root still yields its result code when it holds one that is not
/// `00` (error pages of old servers vary; the surprise is logged); a success
/// under another root is refused ([`DecodeError::UnexpectedRoot`]), since its
/// fields cannot be trusted to be this operation's.
pub fn decode_document<R: Response>(
    body: &[u8],
    header_charset: Option<&str>,
) -> Result<Reply<R>, DecodeError> {
    // The fast scanner reads the documents servers send; on anything else it
    // gives up and the general cursor reads the document again (and refuses
    // what is not XML).
    if looks_like_xml(body)
        && let Some((charset, bytes)) = prolog::fast_charset(body, header_charset)
        && let Ok(reply) = decode_with::<R>(XmlCursor::fast(bytes, charset), true)
    {
        return Ok(reply);
    }
    decode_document_general(body, header_charset)
}

/// Decodes like [`decode_document`] with the general cursor alone (the
/// document transcoded whole, then read by quick-xml's event reader), never
/// the fast scanner. Every answer and every error is the same as
/// [`decode_document`]'s; the differential tests and fuzz targets check that.
pub fn decode_document_general<R: Response>(
    body: &[u8],
    header_charset: Option<&str>,
) -> Result<Reply<R>, DecodeError> {
    if !looks_like_xml(body) {
        return Err(DecodeError::NotXml);
    }
    let text = prolog::body_text(body, header_charset)?;
    decode_with::<R>(XmlCursor::new(&text), false)
}

/// Decodes the document under `cursor`; `fast` refuses every root but `R`'s
/// (the general cursor reads those).
fn decode_with<R: Response>(
    mut cursor: XmlCursor<'_>,
    fast: bool,
) -> Result<Reply<R>, DecodeError> {
    let root = cursor.open_root()?;
    let expected_root = root == R::ROOT.as_bytes();
    if fast && !expected_root {
        return Err(DecodeError::UnexpectedRoot {
            expected: R::ROOT,
            found: String::new(),
        });
    }
    if !expected_root && root.eq_ignore_ascii_case(b"html") {
        return Err(DecodeError::NotXml);
    }
    let found: String = if expected_root {
        String::new()
    } else {
        String::from_utf8_lossy(root).chars().take(40).collect()
    };
    let mut reply = R::unread();
    let mut flat = FlatRecord::default();
    let mut code = None;
    let mut message = String::new();
    while let Some(name) = cursor.next_child()? {
        if name == RESULT_CODE_ELEMENT.as_bytes() {
            code = Some(cursor.text()?.trim().to_owned());
        } else if name == RESULT_MESSAGE_ELEMENT.as_bytes() {
            message = cursor.text()?.trim().to_owned();
        } else if !expected_root || !reply.decode_child(name, &mut cursor, &mut flat)? {
            cursor.skip()?;
        }
    }
    cursor.finish()?;
    let unexpected = || DecodeError::UnexpectedRoot {
        expected: R::ROOT,
        found: found.clone(),
    };
    let code = match code {
        Some(code) => code,
        None if expected_root => {
            return Err(DecodeError::MissingResultCode {
                element: RESULT_CODE_ELEMENT,
            });
        }
        None => return Err(unexpected()),
    };
    let code = code
        .parse::<ResultCode>()
        .map_err(|e| DecodeError::InvalidResultCode { found: e.found })?;
    let body = if expected_root {
        reply
    } else {
        tracing::warn!(
            operation = R::OPERATION,
            expected = R::ROOT,
            found = %found,
            code = code.as_str(),
            "answer under an unexpected root element"
        );
        if code == ResultCode::Success {
            return Err(unexpected());
        }
        R::default()
    };
    Ok(Reply {
        code,
        message,
        body,
    })
}

/// Writes a whole answer document: `R`'s root holding `code` and `message`,
/// then `body`'s elements if any, in `charset` (CP949 declares `EUC-KR`, as
/// the manuals' samples do).
pub fn encode_document<R: Response>(
    code: ResultCode,
    message: &str,
    body: Option<&R>,
    charset: Charset,
) -> Vec<u8> {
    let mut w = XmlWriter::with_declaration(charset.encoding().name());
    w.open(R::ROOT);
    w.text_element(RESULT_CODE_ELEMENT, code.as_str());
    w.text_element(RESULT_MESSAGE_ELEMENT, message);
    if let Some(body) = body {
        body.encode_children(&mut w);
    }
    w.close(R::ROOT);
    let text = w.finish();
    // Characters CP949 lacks become numeric character references, which XML reads back.
    charset.encoding().encode(&text).0.into_owned()
}

/// An error document under `R`'s root (the result code and message only), with
/// `message` (the manual's when `None`).
pub fn encode_error<R: Response>(
    code: ResultCode,
    message: Option<&str>,
    charset: Charset,
) -> Vec<u8> {
    let message = message.unwrap_or(code.message(Lang::Ko));
    encode_document::<R>(code, message, None, charset)
}

/// Whether the body starts like an XML document rather than HTML or plain text.
pub(crate) fn looks_like_xml(body: &[u8]) -> bool {
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
        let doc = b"<?xml version=\"1.0\"?>\n<!-- c --><PRODUCTLIST>\n  <RESULT_CODE> 00 </RESULT_CODE>\n  <NEW_FIELD><DEEP a=\"1\">x</DEEP></NEW_FIELD>\n  <PRODUCT_INFO><GOODS_NAME>A &amp; B &#xAC00;<![CDATA[<raw>]]></GOODS_NAME><GOODS_PRICE/><VALID_END_DATE></VALID_END_DATE></PRODUCT_INFO>\n  <PRODUCT_INFO/>\n</PRODUCTLIST>\n";
        let reply = decode::<GoodsListResponse>(doc).map_err(|e| e.to_string());
        let reply = reply.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.code, ResultCode::Success);
        assert_eq!(reply.body.goods.len(), 2);
        assert_eq!(
            reply.body.goods[0].goods_name.as_deref(),
            Some("A & B 가<raw>")
        );
        assert_eq!(reply.body.goods[0].supply_price, None);
        assert_eq!(reply.body.goods[0].validity, None, "empty means absent");
    }

    fn fast<R: Response>(body: &[u8]) -> Result<Reply<R>, DecodeError> {
        let (charset, bytes) = prolog::fast_charset(body, None).ok_or(DecodeError::Empty)?;
        decode_with::<R>(XmlCursor::fast(bytes, charset), true)
    }

    #[test]
    fn the_fast_scanner_reads_what_servers_send() {
        let text = "<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\r\n<PRODUCTLIST>\r\n  <RESULT_CODE>00</RESULT_CODE>\r\n  <RESULT_MSG>정상</RESULT_MSG>\r\n  <PRODUCT_INFO>\r\n    <GOODS_NAME>A &amp; B &#xAC00;\r\n줄</GOODS_NAME>\r\n    <GOODS_PRICE/>\r\n    <BRAND><CODE>HG</CODE><X/></BRAND>\r\n    <VALID_END_DATE></VALID_END_DATE>\r\n  </PRODUCT_INFO>\r\n</PRODUCTLIST>\r\n";
        for body in [
            encoding_rs::EUC_KR.encode(text).0.into_owned(),
            text.replace("EUC-KR", "UTF-8").into_bytes(),
        ] {
            let fast = fast::<GoodsListResponse>(&body);
            assert!(fast.is_ok(), "{fast:?}");
            assert_eq!(
                fast,
                decode_document_general::<GoodsListResponse>(&body, None)
            );
            let goods = fast.map(|r| r.body.goods).unwrap_or_default();
            assert_eq!(goods[0].goods_name.as_deref(), Some("A & B 가\n줄"));
        }
    }

    #[test]
    fn the_fast_scanner_leaves_the_unusual_to_the_general_cursor() {
        for doc in [
            "<PRODUCTLIST><!-- c --><RESULT_CODE>00</RESULT_CODE></PRODUCTLIST>",
            "<PRODUCTLIST><RESULT_CODE><![CDATA[00]]></RESULT_CODE></PRODUCTLIST>",
            "<PRODUCTLIST a=\"1\"><RESULT_CODE>00</RESULT_CODE></PRODUCTLIST>",
            "<PRODUCTLIST><RESULT_CODE >00</RESULT_CODE ></PRODUCTLIST>",
            "<PRODUCTLIST><RESULT_CODE>00</RESULT_CODE></PRODUCTLIST><?pi?>",
        ] {
            assert!(fast::<GoodsListResponse>(doc.as_bytes()).is_err(), "{doc}");
            let reply = decode::<GoodsListResponse>(doc.as_bytes());
            assert_eq!(
                reply.map(|r| r.code).ok(),
                Some(ResultCode::Success),
                "{doc}"
            );
        }
    }

    #[test]
    fn enum_values_outside_the_spec_stay_unknown() {
        let doc = b"<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE><ORDER_INFO><STATUS>001</STATUS></ORDER_INFO><ORDER_INFO><STATUS>777</STATUS></ORDER_INFO></COUFUNSEARCH>";
        let reply = decode::<CouponStatusResponse>(doc).map_err(|e| e.to_string());
        let statuses: Vec<_> = reply
            .map(|r| r.body.coupons.into_iter().map(|c| c.status).collect())
            .unwrap_or_default();
        assert_eq!(
            statuses,
            vec![
                Some(Reported::Known(CouponStatus::Used)),
                Some(Reported::Unknown("777".into()))
            ]
        );
    }

    #[test]
    fn flat_status_fields_form_one_record() {
        let doc = b"<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE><STATUS>000</STATUS><BARCODE_NUM>X1</BARCODE_NUM></COUFUNSEARCH>";
        let reply = decode::<CouponStatusResponse>(doc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.body.coupons.len(), 1);
        assert_eq!(reply.body.coupons[0].coupon_number.as_deref(), Some("X1"));
        assert_eq!(
            reply.body.coupons[0].status,
            Some(Reported::Known(CouponStatus::Unused))
        );
    }

    #[test]
    fn a_refusal_under_another_root_still_yields_its_code() {
        let doc = b"<RESULT><RESULT_CODE>02</RESULT_CODE><RESULT_MSG>x</RESULT_MSG></RESULT>";
        let reply = decode::<GoodsListResponse>(doc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reply.code, ResultCode::InvalidPocId);
        // a success under another root is not trusted
        let doc = b"<RESULT><RESULT_CODE>00</RESULT_CODE></RESULT>";
        assert!(matches!(
            decode::<GoodsListResponse>(doc),
            Err(DecodeError::UnexpectedRoot {
                expected: "PRODUCTLIST",
                ..
            })
        ));
    }

    #[test]
    fn each_defect_has_its_own_error() {
        type Case = (&'static [u8], fn(&DecodeError) -> bool);
        let cases: [Case; 8] = [
            (b"", |e| matches!(e, DecodeError::NotXml)),
            (b"  <!-- only a comment -->", |e| matches!(e, DecodeError::Empty)),
            (b"<PRODUCTLIST><RESULT_CODE>00</RESULT_CODE><PRODUCT_INFO><GOODS_NAME>\xff</GOODS_NAME></PRODUCT_INFO></PRODUCTLIST>", |e| matches!(e, DecodeError::InvalidBytes { encoding: "EUC-KR", origin: crate::charset::CharsetSource::Undeclared, offset: 68 })),
            (b"<OTHER/>", |e| matches!(e, DecodeError::UnexpectedRoot { .. })),
            (b"<PRODUCTLIST><RESULT_MSG>x</RESULT_MSG></PRODUCTLIST>", |e| matches!(e, DecodeError::MissingResultCode { .. })),
            (b"<PRODUCTLIST><RESULT_CODE>0</RESULT_CODE></PRODUCTLIST>", |e| matches!(e, DecodeError::InvalidResultCode { .. })),
            (b"<PRODUCTLIST><RESULT_CODE>00</RESULT_CODE><PRODUCT_INFO><GOODS_PRICE>12a</GOODS_PRICE></PRODUCT_INFO></PRODUCTLIST>", |e| matches!(e, DecodeError::InvalidValue { element: "GOODS_PRICE", .. })),
            (b"<PRODUCTLIST><RESULT_CODE>00</RESULT_CODE></PRODUCTLIST><PRODUCTLIST/>", |e| matches!(e, DecodeError::Syntax { .. })),
        ];
        for (doc, is_expected) in cases {
            match decode::<GoodsListResponse>(doc) {
                Err(e) => assert!(is_expected(&e), "{:?}: {e:?}", String::from_utf8_lossy(doc)),
                Ok(r) => panic!("{:?} decoded: {r:?}", String::from_utf8_lossy(doc)),
            }
        }
    }
}

//! What the async and blocking clients share around the I/O of one request:
//! turning a checked request into a method, URL and form body in the request
//! charset; reading status, headers and a capped body; turning them into the
//! typed response or an [`Error`].

use std::borrow::Cow;

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{StatusCode, Url};

use super::settings::CallConfig;
use crate::drift::decode_observed;
use crate::error::{CallInfo, Error, TransportError};
use crate::generated::responses::POC_ID_PARAM;
use crate::operation::{Method, Operation};
use crate::redact::redact;
use crate::xml::{DecodeError, Response, lossy_text};
use crate::{Charset, ResultCode};

/// Characters of a body kept in an error message.
const EXCERPT_CHARS: usize = 200;

/// One request, ready to send.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) method: reqwest::Method,
    pub(crate) url: Url,
    /// The form body and its `Content-Type`, for POST.
    pub(crate) form: Option<(String, Vec<u8>)>,
}

/// `Content-Type` of a form body in `charset`.
fn form_content_type(charset: Charset) -> String {
    format!(
        "application/x-www-form-urlencoded; charset={}",
        charset.encoding().name().to_ascii_lowercase()
    )
}

pub(crate) fn call_info<O: Operation>(request: &O) -> CallInfo {
    CallInfo {
        operation: O::NAME,
        effect: O::EFFECT,
        idempotent: request.idempotency_key().is_some(),
    }
}

/// Refuses a request checked in another charset than the client sends.
pub(crate) fn check_charset<O: Operation>(
    config: &CallConfig,
    counted_in: Charset,
) -> Result<(), Error> {
    if counted_in == config.charset {
        return Ok(());
    }
    Err(Error::CharsetMismatch {
        operation: O::NAME,
        counted_in,
        sent_in: config.charset,
    })
}

/// The method, URL and body of `request`.
pub(crate) fn prepare<O: Operation>(config: &CallConfig, request: &O) -> Result<Prepared, Error> {
    let method = match config.method {
        Some(m) if O::METHODS.contains(&m) => m,
        _ => O::METHODS.first().copied().unwrap_or(Method::Post),
    };
    let mut form = String::with_capacity(128);
    let params = std::iter::once((POC_ID_PARAM, Cow::Borrowed(config.poc_id.expose())))
        .chain(request.wire_params());
    for (name, value) in params {
        let bytes = encode(config.charset, &value).ok_or(Error::Unencodable {
            operation: O::NAME,
            field: name,
            charset: config.charset,
        })?;
        crate::form::append_pair_str(&mut form, name.as_bytes(), &bytes);
    }
    let mut url = operation_url::<O>(config)?;
    // GET carries the form in the query string; POST (the spec's only other
    // method) as the body.
    Ok(if method == Method::Get {
        url.set_query(Some(&form));
        Prepared {
            method: reqwest::Method::GET,
            url,
            form: None,
        }
    } else {
        Prepared {
            method: reqwest::Method::POST,
            url,
            form: Some((form_content_type(config.charset), form.into_bytes())),
        }
    })
}

/// The URL of `O`: joined once when the client was built for an operation
/// of the table, joined now for one with a path of its own.
fn operation_url<O: Operation>(config: &CallConfig) -> Result<Url, Error> {
    match config.operation_urls.get(O::ID as usize) {
        Some(url) if O::PATH == O::ID.spec().path => Ok(url.clone()),
        _ => config.base.join(O::PATH).map_err(|_| Error::Unencodable {
            operation: O::NAME,
            field: "path",
            charset: config.charset,
        }),
    }
}

/// An answer being read: its status and `Content-Type`, and its body, piece
/// by piece, up to the cap.
#[derive(Debug)]
pub(crate) struct Body {
    status: u16,
    content_type: Option<String>,
    bytes: Vec<u8>,
    limit: usize,
    info: CallInfo,
}

impl Body {
    /// An answer with this head, none of its body read yet; one declaring a
    /// body over the cap fails here, before any of it is read.
    pub(crate) fn start(
        config: &CallConfig,
        info: CallInfo,
        status: StatusCode,
        headers: &HeaderMap,
        content_length: Option<u64>,
    ) -> Result<Body, Error> {
        let limit = config.max_response_bytes;
        if content_length.is_some_and(|len| len > limit as u64) {
            return Err(Error::TooLarge { info, limit });
        }
        Ok(Body {
            status: status.as_u16(),
            content_type: headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            // The declared length (already within the cap) is read without regrowing.
            bytes: Vec::with_capacity(content_length.map_or(8 * 1024, |len| len as usize)),
            limit,
            info,
        })
    }

    /// One more piece; past the cap, [`Error::TooLarge`] (stop reading).
    pub(crate) fn push(&mut self, piece: &[u8]) -> Result<(), Error> {
        if self.bytes.len() + piece.len() > self.limit {
            return Err(Error::TooLarge {
                info: self.info,
                limit: self.limit,
            });
        }
        self.bytes.extend_from_slice(piece);
        Ok(())
    }

    /// The typed response, or the error, that the whole answer makes.
    pub(crate) fn finish<R: Response>(self, config: &CallConfig) -> Result<R, Error> {
        let content_type = self.content_type.as_deref();
        interpret(config, self.info, self.status, content_type, &self.bytes)
    }
}

/// `text` in `charset`; `None` when the charset cannot write it.
fn encode(charset: Charset, text: &str) -> Option<Cow<'_, [u8]>> {
    let (bytes, _, unmappable) = charset.encoding().encode(text);
    (!unmappable).then_some(bytes)
}

/// The `charset` parameter of a `Content-Type` header (the crate's one parser).
fn header_charset(content_type: Option<&str>) -> Option<&str> {
    crate::charset::content_type_charset(content_type?)
}

/// The start of `body` as redacted text.
fn excerpt(config: &CallConfig, body: &[u8], content_type: Option<&str>) -> String {
    let head = body
        .get(..body.len().min(EXCERPT_CHARS * 4))
        .unwrap_or(body);
    let text = lossy_text(head, header_charset(content_type));
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: String = text.chars().take(EXCERPT_CHARS).collect();
    redact(&text, &[config.poc_id.expose()])
}

/// What one finished exchange means: the typed response, or the error.
fn interpret<R: Response>(
    config: &CallConfig,
    info: CallInfo,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<R, Error> {
    if !(200..300).contains(&status) {
        return Err(Error::Status {
            info,
            status,
            excerpt: excerpt(config, body, content_type),
        });
    }
    let charset = header_charset(content_type);
    match decode_observed::<R>(body, charset, config.drift.as_ref()) {
        Ok(reply) if reply.code == ResultCode::Success => Ok(reply.body),
        Ok(reply) => Err(Error::Api {
            info,
            code: reply.code,
            message: redact(&reply.message, &[config.poc_id.expose()]),
        }),
        Err(DecodeError::NotXml) => Err(Error::NotXml {
            info,
            status,
            excerpt: excerpt(config, body, content_type),
        }),
        Err(source) => Err(Error::MalformedXml {
            info,
            source: redact_decode_error(config, source),
        }),
    }
}

fn redact_decode_error(config: &CallConfig, mut error: DecodeError) -> DecodeError {
    if let DecodeError::InvalidValue { found: text, .. }
    | DecodeError::Syntax { message: text, .. }
    | DecodeError::InvalidResultCode { found: text } = &mut error
    {
        *text = redact(text, &[config.poc_id.expose()]);
    }
    error
}

/// A failure of the HTTP stack, classified: the request not sent, or sent
/// and no answer in time, or lost on the way.
pub(crate) fn transport_error(info: CallInfo, source: TransportError) -> Error {
    if source.is_connect() {
        Error::Connect { info, source }
    } else if source.is_timeout() {
        Error::Timeout { info, source }
    } else {
        Error::Transport { info, source }
    }
}

/// [`transport_error`] for reqwest's error, its URL removed.
pub(crate) fn reqwest_error(info: CallInfo, error: reqwest::Error) -> Error {
    transport_error(info, TransportError::from_reqwest(error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{ClientBuilder, Environment};
    use crate::generated::operations::OperationId;
    use crate::generated::responses::GoodsListResponse;
    use crate::privacy::PocId;
    use crate::validation::{FieldSpec, ValidationErrors};
    use crate::{CouponStatusRequest, GoodsListRequest, OPERATIONS};

    fn config() -> CallConfig {
        let poc = PocId::new("POC0000001").unwrap_or_else(|e| panic!("{e}"));
        ClientBuilder::<()>::new(Environment::Custom("http://127.0.0.1:9/api".into()), poc)
            .method(Method::Get)
            .call_config()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// An operation of the caller's own: the goods list under another path.
    #[derive(Debug)]
    struct ElsewhereList;

    impl Operation for ElsewhereList {
        const ID: OperationId = OperationId::GoodsList;
        const PATH: &'static str = "elsewhere/list.do";
        const FIELDS: &'static [FieldSpec] = &[];
        fn wire_params(&self) -> Vec<(&'static str, Cow<'_, str>)> {
            Vec::new()
        }
        fn idempotency_key(&self) -> Option<&str> {
            None
        }
        fn from_wire(_: &[(String, String)], _: Charset) -> Result<Self, ValidationErrors> {
            Ok(ElsewhereList)
        }
    }

    #[test]
    fn every_operation_of_the_table_has_its_url_joined_once() {
        let config = config();
        let paths: Vec<&str> = config.operation_urls.iter().map(Url::path).collect();
        let expected: Vec<String> = OPERATIONS
            .iter()
            .map(|o| format!("/api/{}", o.path))
            .collect();
        assert_eq!(paths, expected);
    }

    #[test]
    fn a_request_goes_to_its_operations_url_with_the_poc_id_in_the_query() {
        let request = GoodsListRequest::builder()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let prepared = prepare(&config(), &request).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            prepared.url.as_str(),
            format!(
                "http://127.0.0.1:9/api/{}?POC_ID=POC0000001",
                GoodsListRequest::PATH
            )
        );
    }

    #[test]
    fn a_method_the_operation_does_not_accept_falls_back_to_its_preferred_one() {
        // The client asks for GET; the status lookup accepts POST only.
        assert_eq!(CouponStatusRequest::METHODS, &[Method::Post]);
        let request = CouponStatusRequest::builder()
            .goods_id("G000000101")
            .coupon_number("900012345678")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let prepared = prepare(&config(), &request).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(prepared.method, reqwest::Method::POST);
        assert_eq!(prepared.url.query(), None);
        let (_, form) = prepared
            .form
            .unwrap_or_else(|| panic!("a POST without a form"));
        assert!(form.starts_with(b"POC_ID=POC0000001&"));
    }

    fn info() -> CallInfo {
        call_info(&ElsewhereList)
    }

    fn head(limit: usize, content_length: Option<u64>) -> Result<Body, Error> {
        let config = CallConfig {
            max_response_bytes: limit,
            ..config()
        };
        Body::start(
            &config,
            info(),
            StatusCode::OK,
            &HeaderMap::new(),
            content_length,
        )
    }

    #[test]
    fn a_declared_length_up_to_the_cap_is_read_and_one_byte_more_is_refused() {
        assert!(head(100, Some(100)).is_ok());
        assert!(head(100, None).is_ok());
        assert!(matches!(
            head(100, Some(101)),
            Err(Error::TooLarge { limit: 100, .. })
        ));
    }

    #[test]
    fn a_body_is_read_up_to_the_cap_and_refused_one_byte_past_it() {
        let mut body = head(10, None).unwrap_or_else(|e| panic!("{e}"));
        body.push(b"12345").unwrap_or_else(|e| panic!("{e}"));
        body.push(b"6789").unwrap_or_else(|e| panic!("{e}"));
        body.push(b"0")
            .unwrap_or_else(|e| panic!("exactly the cap: {e}"));
        assert_eq!(body.bytes, b"1234567890");
        assert!(matches!(
            body.push(b"!"),
            Err(Error::TooLarge { limit: 10, .. })
        ));
        // Pieces add up: three pieces of 4 bytes pass 10 on the third.
        let mut body = head(10, None).unwrap_or_else(|e| panic!("{e}"));
        assert!(body.push(b"abcd").is_ok() && body.push(b"efgh").is_ok());
        assert!(matches!(body.push(b"ijkl"), Err(Error::TooLarge { .. })));
    }

    #[test]
    fn the_charset_of_a_content_type_is_its_charset_parameter() {
        assert_eq!(
            header_charset(Some("text/xml; charset=EUC-KR")),
            Some("EUC-KR")
        );
        assert_eq!(
            header_charset(Some("text/xml;CHARSET=\"utf-8\" ")),
            Some("utf-8")
        );
        assert_eq!(header_charset(Some("text/xml")), None);
        assert_eq!(header_charset(Some("charset=utf-8")), None);
        assert_eq!(header_charset(None), None);
    }

    #[test]
    fn an_answer_without_a_declaration_is_read_in_the_headers_charset() {
        let xml = "<PRODUCTLIST><RESULT_CODE>00</RESULT_CODE><RESULT_MSG>정상</RESULT_MSG>\
                   <PRODUCT_INFO><GOODS_NAME>아메리카노</GOODS_NAME></PRODUCT_INFO></PRODUCTLIST>";
        let (body, _, _) = encoding_rs::EUC_KR.encode(xml);
        let answer = interpret::<GoodsListResponse>(
            &config(),
            info(),
            200,
            Some("text/xml; charset=EUC-KR"),
            &body,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer.goods[0].goods_name.as_deref(), Some("아메리카노"));
    }

    #[test]
    fn an_error_page_is_quoted_up_to_its_first_200_characters() {
        // 300 characters of three UTF-8 bytes each: the excerpt needs 600 bytes.
        let page = format!("<html><body>{}</body></html>", "오".repeat(300));
        let error = interpret::<GoodsListResponse>(
            &config(),
            info(),
            502,
            Some("text/html; charset=utf-8"),
            page.as_bytes(),
        );
        let Err(Error::Status {
            status: 502,
            excerpt,
            ..
        }) = error
        else {
            panic!("not a status error: {error:?}");
        };
        assert_eq!(excerpt.chars().count(), EXCERPT_CHARS, "{excerpt}");
        assert!(excerpt.starts_with("<html><body>오오"));
    }

    #[test]
    fn an_operation_with_a_path_of_its_own_is_not_sent_to_the_tables_url() {
        let prepared = prepare(&config(), &ElsewhereList).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(prepared.url.path(), "/api/elsewhere/list.do");
    }
}

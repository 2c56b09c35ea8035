//! Exchange notifications (COUFUN → merchant): the typed [`ExchangeNotice`], its
//! parser from the form body COUFUN POSTs, the form encoder (for senders), and
//! the merchant's XML answer ([`NoticeAnswer`]) with its encoder and decoder.
//! A notice's `EXCHANGE_DATE` is a [`Timestamp`], the same type response records use.
//!
//! Wire names, limits and value tables come from `spec/notifications.toml`
//! through [`crate::generated::notice`].
//!
//! ```
//! use coufun_api::notice::{ExchangeNotice, NoticeAnswer, NoticeAnswerCode, NoticeParser, NoticeState};
//!
//! let body = b"BARCODE_NUM=900012345678&EXCHANGE_NUM=A0001&STATUS=001\
//!     &EXCHANGE_DATE=20240301123000&BRANCH_NAME=%B0%AD%B3%B2%C1%A1&BRANCH_CODE=G01\
//!     &BARCODE_TYPE=AMOUNT&PRICE=3000&BALANCE=7000";
//! let notice = NoticeParser::new().parse(body, Some("application/x-www-form-urlencoded"))?;
//! assert_eq!(notice.state, NoticeState::Used);
//! assert_eq!(notice.branch_name.as_deref(), Some("강남점")); // EUC-KR on the wire
//! assert_eq!(notice.balance, 7000);
//! // The coupon number never shows in clear in Debug.
//! assert!(!format!("{notice:?}").contains("900012345678"));
//!
//! let answer = NoticeAnswer::new(NoticeAnswerCode::Done).with_exchange_id("01J0ABC")?;
//! let xml = answer.encode();
//! assert!(xml.starts_with(b"<?xml version=\"1.0\" encoding=\"EUC-KR\"?>"));
//! assert_eq!(NoticeAnswer::decode(&xml)?, answer);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use encoding_rs::{EUC_KR, UTF_8};

use crate::charset::cp949_len;
pub use crate::generated::notice::{
    DELIVERY_CHARSET, DELIVERY_CONTENT_TYPE, NoticeAnswerCode, NoticeCouponType, NoticeState,
    RETRY_INTERVAL, UnknownValue,
};
use crate::generated::notice::{NoticeFieldSpec, answer, fields};
use crate::xml::Timestamp;

/// The default cap on a notice's body: the nine fields at their limits, percent-encoded,
/// fit in well under 1 KiB; 8 KiB leaves room for fields a newer server may add.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 * 1024;

// ---------------------------------------------------------------------------
// Values

/// A coupon number (`BARCODE_NUM`). It redeems the coupon, so `Debug` and
/// `Display` show only its last four characters; [`CouponNumber::expose`] reads it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CouponNumber(String);

impl CouponNumber {
    /// Wraps `number` (not checked; the parser checks what it reads).
    pub fn new(number: impl Into<String>) -> Self {
        CouponNumber(number.into())
    }

    /// The number in clear, for the wire and the database.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The number masked: all but the last four characters as `*`.
    pub fn masked(&self) -> String {
        let count = self.0.chars().count();
        self.0
            .chars()
            .enumerate()
            .map(|(i, c)| if i + 4 < count { '*' } else { c })
            .collect()
    }
}

impl fmt::Debug for CouponNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CouponNumber({})", self.masked())
    }
}

impl fmt::Display for CouponNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// One exchange notification: a coupon used, or its use cancelled, at a shop.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExchangeNotice {
    /// `BARCODE_NUM`: the coupon.
    pub coupon_number: CouponNumber,
    /// `EXCHANGE_NUM`: the approval number of this use or use-cancel.
    pub approval_number: String,
    /// `STATUS`: the coupon's state after this event.
    pub state: NoticeState,
    /// `EXCHANGE_DATE`: when it happened, in Korean time (the manual's
    /// `YYYYMMDDHH24MISS`).
    pub time: Timestamp,
    /// `BRANCH_NAME`: the shop's name; `None` when sent empty or absent.
    pub branch_name: Option<String>,
    /// `BRANCH_CODE`: the shop's code; `None` when sent empty or absent.
    pub branch_code: Option<String>,
    /// `BARCODE_TYPE`: exchange voucher or stored-value voucher.
    pub coupon_type: NoticeCouponType,
    /// `PRICE`: supply price (`BARCODE`) or the amount this use took (`AMOUNT`).
    pub price: u64,
    /// `BALANCE`: 0 (`BARCODE`) or what remains (`AMOUNT`).
    pub balance: u64,
}

// ---------------------------------------------------------------------------
// Errors

/// Why a notice was refused. No variant carries the coupon number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoticeError {
    /// The body is over the size cap.
    #[error("the notice body is {measured} bytes, over the limit of {limit}")]
    TooLarge {
        /// The cap in bytes.
        limit: usize,
        /// The body's size.
        measured: usize,
    },
    /// The `Content-Type` names a charset other than EUC-KR (CP949) or UTF-8.
    #[error("the notice declares charset {label:?}; only EUC-KR (CP949) and UTF-8 are accepted")]
    UnsupportedCharset {
        /// The label as declared.
        label: String,
    },
    /// UTF-8 was sent but this parser accepts EUC-KR only.
    #[error("the notice is UTF-8, and this receiver accepts EUC-KR only")]
    Utf8NotAccepted,
    /// The `Content-Type` is not a form.
    #[error("the notice's Content-Type is {content_type:?}, not application/x-www-form-urlencoded")]
    NotAForm {
        /// The media type as sent.
        content_type: String,
    },
    /// A field's bytes are not valid in the body's charset.
    #[error("field {field} is not valid {charset}")]
    Undecodable {
        /// The field's wire name (or the raw key, when the key itself is bad).
        field: String,
        /// The charset it was decoded as.
        charset: &'static str,
    },
    /// A `%` escape is cut short or not hexadecimal.
    #[error("the notice body has a malformed %-escape at byte {offset}")]
    BadEscape {
        /// Offset of the `%` in the body.
        offset: usize,
    },
    /// A required field is absent or empty.
    #[error("field {field} is missing or empty")]
    Missing {
        /// Wire name.
        field: &'static str,
    },
    /// A field was sent more than once.
    #[error("field {field} is sent {count} times")]
    Repeated {
        /// Wire name.
        field: &'static str,
        /// How many times.
        count: usize,
    },
    /// A field is over its byte limit (counted in EUC-KR bytes).
    #[error("field {field} is {measured} EUC-KR bytes, over the limit of {limit}")]
    TooLong {
        /// Wire name.
        field: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The value's length in bytes.
        measured: usize,
    },
    /// A field holds a character EUC-KR cannot encode (the server cannot have sent it).
    #[error("field {field} holds a character EUC-KR cannot encode, at index {index}")]
    Unencodable {
        /// Wire name.
        field: &'static str,
        /// Character index.
        index: usize,
    },
    /// `EXCHANGE_DATE` is not a real `YYYYMMDDHH24MISS`.
    #[error("field {field} is {value:?}, not a real date and time written YYYYMMDDHH24MISS")]
    BadTime {
        /// Wire name.
        field: &'static str,
        /// The value as sent.
        value: String,
    },
    /// An amount is not a non-negative integer.
    #[error(
        "field {field} is {value:?}, not a non-negative integer of at most {max_digits} digits"
    )]
    BadAmount {
        /// Wire name.
        field: &'static str,
        /// The value as sent.
        value: String,
        /// Its limit in digits.
        max_digits: usize,
    },
    /// `STATUS` is outside the manual's table and the parser rejects unknown states.
    #[error("field {field} is {value:?}, a state the manual does not define")]
    UnknownState {
        /// Wire name.
        field: &'static str,
        /// The value as sent.
        value: String,
    },
}

// ---------------------------------------------------------------------------
// Parsing

/// Reads notices from the form bodies COUFUN POSTs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoticeParser {
    max_body_bytes: usize,
    accept_utf8: bool,
    reject_unknown_state: bool,
}

impl Default for NoticeParser {
    fn default() -> Self {
        NoticeParser::new()
    }
}

impl NoticeParser {
    /// The defaults: body cap [`DEFAULT_MAX_BODY_BYTES`], UTF-8 accepted besides
    /// EUC-KR, unknown `STATUS` values rejected.
    pub fn new() -> Self {
        NoticeParser {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            accept_utf8: true,
            reject_unknown_state: true,
        }
    }

    /// Caps the body at `bytes`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The body cap in bytes.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes
    }

    /// Whether a UTF-8 body is accepted (besides EUC-KR, which always is).
    pub fn accept_utf8(mut self, accept: bool) -> Self {
        self.accept_utf8 = accept;
        self
    }

    /// Whether a `STATUS` outside the manual's table is refused
    /// ([`NoticeError::UnknownState`]) or kept as [`NoticeState::Unknown`].
    pub fn reject_unknown_state(mut self, reject: bool) -> Self {
        self.reject_unknown_state = reject;
        self
    }

    /// Parses `body` sent with `content_type` (the header's value, if any).
    ///
    /// The charset is the one `content_type` declares (`euc-kr`, `cp949`,
    /// `ks_c_5601-1987`, `utf-8`); without one, a body whose bytes are valid
    /// UTF-8 is read as UTF-8 (EUC-KR Hangul never is) and anything else as EUC-KR.
    /// Limits are counted in EUC-KR bytes whichever charset carried the text.
    pub fn parse(
        &self,
        body: &[u8],
        content_type: Option<&str>,
    ) -> Result<ExchangeNotice, NoticeError> {
        if body.len() > self.max_body_bytes {
            return Err(NoticeError::TooLarge {
                limit: self.max_body_bytes,
                measured: body.len(),
            });
        }
        let declared = match content_type {
            Some(ct) => declared_charset(ct)?,
            None => None,
        };
        let pairs = split_form(body)?;
        let charset = match declared {
            Some(c) => c,
            None if pairs
                .iter()
                .all(|(k, v)| std::str::from_utf8(k).is_ok() && std::str::from_utf8(v).is_ok()) =>
            {
                BodyCharset::Utf8
            }
            None => BodyCharset::EucKr,
        };
        if charset == BodyCharset::Utf8 && !self.accept_utf8 {
            // Pure ASCII is the same in both: only refuse real UTF-8.
            if pairs.iter().any(|(k, v)| !k.is_ascii() || !v.is_ascii()) {
                return Err(NoticeError::Utf8NotAccepted);
            }
        }
        let mut values: [Option<String>; fields::ALL.len()] = Default::default();
        let mut counts = [0usize; fields::ALL.len()];
        for (key, value) in &pairs {
            let Some(index) = fields::ALL
                .iter()
                .position(|f| f.name.as_bytes() == key.as_slice())
            else {
                continue; // a field a newer server added
            };
            let field = &fields::ALL[index];
            counts[index] += 1;
            let text = charset.decode(value).ok_or(NoticeError::Undecodable {
                field: field.name.to_owned(),
                charset: charset.name(),
            })?;
            values[index] = Some(text);
        }
        for (i, field) in fields::ALL.iter().enumerate() {
            if counts[i] > 1 {
                return Err(NoticeError::Repeated {
                    field: field.name,
                    count: counts[i],
                });
            }
        }
        let mut get = |spec: NoticeFieldSpec| -> Result<Option<String>, NoticeError> {
            let index = fields::ALL.iter().position(|f| f.name == spec.name);
            let value = index
                .and_then(|i| values[i].take())
                .filter(|v| !v.is_empty());
            match value {
                None if spec.optional => Ok(None),
                None => Err(NoticeError::Missing { field: spec.name }),
                Some(v) => check_len(spec, &v).map(|()| Some(v)),
            }
        };
        let required = |v: Option<String>, spec: NoticeFieldSpec| {
            v.ok_or(NoticeError::Missing { field: spec.name })
        };
        let coupon_number = required(get(fields::COUPON_NUMBER)?, fields::COUPON_NUMBER)?;
        let approval_number = required(get(fields::APPROVAL_NUMBER)?, fields::APPROVAL_NUMBER)?;
        let state_text = required(get(fields::STATE)?, fields::STATE)?;
        let state = NoticeState::from_wire(&state_text);
        if self.reject_unknown_state && !state.is_known() {
            return Err(NoticeError::UnknownState {
                field: fields::STATE.name,
                value: state_text,
            });
        }
        let time_text = required(get(fields::TIME)?, fields::TIME)?;
        let time = Timestamp::parse(&time_text).ok_or(NoticeError::BadTime {
            field: fields::TIME.name,
            value: time_text.clone(),
        })?;
        let branch_name = get(fields::BRANCH_NAME)?;
        let branch_code = get(fields::BRANCH_CODE)?;
        let coupon_type =
            NoticeCouponType::from_wire(&required(get(fields::COUPON_TYPE)?, fields::COUPON_TYPE)?);
        let price = amount(
            fields::PRICE,
            &required(get(fields::PRICE)?, fields::PRICE)?,
        )?;
        let balance = amount(
            fields::BALANCE,
            &required(get(fields::BALANCE)?, fields::BALANCE)?,
        )?;
        Ok(ExchangeNotice {
            coupon_number: CouponNumber(coupon_number),
            approval_number,
            state,
            time,
            branch_name,
            branch_code,
            coupon_type,
            price,
            balance,
        })
    }
}

fn check_len(spec: NoticeFieldSpec, value: &str) -> Result<(), NoticeError> {
    let measured = cp949_len(value).map_err(|e| NoticeError::Unencodable {
        field: spec.name,
        index: e.index,
    })?;
    if measured > spec.max_bytes {
        return Err(NoticeError::TooLong {
            field: spec.name,
            limit: spec.max_bytes,
            measured,
        });
    }
    Ok(())
}

fn amount(spec: NoticeFieldSpec, text: &str) -> Result<u64, NoticeError> {
    let bad = || NoticeError::BadAmount {
        field: spec.name,
        value: text.to_owned(),
        max_digits: spec.max_bytes,
    };
    if text.len() > spec.max_bytes || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse::<u64>().map_err(|_| bad())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyCharset {
    EucKr,
    Utf8,
}

impl BodyCharset {
    fn name(self) -> &'static str {
        match self {
            BodyCharset::EucKr => "EUC-KR",
            BodyCharset::Utf8 => "UTF-8",
        }
    }

    fn decode(self, bytes: &[u8]) -> Option<String> {
        let encoding = match self {
            BodyCharset::EucKr => EUC_KR,
            BodyCharset::Utf8 => UTF_8,
        };
        encoding
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|s| s.into_owned())
    }
}

/// The charset a `Content-Type` value declares, if any; refuses other media types.
fn declared_charset(content_type: &str) -> Result<Option<BodyCharset>, NoticeError> {
    let media = crate::charset::content_type_media(content_type);
    if !media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(NoticeError::NotAForm {
            content_type: content_type.chars().take(100).collect(),
        });
    }
    let Some(label) = crate::charset::content_type_charset(content_type) else {
        return Ok(None);
    };
    match crate::charset::charset_for_label(label) {
        Some(crate::Charset::Utf8) => Ok(Some(BodyCharset::Utf8)),
        Some(crate::Charset::Cp949) => Ok(Some(BodyCharset::EucKr)),
        _ => Err(NoticeError::UnsupportedCharset {
            label: label.chars().take(40).collect(),
        }),
    }
}

/// Splits a form body into raw (percent-decoded) key and value bytes.
/// One form field's raw key and value bytes.
type RawPair = (Vec<u8>, Vec<u8>);

fn split_form(body: &[u8]) -> Result<Vec<RawPair>, NoticeError> {
    match crate::form::parse(body) {
        Ok(pairs) => Ok(pairs.into_iter().map(|p| (p.name, p.value)).collect()),
        Err(crate::form::FormError::BadEscape { offset }) => Err(NoticeError::BadEscape { offset }),
    }
}

// ---------------------------------------------------------------------------
// Encoding (the sender's side)

impl ExchangeNotice {
    /// Checks every field against the spec's limits (what the parser would refuse).
    pub fn validate(&self) -> Result<(), NoticeError> {
        for (spec, value) in [
            (fields::COUPON_NUMBER, Some(self.coupon_number.expose())),
            (fields::APPROVAL_NUMBER, Some(self.approval_number.as_str())),
            (fields::STATE, Some(self.state.as_str())),
            (fields::BRANCH_NAME, self.branch_name.as_deref()),
            (fields::BRANCH_CODE, self.branch_code.as_deref()),
            (fields::COUPON_TYPE, Some(self.coupon_type.as_str())),
        ] {
            match value.filter(|v| !v.is_empty()) {
                None if !spec.optional => return Err(NoticeError::Missing { field: spec.name }),
                None => {}
                Some(v) => check_len(spec, v)?,
            }
        }
        for (spec, value) in [(fields::PRICE, self.price), (fields::BALANCE, self.balance)] {
            let text = value.to_string();
            if text.len() > spec.max_bytes {
                return Err(NoticeError::BadAmount {
                    field: spec.name,
                    value: text,
                    max_digits: spec.max_bytes,
                });
            }
        }
        Ok(())
    }

    /// The notice as a form body, in EUC-KR as COUFUN sends it (percent-encoded).
    /// Checks the limits first: a notice that breaks one is not encoded.
    pub fn to_form(&self) -> Result<Vec<u8>, NoticeError> {
        self.validate()?;
        let time = self.time.to_compact();
        let price = self.price.to_string();
        let balance = self.balance.to_string();
        let values: [(NoticeFieldSpec, &str); 9] = [
            (fields::COUPON_NUMBER, self.coupon_number.expose()),
            (fields::APPROVAL_NUMBER, &self.approval_number),
            (fields::STATE, self.state.as_str()),
            (fields::TIME, &time),
            (
                fields::BRANCH_NAME,
                self.branch_name.as_deref().unwrap_or(""),
            ),
            (
                fields::BRANCH_CODE,
                self.branch_code.as_deref().unwrap_or(""),
            ),
            (fields::COUPON_TYPE, self.coupon_type.as_str()),
            (fields::PRICE, &price),
            (fields::BALANCE, &balance),
        ];
        let mut out = Vec::with_capacity(256);
        for (i, (spec, value)) in values.iter().enumerate() {
            if i > 0 {
                out.push(b'&');
            }
            out.extend_from_slice(spec.name.as_bytes());
            out.push(b'=');
            let (bytes, _, _) = EUC_KR.encode(value);
            crate::form::escape_into(&mut out, &bytes);
        }
        Ok(out)
    }

    /// The `Content-Type` that goes with [`ExchangeNotice::to_form`].
    pub fn form_content_type() -> &'static str {
        "application/x-www-form-urlencoded; charset=EUC-KR"
    }
}

// ---------------------------------------------------------------------------
// The answer

/// An answer value breaks the manual's rule: ASCII letters and digits only (and,
/// for the message, spaces), within the element's byte limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// A value holds a character other than those allowed.
    #[error("{element} holds a character other than ASCII letters, digits{} at index {index}", if *.spaces { " and spaces" } else { "" })]
    NotAscii {
        /// The element's name.
        element: &'static str,
        /// Character index of the first bad character.
        index: usize,
        /// Whether spaces are allowed in it.
        spaces: bool,
    },
    /// A value is over the element's byte limit.
    #[error("{element} is {measured} bytes, over the limit of {limit}")]
    TooLong {
        /// The element's name.
        element: &'static str,
        /// The limit.
        limit: usize,
        /// The value's length.
        measured: usize,
    },
    /// The answer is not the expected XML.
    #[error("the answer is not a {root} document: {reason}")]
    Malformed {
        /// The expected root.
        root: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// The merchant's answer to one notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeAnswer {
    code: NoticeAnswerCode,
    message: String,
    exchange_id: Option<String>,
}

fn check_answer_value(
    element: &'static str,
    value: &str,
    limit: usize,
    spaces: bool,
) -> Result<(), AnswerError> {
    if let Some(index) = value
        .chars()
        .position(|c| !(c.is_ascii_alphanumeric() || (spaces && c == ' ')))
    {
        return Err(AnswerError::NotAscii {
            element,
            index,
            spaces,
        });
    }
    if value.len() > limit {
        return Err(AnswerError::TooLong {
            element,
            limit,
            measured: value.len(),
        });
    }
    Ok(())
}

impl NoticeAnswer {
    /// An answer with `code` and the spec's English message for it
    /// (`Error` for a code outside the manual).
    pub fn new(code: NoticeAnswerCode) -> Self {
        let message = code.message_en().unwrap_or("Error").to_owned();
        NoticeAnswer {
            code,
            message,
            exchange_id: None,
        }
    }

    /// With `EXCHANGE_ID` (ASCII letters and digits, at most 50 bytes).
    pub fn with_exchange_id(mut self, id: impl Into<String>) -> Result<Self, AnswerError> {
        let id = id.into();
        check_answer_value(
            answer::exchange_id::NAME,
            &id,
            answer::exchange_id::MAX_BYTES,
            false,
        )?;
        self.exchange_id = Some(id);
        Ok(self)
    }

    /// With `message` as `RESULTMSG` (ASCII letters, digits and spaces, at most 256 bytes).
    pub fn with_message(mut self, message: impl Into<String>) -> Result<Self, AnswerError> {
        let message = message.into();
        check_answer_value(
            answer::result_message::NAME,
            &message,
            answer::result_message::MAX_BYTES,
            true,
        )?;
        self.message = message;
        Ok(self)
    }

    /// The code.
    pub fn code(&self) -> &NoticeAnswerCode {
        &self.code
    }

    /// `RESULTMSG`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `EXCHANGE_ID`, when given.
    pub fn exchange_id(&self) -> Option<&str> {
        self.exchange_id.as_deref()
    }

    /// The answer as XML declared and encoded EUC-KR (every value is ASCII, so
    /// the bytes are the same in EUC-KR and UTF-8).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = String::with_capacity(160);
        out.push_str("<?xml version=\"1.0\" encoding=\"");
        out.push_str(crate::generated::notice::ANSWER_CHARSET);
        out.push_str("\"?>\n<");
        out.push_str(answer::root::NAME);
        out.push('>');
        let mut element = |name: &str, value: &str| {
            out.push('<');
            out.push_str(name);
            out.push('>');
            // Values are checked ASCII letters, digits and spaces: nothing to escape.
            out.push_str(value);
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        };
        element(answer::result_code::NAME, self.code.as_str());
        element(answer::result_message::NAME, &self.message);
        if let Some(id) = &self.exchange_id {
            element(answer::exchange_id::NAME, id);
        }
        out.push_str("</");
        out.push_str(answer::root::NAME);
        out.push_str(">\n");
        let (bytes, _, _) = EUC_KR.encode(&out);
        bytes.into_owned()
    }

    /// Reads an answer (the sender's side). Lenient on values: an unknown code is
    /// kept, and the message and id are read as sent.
    pub fn decode(bytes: &[u8]) -> Result<Self, AnswerError> {
        use quick_xml::events::Event;
        let malformed = |reason: String| AnswerError::Malformed {
            root: answer::root::NAME,
            reason,
        };
        let (text, _, had_errors) = EUC_KR.decode(bytes);
        if had_errors {
            return Err(malformed("not valid EUC-KR".into()));
        }
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut path: Vec<String> = Vec::new();
        let (mut code, mut message, mut id) = (None, None, None);
        let mut saw_root = false;
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    let name = e.name().as_ref().to_owned();
                    if path.is_empty() {
                        if name != answer::root::NAME {
                            return Err(malformed(format!("root element is <{name}>")));
                        }
                        saw_root = true;
                    }
                    path.push(name);
                }
                Ok(Event::End(_)) => {
                    path.pop();
                }
                Ok(Event::Empty(_)) => {}
                Ok(Event::Text(t)) if path.len() == 2 => {
                    let value = t.xml10_content().trim().to_owned();
                    match path.get(1).map(String::as_str) {
                        Some(n) if n == answer::result_code::NAME => code = Some(value),
                        Some(n) if n == answer::result_message::NAME => message = Some(value),
                        Some(n) if n == answer::exchange_id::NAME => id = Some(value),
                        _ => {}
                    }
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(malformed(e.to_string())),
            }
        }
        if !saw_root {
            return Err(malformed("no root element".into()));
        }
        let code = code.ok_or_else(|| malformed(format!("no <{}>", answer::result_code::NAME)))?;
        Ok(NoticeAnswer {
            code: NoticeAnswerCode::from_wire(&code),
            message: message.unwrap_or_default(),
            exchange_id: id.filter(|s| !s.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ExchangeNotice {
        ExchangeNotice {
            coupon_number: CouponNumber::new("900012345678"),
            approval_number: "A0001".into(),
            state: NoticeState::Used,
            time: Timestamp::from_ymd_hms(2024, 3, 1, 12, 30, 0).unwrap(),
            branch_name: Some("강남 1호점".into()),
            branch_code: Some("G01".into()),
            coupon_type: NoticeCouponType::Amount,
            price: 3000,
            balance: 7000,
        }
    }

    #[test]
    fn form_round_trip_in_euc_kr() {
        let form = sample().to_form().unwrap();
        assert!(form.is_ascii());
        // 강 in EUC-KR is B0 AD
        assert!(String::from_utf8_lossy(&form).contains("BRANCH_NAME=%B0%AD"));
        let parsed = NoticeParser::new()
            .parse(&form, Some(ExchangeNotice::form_content_type()))
            .unwrap();
        assert_eq!(parsed, sample());
        // without a declared charset too
        assert_eq!(NoticeParser::new().parse(&form, None).unwrap(), sample());
    }

    #[test]
    fn utf8_is_accepted_unless_turned_off() {
        let body = "BARCODE_NUM=900012345678&EXCHANGE_NUM=A0001&STATUS=001&EXCHANGE_DATE=20240301123000&BRANCH_NAME=강남 1호점&BRANCH_CODE=G01&BARCODE_TYPE=AMOUNT&PRICE=3000&BALANCE=7000";
        assert_eq!(
            NoticeParser::new().parse(body.as_bytes(), None).unwrap(),
            sample()
        );
        assert_eq!(
            NoticeParser::new()
                .accept_utf8(false)
                .parse(body.as_bytes(), None),
            Err(NoticeError::Utf8NotAccepted)
        );
    }

    #[test]
    fn every_rejection_names_the_field_and_hides_the_coupon_number() {
        let form = String::from_utf8(sample().to_form().unwrap()).unwrap();
        let cases: Vec<(String, Option<&str>, NoticeError)> = vec![
            (
                form.replace("STATUS=001", "STATUS=002"),
                None,
                NoticeError::UnknownState {
                    field: "STATUS",
                    value: "002".into(),
                },
            ),
            (
                form.replace("PRICE=3000", "PRICE=-1"),
                None,
                NoticeError::BadAmount {
                    field: "PRICE",
                    value: "-1".into(),
                    max_digits: 10,
                },
            ),
            (
                form.replace("20240301123000", "20240230123000"),
                None,
                NoticeError::BadTime {
                    field: "EXCHANGE_DATE",
                    value: "20240230123000".into(),
                },
            ),
            (
                form.replace("EXCHANGE_NUM=A0001", "EXCHANGE_NUM="),
                None,
                NoticeError::Missing {
                    field: "EXCHANGE_NUM",
                },
            ),
            (
                format!("{form}&STATUS=001"),
                None,
                NoticeError::Repeated {
                    field: "STATUS",
                    count: 2,
                },
            ),
            (
                form.replace("A0001", &"A".repeat(31)),
                None,
                NoticeError::TooLong {
                    field: "EXCHANGE_NUM",
                    limit: 30,
                    measured: 31,
                },
            ),
            (
                form.clone(),
                Some("application/x-www-form-urlencoded; charset=Shift_JIS"),
                NoticeError::UnsupportedCharset {
                    label: "Shift_JIS".into(),
                },
            ),
            (
                form.clone(),
                Some("application/json"),
                NoticeError::NotAForm {
                    content_type: "application/json".into(),
                },
            ),
            (
                form.replace("%B0%AD", "%B0%2"),
                None,
                NoticeError::BadEscape {
                    offset: form.find("%B0%AD").unwrap() + 3,
                },
            ),
            (
                form.replace("%B0%AD", "%FF%FF"),
                Some(ExchangeNotice::form_content_type()),
                NoticeError::Undecodable {
                    field: "BRANCH_NAME".into(),
                    charset: "EUC-KR",
                },
            ),
        ];
        for (body, ct, expected) in cases {
            let err = NoticeParser::new().parse(body.as_bytes(), ct).unwrap_err();
            assert_eq!(err, expected, "{body}");
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("900012345678"), "{shown}");
        }
        let big = vec![b'a'; DEFAULT_MAX_BODY_BYTES + 1];
        assert_eq!(
            NoticeParser::new().parse(&big, None),
            Err(NoticeError::TooLarge {
                limit: DEFAULT_MAX_BODY_BYTES,
                measured: DEFAULT_MAX_BODY_BYTES + 1
            })
        );
    }

    #[test]
    fn an_unknown_state_may_be_kept() {
        let form = String::from_utf8(sample().to_form().unwrap())
            .unwrap()
            .replace("STATUS=001", "STATUS=200");
        let notice = NoticeParser::new()
            .reject_unknown_state(false)
            .parse(form.as_bytes(), None)
            .unwrap();
        assert_eq!(notice.state.as_str(), "200");
        assert!(!notice.state.is_known());
    }

    #[test]
    fn answers_are_ascii_and_round_trip() {
        let a = NoticeAnswer::new(NoticeAnswerCode::Duplicate)
            .with_exchange_id("01HXYZ")
            .unwrap();
        let xml = a.encode();
        assert_eq!(
            String::from_utf8(xml.clone()).unwrap(),
            "<?xml version=\"1.0\" encoding=\"EUC-KR\"?>\n<COUPONEXCHANGE><RESULTCODE>04</RESULTCODE><RESULTMSG>Duplicate</RESULTMSG><EXCHANGE_ID>01HXYZ</EXCHANGE_ID></COUPONEXCHANGE>\n"
        );
        assert_eq!(NoticeAnswer::decode(&xml).unwrap(), a);
        assert_eq!(
            NoticeAnswer::new(NoticeAnswerCode::Done).with_exchange_id("id-1"),
            Err(AnswerError::NotAscii {
                element: "EXCHANGE_ID",
                index: 2,
                spaces: false
            })
        );
        assert_eq!(
            NoticeAnswer::new(NoticeAnswerCode::Done)
                .with_message("처리완료")
                .unwrap_err()
                .to_string(),
            "RESULTMSG holds a character other than ASCII letters, digits and spaces at index 0"
        );
        assert!(matches!(
            NoticeAnswer::decode(
                b"<?xml version=\"1.0\"?><RESULT><RESULTCODE>00</RESULTCODE></RESULT>"
            ),
            Err(AnswerError::Malformed { .. })
        ));
        let unknown =
            NoticeAnswer::decode(b"<COUPONEXCHANGE><RESULTCODE>42</RESULTCODE></COUPONEXCHANGE>")
                .unwrap();
        assert_eq!(unknown.code().as_str(), "42");
        assert!(!unknown.code().stops_retry());
    }

    #[test]
    fn coupon_numbers_are_masked() {
        let n = CouponNumber::new("900012345678");
        assert_eq!(n.masked(), "********5678");
        assert_eq!(format!("{n:?}"), "CouponNumber(********5678)");
        assert_eq!(n.expose(), "900012345678");
    }
}

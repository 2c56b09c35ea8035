//! The runtime below the generated inbound operations: reading a form body
//! (percent-decoding, the charset, repeated and missing fields, each field's
//! byte limit and type), writing one, the typed errors, and the answer's XML.
//! No manual fact lives here: names, limits and tables arrive from the
//! generated code as arguments.

use std::borrow::Cow;
use std::time::Duration;

use encoding_rs::{EUC_KR, UTF_8};

use crate::charset::{Charset, charset_for_label, cp949_len, undeclared_encoding};
use crate::field::FieldKind;
use crate::form::FormPair;
use crate::validation::Violation;
use crate::xml::{CalendarDate, DecodeError, Phone, Reported, Timestamp, XmlCursor};

/// One form field of an inbound operation, as the spec describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InboundField {
    /// Our Rust name for it.
    pub name: &'static str,
    /// The wire name.
    pub wire: &'static str,
    /// Its limit in bytes of the body's charset (counted in EUC-KR).
    pub max_bytes: usize,
    /// Whether it must be present and not empty.
    pub required: bool,
    /// Whether it is a secret (shown masked, never in an error).
    pub secret: bool,
    /// The spec's word for its type: a kind's key or a type (`text`, `amount`, …).
    pub type_name: &'static str,
    /// Where the document defines it.
    pub source: &'static str,
}

/// How COUFUN delivers an inbound operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Delivery {
    /// The HTTP method.
    pub method: &'static str,
    /// The body's media type.
    pub content_type: &'static str,
    /// The charset the body is encoded in.
    pub charset: &'static str,
    /// The `Content-Type` header naming both.
    pub content_type_header: &'static str,
    /// How long COUFUN waits before sending again without a final answer.
    pub retry_interval: Duration,
}

/// A typed inbound request, read from and written to a form (generated per
/// inbound operation).
pub trait Inbound: Sized {
    /// The form fields, in the document's order.
    const FIELDS: &'static [InboundField];

    /// Reads every field from `form`, the first problem an error.
    fn from_form(form: &Form) -> Result<Self, NoticeError>;

    /// Each field's text, in the order of [`Inbound::FIELDS`] (empty when absent).
    fn form_values(&self) -> Vec<Cow<'_, str>>;
}

/// A value outside a document's table, kept as received. Opaque, so that
/// matching on it cannot silently change meaning when a later document defines
/// the value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Keeps `text`.
    pub fn new(text: impl Into<String>) -> Self {
        UnknownValue(text.into())
    }

    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub use crate::privacy::{Masked, mask};

// ---------------------------------------------------------------------------
// Errors

/// Why a notice was refused. No variant carries a secret field's value.
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
        /// The field's wire name.
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
    /// A timestamp field is not a real `YYYYMMDDHH24MISS` (a date field, `YYYYMMDD`).
    #[error("field {field} is {value:?}, not a real date and time written YYYYMMDDHH24MISS")]
    BadTime {
        /// Wire name.
        field: &'static str,
        /// The value as sent.
        value: String,
    },
    /// An amount is not a non-negative integer (an `int` field, not an integer).
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
    /// A value outside its table, and the parser rejects unknown values.
    #[error("field {field} is {value:?}, a value the manual does not define")]
    UnknownValue {
        /// Wire name.
        field: &'static str,
        /// The value as sent.
        value: String,
    },
    /// A field breaks its kind's rule (the value is not shown: it may be a secret).
    #[error("field {field} breaks its rule: {violation}")]
    Invalid {
        /// Wire name.
        field: &'static str,
        /// What is wrong.
        violation: Violation,
    },
}

// ---------------------------------------------------------------------------
// Reading

/// The charset a `Content-Type` value declares, if any (every name of CP949 /
/// EUC-KR reads as [`Charset::Cp949`]); refuses other media types than
/// `form_type`, and charsets other than CP949 and UTF-8.
pub fn declared_charset(
    content_type: &str,
    form_type: &str,
) -> Result<Option<Charset>, NoticeError> {
    if !crate::charset::content_type_media(content_type).eq_ignore_ascii_case(form_type) {
        return Err(NoticeError::NotAForm {
            content_type: content_type.chars().take(100).collect(),
        });
    }
    let Some(label) = crate::charset::content_type_charset(content_type) else {
        return Ok(None);
    };
    match charset_for_label(label) {
        Some(charset) => Ok(Some(charset)),
        None => Err(NoticeError::UnsupportedCharset {
            label: label.chars().take(40).collect(),
        }),
    }
}

/// The charset a body is read in: the declared one, else the rule for a body
/// that declares none ([`undeclared_encoding`]) on every key and value: UTF-8
/// when each is valid UTF-8 (EUC-KR Hangul never is), else CP949.
pub fn body_charset(pairs: &[FormPair], declared: Option<Charset>) -> Charset {
    let utf8 = |bytes: &[u8]| undeclared_encoding(bytes) == UTF_8;
    match declared {
        Some(charset) => charset,
        None if pairs.iter().all(|p| utf8(&p.name) && utf8(&p.value)) => Charset::Utf8,
        None => Charset::Cp949,
    }
}

/// A decoded form: the text of each field of `fields` (fields the spec does
/// not know are skipped: a newer server may add some), each sent at most once.
#[derive(Debug, Clone)]
pub struct Form {
    fields: &'static [InboundField],
    values: Vec<Option<String>>,
    reject_unknown: bool,
}

impl Form {
    /// Decodes `pairs` in `charset` for `fields`; a value outside a table is
    /// refused when `reject_unknown`, kept otherwise.
    pub fn decode(
        fields: &'static [InboundField],
        pairs: &[FormPair],
        charset: Charset,
        reject_unknown: bool,
    ) -> Result<Form, NoticeError> {
        let mut values = vec![None; fields.len()];
        let mut counts = vec![0usize; fields.len()];
        let encoding = charset.encoding();
        for pair in pairs {
            let Some(index) = fields.iter().position(|f| f.wire.as_bytes() == pair.name) else {
                continue;
            };
            counts[index] += 1;
            let text = encoding
                .decode_without_bom_handling_and_without_replacement(&pair.value)
                .ok_or(NoticeError::Undecodable {
                    field: fields[index].wire.to_owned(),
                    charset: encoding.name(),
                })?;
            values[index] = Some(text.into_owned());
        }
        if let Some((i, &count)) = counts.iter().enumerate().find(|(_, c)| **c > 1) {
            return Err(NoticeError::Repeated {
                field: fields[i].wire,
                count,
            });
        }
        Ok(Form {
            fields,
            values,
            reject_unknown,
        })
    }

    /// A form of already decoded values, one per field of `fields` in order
    /// (the sender's side: checks a value before it is sent).
    pub fn from_values(
        fields: &'static [InboundField],
        values: &[Cow<'_, str>],
        reject_unknown: bool,
    ) -> Form {
        Form {
            fields,
            values: values
                .iter()
                .map(|v| Some(v.clone().into_owned()))
                .collect(),
            reject_unknown,
        }
    }

    fn field(&self, index: usize) -> &'static InboundField {
        &self.fields[index]
    }

    /// The field's text, `None` when absent or empty, within its byte limit.
    fn raw(&self, index: usize) -> Result<Option<&str>, NoticeError> {
        let field = self.field(index);
        let Some(value) = self
            .values
            .get(index)
            .and_then(|v| v.as_deref())
            .filter(|v| !v.is_empty())
        else {
            return Ok(None);
        };
        let measured = cp949_len(value).map_err(|e| NoticeError::Unencodable {
            field: field.wire,
            index: e.index,
        })?;
        if measured > field.max_bytes {
            return Err(NoticeError::TooLong {
                field: field.wire,
                limit: field.max_bytes,
                measured,
            });
        }
        Ok(Some(value))
    }

    /// `value`, or [`NoticeError::Missing`] for field `index`.
    pub fn required<T>(&self, index: usize, value: Option<T>) -> Result<T, NoticeError> {
        value.ok_or(NoticeError::Missing {
            field: self.field(index).wire,
        })
    }

    /// A `text` field.
    pub fn text(&self, index: usize) -> Result<Option<String>, NoticeError> {
        Ok(self.raw(index)?.map(str::to_owned))
    }

    /// A `mobile` field (unchecked, shown masked).
    pub fn mobile(&self, index: usize) -> Result<Option<Phone>, NoticeError> {
        Ok(self.raw(index)?.map(Phone::new))
    }

    /// A `timestamp` field: a real `YYYYMMDDHH24MISS`.
    pub fn timestamp(&self, index: usize) -> Result<Option<Timestamp>, NoticeError> {
        self.time(index, Timestamp::parse)
    }

    /// A `date` field: a real `YYYYMMDD`.
    pub fn date(&self, index: usize) -> Result<Option<CalendarDate>, NoticeError> {
        self.time(index, CalendarDate::parse_ymd)
    }

    /// A date or time field read by `parse`, [`NoticeError::BadTime`] when it refuses.
    fn time<T>(
        &self,
        index: usize,
        parse: fn(&str) -> Option<T>,
    ) -> Result<Option<T>, NoticeError> {
        self.raw(index)?
            .map(|text| {
                parse(text).ok_or(NoticeError::BadTime {
                    field: self.field(index).wire,
                    value: text.to_owned(),
                })
            })
            .transpose()
    }

    /// An `amount` field: a non-negative integer within the field's digits.
    pub fn amount(&self, index: usize) -> Result<Option<i64>, NoticeError> {
        self.integer(index, false)
    }

    /// An `int` field: an integer within the field's bytes.
    pub fn int(&self, index: usize) -> Result<Option<i64>, NoticeError> {
        self.integer(index, true)
    }

    fn integer(&self, index: usize, signed: bool) -> Result<Option<i64>, NoticeError> {
        let field = self.field(index);
        let bad = |text: &str| NoticeError::BadAmount {
            field: field.wire,
            value: text.to_owned(),
            max_digits: field.max_bytes,
        };
        let Some(text) = self.raw(index).map_err(|e| match e {
            NoticeError::TooLong { .. } => bad(self.values[index].as_deref().unwrap_or("")),
            other => other,
        })?
        else {
            return Ok(None);
        };
        let digits = if signed {
            text.strip_prefix('-').unwrap_or(text)
        } else {
            text
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(text));
        }
        text.parse::<i64>().map(Some).map_err(|_| bad(text))
    }

    /// A field of a (non-enum) kind, checked by the kind's own rule.
    pub fn kind<T: FieldKind>(&self, index: usize) -> Result<Option<T>, NoticeError> {
        self.raw(index)?
            .map(|text| {
                T::parse(text, Charset::Cp949).map_err(|violation| NoticeError::Invalid {
                    field: self.field(index).wire,
                    violation,
                })
            })
            .transpose()
    }

    /// A field of an enum kind: a value of its table, or (unless unknown values
    /// are refused) the text as sent.
    pub fn reported<T: FieldKind>(&self, index: usize) -> Result<Option<Reported<T>>, NoticeError> {
        self.raw(index)?
            .map(|text| match T::parse(text, Charset::Cp949) {
                Ok(value) => Ok(Reported::Known(value)),
                Err(_) if self.reject_unknown => Err(NoticeError::UnknownValue {
                    field: self.field(index).wire,
                    value: text.to_owned(),
                }),
                Err(_) => Ok(Reported::Unknown(text.to_owned())),
            })
            .transpose()
    }
}

// ---------------------------------------------------------------------------
// Writing

/// The text of a reported value as it goes on the wire: the known value's, or
/// the unknown text as received.
pub fn reported_wire<T: FieldKind>(value: &Reported<T>) -> Cow<'_, str> {
    match value {
        Reported::Known(known) => known.wire_value(),
        Reported::Unknown(text) => Cow::Borrowed(text.as_str()),
    }
}

/// `fields` with `values` as a form body in EUC-KR, percent-encoded.
pub fn encode_form(fields: &[InboundField], values: &[Cow<'_, str>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    for (field, value) in fields.iter().zip(values) {
        let (bytes, _, _) = EUC_KR.encode(value);
        crate::form::append_pair(&mut out, field.wire.as_bytes(), &bytes);
    }
    out
}

// ---------------------------------------------------------------------------
// The answer

/// An answer value breaks the document's rule: ASCII letters and digits only
/// (and, for the message, spaces), within the element's byte limit.
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

/// Checks one answer value: within `limit` bytes and, when `ascii_only`, ASCII
/// letters and digits (and spaces, when `spaces`).
pub fn check_answer_value(
    element: &'static str,
    value: &str,
    limit: usize,
    ascii_only: bool,
    spaces: bool,
) -> Result<(), AnswerError> {
    if ascii_only
        && let Some(index) = value
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

/// `<root>` holding `elements`, declared and encoded in `charset` (CP949
/// unless it names UTF-8). Values are escaped.
pub fn encode_answer(charset: &str, root: &str, elements: &[(&str, &str)]) -> Vec<u8> {
    let mut w = crate::xml::XmlWriter::with_declaration(charset);
    w.open(root);
    for (name, value) in elements {
        w.text_element(name, value);
    }
    w.close(root);
    let mut out = w.finish();
    out.push('\n');
    let encoding = charset_for_label(charset).unwrap_or_default().encoding();
    encoding.encode(&out).0.into_owned()
}

/// The text of each element of `names` directly under `<root>`, trimmed;
/// `None` for one that is absent or holds nothing. Read as every answer is:
/// in the charset its byte-order mark or declaration names (else UTF-8 when
/// valid, else CP949), by [`XmlCursor`], which refuses a `<!DOCTYPE>`, an
/// entity other than XML's own and a document cut short.
pub fn decode_answer<const N: usize>(
    bytes: &[u8],
    root: &'static str,
    names: [&str; N],
) -> Result<[Option<String>; N], AnswerError> {
    let malformed = |reason: String| AnswerError::Malformed { root, reason };
    let text = crate::xml::body_text(bytes, None).map_err(|e| malformed(e.to_string()))?;
    let mut cursor = XmlCursor::new(&text);
    let found = cursor.open_root().map_err(|e| malformed(e.to_string()))?;
    if found != root.as_bytes() {
        let found = String::from_utf8_lossy(found);
        return Err(malformed(format!("root element is <{found}>")));
    }
    let mut values: [Option<String>; N] = std::array::from_fn(|_| None);
    let mut read = || -> Result<(), DecodeError> {
        while let Some(name) = cursor.next_child()? {
            let Some(i) = names.iter().position(|n| n.as_bytes() == name) else {
                cursor.skip()?;
                continue;
            };
            // An element with no text leaves the value as it was; white space is empty text.
            let text = cursor.text()?;
            if !text.is_empty() {
                values[i] = Some(text.trim().to_owned());
            }
        }
        cursor.finish()
    };
    read().map_err(|e| malformed(e.to_string()))?;
    Ok(values)
}

//! What request builders accept for a field: a value already checked (by a
//! literal macro such as `subject!` or a kind's constructor) or raw input that the
//! builder checks when it builds, so that every violation is reported at once.

use std::borrow::Cow;

use crate::ResultCode;
use crate::charset::Charset;
use coufun_rules::Violation;

/// A field kind of the spec: one validated type per `[kinds.*]` (generated).
pub trait FieldKind: Sized + Clone {
    /// The result code the server answers when the kind's rule is broken.
    const CODE: ResultCode;

    /// Checks wire text against the kind's rule, measuring text in `charset`.
    fn parse(text: &str, charset: Charset) -> Result<Self, Violation>;

    /// Whether the value is known to be valid in `charset` without a new check
    /// (text checked in another charset must be measured again).
    fn is_checked_in(&self, charset: Charset) -> bool;

    /// The value as it goes on the wire (before charset encoding).
    fn wire_value(&self) -> Cow<'_, str>;
}

/// Input for one field of a request builder. Made with `From`/`Into`: from the
/// kind's checked type, or from text (and, for counts, a number) that is checked
/// when the request is built.
#[derive(Clone, PartialEq, Eq)]
pub struct FieldInput<T>(Input<T>);

#[derive(Clone, PartialEq, Eq)]
enum Input<T> {
    Checked(T),
    Raw(String),
    Rejected(Violation),
}

impl<T: FieldKind> FieldInput<T> {
    /// A value already checked.
    pub fn checked(value: T) -> Self {
        FieldInput(Input::Checked(value))
    }

    /// Raw text, checked when the request is built.
    pub fn raw(text: impl Into<String>) -> Self {
        FieldInput(Input::Raw(text.into()))
    }

    /// The outcome of a check made already.
    pub fn from_result(result: Result<T, Violation>) -> Self {
        FieldInput(match result {
            Ok(value) => Input::Checked(value),
            Err(violation) => Input::Rejected(violation),
        })
    }

    /// The checked value in `charset`, checking raw input (and text checked in
    /// another charset) now.
    pub fn resolve(self, charset: Charset) -> Result<T, Violation> {
        match self.0 {
            Input::Checked(value) if value.is_checked_in(charset) => Ok(value),
            Input::Checked(value) => T::parse(&value.wire_value(), charset),
            Input::Raw(text) => T::parse(&text, charset),
            Input::Rejected(violation) => Err(violation),
        }
    }
}

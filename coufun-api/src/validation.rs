//! What a failed check reports: [`ValidationError`] (one broken rule of one field,
//! with the code the server would have answered) and [`ValidationErrors`] (every
//! violation of a request at once). Also the collector the generated builders and
//! wire parsers use to gather them.

use std::fmt;

use crate::charset::Charset;
use crate::field::{FieldInput, FieldKind};
use crate::{Lang, ResultCode};
pub use coufun_rules::Violation;

/// One request field as the spec describes it (generated constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Rust name, e.g. `subject`.
    pub name: &'static str,
    /// Parameter name on the wire, e.g. `SEND_TITLE`.
    pub wire: &'static str,
    /// Code the server answers when the field's rule is broken.
    pub code: ResultCode,
}

/// A field holding several values: the most allowed and the code for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSpec {
    /// Most values allowed.
    pub max: u32,
    /// Code the server answers for more.
    pub code: ResultCode,
    /// How the values are joined on the wire.
    pub separator: &'static str,
}

/// One broken rule of one request field.
///
/// `Display` gives the Korean and the English text; [`ValidationError::message`]
/// one of them. Neither ever holds a phone number or the field's value: only the
/// field, the rule, the limit and the measured size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    field: &'static str,
    wire: &'static str,
    index: Option<usize>,
    violation: Violation,
    code: ResultCode,
    charset: Charset,
}

impl ValidationError {
    /// An error for `field`.
    pub fn new(field: &FieldSpec, violation: Violation, charset: Charset) -> Self {
        ValidationError {
            field: field.name,
            wire: field.wire,
            index: None,
            violation,
            code: field.code,
            charset,
        }
    }

    /// The same error about the value at `index` of a list field.
    pub fn at_index(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }

    /// The same error answering `code` instead of the field's.
    pub fn with_code(mut self, code: ResultCode) -> Self {
        self.code = code;
        self
    }

    /// The field's Rust name, e.g. `subject` (for a rule across fields, the
    /// names joined by `, `).
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// The field's parameter name on the wire, e.g. `SEND_TITLE`.
    pub fn wire_name(&self) -> &'static str {
        self.wire
    }

    /// For a list field, the index of the bad value.
    pub fn index(&self) -> Option<usize> {
        self.index
    }

    /// The rule broken, with its limit and what was measured.
    pub fn violation(&self) -> &Violation {
        &self.violation
    }

    /// The spec's name of the rule broken, e.g. `max_bytes`.
    pub fn rule(&self) -> &'static str {
        self.violation.rule()
    }

    /// The limit broken, when the rule has a number.
    pub fn limit(&self) -> Option<u64> {
        self.violation.limit()
    }

    /// What was measured (bytes in [`ValidationError::charset`] for text).
    pub fn measured(&self) -> Option<u64> {
        self.violation.measured()
    }

    /// The result code the server would have answered.
    pub fn code(&self) -> ResultCode {
        self.code
    }

    /// The charset text was measured in.
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// The error in one language.
    pub fn message(&self, lang: Lang) -> String {
        let index = match (self.index, lang) {
            (Some(i), Lang::Ko) => format!(" {}번째 값", i + 1),
            (Some(i), _) => format!(" value {}", i + 1),
            (None, _) => String::new(),
        };
        let what = match lang {
            Lang::Ko => self.violation.korean().to_string(),
            _ => self.violation.english().to_string(),
        };
        format!(
            "{} ({}){index}: {what} [{} {}]",
            self.wire,
            self.field,
            self.code.as_str(),
            self.code.message(lang)
        )
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.message(Lang::Ko), self.message(Lang::En))
    }
}

impl std::error::Error for ValidationError {}

/// Every violation of a request (never empty), in wire order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    first: ValidationError,
    rest: Vec<ValidationError>,
}

impl ValidationErrors {
    /// The first violation (in wire order): the code the server would answer.
    pub fn first(&self) -> &ValidationError {
        &self.first
    }

    /// The result code of the first violation.
    pub fn code(&self) -> ResultCode {
        self.first.code
    }

    /// How many violations.
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// Always `false`: there is at least one violation.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every violation, in wire order.
    pub fn iter(&self) -> impl Iterator<Item = &ValidationError> {
        std::iter::once(&self.first).chain(&self.rest)
    }

    /// The violation of the field named `field` (Rust name), if any.
    pub fn for_field(&self, field: &str) -> Option<&ValidationError> {
        self.iter().find(|e| e.field == field)
    }
}

impl From<ValidationError> for ValidationErrors {
    fn from(first: ValidationError) -> Self {
        ValidationErrors {
            first,
            rest: Vec::new(),
        }
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter =
        std::iter::Chain<std::iter::Once<ValidationError>, std::vec::IntoIter<ValidationError>>;
    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(self.first).chain(self.rest)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.len();
        write!(f, "{count} invalid field(s) / 잘못된 항목 {count}개")?;
        for e in self.iter() {
            write!(f, "\n- {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Gathers the violations of one request as its fields are checked (used by the
/// generated builders and wire parsers).
#[doc(hidden)]
#[derive(Debug)]
pub struct Collector {
    charset: Charset,
    errors: Vec<ValidationError>,
}

impl Collector {
    /// Checks in `charset`.
    pub fn new(charset: Charset) -> Self {
        Collector {
            charset,
            errors: Vec::new(),
        }
    }

    /// The charset fields are checked in.
    pub fn charset(&self) -> Charset {
        self.charset
    }

    fn push(&mut self, field: &FieldSpec, violation: Violation) {
        self.errors
            .push(ValidationError::new(field, violation, self.charset));
    }

    /// A required field: `None` (absent) is [`Violation::Missing`].
    pub fn required<T: FieldKind>(
        &mut self,
        field: &FieldSpec,
        input: Option<FieldInput<T>>,
    ) -> Option<T> {
        match input {
            Some(input) => self.optional(field, Some(input)).flatten(),
            None => {
                self.push(field, Violation::Missing);
                None
            }
        }
    }

    /// An optional field: `Some(None)` when absent, `None` when invalid.
    pub fn optional<T: FieldKind>(
        &mut self,
        field: &FieldSpec,
        input: Option<FieldInput<T>>,
    ) -> Option<Option<T>> {
        match input.map(|i| i.resolve(self.charset)) {
            None => Some(None),
            Some(Ok(value)) => Some(Some(value)),
            Some(Err(violation)) => {
                self.push(field, violation);
                None
            }
        }
    }

    /// A list field: more than `list.max` values answers the list's code, each bad
    /// value the field's; a required list that is absent or empty is missing.
    pub fn list<T: FieldKind>(
        &mut self,
        field: &FieldSpec,
        list: &ListSpec,
        required: bool,
        input: Option<Vec<FieldInput<T>>>,
    ) -> Option<Vec<T>> {
        let input = input.unwrap_or_default();
        if input.is_empty() && required {
            self.push(field, Violation::Missing);
            return None;
        }
        let mut ok = true;
        if let Err(violation) = coufun_rules::check_list_len(input.len(), list.max) {
            self.errors
                .push(ValidationError::new(field, violation, self.charset).with_code(list.code));
            ok = false;
        }
        let mut values = Vec::with_capacity(input.len());
        for (index, item) in input.into_iter().enumerate() {
            match item.resolve(self.charset) {
                Ok(value) => values.push(value),
                Err(violation) => {
                    self.errors
                        .push(ValidationError::new(field, violation, self.charset).at_index(index));
                    ok = false;
                }
            }
        }
        ok.then_some(values)
    }

    /// A rule across fields broken: `names` and `wires` joined by `, `.
    pub fn across(
        &mut self,
        names: &'static str,
        wires: &'static str,
        code: ResultCode,
        violation: Violation,
    ) {
        let field = FieldSpec {
            name: names,
            wire: wires,
            code,
        };
        self.push(&field, violation);
    }

    /// Whether nothing was broken.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The request when nothing was broken, else every violation. `value` is
    /// `None` only after a field failed; should it be `None` with nothing
    /// gathered (a generator bug), `fallback` is reported missing rather than
    /// panicking.
    pub fn finish<R>(self, value: Option<R>, fallback: &FieldSpec) -> Result<R, ValidationErrors> {
        let mut errors = self.errors.into_iter();
        match (errors.next(), value) {
            (None, Some(value)) => Ok(value),
            (Some(first), _) => Err(ValidationErrors {
                first,
                rest: errors.collect(),
            }),
            (None, None) => Err(ValidationErrors::from(ValidationError::new(
                fallback,
                Violation::Missing,
                self.charset,
            ))),
        }
    }
}

/// The value of the wire parameter `name` in `params` (the first one given);
/// an empty value counts as absent.
#[doc(hidden)]
pub fn wire_value<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

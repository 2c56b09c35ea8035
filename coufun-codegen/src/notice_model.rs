//! The data model of `spec/notifications.toml` (exchange notifications, COUFUN →
//! merchant), as serde types; values that validation points at are `Spanned`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::SpecErrors;
use crate::load::SpecSource;

/// `spec/notifications.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticesFile {
    /// The interface manual the file transcribes.
    pub document: NoticeDocument,
    /// How COUFUN delivers a notice.
    pub delivery: Delivery,
    /// The form fields of a notice, in the manual's order.
    pub fields: Vec<NoticeField>,
    /// Value tables, by key (`state`, `coupon_type`).
    pub tables: BTreeMap<String, ValueTable>,
    /// The merchant's answer.
    pub answer: Answer,
}

/// The exchange manual's metadata.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeDocument {
    /// The id sources name (`exchange`).
    pub id: Spanned<String>,
    /// Title as the manual writes it.
    pub title: Spanned<String>,
    /// Document version, e.g. `1.6`.
    pub version: Spanned<String>,
    /// Date of the last revision, `YYYY-MM-DD`.
    pub revised: Spanned<String>,
    /// The transcription's file name.
    pub file: String,
}

/// Where in a document a fact comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The document's id (must be `document.id`).
    pub document: Spanned<String>,
    /// Section number in the manual.
    pub section: Spanned<String>,
    /// Row of the section's table, 1-based, when the fact is one row.
    #[serde(default)]
    pub row: Option<u32>,
}

impl Source {
    /// `exchange §4 row 1`.
    pub fn cite(&self) -> String {
        match self.row {
            Some(row) => format!(
                "{} §{} row {row}",
                self.document.get_ref(),
                self.section.get_ref()
            ),
            None => format!("{} §{}", self.document.get_ref(), self.section.get_ref()),
        }
    }
}

/// How COUFUN delivers a notice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// HTTP method (`POST`).
    pub method: Spanned<String>,
    /// The body's media type.
    pub content_type: String,
    /// The body's charset label (`EUC-KR`).
    pub charset: Spanned<String>,
    /// COUFUN's retry interval without a `00`, in seconds.
    pub retry_interval_seconds: Spanned<u64>,
    /// Where the manual says so.
    pub source: Source,
}

/// How a field's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeFormat {
    /// Free text.
    Text,
    /// `YYYYMMDDHH24MISS`.
    Datetime,
    /// A non-negative integer.
    Amount,
    /// One value of a table.
    Enum,
}

/// One form field of a notice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeField {
    /// Wire name (upper case).
    pub name: Spanned<String>,
    /// Rust field name (ours, snake_case).
    pub rust: Spanned<String>,
    /// Maximum length in EUC-KR bytes.
    pub max_bytes: Spanned<u32>,
    /// How the text is read.
    pub format: NoticeFormat,
    /// The value table, for `format = "enum"`.
    #[serde(default)]
    pub table: Option<Spanned<String>>,
    /// Whether the field may be absent or empty.
    #[serde(default)]
    pub optional: bool,
    /// One-line documentation (ours).
    pub doc: Spanned<String>,
    /// Where the manual defines it.
    pub source: Source,
}

/// A table of the values a field may hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueTable {
    /// Rust type name (ours).
    #[serde(rename = "type")]
    pub type_name: Spanned<String>,
    /// Documentation (ours).
    pub doc: String,
    /// The values, in the manual's order.
    pub values: Vec<TableValue>,
}

/// One value of a table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableValue {
    /// The value on the wire.
    pub value: Spanned<String>,
    /// Rust variant name (ours).
    pub variant: Spanned<String>,
    /// Meaning as the manual writes it.
    pub meaning_ko: Spanned<String>,
    /// Meaning in English (ours).
    pub meaning_en: Spanned<String>,
    /// Where the manual lists it.
    pub source: Source,
}

/// The merchant's XML answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Charset label of the answer (`EUC-KR`).
    pub charset: Spanned<String>,
    /// Whether values must be ASCII letters and digits only.
    pub ascii_only: bool,
    /// The root element.
    pub root: AnswerElement,
    /// The result-code element.
    pub result_code: AnswerElement,
    /// The result-message element.
    pub result_message: AnswerElement,
    /// The merchant's processing-id element.
    pub exchange_id: AnswerElement,
    /// The answer codes, in the manual's order.
    pub codes: Vec<AnswerCode>,
}

/// One element of the answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerElement {
    /// Element name.
    pub name: Spanned<String>,
    /// Maximum length in bytes (absent for the root).
    #[serde(default)]
    pub max_bytes: Option<Spanned<u32>>,
    /// Where the manual defines it.
    pub source: Source,
}

/// One answer code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerCode {
    /// Two ASCII digits.
    pub code: Spanned<String>,
    /// Rust variant name (ours).
    pub variant: Spanned<String>,
    /// Message as the manual writes it.
    pub message_ko: Spanned<String>,
    /// Description as the manual writes it.
    pub description_ko: Spanned<String>,
    /// English message (ours): what the answer's `RESULTMSG` carries.
    pub message_en: Spanned<String>,
    /// English description (ours).
    pub description_en: Spanned<String>,
    /// Whether COUFUN stops re-sending the notice on this answer.
    pub stops_retry: bool,
    /// Where the manual lists it.
    pub source: Source,
}

/// The loaded and validated notification spec with its source text.
#[derive(Debug, Clone)]
pub struct NoticeSpec {
    /// `spec/notifications.toml`.
    pub file: NoticesFile,
    /// Its source, for locating problems.
    pub source: SpecSource,
}

impl NoticeSpec {
    /// Parses and validates `source`; every problem is returned, none panics.
    pub fn parse(source: SpecSource) -> Result<NoticeSpec, SpecErrors> {
        let file = crate::load::parse_notices_toml(&source)
            .map_err(|e| SpecErrors(crate::validate::with_marks(&source, vec![e])))?;
        let problems =
            crate::validate::with_marks(&source, crate::validate::notices(&file, &source));
        if problems.is_empty() {
            Ok(NoticeSpec { file, source })
        } else {
            Err(SpecErrors(problems))
        }
    }

    /// The field with wire name `name`.
    pub fn field(&self, name: &str) -> Option<&NoticeField> {
        self.file.fields.iter().find(|f| f.name.get_ref() == name)
    }
}

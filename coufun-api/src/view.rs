//! Field-by-field views of typed answers, for front ends that show or forward
//! any answer without naming its fields: each generated answer and record type
//! lists its fields as [`FieldView`]s (Rust name, wire name, secret mark and a
//! typed [`ViewValue`] that keeps an absent element apart from an empty one),
//! in spec order. The generated code fills them; this module only shapes them.

use std::fmt;

use crate::operation::{AnswerFieldSpec, AnswerType};
use crate::xml::{CalendarDate, Phone, Timestamp};

/// Which elements of one decoded answer (or record) the server left out, one
/// bit per field in spec order. A field that reads `None` and is not marked
/// here came as an empty element — which is also how the generated encoder
/// writes a `None` (as the manuals' samples do), so an answer built by hand
/// and sent has no absent elements unless it marks them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AbsentElements(u64);

impl AbsentElements {
    /// No element absent.
    pub const NONE: AbsentElements = AbsentElements(0);

    /// The first `count` fields absent (where decoding starts: every element
    /// absent until it is read). `count` is at most 64 (the spec validator's
    /// limit).
    pub const fn first(count: u32) -> Self {
        if count >= 64 {
            AbsentElements(u64::MAX)
        } else {
            AbsentElements((1u64 << count) - 1)
        }
    }

    /// Whether the field at `index` (spec order) was left out.
    pub const fn contains(self, index: u32) -> bool {
        index < 64 && self.0 & (1u64 << index) != 0
    }

    /// Marks the field at `index` left out.
    pub fn insert(&mut self, index: u32) {
        if index < 64 {
            self.0 |= 1u64 << index;
        }
    }

    /// Marks the field at `index` read (present, perhaps empty).
    pub fn remove(&mut self, index: u32) {
        if index < 64 {
            self.0 &= !(1u64 << index);
        }
    }

    /// Whether no element is marked absent.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Debug for AbsentElements {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let indexes: Vec<u32> = (0..64).filter(|i| self.contains(*i)).collect();
        f.debug_tuple("AbsentElements").field(&indexes).finish()
    }
}

/// The value of one answer field, by its spec type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViewValue<'a> {
    /// The element was not in the answer.
    Absent,
    /// The element was there with no text (or only white space).
    Empty,
    /// Free text, as sent.
    Text(&'a str),
    /// An integer (a count, a size).
    Int(i64),
    /// An amount of money in KRW.
    Amount(i64),
    /// A calendar date.
    Date(CalendarDate),
    /// A date and time (Korean time).
    Timestamp(Timestamp),
    /// A phone number: its `Display` masks it.
    Phone(&'a Phone),
    /// An identifier of a token kind (goods, order, category, coupon number),
    /// as sent.
    Id {
        /// The text. A secret field's text is in clear here: mask it with
        /// [`crate::privacy::mask_secret`] before showing it.
        text: &'a str,
        /// It breaks the kind's rule (too long, a character a token cannot
        /// hold); it is kept as the server sent it.
        breaks_rule: bool,
    },
    /// A value of an enum kind.
    Enum {
        /// The wire text.
        wire: &'a str,
        /// What it means, as the spec documents it; `None` for a value the
        /// spec does not list (a newer server's).
        doc: Option<&'static str>,
    },
}

impl ViewValue<'_> {
    /// `Absent` when `absent`, else `Empty`: the value of a field that reads
    /// `None`.
    pub const fn missing(absent: bool) -> Self {
        if absent {
            ViewValue::Absent
        } else {
            ViewValue::Empty
        }
    }

    /// Whether the element was in the answer (perhaps empty).
    pub const fn is_present(&self) -> bool {
        !matches!(self, ViewValue::Absent)
    }

    /// The value as it reads on the wire (`YYYYMMDD` dates, digits for
    /// numbers, an enum's wire text), phone numbers masked; `None` when absent,
    /// `Some("")` when empty. A secret [`ViewValue::Id`] is in clear: see
    /// [`FieldView::shown`] for the masked form.
    pub fn wire_text(&self) -> Option<String> {
        Some(match self {
            ViewValue::Absent => return None,
            ViewValue::Empty => String::new(),
            ViewValue::Text(t) => (*t).to_owned(),
            ViewValue::Int(n) | ViewValue::Amount(n) => n.to_string(),
            ViewValue::Date(d) => d.to_string(),
            ViewValue::Timestamp(t) => t.to_string(),
            ViewValue::Phone(p) => phone_text(p),
            ViewValue::Id { text, .. } => (*text).to_owned(),
            ViewValue::Enum { wire, .. } => (*wire).to_owned(),
        })
    }
}

/// A phone number never in clear: one the server already masked (it holds a
/// `*`) as sent, any other masked by [`crate::privacy::mask_phone`].
pub fn phone_text(phone: &Phone) -> String {
    if phone.expose().contains('*') {
        phone.expose().to_owned()
    } else {
        phone.to_string()
    }
}

/// One field of an answer or record: what the spec says of it and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldView<'a> {
    /// The spec's entry of the field (type, doc).
    pub spec: &'static AnswerFieldSpec,
    /// Rust name, e.g. `remaining_amount`.
    pub name: &'static str,
    /// Element name on the wire, e.g. `REMAIN_AMOUNT`.
    pub wire: &'static str,
    /// A secret or personal data (the spec's mark, on the field or its kind):
    /// never show it in clear to people or logs.
    pub secret: bool,
    /// The value.
    pub value: ViewValue<'a>,
}

impl<'a> FieldView<'a> {
    /// The view of the field `spec` holding `value`.
    pub const fn new(spec: &'static AnswerFieldSpec, value: ViewValue<'a>) -> Self {
        FieldView {
            spec,
            name: spec.name,
            wire: spec.wire,
            secret: spec.secret,
            value,
        }
    }

    /// The spec type of the field.
    pub const fn ty(&self) -> AnswerType {
        self.spec.ty
    }

    /// [`ViewValue::wire_text`], masked when the field is secret (phones by
    /// [`crate::privacy::mask_phone`], anything else by
    /// [`crate::privacy::mask_secret`]); an empty value stays empty.
    pub fn shown(&self) -> Option<String> {
        let text = self.value.wire_text()?;
        Some(match self.value {
            _ if !self.secret || text.trim().is_empty() => text,
            ViewValue::Phone(_) => text,
            _ => crate::privacy::mask_secret(&text),
        })
    }
}

/// One record of an answer (an element repeated under the root).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordView<'a> {
    /// The record's element, e.g. `ORDER_INFO`.
    pub element: &'static str,
    /// Its fields, in spec order.
    pub fields: Vec<FieldView<'a>>,
}

impl<'a> RecordView<'a> {
    /// A record standing in `element` with `fields`.
    pub fn new(element: &'static str, fields: Vec<FieldView<'a>>) -> Self {
        RecordView { element, fields }
    }
}

/// A typed answer seen field by field (implemented by every generated answer
/// type and by [`crate::AnyResponse`]).
pub trait AnswerView {
    /// The scalar fields under the root, in spec order, every one of them
    /// (absent ones as [`ViewValue::Absent`]).
    fn fields(&self) -> Vec<FieldView<'_>>;

    /// The records, in document order.
    fn records(&self) -> Vec<RecordView<'_>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_marks_are_bits_by_index() {
        let mut marks = AbsentElements::first(3);
        assert!(marks.contains(0) && marks.contains(2) && !marks.contains(3));
        marks.remove(1);
        assert!(!marks.contains(1));
        marks.insert(63);
        assert!(marks.contains(63) && !marks.contains(64));
        assert_eq!(AbsentElements::first(64), AbsentElements(u64::MAX));
        assert!(AbsentElements::NONE.is_empty());
        assert_eq!(format!("{marks:?}"), "AbsentElements([0, 2, 63])");
    }

    #[test]
    fn absent_and_empty_read_apart() {
        assert_eq!(ViewValue::missing(true).wire_text(), None);
        assert_eq!(ViewValue::missing(false).wire_text().as_deref(), Some(""));
        assert!(!ViewValue::Absent.is_present() && ViewValue::Empty.is_present());
        let phone = Phone::new("01012345678");
        assert_eq!(
            ViewValue::Phone(&phone).wire_text().as_deref(),
            Some("010-****-5678")
        );
        assert_eq!(ViewValue::Amount(-5).wire_text().as_deref(), Some("-5"));
        let masked = Phone::new("010-****-5678");
        assert_eq!(phone_text(&masked), "010-****-5678");
        assert!(!phone_text(&Phone::new("0101234567")).contains("1234567"));
    }
}

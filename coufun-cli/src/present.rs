//! How answers read for people, driven by the SDK's generated operation table:
//! each answer element is looked up by its wire name among the operation's
//! answer and record fields and formatted by its spec type (dates and times
//! spelled out, amounts grouped in KRW, enum values with the spec's meaning,
//! phones masked, empty elements as `-`) and labelled by its Rust name. The goods
//! list reads as a summary table whose columns are chosen by Rust name. JSON
//! output keeps the wire texts; only the tables for people go through here.

use coufun_api::privacy::mask_phone;
use coufun_api::{AnswerFieldSpec, AnswerType, ValidityType};

use crate::sdk::OpMeta;

/// The field an element among an answer's scalars stands for: a scalar of the
/// answer or, for an answer whose one record may stand flat under the root, a
/// record child.
pub fn scalar_field(op: &OpMeta, wire: &str) -> Option<&'static AnswerFieldSpec> {
    op.answer_field(wire).or_else(|| op.record_field(wire))
}

/// The field an element of an answer record stands for.
pub fn record_field(op: &OpMeta, wire: &str) -> Option<&'static AnswerFieldSpec> {
    op.record_field(wire).or_else(|| op.answer_field(wire))
}

/// A field's name for people: its Rust name in words (`remaining amount`); an
/// element the spec does not list keeps its wire name.
pub fn label(field: Option<&AnswerFieldSpec>, wire: &str) -> String {
    field.map_or_else(|| wire.to_owned(), |f| f.name.replace('_', " "))
}

/// An element's text as people read it, by the type the spec gives `field`;
/// an element the spec does not list stays as sent.
pub fn value(field: Option<&AnswerFieldSpec>, raw: &str) -> String {
    match field {
        Some(f) => typed(f.ty, raw),
        None if raw.trim().is_empty() => "-".to_owned(),
        None => raw.trim().to_owned(),
    }
}

/// `raw` formatted as a value of type `ty`; empty as `-`.
pub fn typed(ty: AnswerType, raw: &str) -> String {
    let raw = raw.trim();
    if raw.is_empty() {
        return "-".to_owned();
    }
    match ty {
        AnswerType::Amount => won(raw),
        AnswerType::Date => date(raw),
        AnswerType::Timestamp => timestamp(raw),
        AnswerType::Mobile => mobile(raw),
        AnswerType::Enum(kind) => named(raw, kind.doc_of(raw)),
        _ => raw.to_owned(),
    }
}

/// `100 Cancelled`; a value the spec does not list stays as sent, marked.
fn named(raw: &str, meaning: Option<&str>) -> String {
    match meaning {
        Some(m) => format!("{raw} {}", m.trim_end_matches('.')),
        None => format!("{raw} (not in the manual)"),
    }
}

/// A phone number never in clear: an already masked one (the SDK's masking of
/// the answer) stays, anything else is masked here.
fn mobile(raw: &str) -> String {
    if raw.contains('*') {
        raw.to_owned()
    } else {
        mask_phone(raw)
    }
}

/// `20261129` → `2026-11-29`; anything else as it is.
fn date(raw: &str) -> String {
    if raw.len() == 8 && raw.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &raw[..4], &raw[4..6], &raw[6..])
    } else {
        raw.to_owned()
    }
}

/// `20261129043456` → `2026-11-29 04:34:56`; anything else as it is.
fn timestamp(raw: &str) -> String {
    if raw.len() == 14 && raw.bytes().all(|b| b.is_ascii_digit()) {
        format!(
            "{} {}:{}:{}",
            date(&raw[..8]),
            &raw[8..10],
            &raw[10..12],
            &raw[12..]
        )
    } else {
        raw.to_owned()
    }
}

/// `4500` → `4,500 KRW`; anything else as it is.
fn won(raw: &str) -> String {
    let (sign, digits) = raw.strip_prefix('-').map_or(("", raw), |d| ("-", d));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return raw.to_owned();
    }
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped} KRW")
}

/// Rust name of the goods record field saying how the validity is given.
const VALIDITY_TYPE: &str = "validity_type";
/// Rust name of the goods record field holding the validity (days or a date).
const VALIDITY: &str = "validity";

/// The goods validity in words: `93 days from sending`, `until 2027-03-01`.
fn validity(kind: &str, value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        return "-".to_owned();
    }
    match ValidityType::from_wire(kind.trim()) {
        Ok(ValidityType::DaysFromSending) => format!("{value} days from sending"),
        Ok(ValidityType::FixedDate) => format!("until {}", date(value)),
        _ => format!("{value} ({})", kind.trim()),
    }
}

/// Summary columns of the goods list for people, by Rust name of the goods
/// record's fields (every field is in `--json` and in `coufun goods-info`).
/// `validity` stands for the validity read together with its type.
const GOODS_COLUMNS: [&str; 8] = [
    "goods_id",
    "goods_name",
    "category_id",
    "list_price",
    "supply_price",
    VALIDITY,
    "send_type",
    "exchange_place",
];

/// The text of the record field named `name` (Rust name) in `record`.
fn get<'r>(op: &OpMeta, record: &'r [(String, String)], name: &str) -> &'r str {
    op.record_fields
        .iter()
        .find(|f| f.name == name)
        .and_then(|f| record.iter().find(|(k, _)| k == f.wire))
        .map_or("", |(_, v)| v.as_str())
}

/// The goods list as a summary table: headers and one row per goods record
/// (`(wire element, text)` pairs). Columns the operation's records lack are
/// left out.
pub fn goods_summary(
    op: &OpMeta,
    records: &[Vec<(String, String)>],
) -> (Vec<String>, Vec<Vec<String>>) {
    let columns: Vec<&AnswerFieldSpec> = GOODS_COLUMNS
        .iter()
        .filter_map(|name| op.record_fields.iter().find(|f| f.name == *name))
        .collect();
    let headers = columns.iter().map(|f| label(Some(f), f.wire)).collect();
    let rows = records
        .iter()
        .map(|record| {
            columns
                .iter()
                .map(|f| {
                    if f.name == VALIDITY {
                        validity(get(op, record, VALIDITY_TYPE), get(op, record, VALIDITY))
                    } else {
                        value(Some(f), get(op, record, f.name))
                    }
                })
                .collect()
        })
        .collect();
    (headers, rows)
}

/// One goods record in full for people: a row `label, element, text` per
/// record field of the table, in spec order (absent ones as `-`).
pub fn goods_table(op: &OpMeta, record: &[(String, String)]) -> Vec<Vec<String>> {
    op.record_fields
        .iter()
        .map(|f| {
            let raw = get(op, record, f.name);
            let shown = if f.name == VALIDITY {
                validity(get(op, record, VALIDITY_TYPE), raw)
            } else {
                value(Some(f), raw)
            };
            vec![label(Some(f), f.wire), f.wire.to_owned(), shown]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use coufun_api::{CouponStatus, OPERATIONS, OperationId};

    fn status_field(name: &str) -> &'static AnswerFieldSpec {
        let op = OperationId::CouponStatus.spec();
        op.record_fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("coupon_status has no field {name}"))
    }

    #[test]
    fn a_status_answer_reads_by_type() {
        let op = OperationId::CouponStatus.spec();
        let status = status_field("status");
        let by_wire = scalar_field(op, status.wire).map(|f| f.name);
        assert_eq!(by_wire, Some("status"), "flat record fields are found");
        let cancelled = CouponStatus::Cancelled;
        assert_eq!(
            value(Some(status), cancelled.as_wire()),
            format!("{} {}", cancelled.as_wire(), "Cancelled")
        );
        assert_eq!(value(Some(status), "777"), "777 (not in the manual)");
        assert_eq!(
            value(Some(status_field("cancelled_at")), "20261129043456"),
            "2026-11-29 04:34:56"
        );
        assert_eq!(
            value(Some(status_field("valid_until")), "20270301"),
            "2027-03-01"
        );
        let remaining = status_field("remaining_amount");
        assert_eq!(value(Some(remaining), "1234567"), "1,234,567 KRW");
        assert_eq!(value(Some(remaining), "-500"), "-500 KRW");
        assert_eq!(value(Some(remaining), ""), "-");
        assert_eq!(label(Some(remaining), remaining.wire), "remaining amount");
        assert_eq!(value(None, " as sent "), "as sent");
        assert_eq!(label(None, "NEW_ELEMENT"), "NEW_ELEMENT");
    }

    #[test]
    fn phones_are_masked_and_an_empty_one_is_a_dash() {
        let recipient = status_field("recipient");
        assert_eq!(value(Some(recipient), ""), "-");
        assert_eq!(value(Some(recipient), "  "), "-");
        assert_eq!(value(Some(recipient), "01012345678"), "010-****-5678");
        assert_eq!(value(Some(recipient), "010-****-5678"), "010-****-5678");
        assert!(!value(Some(recipient), "0101234567").contains("1234567"));
    }

    /// Every answer field of every operation is rendered with its type's
    /// formatting, for a sample value of that type.
    #[test]
    fn every_answer_field_of_every_operation_is_formatted_by_its_type() {
        let mut seen = Vec::new();
        for op in &OPERATIONS {
            for f in op.answer.iter().chain(op.record_fields) {
                let (raw, expected) = match f.ty {
                    AnswerType::Text => ("some text".to_owned(), "some text".to_owned()),
                    AnswerType::Int => ("12345".to_owned(), "12345".to_owned()),
                    AnswerType::Amount => ("12345".to_owned(), "12,345 KRW".to_owned()),
                    AnswerType::Date => ("20270301".to_owned(), "2027-03-01".to_owned()),
                    AnswerType::Timestamp => (
                        "20270301120005".to_owned(),
                        "2027-03-01 12:00:05".to_owned(),
                    ),
                    AnswerType::Mobile => ("01098765432".to_owned(), "010-****-5432".to_owned()),
                    AnswerType::Enum(kind) => {
                        let wire = kind.wire_values[0];
                        let doc = kind.docs[0].trim_end_matches('.');
                        (wire.to_owned(), format!("{wire} {doc}"))
                    }
                    other => panic!("{}.{}: no sample for {other:?}", op.name, f.name),
                };
                let (in_scalars, in_records) = (scalar_field(op, f.wire), record_field(op, f.wire));
                assert!(in_scalars.is_some() && in_records.is_some(), "{}", f.wire);
                assert_eq!(value(Some(f), &raw), expected, "{}.{}", op.name, f.name);
                assert_eq!(value(Some(f), ""), "-", "{}.{} empty", op.name, f.name);
                assert_eq!(label(Some(f), f.wire), f.name.replace('_', " "));
                seen.push(std::mem::discriminant(&f.ty));
            }
        }
        seen.sort_by_key(|d| format!("{d:?}"));
        seen.dedup();
        assert_eq!(seen.len(), 7, "the spec's answers use every type");
    }

    #[test]
    fn the_goods_summary_reads_validity_with_its_type() {
        let op = OperationId::GoodsList.spec();
        let wire = |name: &str| {
            op.record_fields
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.wire.to_owned())
                .unwrap_or_else(|| panic!("goods record has no {name}"))
        };
        let days = ValidityType::DaysFromSending.as_wire();
        let record = vec![
            (wire("goods_id"), "0000100001".to_owned()),
            (wire("supply_price"), "4500".to_owned()),
            (wire(VALIDITY_TYPE), days.to_owned()),
            (wire(VALIDITY), "93".to_owned()),
        ];
        let (headers, rows) = goods_summary(op, std::slice::from_ref(&record));
        assert_eq!(headers.len(), GOODS_COLUMNS.len());
        assert_eq!(headers[0], "goods id");
        let row = &rows[0];
        assert!(row.contains(&"4,500 KRW".to_owned()), "{row:?}");
        assert!(row.contains(&"93 days from sending".to_owned()), "{row:?}");
        assert!(row.contains(&"-".to_owned()), "absent fields: {row:?}");
        let full = goods_table(op, &record);
        assert_eq!(full.len(), op.record_fields.len());
        assert!(
            full.iter()
                .any(|r| r[0] == "supply price" && r[2] == "4,500 KRW")
        );
        assert_eq!(
            validity(ValidityType::FixedDate.as_wire(), "20270301"),
            "until 2027-03-01"
        );
    }
}

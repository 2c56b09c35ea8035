//! How typed answers read, for people and for scripts, from the SDK's generated
//! field views (`AnswerView`): every value formatted by its spec type (dates
//! and times spelled out, amounts grouped in KRW, enum values with the spec's
//! meaning, phones and other secrets masked, empty elements as `-`) and
//! labelled by its Rust name. The goods list reads as a summary table whose
//! columns are the goods record's generated field entries. No operation or
//! field is named here by a string.
//!
//! `--json` keeps each element's wire text under its wire name: an absent
//! element as `null`, an empty one as `""`, every field of the spec present.
//! Phone numbers are masked there too; coupon numbers are in clear (a script
//! needs them to deliver the coupons), while the tables for people mask them.

use coufun_api::responses::GoodsListItem;
use coufun_api::xml::Reported;
use coufun_api::{
    AnswerFieldSpec, AnswerView, AnyResponse, FieldView, ResultCode, ValidityType, ViewValue,
};
use serde_json::{Map, Value, json};

use crate::output;
use crate::sdk::OpMeta;

/// A field's name for people: its Rust name in words (`remaining amount`).
pub fn label(field: &AnswerFieldSpec) -> String {
    field.name.replace('_', " ")
}

/// A field's value as people read it, by its spec type; absent and empty as
/// `-`, secrets masked.
pub fn shown(view: &FieldView<'_>) -> String {
    match view.value {
        ViewValue::Absent | ViewValue::Empty => "-".to_owned(),
        ViewValue::Text(t) if t.trim().is_empty() => "-".to_owned(),
        ViewValue::Text(t) if view.secret => coufun_api::privacy::mask_secret(t),
        ViewValue::Text(t) => t.trim().to_owned(),
        ViewValue::Int(n) => n.to_string(),
        ViewValue::Amount(n) => won(n),
        ViewValue::Date(d) => date(&d.to_string()),
        ViewValue::Timestamp(t) => timestamp(&t.to_string()),
        ViewValue::Phone(p) => coufun_api::view::phone_text(p),
        ViewValue::Id { text, breaks_rule } => {
            let text = if view.secret {
                coufun_api::privacy::mask_secret(text)
            } else {
                text.to_owned()
            };
            if breaks_rule {
                format!("{text} (breaks the manual's rule)")
            } else {
                text
            }
        }
        ViewValue::Enum { wire, doc } => named(wire, doc),
        _ => view.shown().unwrap_or_else(|| "-".to_owned()),
    }
}

/// A field's value in `--json`: its wire text, `null` when absent, `""` when
/// empty (phones masked).
pub fn json_value(view: &FieldView<'_>) -> Value {
    view.value.wire_text().map_or(Value::Null, Value::String)
}

/// Fields as a JSON object keyed by wire name.
fn json_object(fields: &[FieldView<'_>]) -> Value {
    let mut map = Map::new();
    for f in fields {
        map.insert(f.wire.to_owned(), json_value(f));
    }
    Value::Object(map)
}

/// An answer's scalar fields and records as the command line shows them: a
/// lone record of an operation whose record may stand flat under the root (as
/// the status manual's sample has it) reads among the scalars.
fn scalars_and_records<'a>(
    op: &OpMeta,
    answer: &'a AnyResponse,
) -> (Vec<FieldView<'a>>, Vec<Vec<FieldView<'a>>>) {
    let mut fields = answer.fields();
    let mut records: Vec<Vec<FieldView<'a>>> =
        answer.records().into_iter().map(|r| r.fields).collect();
    if op.flat_record && records.len() == 1 {
        fields.extend(records.remove(0));
    }
    (fields, records)
}

/// A successful answer as `--json`: the operation, the code, the TR_ID of an
/// issuing call, a coupon-count warning, the fields and the records.
pub fn answer_json(
    op: &OpMeta,
    answer: &AnyResponse,
    tr_id: Option<&str>,
    warning: Option<&str>,
) -> Value {
    let (fields, records) = scalars_and_records(op, answer);
    let records: Vec<Value> = records.iter().map(|r| json_object(r)).collect();
    let mut value = ok_json(op.name, json_object(&fields));
    value["tr_id"] = json!(tr_id);
    value["warning"] = json!(warning);
    value["records"] = json!(records);
    value
}

/// A `00` answer of `name` as `--json`: the operation, the code and its
/// texts, and `fields`.
fn ok_json(name: &str, fields: Value) -> Value {
    let ok = ResultCode::Success;
    json!({
        "operation": name,
        "outcome": "ok",
        "code": ok.as_str(),
        "result": output::code_json(ok),
        "fields": fields,
    })
}

/// A `00` answer of `name` for people: the code line, then `rows` (when there
/// are any) as a `FIELD ELEMENT VALUE` table.
fn ok_text(name: &str, rows: &[Vec<String>]) -> String {
    let mut out = format!("{name}: {}\n", output::code_line(ResultCode::Success));
    if !rows.is_empty() {
        out.push_str(&output::table(&["FIELD", "ELEMENT", "VALUE"], rows));
    }
    out
}

/// A successful answer for people: the code line, a `FIELD ELEMENT VALUE`
/// table of the scalars the answer holds (with the TR_ID of an issuing call),
/// then its records (the goods list as a summary).
pub fn answer_text(op: &OpMeta, answer: &AnyResponse, tr_id: Option<&str>) -> String {
    let (fields, records) = scalars_and_records(op, answer);
    let mut rows: Vec<Vec<String>> = fields
        .iter()
        .filter(|f| f.value.is_present())
        .map(|f| vec![label(f.spec), f.wire.to_owned(), shown(f)])
        .collect();
    let key = op.idempotency_key.and_then(|k| op.field(k));
    if let (Some(tr_id), Some(key)) = (tr_id, key)
        && !rows.iter().any(|r| r[1] == key.wire)
    {
        rows.push(vec![
            key.name.replace('_', " "),
            key.wire.to_owned(),
            tr_id.to_owned(),
        ]);
    }
    let mut out = ok_text(op.name, &rows);
    if let AnyResponse::GoodsList(list) = answer {
        out.push_str(&goods_list_text(&list.goods));
    } else if let Some(first) = records.first() {
        let headers: Vec<String> = first.iter().map(|f| label(f.spec)).collect();
        let rows: Vec<Vec<String>> = records
            .iter()
            .map(|r| r.iter().map(shown).collect())
            .collect();
        out.push('\n');
        out.push_str(&output::table(&headers, &rows));
    }
    if fields
        .iter()
        .chain(records.iter().flatten())
        .any(masked_here_only)
    {
        out.push_str(MASKED_NOTE);
    }
    out
}

/// The line under a table that masked a value `--json` prints in clear.
const MASKED_NOTE: &str =
    "\n(secrets masked here, e.g. coupon numbers; `--json` prints them in clear)\n";

/// Whether the table masks `view` while `--json` prints it in clear: a secret
/// text or id that is there (phones are masked in both).
fn masked_here_only(view: &FieldView<'_>) -> bool {
    view.secret
        && match view.value {
            ViewValue::Text(t) | ViewValue::Id { text: t, .. } => !t.trim().is_empty(),
            _ => false,
        }
}

/// `100 Cancelled`; a value the spec does not list stays as sent, marked.
fn named(raw: &str, meaning: Option<&str>) -> String {
    match meaning {
        Some(m) => format!("{raw} {}", m.trim_end_matches('.')),
        None => format!("{raw} (not in the manual)"),
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

/// `4500` → `4,500 KRW`.
fn won(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{grouped} KRW")
}

/// The goods validity in words, read with its type: `93 days from sending`,
/// `until 2027-03-01`.
fn validity(item: &GoodsListItem) -> String {
    let Some(value) = item.validity.as_deref().map(str::trim) else {
        return "-".to_owned();
    };
    match &item.validity_type {
        Some(Reported::Known(ValidityType::DaysFromSending)) => {
            format!("{value} days from sending")
        }
        Some(Reported::Known(ValidityType::FixedDate)) => format!("until {}", date(value)),
        Some(Reported::Unknown(kind)) => format!("{value} ({kind})"),
        _ => value.to_owned(),
    }
}

/// One goods field for people; the validity read together with its type.
fn goods_shown(item: &GoodsListItem, view: &FieldView<'_>) -> String {
    if view.spec == GoodsListItem::VALIDITY {
        validity(item)
    } else {
        shown(view)
    }
}

/// Summary columns of the goods list for people, by the goods record's
/// generated field entries (every field is in `--json` and in `coufun
/// goods-info`). `VALIDITY` stands for the validity read with its type.
const GOODS_COLUMNS: [&AnswerFieldSpec; 8] = [
    GoodsListItem::GOODS_ID,
    GoodsListItem::GOODS_NAME,
    GoodsListItem::CATEGORY_ID,
    GoodsListItem::LIST_PRICE,
    GoodsListItem::SUPPLY_PRICE,
    GoodsListItem::VALIDITY,
    GoodsListItem::SEND_TYPE,
    GoodsListItem::EXCHANGE_PLACE,
];

/// The goods list as a summary table: headers and one row per goods item.
pub fn goods_summary(goods: &[GoodsListItem]) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = GOODS_COLUMNS.iter().map(|f| label(f)).collect();
    let rows = goods
        .iter()
        .map(|item| {
            let views = item.fields();
            GOODS_COLUMNS
                .iter()
                .map(|column| {
                    views
                        .iter()
                        .find(|v| v.spec == *column)
                        .map_or_else(|| "-".to_owned(), |v| goods_shown(item, v))
                })
                .collect()
        })
        .collect();
    (headers, rows)
}

/// The goods list for people: the summary table and a pointer to `goods-info`.
fn goods_list_text(goods: &[GoodsListItem]) -> String {
    if goods.is_empty() {
        return String::new();
    }
    let (headers, rows) = goods_summary(goods);
    let argument = crate::sdk::goods_field().map_or("", |f| f.wire);
    format!(
        "\n{}\n{} goods; `coufun {} {argument}` shows one in full (description, use guide, images)\n",
        output::table(&headers, &rows),
        goods.len(),
        crate::cli::GOODS_INFO,
    )
}

/// One goods item in full for people: a row `label, element, text` per field,
/// in spec order (absent ones as `-`).
pub fn goods_table(item: &GoodsListItem) -> Vec<Vec<String>> {
    item.fields()
        .iter()
        .map(|f| vec![label(f.spec), f.wire.to_owned(), goods_shown(item, f)])
        .collect()
}

/// One goods item in full (`coufun goods-info`) for people: the code line and
/// the [`goods_table`].
pub fn goods_text(item: &GoodsListItem) -> String {
    ok_text(crate::cli::GOODS_INFO, &goods_table(item))
}

/// One goods item in full (`coufun goods-info`) as `--json`: every field of
/// the record, keyed by wire name, in spec order; absent `null`, empty "".
pub fn goods_json(item: &GoodsListItem) -> Value {
    ok_json(crate::cli::GOODS_INFO, json_object(&item.fields()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use coufun_api::responses::{CouponStatusItem, CouponStatusResponse, GoodsListResponse};
    use coufun_api::xml::{CalendarDate, Phone, Timestamp, decode_document};
    use coufun_api::{AnswerType, CouponStatus, OPERATIONS, OperationId};

    fn view(spec: &'static AnswerFieldSpec, value: ViewValue<'_>) -> String {
        shown(&FieldView::new(spec, value))
    }

    #[test]
    fn a_status_answer_reads_by_type() {
        let cancelled = CouponStatus::Cancelled;
        let status = CouponStatusItem::STATUS;
        assert_eq!(
            view(
                status,
                ViewValue::Enum {
                    wire: cancelled.as_wire(),
                    doc: Some(cancelled.doc())
                }
            ),
            format!("{} {}", cancelled.as_wire(), "Cancelled")
        );
        let unknown = ViewValue::Enum {
            wire: "777",
            doc: None,
        };
        assert_eq!(view(status, unknown), "777 (not in the manual)");
        let at = Timestamp::parse("20261129043456").map(ViewValue::Timestamp);
        assert_eq!(
            at.map(|v| view(CouponStatusItem::CANCELLED_AT, v))
                .as_deref(),
            Some("2026-11-29 04:34:56")
        );
        let until = CalendarDate::parse_ymd("20270301").map(ViewValue::Date);
        assert_eq!(
            until
                .map(|v| view(CouponStatusItem::VALID_UNTIL, v))
                .as_deref(),
            Some("2027-03-01")
        );
        let remaining = CouponStatusItem::REMAINING_AMOUNT;
        assert_eq!(view(remaining, ViewValue::Amount(1234567)), "1,234,567 KRW");
        assert_eq!(view(remaining, ViewValue::Amount(-500)), "-500 KRW");
        assert_eq!(view(remaining, ViewValue::Empty), "-");
        assert_eq!(view(remaining, ViewValue::Absent), "-");
        assert_eq!(label(remaining), "remaining amount");
    }

    #[test]
    fn phones_and_coupon_numbers_are_masked_and_an_empty_one_is_a_dash() {
        let recipient = CouponStatusItem::RECIPIENT;
        assert!(recipient.secret);
        assert_eq!(view(recipient, ViewValue::Empty), "-");
        let phone = Phone::new("01012345678");
        assert_eq!(view(recipient, ViewValue::Phone(&phone)), "010-****-5678");
        let masked = Phone::new("010-****-5678");
        assert_eq!(view(recipient, ViewValue::Phone(&masked)), "010-****-5678");
        let short = Phone::new("0101234567");
        assert!(!view(recipient, ViewValue::Phone(&short)).contains("1234567"));
        let number = CouponStatusItem::COUPON_NUMBER;
        assert!(number.secret);
        let id = |text| ViewValue::Id {
            text,
            breaks_rule: false,
        };
        assert_eq!(view(number, id("123456789012")), "***9012");
        let bad = ViewValue::Id {
            text: "12 34",
            breaks_rule: true,
        };
        assert_eq!(view(number, bad), "*** (breaks the manual's rule)");
        // `--json` keeps the number for scripts, and absent apart from empty.
        let json = |value| json_value(&FieldView::new(number, value));
        assert_eq!(json(id("123456789012")), "123456789012");
        assert_eq!(json(ViewValue::Empty), "");
        assert_eq!(json(ViewValue::Absent), Value::Null);
    }

    /// The table says when it masked what `--json` prints in clear: a secret
    /// id or text that is there, not a phone (masked in both), not an empty
    /// secret, not a value that is no secret.
    #[test]
    fn a_value_masked_only_in_the_table_is_noted() {
        let number = CouponStatusItem::COUPON_NUMBER;
        let id = |text| ViewValue::Id {
            text,
            breaks_rule: false,
        };
        let masked = |spec, value| masked_here_only(&FieldView::new(spec, value));
        assert!(masked(number, id("123456789012")));
        assert!(masked(number, ViewValue::Text("123456789012")));
        assert!(!masked(number, id(" ")));
        assert!(!masked(number, ViewValue::Empty));
        let phone = Phone::new("01012345678");
        assert!(!masked(
            CouponStatusItem::RECIPIENT,
            ViewValue::Phone(&phone)
        ));
        let plain = CouponStatusItem::COUPON_TYPE;
        assert!(!plain.secret);
        assert!(!masked(plain, id("0000100001")));
        assert!(!masked(plain, ViewValue::Text("0000100001")));
    }

    /// Every answer field of every operation is rendered with its type's
    /// formatting, for a sample value of that type.
    #[test]
    fn every_answer_field_of_every_operation_is_formatted_by_its_type() {
        let phone = Phone::new("01098765432");
        let mut seen = Vec::new();
        for op in &OPERATIONS {
            for f in op.answer.iter().chain(op.record_fields) {
                let (value, expected) = match f.ty {
                    AnswerType::Text => (ViewValue::Text("some text"), "some text".to_owned()),
                    AnswerType::Int => (ViewValue::Int(12345), "12345".to_owned()),
                    AnswerType::Amount => (ViewValue::Amount(12345), "12,345 KRW".to_owned()),
                    AnswerType::Date => (
                        CalendarDate::parse_ymd("20270301")
                            .map_or(ViewValue::Empty, ViewValue::Date),
                        "2027-03-01".to_owned(),
                    ),
                    AnswerType::Timestamp => (
                        Timestamp::parse("20270301120005")
                            .map_or(ViewValue::Empty, ViewValue::Timestamp),
                        "2027-03-01 12:00:05".to_owned(),
                    ),
                    AnswerType::Mobile => (ViewValue::Phone(&phone), "010-****-5432".to_owned()),
                    AnswerType::Enum(kind) => {
                        let wire = kind.wire_values[0];
                        let doc = kind.docs[0];
                        (
                            ViewValue::Enum {
                                wire,
                                doc: Some(doc),
                            },
                            format!("{wire} {}", doc.trim_end_matches('.')),
                        )
                    }
                    AnswerType::Id { .. } => (
                        ViewValue::Id {
                            text: "ABCD12345678",
                            breaks_rule: false,
                        },
                        if f.secret { "***5678" } else { "ABCD12345678" }.to_owned(),
                    ),
                    other => panic!("{}.{}: no sample for {other:?}", op.name, f.name),
                };
                assert_eq!(view(f, value), expected, "{}.{}", op.name, f.name);
                assert_eq!(
                    view(f, ViewValue::Empty),
                    "-",
                    "{}.{} empty",
                    op.name,
                    f.name
                );
                assert_eq!(label(f), f.name.replace('_', " "));
                seen.push(std::mem::discriminant(&f.ty));
            }
        }
        seen.sort_by_key(|d| format!("{d:?}"));
        seen.dedup();
        assert_eq!(seen.len(), 8, "the spec's answers use every type");
    }

    #[test]
    fn the_goods_summary_reads_validity_with_its_type() {
        let item = GoodsListItem {
            goods_id: Some("0000100001".into()),
            supply_price: Some(4500),
            validity_type: Some(Reported::Known(ValidityType::DaysFromSending)),
            validity: Some("93".into()),
            ..Default::default()
        };
        let (headers, rows) = goods_summary(std::slice::from_ref(&item));
        assert_eq!(headers.len(), GOODS_COLUMNS.len());
        assert_eq!(headers[0], "goods id");
        let row = &rows[0];
        assert!(row.contains(&"4,500 KRW".to_owned()), "{row:?}");
        assert!(row.contains(&"93 days from sending".to_owned()), "{row:?}");
        assert!(row.contains(&"-".to_owned()), "absent fields: {row:?}");
        let full = goods_table(&item);
        assert_eq!(
            full.len(),
            OperationId::GoodsList.spec().record_fields.len()
        );
        assert!(
            full.iter()
                .any(|r| r[0] == "supply price" && r[2] == "4,500 KRW")
        );
        let fixed = GoodsListItem {
            validity_type: Some(Reported::Known(ValidityType::FixedDate)),
            validity: Some("20270301".into()),
            ..Default::default()
        };
        assert_eq!(validity(&fixed), "until 2027-03-01");
    }

    /// Decoded answers keep an absent element apart from an empty one, in the
    /// views and so in `--json`; a lone flat status record reads among the
    /// scalars.
    #[test]
    fn json_keeps_absent_and_empty_apart() {
        let doc = b"<COUFUNSEARCH><RESULT_CODE>00</RESULT_CODE><STATUS>000</STATUS><EXCHANGE_DATE></EXCHANGE_DATE><BARCODE_NUM>123456789012</BARCODE_NUM></COUFUNSEARCH>";
        let reply = decode_document::<CouponStatusResponse>(doc, None);
        let answer = AnyResponse::from(reply.map(|r| r.body).unwrap_or_default());
        let op = OperationId::CouponStatus.spec();
        let json = answer_json(op, &answer, None, None);
        let fields = &json["fields"];
        let wire = |f: &AnswerFieldSpec| f.wire.to_owned();
        assert_eq!(fields[wire(CouponStatusItem::STATUS)], "000");
        assert_eq!(fields[wire(CouponStatusItem::EXCHANGED_AT)], "");
        assert!(fields[wire(CouponStatusItem::CANCELLED_AT)].is_null());
        assert!(
            fields
                .as_object()
                .is_some_and(|o| o.contains_key(&wire(CouponStatusItem::CANCELLED_AT))),
            "every field of the spec, absent ones as null: {json}"
        );
        assert_eq!(
            fields[wire(CouponStatusItem::COUPON_NUMBER)],
            "123456789012"
        );
        let text = answer_text(op, &answer, None);
        assert!(
            text.contains("***9012") && !text.contains("123456789012"),
            "{text}"
        );
        assert!(
            !text.contains(CouponStatusItem::CANCELLED_AT.wire),
            "{text}"
        );
        let goods = AnyResponse::from(GoodsListResponse::default());
        let goods_op = OperationId::GoodsList.spec();
        assert_eq!(
            answer_json(goods_op, &goods, None, None)["records"],
            json!([])
        );
    }
}

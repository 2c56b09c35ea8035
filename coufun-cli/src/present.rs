//! How answers read for people: the enum codes of the typed answers with their
//! meaning (coupon state and type, validity type, send type), dates and times
//! spelled out, amounts grouped, empty fields as `-`; the goods list as a summary
//! table and one goods item (`coufun goods-info`) in full. JSON output keeps the
//! wire texts; only the tables for people go through here.

use coufun_api::responses::GoodsListItem;
use coufun_api::xml::FieldValue;
use coufun_api::{CouponStatus, CouponType, SendType, ValidityType};

/// An answer element's text as people read it. `element` is the wire name.
pub fn value(element: &str, raw: &str) -> String {
    let raw = raw.trim();
    if raw.is_empty() {
        return "-".to_owned();
    }
    match element {
        "STATUS" => named(raw, CouponStatus::from_wire(raw).ok().and_then(status)),
        "COUPON_TYPE" => named(raw, CouponType::from_wire(raw).ok().and_then(coupon_type)),
        "VALID_END_TYPE" => named(
            raw,
            ValidityType::from_wire(raw).ok().and_then(validity_type),
        ),
        "SEND_TYPE" => named(raw, SendType::from_wire(raw).ok().and_then(send_type)),
        "EXCHANGE_DATE" | "CANCEL_DATE" => timestamp(raw),
        "ORDER_DATE" | "VALID_END_DATE" => date(raw),
        "TOTAL_AMOUNT" | "REMAIN_AMOUNT" | "GOODS_PRICE" | "GOODS_ORI_PRICE" => won(raw),
        _ => raw.to_owned(),
    }
}

/// `000 unused`; a value the spec does not list stays as sent, marked.
fn named(raw: &str, meaning: Option<&str>) -> String {
    match meaning {
        Some(m) => format!("{raw} {m}"),
        None => format!("{raw} (not in the manual)"),
    }
}

fn status(s: CouponStatus) -> Option<&'static str> {
    match s {
        CouponStatus::Unused => Some("unused (미사용)"),
        CouponStatus::Used => Some("used (사용)"),
        CouponStatus::Cancelled => Some("cancelled (취소)"),
        _ => None,
    }
}

fn coupon_type(t: CouponType) -> Option<&'static str> {
    match t {
        CouponType::Barcode => Some("exchange voucher (교환권)"),
        CouponType::Amount => Some("stored-value voucher (금액권)"),
        _ => None,
    }
}

fn validity_type(t: ValidityType) -> Option<&'static str> {
    match t {
        ValidityType::DaysFromSending => Some("days from sending"),
        ValidityType::FixedDate => Some("fixed date"),
        _ => None,
    }
}

fn send_type(t: SendType) -> Option<&'static str> {
    match t {
        SendType::Mms => Some("MMS"),
        SendType::Lms => Some("LMS"),
        SendType::Sms => Some("SMS"),
        SendType::NoMessage => Some("no message"),
        _ => None,
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

/// The goods validity in words: `93 days from sending`, `until 2027-03-01`.
fn validity(kind: &str, value: &str) -> String {
    match (kind, value.trim()) {
        (_, "") => "-".to_owned(),
        ("D", v) => format!("{v} days from sending"),
        ("E", v) => format!("until {}", date(v)),
        (k, v) => format!("{v} ({k})"),
    }
}

/// Summary columns of the goods list, for people (every column is in `--json`).
pub const GOODS_COLUMNS: [&str; 8] = [
    "GOODS_ID",
    "GOODS_NAME",
    "CAT_ID",
    "PRICE",
    "SUPPLY PRICE",
    "VALIDITY",
    "SEND",
    "EXC_BRANCH",
];

/// One goods record (wire element, text) as a row of [`GOODS_COLUMNS`].
pub fn goods_row(record: &[(String, String)]) -> Vec<String> {
    let get = |wire: &str| {
        record
            .iter()
            .find(|(k, _)| k == wire)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    vec![
        value("GOODS_ID", get("GOODS_ID")),
        value("GOODS_NAME", get("GOODS_NAME")),
        value("CAT_ID", get("CAT_ID")),
        value("GOODS_ORI_PRICE", get("GOODS_ORI_PRICE")),
        value("GOODS_PRICE", get("GOODS_PRICE")),
        validity(get("VALID_END_TYPE"), get("VALID_END_DATE")),
        value("SEND_TYPE", get("SEND_TYPE")),
        value("EXC_BRANCH", get("EXC_BRANCH")),
    ]
}

/// Every field of one goods item: `(wire element, label, text as sent)`, from
/// the SDK's typed record.
pub fn goods_fields(item: &GoodsListItem) -> Vec<(&'static str, &'static str, String)> {
    fn text<T: FieldValue>(v: &Option<T>) -> String {
        let mut out = String::new();
        if let Some(v) = v {
            v.write_text(&mut out);
        }
        out
    }
    vec![
        ("GOODS_ID", "goods id", text(&item.goods_id)),
        ("GOODS_NAME", "name", text(&item.goods_name)),
        ("CAT_ID", "category", text(&item.category_id)),
        ("GOODS_ORI_PRICE", "price", text(&item.list_price)),
        ("GOODS_PRICE", "supply price", text(&item.supply_price)),
        ("VALID_END_TYPE", "validity type", text(&item.validity_type)),
        ("VALID_END_DATE", "validity", text(&item.validity)),
        ("SEND_TYPE", "send type", text(&item.send_type)),
        ("EXC_BRANCH", "exchange place", text(&item.exchange_place)),
        ("GOODS_INFO", "description", text(&item.goods_info)),
        ("USE_GUIDE", "use guide", text(&item.use_guide)),
        ("IMAGE_PATH_S", "image (small)", text(&item.image_small)),
        (
            "IMAGE_SIZE_S_W",
            "small width",
            text(&item.image_small_width),
        ),
        (
            "IMAGE_SIZE_S_H",
            "small height",
            text(&item.image_small_height),
        ),
        ("IMAGE_PATH_M", "image (medium)", text(&item.image_medium)),
        (
            "IMAGE_SIZE_M_W",
            "medium width",
            text(&item.image_medium_width),
        ),
        (
            "IMAGE_SIZE_M_H",
            "medium height",
            text(&item.image_medium_height),
        ),
        ("IMAGE_PATH_B", "image (big)", text(&item.image_big)),
        ("IMAGE_SIZE_B_W", "big width", text(&item.image_big_width)),
        ("IMAGE_SIZE_B_H", "big height", text(&item.image_big_height)),
    ]
}

/// One goods item for people: label, wire name, meaning.
pub fn goods_table(item: &GoodsListItem) -> Vec<Vec<String>> {
    let fields = goods_fields(item);
    let kind = fields
        .iter()
        .find(|(w, _, _)| *w == "VALID_END_TYPE")
        .map(|(_, _, v)| v.clone())
        .unwrap_or_default();
    fields
        .iter()
        .map(|(wire, label, raw)| {
            let shown = if *wire == "VALID_END_DATE" {
                validity(&kind, raw)
            } else {
                value(wire, raw)
            };
            vec![(*label).to_owned(), (*wire).to_owned(), shown]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_their_meaning() {
        assert_eq!(value("STATUS", "100"), "100 cancelled (취소)");
        assert_eq!(value("STATUS", "777"), "777 (not in the manual)");
        assert_eq!(
            value("COUPON_TYPE", "AMOUNT"),
            "AMOUNT stored-value voucher (금액권)"
        );
        assert_eq!(
            value("CANCEL_DATE", "20261129043456"),
            "2026-11-29 04:34:56"
        );
        assert_eq!(value("VALID_END_DATE", "20270301"), "2027-03-01");
        assert_eq!(value("REMAIN_AMOUNT", "1234567"), "1,234,567 KRW");
        assert_eq!(value("GOODS_PRICE", "500"), "500 KRW");
        assert_eq!(value("TOTAL_AMOUNT", ""), "-");
        assert_eq!(value("GOODS_NAME", "x y"), "x y");
        assert_eq!(validity("D", "93"), "93 days from sending");
        assert_eq!(validity("E", "20270301"), "until 2027-03-01");
    }
}

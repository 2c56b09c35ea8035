//! A drifting server on purpose: a [`DriftPlan`] makes the sandbox answer
//! where the spec says otherwise — an element the spec does not name (under
//! the root and in every record), a coupon state outside the value table, a
//! goods name longer than the spec's length, another root, another record
//! element, another declared charset — so that drift reports (`coufun doctor`,
//! the client's drift observer) are tested end to end. Every name and length
//! it departs from is read from the SDK's generated tables; the elements it
//! adds are its own names, which no spec holds.

use coufun_api::responses::{CouponStatusItem, GoodsListItem};
use coufun_api::{AnswerType, Charset, OperationId};

/// The element a drifting answer adds (a name of the sandbox's own, which
/// no manual uses).
pub const UNKNOWN_ELEMENT: &str = "SANDBOX_EXTRA";
/// The root a drifting answer stands under instead of its operation's.
pub const OTHER_ROOT: &str = "SANDBOX_ROOT";
/// The element a drifting answer's records stand in instead of the spec's.
pub const OTHER_RECORD: &str = "SANDBOX_RECORD";
/// The charset a drifting answer is written in and declares (the spec's is
/// EUC-KR).
pub const OTHER_CHARSET: Charset = Charset::Utf8;

/// How the sandbox's answers depart from the spec (nothing by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DriftPlan {
    /// Every answer holds [`UNKNOWN_ELEMENT`] under its root and in each record.
    pub unknown_elements: bool,
    /// Every coupon state a status answer holds is a value outside the
    /// state's value table.
    pub unknown_state: bool,
    /// Every goods name in the goods list is longer than the spec's length.
    pub long_name: bool,
    /// Every answer stands under [`OTHER_ROOT`].
    pub other_root: bool,
    /// Every answer's records stand in [`OTHER_RECORD`].
    pub other_record: bool,
    /// Every answer is written in, and declares, [`OTHER_CHARSET`].
    pub other_charset: bool,
}

impl DriftPlan {
    /// No drift.
    pub fn none() -> Self {
        DriftPlan::default()
    }

    /// Every drift the sandbox can play but another root (which hides the
    /// rest: a client reads nothing under a root it does not expect).
    pub fn all_but_root() -> Self {
        DriftPlan {
            unknown_elements: true,
            unknown_state: true,
            long_name: true,
            other_root: false,
            other_record: false,
            other_charset: true,
        }
    }

    /// Whether any drift is played.
    pub fn any(&self) -> bool {
        *self != DriftPlan::default()
    }

    /// The charset answers are written in: [`OTHER_CHARSET`] when
    /// [`other_charset`](Self::other_charset), else `configured`.
    pub fn answer_charset(&self, configured: Charset) -> Charset {
        if self.other_charset {
            OTHER_CHARSET
        } else {
            configured
        }
    }

    /// `xml` (an answer of `op`, in an ASCII-compatible charset) changed as
    /// the plan says. Element names are ASCII, which neither EUC-KR nor UTF-8
    /// uses inside a multi-byte character, so markup is found as bytes.
    pub fn apply(&self, op: OperationId, xml: Vec<u8>) -> Vec<u8> {
        let spec = op.spec();
        let mut xml = xml;
        if self.unknown_state {
            xml = with_unknown_state(xml);
        }
        if self.long_name {
            xml = with_long_names(xml);
        }
        if self.unknown_elements {
            let extra = format!("<{UNKNOWN_ELEMENT}>drift</{UNKNOWN_ELEMENT}>");
            if let Some(record) = spec.record_element {
                xml = replace_all(
                    &xml,
                    format!("</{record}>").as_bytes(),
                    format!("{extra}</{record}>").as_bytes(),
                );
            }
            xml = replace_all(
                &xml,
                format!("</{}>", spec.root).as_bytes(),
                format!("{extra}</{}>", spec.root).as_bytes(),
            );
        }
        if self.other_record
            && let Some(record) = spec.record_element
        {
            xml = rename(&xml, record, OTHER_RECORD);
        }
        if self.other_root {
            xml = rename(&xml, spec.root, OTHER_ROOT);
        }
        xml
    }
}

/// Every `<STATUS>` (the status record's state element, found through its
/// generated entry) holding a value outside its table.
fn with_unknown_state(xml: Vec<u8>) -> Vec<u8> {
    let field = CouponStatusItem::STATUS;
    let AnswerType::Enum(kind) = field.ty else {
        return xml;
    };
    let outside = (0..1000)
        .map(|n| format!("{n:03}"))
        .rev()
        .find(|v| !kind.wire_values.contains(&v.as_str()))
        .unwrap_or_default();
    map_texts(&xml, field.wire, |_| outside.clone().into_bytes())
}

/// Every goods name one byte past the spec's length at least (its generated
/// entry's `max_bytes`), by ASCII padding.
fn with_long_names(xml: Vec<u8>) -> Vec<u8> {
    let field = GoodsListItem::GOODS_NAME;
    let Some(max) = field.max_bytes else {
        return xml;
    };
    map_texts(&xml, field.wire, |text| {
        let mut long = text.to_vec();
        long.extend(std::iter::repeat_n(b'~', max as usize + 1));
        long
    })
}

/// `xml` with the text of every `<element>…</element>` replaced by `change(text)`.
fn map_texts(xml: &[u8], element: &str, change: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let open = format!("<{element}>");
    let close = format!("</{element}>");
    let (open, close) = (open.as_bytes(), close.as_bytes());
    let mut out = Vec::with_capacity(xml.len() + 64);
    let mut rest = xml;
    while let Some(at) = find(rest, open) {
        let after = at + open.len();
        let Some(len) = find(&rest[after..], close) else {
            break;
        };
        out.extend_from_slice(&rest[..after]);
        out.extend_from_slice(&change(&rest[after..after + len]));
        out.extend_from_slice(close);
        rest = &rest[after + len + close.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// `xml` with every tag of `from` (open, close, empty) renamed `to`.
fn rename(xml: &[u8], from: &str, to: &str) -> Vec<u8> {
    let mut xml = xml.to_vec();
    for (open, close) in [("<", ">"), ("</", ">"), ("<", "/>")] {
        let (from, to) = (format!("{open}{from}{close}"), format!("{open}{to}{close}"));
        xml = replace_all(&xml, from.as_bytes(), to.as_bytes());
    }
    xml
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `xml` with every `from` replaced by `to`.
fn replace_all(xml: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(at) = find(rest, from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use coufun_api::drift::{DriftKind, inspect};
    use coufun_api::responses::{CouponStatusResponse, GoodsListResponse};
    use coufun_api::xml::encode_document;
    use coufun_api::{CouponStatus, Lang, ResultCode};

    fn document<R: coufun_api::xml::Response>(body: &R) -> Vec<u8> {
        let ok = ResultCode::Success;
        encode_document(ok, ok.message(Lang::Ko), Some(body), Charset::Cp949)
    }

    fn goods() -> Vec<u8> {
        let item = GoodsListItem {
            goods_name: Some("라떼".into()),
            ..GoodsListItem::default()
        };
        document(&GoodsListResponse {
            goods: vec![item.clone(), item],
            ..GoodsListResponse::default()
        })
    }

    fn kinds(op: OperationId, xml: &[u8]) -> Vec<DriftKind> {
        inspect(op, xml, None).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn each_drift_is_what_the_sdk_reports() {
        let op = OperationId::GoodsList;
        assert_eq!(kinds(op, &DriftPlan::none().apply(op, goods())), []);
        let plan = |f: fn(&mut DriftPlan)| {
            let mut p = DriftPlan::none();
            f(&mut p);
            p
        };
        let unknown = plan(|p| p.unknown_elements = true).apply(op, goods());
        let found = inspect(op, &unknown, None);
        let places: Vec<&str> = found.iter().map(|f| f.element.as_str()).collect();
        let record = op.spec().record_element.unwrap_or_default();
        assert_eq!(
            places,
            [
                format!("{record}/{UNKNOWN_ELEMENT}"),
                UNKNOWN_ELEMENT.to_owned()
            ]
        );
        let long = plan(|p| p.long_name = true).apply(op, goods());
        assert_eq!(kinds(op, &long), [DriftKind::TooLong]);
        let root = plan(|p| p.other_root = true).apply(op, goods());
        assert_eq!(kinds(op, &root), [DriftKind::UnexpectedRoot]);
        let rec = plan(|p| p.other_record = true).apply(op, goods());
        assert_eq!(kinds(op, &rec), [DriftKind::UnexpectedRecordElement]);
        let status = CouponStatusResponse {
            coupons: vec![CouponStatusItem {
                status: Some(coufun_api::Reported::Known(CouponStatus::Unused)),
                ..CouponStatusItem::default()
            }],
            ..CouponStatusResponse::default()
        };
        let op = OperationId::CouponStatus;
        let state = plan(|p| p.unknown_state = true).apply(op, document(&status));
        let found = inspect(op, &state, None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, DriftKind::ValueOutsideTable);
        assert!(!CouponStatus::WIRE_VALUES.contains(&found[0].arrived.as_str()));
    }
}

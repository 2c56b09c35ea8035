//! What one COUFUN operation is to the client, the sandbox and the command line:
//! the shape of the generated operation table ([`OperationSpec`], one per
//! [`OperationId`]) and the [`Operation`] trait the generated request types
//! implement, whose name, path, methods and effect come from that table.

use std::borrow::Cow;

use crate::ResultCode;
use crate::charset::Charset;
use crate::validation::{FieldSpec, ListSpec, ValidationErrors};

pub use crate::generated::operations::{AnyRequest, AnyResponse, OPERATIONS, OperationId};

#[doc(inline)]
pub use coufun_rules::{Effect, Method};

/// One operation as `spec/endpoints.toml` describes it: an entry of the
/// generated table [`OPERATIONS`] (reach it with [`OperationId::spec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationSpec {
    /// Which operation this is.
    pub id: OperationId,
    /// The spec's name, e.g. `"coupon_send"`.
    pub name: &'static str,
    /// The manual's (Korean) name of the operation.
    pub summary_ko: &'static str,
    /// What the operation does, in English.
    pub summary_en: &'static str,
    /// Path under the environment's base URL, e.g. `"coufunSend.do"`.
    pub path: &'static str,
    /// Methods the server accepts, the preferred first.
    pub methods: &'static [Method],
    /// Read or write.
    pub effect: Effect,
    /// The Rust name of the field the server deduplicates on (`tr_id`), if any.
    pub idempotency_key: Option<&'static str>,
    /// The result codes the operation may answer, in spec order.
    pub codes: &'static [ResultCode],
    /// The request fields, in wire order.
    pub fields: &'static [RequestFieldSpec],
    /// The answer's root element, e.g. `"COUFUNSEND"`.
    pub root: &'static str,
    /// The element each answer record stands in, when the answer has records.
    pub record_element: Option<&'static str>,
    /// Answer elements (scalars and record fields) that hold a phone number.
    pub phone_elements: &'static [&'static str],
    /// The scalar answer elements under the root, in spec order.
    pub answer: &'static [AnswerFieldSpec],
    /// The child elements of one answer record, in spec order (empty when the
    /// answer has no records).
    pub record_fields: &'static [AnswerFieldSpec],
    /// The record's fields may also stand flat under the root, forming one
    /// record (as the status manual's sample has them).
    pub flat_record: bool,
}

impl OperationSpec {
    /// Whether the server accepts `method` for this operation.
    pub fn accepts(&self, method: Method) -> bool {
        self.methods.contains(&method)
    }

    /// Whether the spec lists `code` among this operation's answers.
    pub fn may_answer(&self, code: ResultCode) -> bool {
        self.codes.contains(&code)
    }

    /// The request field whose Rust name is `name`.
    pub fn field(&self, name: &str) -> Option<&'static RequestFieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The scalar answer element named `wire` on the wire.
    pub fn answer_field(&self, wire: &str) -> Option<&'static AnswerFieldSpec> {
        self.answer.iter().find(|f| f.wire == wire)
    }

    /// The record child element named `wire` on the wire.
    pub fn record_field(&self, wire: &str) -> Option<&'static AnswerFieldSpec> {
        self.record_fields.iter().find(|f| f.wire == wire)
    }
}

/// One answer element of an [`OperationSpec`] (a scalar under the root or a
/// child of a record), as `spec/endpoints.toml` types it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AnswerFieldSpec {
    /// Rust name, e.g. `remaining_amount`.
    pub name: &'static str,
    /// Element name on the wire, e.g. `REMAIN_AMOUNT`.
    pub wire: &'static str,
    /// What the element holds.
    pub ty: AnswerType,
    /// The spec's documentation of the element's type (an enum kind's doc);
    /// empty when the spec has none.
    pub doc: &'static str,
    /// A secret or personal data: the spec marks the field or its kind
    /// (`secret = true`). Front ends never show it in clear to people.
    pub secret: bool,
    /// The manual's length of the element, in bytes (`max_bytes`), when it
    /// gives one; the drift report ([`crate::drift`]) names a longer text.
    pub max_bytes: Option<u32>,
}

/// What an answer element holds: the spec's `type` of a response field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerType {
    /// Free text.
    Text,
    /// An integer (a count, a size).
    Int,
    /// An integer amount of money, in KRW.
    Amount,
    /// A calendar date, `YYYYMMDD`.
    Date,
    /// A date and time, `YYYYMMDDhhmmss`.
    Timestamp,
    /// A mobile number (never shown in clear).
    Mobile,
    /// One value of an enum kind.
    Enum(EnumKindSpec),
    /// An identifier of a token kind (goods, order, category, coupon number),
    /// read as the kind's type.
    Id {
        /// The spec's key of the kind, e.g. `coupon_number`.
        kind: &'static str,
    },
}

/// An enum kind as an answer element holds it: its values and their meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnumKindSpec {
    /// The spec's key of the kind, e.g. `coupon_status`.
    pub kind: &'static str,
    /// The wire texts of its values, in spec order.
    pub wire_values: &'static [&'static str],
    /// What each value means, in the same order.
    pub docs: &'static [&'static str],
}

impl EnumKindSpec {
    /// What the value written `wire` means; `None` for a value the spec does
    /// not list.
    pub fn doc_of(&self, wire: &str) -> Option<&'static str> {
        let index = self.wire_values.iter().position(|v| *v == wire)?;
        self.docs.get(index).copied()
    }
}

/// One request field of an [`OperationSpec`], with what a front end (the
/// command line's flags, the sandbox's reader) needs to know of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestFieldSpec {
    /// Rust name, e.g. `recipients`.
    pub name: &'static str,
    /// Parameter name on the wire, e.g. `RECEIVER_MOBILE`.
    pub wire: &'static str,
    /// The spec's kind of the field, e.g. `mobile`.
    pub kind: &'static str,
    /// Whether the request must carry it.
    pub required: bool,
    /// Code the server answers when the field's rule is broken.
    pub code: ResultCode,
    /// For a field holding several values: how many, and how they are joined.
    pub list: Option<ListSpec>,
    /// The kind's documentation (one sentence or two).
    pub doc: &'static str,
}

/// A checked request for one operation (implemented by the generated requests).
///
/// Each implementation names its [`OperationId`]; the name, path, methods and
/// effect are read from the generated table, the one place they are written.
pub trait Operation: std::fmt::Debug + Send + Sync {
    /// Which operation of the table this request is for.
    const ID: OperationId;
    /// The spec's name of the operation, e.g. `"coupon_send"`.
    const NAME: &'static str = Self::ID.spec().name;
    /// Path under the environment's base URL, e.g. `"coufunSend.do"`.
    const PATH: &'static str = Self::ID.spec().path;
    /// Methods the server accepts, the preferred first.
    const METHODS: &'static [Method] = Self::ID.spec().methods;
    /// Read or write.
    const EFFECT: Effect = Self::ID.spec().effect;
    /// The request fields as the spec describes them, in wire order.
    const FIELDS: &'static [FieldSpec];

    /// The parameters in wire order, values as they go on the wire before charset
    /// encoding. The client adds `POC_ID`; it is not among them.
    fn wire_params(&self) -> Vec<(&'static str, Cow<'_, str>)>;

    /// The TR_ID when the operation is deduplicated on one (send, create).
    fn idempotency_key(&self) -> Option<&str>;

    /// Parses raw wire parameters (as the server receives them) with the same
    /// checks as the builder; every violation answers the code the server would.
    fn from_wire(params: &[(String, String)], charset: Charset) -> Result<Self, ValidationErrors>
    where
        Self: Sized;
}

/// The `match` behind [`for_operation!`](crate::for_operation): one arm per
/// `Variant => Request, Answer;` entry, with the caller's names for the two
/// types bound in the arm. Not for direct use.
#[doc(hidden)]
#[macro_export]
macro_rules! __operation_arms {
    (($id:expr, $request:ident, $answer:ident, $body:expr)
     $( $variant:ident => $request_type:ident, $answer_type:ident; )*) => {
        match $id {
            $(
                $crate::OperationId::$variant => {
                    #[allow(dead_code)]
                    type $request = $crate::$request_type;
                    #[allow(dead_code)]
                    type $answer = $crate::responses::$answer_type;
                    $body
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CouponSendRequest, GoodsListRequest};

    #[test]
    fn the_table_is_indexed_by_id_and_names_round_trip() {
        for (i, id) in OperationId::ALL.into_iter().enumerate() {
            assert_eq!(OPERATIONS[i].id, id);
            assert_eq!(id as usize, i);
            assert_eq!(OperationId::from_name(id.name()), Some(id));
            assert_eq!(id.to_string(), id.name());
        }
        assert_eq!(OperationId::from_name("no_such_operation"), None);
    }

    #[test]
    fn request_types_read_their_facts_from_the_table() {
        let send = OperationId::CouponSend.spec();
        assert_eq!(CouponSendRequest::NAME, send.name);
        assert_eq!(CouponSendRequest::PATH, send.path);
        assert_eq!(CouponSendRequest::METHODS, send.methods);
        assert_eq!(CouponSendRequest::EFFECT, Effect::Write);
        assert_eq!(send.idempotency_key, Some("tr_id"));
        let recipients = send.field("recipients").map(|f| f.list);
        assert_eq!(recipients, Some(Some(CouponSendRequest::RECIPIENTS_LIST)));
        assert!(send.phone_elements.contains(&"RECEIVER_MOBILE"));
        let list = GoodsListRequest::ID.spec();
        assert_eq!(list.record_element, Some("PRODUCT_INFO"));
        assert_eq!(GoodsListRequest::EFFECT, Effect::Read);
    }

    #[test]
    fn answer_fields_carry_their_types_and_enum_values_their_docs() {
        use crate::{CouponStatus, SendType};
        let status = OperationId::CouponStatus.spec();
        assert!(status.answer.is_empty());
        let field = |name: &str| status.record_fields.iter().find(|f| f.name == name);
        assert_eq!(
            field("remaining_amount").map(|f| f.ty),
            Some(AnswerType::Amount)
        );
        assert_eq!(
            field("exchanged_at").map(|f| f.ty),
            Some(AnswerType::Timestamp)
        );
        assert_eq!(field("valid_until").map(|f| f.ty), Some(AnswerType::Date));
        assert_eq!(field("recipient").map(|f| f.ty), Some(AnswerType::Mobile));
        let Some(AnswerType::Enum(kind)) = field("status").map(|f| f.ty) else {
            panic!("status is an enum kind");
        };
        assert_eq!(kind.kind, "coupon_status");
        let wire = CouponStatus::Cancelled.as_wire();
        assert_eq!(kind.doc_of(wire), Some(CouponStatus::Cancelled.doc()));
        assert_eq!(kind.doc_of("no such value"), None);
        assert_eq!(CouponStatus::DOCS.len(), CouponStatus::ALL.len());
        assert!(!SendType::Mms.doc().is_empty());
        // Lookups by wire name reach the same entries.
        let f = field("status")
            .map(|f| f.wire)
            .and_then(|w| status.record_field(w));
        assert_eq!(f.map(|f| f.name), Some("status"));
        let create = OperationId::CouponCreate.spec();
        let tr = create
            .answer
            .iter()
            .find(|f| f.name == "tr_id")
            .map(|f| f.wire);
        assert!(tr.and_then(|w| create.answer_field(w)).is_some());
        // Every phone element is a `Mobile` answer field.
        for op in &OPERATIONS {
            for wire in op.phone_elements {
                let f = op.answer_field(wire).or_else(|| op.record_field(wire));
                assert_eq!(f.map(|f| f.ty), Some(AnswerType::Mobile), "{}", op.name);
            }
        }
    }
}

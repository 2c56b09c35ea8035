//! Emits `operations.rs`: the operation table. One `OperationId` variant per
//! operation of the spec and one `OperationSpec` entry each (name, path, methods,
//! effect, codes, request fields with their wire names, kinds, lists and docs,
//! answer root, record element, phone elements, and the answer's scalar and
//! record fields with their wire names, types and docs), and the macro
//! `for_operation!` that names each operation's request and answer types. The
//! request types, the sandbox's router and the command line read operations from
//! here.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::kinds::code_variant;
use super::requests::{pascal, request_type};
use super::responses::response_type;
use super::{doc_lines, ident};
use crate::Spec;
use crate::model::{Effect, Kind, Method, Operation, RequestField, ResponseField, Rule};
use crate::validate::SCALAR_TYPES;

/// The whole `operations.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let ops = &spec.endpoints.operations;
    let count = Literal::usize_unsuffixed(ops.len());
    let id = operation_id(spec);
    let entries = ops.iter().map(|op| operation_entry(spec, op));
    let for_operation = for_operation(spec);
    quote! {
        //! The operation table: every operation of `spec/endpoints.toml` as an
        //! [`OperationId`] and its [`OperationSpec`], in spec order.
        use crate::operation::{
            AnswerFieldSpec, AnswerType, Effect, EnumKindSpec, Method, OperationSpec,
            RequestFieldSpec,
        };
        use crate::ResultCode;

        #id

        /// Every operation of the spec, in spec order (`OPERATIONS[id as usize]`
        /// is the entry of `id`).
        pub const OPERATIONS: [OperationSpec; #count] = [ #( #entries ),* ];

        #for_operation
    }
}

/// The `for_operation!` macro: a `match` over every operation whose arm names
/// the operation's request and answer types, so that code doing the same thing
/// for each operation (property tests, fuzz targets) covers a new operation
/// when the code is regenerated, with no list kept by hand.
fn for_operation(spec: &Spec) -> TokenStream {
    let entries = spec.endpoints.operations.iter().map(|op| {
        let v = format_ident!("{}", pascal(op.name()));
        let request = request_type(op);
        let response = format_ident!("{}", response_type(op));
        quote! { #v => #request, #response; }
    });
    quote! {
        /// Evaluates `$body` for the operation `$id` (an [`OperationId`]), with
        /// `$request` and `$answer` naming its request and answer types: one arm
        /// per operation of the spec, generated, so a new operation is covered
        /// wherever this is used.
        ///
        /// ```
        /// use coufun_api::{Operation, OperationId, for_operation};
        /// use coufun_api::xml::Response;
        ///
        /// for id in OperationId::ALL {
        ///     let (path, root) = for_operation!(id, |Request, Answer| {
        ///         (<Request as Operation>::PATH, <Answer as Response>::ROOT)
        ///     });
        ///     assert_eq!(path, id.spec().path);
        ///     assert_eq!(root, id.spec().root);
        /// }
        /// ```
        #[macro_export]
        macro_rules! for_operation {
            ($id:expr, |$request:ident, $answer:ident| $body:expr) => {
                $crate::__operation_arms!(($id, $request, $answer, $body) #( #entries )*)
            };
        }
    }
}

/// The `OperationId` enum and its methods. It is deliberately exhaustive (no
/// `#[non_exhaustive]`): a `match` over it without a wildcard arm stops compiling
/// when the spec gains an operation, which is how the sandbox and the command
/// line learn that they must handle it.
fn operation_id(spec: &Spec) -> TokenStream {
    let ops = &spec.endpoints.operations;
    let count = Literal::usize_unsuffixed(ops.len());
    let variants = ops.iter().map(|op| {
        let v = format_ident!("{}", pascal(op.name()));
        let doc = doc_lines(&format!("`{}`: {}", op.name(), op.summary_en));
        quote! { #doc #v, }
    });
    let all = ops.iter().map(|op| {
        let v = format_ident!("{}", pascal(op.name()));
        quote! { OperationId::#v }
    });
    let by_name = ops.iter().map(|op| {
        let (v, n) = (format_ident!("{}", pascal(op.name())), op.name());
        quote! { #n => Some(OperationId::#v), }
    });
    quote! {
        /// One operation of the spec. Not `#[non_exhaustive]` on purpose: a
        /// `match` without a wildcard arm fails to compile when the spec gains an
        /// operation, so every front end must decide how to serve it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OperationId {
            #( #variants )*
        }

        impl OperationId {
            /// Every operation, in spec order.
            pub const ALL: [OperationId; #count] = [ #( #all ),* ];

            /// The operation's entry of the table.
            pub const fn spec(self) -> &'static OperationSpec {
                &OPERATIONS[self as usize]
            }

            /// The spec's name, e.g. `"coupon_send"`.
            pub const fn name(self) -> &'static str {
                self.spec().name
            }

            /// The operation the spec names `name`.
            pub fn from_name(name: &str) -> Option<OperationId> {
                match name {
                    #( #by_name )*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for OperationId {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    }
}

/// One `OperationSpec { .. }` entry of the table.
fn operation_entry(spec: &Spec, op: &Operation) -> TokenStream {
    let variant = format_ident!("{}", pascal(op.name()));
    let (name, summary_ko, summary_en) = (op.name(), &op.summary_ko, &op.summary_en);
    let path = op.path.name.get_ref();
    let methods = op.methods.iter().map(|m| match m {
        Method::Get => quote! { Method::Get },
        Method::Post => quote! { Method::Post },
    });
    let effect = match op.effect {
        Effect::Read => quote! { Effect::Read },
        Effect::Write => quote! { Effect::Write },
    };
    let key = optional_str(op.idempotency_key.as_ref().map(|k| k.get_ref().as_str()));
    let codes = op.codes.iter().map(|c| {
        let v = code_variant(spec, c.get_ref());
        quote! { ResultCode::#v }
    });
    let fields = op.request.iter().map(|f| request_field(spec, op, f));
    let root = op.root.name.get_ref();
    let record = optional_str(op.records.as_ref().map(|r| r.element.get_ref().as_str()));
    let records = op.records.iter().flat_map(|r| r.fields.iter());
    let phones = op
        .response
        .iter()
        .chain(records)
        .filter(|f| f.type_name.get_ref() == "mobile")
        .map(|f| f.wire.get_ref());
    let answer = op.response.iter().map(|f| answer_field(spec, f));
    let record_fields = op
        .records
        .iter()
        .flat_map(|r| r.fields.iter())
        .map(|f| answer_field(spec, f));
    quote! {
        OperationSpec {
            id: OperationId::#variant,
            name: #name,
            summary_ko: #summary_ko,
            summary_en: #summary_en,
            path: #path,
            methods: &[ #( #methods ),* ],
            effect: #effect,
            idempotency_key: #key,
            codes: &[ #( #codes ),* ],
            fields: &[ #( #fields ),* ],
            root: #root,
            record_element: #record,
            phone_elements: &[ #( #phones ),* ],
            answer: &[ #( #answer ),* ],
            record_fields: &[ #( #record_fields ),* ],
        }
    }
}

/// One `AnswerFieldSpec { .. }` of an entry: a scalar answer element or a
/// record's child, with its type and (for an enum kind) the kind's doc.
fn answer_field(spec: &Spec, f: &ResponseField) -> TokenStream {
    let (name, wire) = (f.name.get_ref(), f.wire.get_ref());
    let ty = answer_type(spec, f.type_name.get_ref());
    let doc = enum_kind(spec, f.type_name.get_ref()).map_or("", |k| k.doc.as_str());
    quote! {
        AnswerFieldSpec {
            name: #name,
            wire: #wire,
            ty: #ty,
            doc: #doc,
        }
    }
}

/// The `AnswerType` of a response field's spec `type`. An enum kind refers to
/// the generated enum's own `WIRE_VALUES` and `DOCS`, so the values and their
/// meaning are written once, in `kinds.rs`. The validator has rejected any
/// other type; should one slip through it reads as text.
fn answer_type(spec: &Spec, type_name: &str) -> TokenStream {
    match type_name {
        "text" => quote! { AnswerType::Text },
        "int" => quote! { AnswerType::Int },
        "amount" => quote! { AnswerType::Amount },
        "date" => quote! { AnswerType::Date },
        "timestamp" => quote! { AnswerType::Timestamp },
        "mobile" => quote! { AnswerType::Mobile },
        key => match enum_kind(spec, key) {
            Some(kind) => {
                let ty = ident(kind.type_name.get_ref());
                quote! {
                    AnswerType::Enum(EnumKindSpec {
                        kind: #key,
                        wire_values: &super::kinds::#ty::WIRE_VALUES,
                        docs: &super::kinds::#ty::DOCS,
                    })
                }
            }
            None => quote! { AnswerType::Text },
        },
    }
}

/// The enum kind a response field's `type` names, if it names one (a scalar
/// type such as `date` is never a kind here, even where a request kind shares
/// its key).
fn enum_kind<'s>(spec: &'s Spec, type_name: &str) -> Option<&'s Kind> {
    if SCALAR_TYPES.contains(&type_name) {
        return None;
    }
    spec.endpoints
        .kinds
        .get(type_name)
        .filter(|k| k.rule == Rule::Enum)
}

/// One `RequestFieldSpec { .. }` of an entry; a list field's `ListSpec` is the
/// request type's own constant (`CouponSendRequest::RECIPIENTS_LIST`).
fn request_field(spec: &Spec, op: &Operation, f: &RequestField) -> TokenStream {
    let kind_key = f.kind.get_ref();
    let kind = spec.endpoints.kinds.get(kind_key);
    let code = f
        .code
        .as_ref()
        .map(|c| c.get_ref().as_str())
        .or_else(|| kind.map(|k| k.code.get_ref().as_str()))
        .unwrap_or_default();
    let code = code_variant(spec, code);
    let doc = kind.map_or("", |k| k.doc.as_str());
    let (name, wire, required) = (f.name(), f.wire.get_ref(), f.required);
    let list = match &f.list {
        Some(_) => {
            let request = request_type(op);
            let c = ident(&format!("{}_LIST", f.name().to_uppercase()));
            quote! { Some(super::requests::#request::#c) }
        }
        None => quote! { None },
    };
    quote! {
        RequestFieldSpec {
            name: #name,
            wire: #wire,
            kind: #kind_key,
            required: #required,
            code: ResultCode::#code,
            list: #list,
            doc: #doc,
        }
    }
}

/// `Some("…")` or `None`.
fn optional_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote! { Some(#v) },
        None => quote! { None },
    }
}

//! Emits `operations.rs`: the operation table. One `OperationId` variant per
//! operation of the spec and one `OperationSpec` entry each (name, path, methods,
//! effect, codes, request fields with their wire names, kinds, lists and docs,
//! answer root, record element, phone elements, and the answer's scalar and
//! record fields: the answer types' own `FIELD_SPECS`), the macro
//! `for_operation!` that names each operation's request and answer types, and
//! the typed front ends over every operation: `AnyRequest` and `AnyResponse`.
//! The request types, the sandbox's router and the command line read
//! operations from here.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::kinds::code_variant;
use super::requests::request_type;
use super::responses::{record_type, response_type};
use super::{doc_lines, ident, op_ident, option};
use crate::Spec;
use crate::model::{Operation, RequestField};

/// The whole `operations.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let ops = &spec.endpoints.operations;
    let count = Literal::usize_unsuffixed(ops.len());
    let id = operation_id(spec);
    let entries = ops.iter().map(|op| operation_entry(spec, op));
    let for_operation = for_operation(spec);
    let any = any_request_and_response(spec);
    quote! {
        //! The operation table: every operation of `spec/endpoints.toml` as an
        //! [`OperationId`] and its [`OperationSpec`], in spec order, and
        //! [`AnyRequest`] / [`AnyResponse`], one variant per operation.
        use crate::operation::{Effect, Method, OperationSpec, RequestFieldSpec};
        use crate::ResultCode;

        #id

        /// Every operation of the spec, in spec order (`OPERATIONS[id as usize]`
        /// is the entry of `id`).
        pub const OPERATIONS: [OperationSpec; #count] = [ #( #entries ),* ];

        #for_operation

        #any
    }
}

/// `AnyRequest` and `AnyResponse`: one variant per operation, each holding the
/// operation's generated type, with what front ends need without naming an
/// operation (its id, wire parameters, decoding, field views). Exhaustive like
/// `OperationId`: a `match` over them stops compiling when the spec gains an
/// operation.
fn any_request_and_response(spec: &Spec) -> TokenStream {
    let ops = &spec.endpoints.operations;
    let v: Vec<_> = ops.iter().map(op_ident).collect();
    let req: Vec<_> = ops.iter().map(request_type).collect();
    let res: Vec<_> = ops
        .iter()
        .map(|op| format_ident!("{}", response_type(op)))
        .collect();
    let req_docs = ops
        .iter()
        .map(|op| doc_lines(&format!("A checked `{}` request.", op.name())));
    let res_docs = ops
        .iter()
        .map(|op| doc_lines(&format!("The answer to `{}`.", op.name())));
    // The body of a method that hands the call to the variant's own type.
    let each = |any: &str, call: TokenStream| {
        let any = ident(any);
        quote! { match self { #( #any::#v(r) => #call, )* } }
    };
    let request_params = each("AnyRequest", quote! { r.wire_params() });
    let request_key = each("AnyRequest", quote! { r.idempotency_key() });
    let xml = each("AnyResponse", quote! { r.to_xml(charset) });
    let fields = each("AnyResponse", quote! { crate::view::AnswerView::fields(r) });
    let records = each(
        "AnyResponse",
        quote! { crate::view::AnswerView::records(r) },
    );
    quote! {
        /// A checked request of any operation: one variant per operation of the
        /// spec. Not `#[non_exhaustive]`, like [`OperationId`]: a `match` without
        /// a wildcard arm fails to compile when the spec gains an operation.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum AnyRequest {
            #( #req_docs #v(super::requests::#req), )*
        }

        impl AnyRequest {
            /// Which operation the request is for.
            pub const fn operation(&self) -> OperationId {
                match self {
                    #( AnyRequest::#v(_) => OperationId::#v, )*
                }
            }

            /// Parses raw wire parameters of operation `id` with the same checks
            /// as its builder (each request type's `from_wire`).
            pub fn from_wire(
                id: OperationId,
                params: &[(String, String)],
                charset: crate::charset::Charset,
            ) -> Result<Self, crate::validation::ValidationErrors> {
                Ok(match id {
                    #( OperationId::#v => AnyRequest::#v(super::requests::#req::from_wire(params, charset)?), )*
                })
            }

            /// The parameters in wire order (the client adds `POC_ID`).
            pub fn wire_params(&self) -> Vec<(&'static str, std::borrow::Cow<'_, str>)> {
                use crate::operation::Operation as _;
                #request_params
            }

            /// The TR_ID when the operation is deduplicated on one.
            pub fn idempotency_key(&self) -> Option<&str> {
                use crate::operation::Operation as _;
                #request_key
            }
        }

        #(
            impl From<super::requests::#req> for AnyRequest {
                fn from(request: super::requests::#req) -> Self {
                    AnyRequest::#v(request)
                }
            }
        )*

        /// The typed answer of any operation: one variant per operation of the
        /// spec, seen field by field through [`crate::view::AnswerView`]. Not
        /// `#[non_exhaustive]`, like [`OperationId`].
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum AnyResponse {
            #( #res_docs #v(super::responses::#res), )*
        }

        impl AnyResponse {
            /// Which operation it answers.
            pub const fn operation(&self) -> OperationId {
                match self {
                    #( AnyResponse::#v(_) => OperationId::#v, )*
                }
            }

            /// Decodes a whole answer document of operation `id` (see
            /// [`crate::xml::decode_document`]).
            pub fn decode(
                id: OperationId,
                body: &[u8],
                header_charset: Option<&str>,
            ) -> Result<crate::xml::Reply<AnyResponse>, crate::xml::DecodeError> {
                Ok(match id {
                    #( OperationId::#v => {
                        let reply = crate::xml::decode_document::<super::responses::#res>(body, header_charset)?;
                        crate::xml::Reply { code: reply.code, message: reply.message, body: AnyResponse::#v(reply.body) }
                    } )*
                })
            }

            /// The whole success document in `charset` (see
            /// [`crate::xml::Response::to_xml`]).
            pub fn to_xml(&self, charset: crate::charset::Charset) -> Vec<u8> {
                use crate::xml::Response as _;
                #xml
            }
        }

        impl crate::view::AnswerView for AnyResponse {
            fn fields(&self) -> Vec<crate::view::FieldView<'_>> {
                #fields
            }

            fn records(&self) -> Vec<crate::view::RecordView<'_>> {
                #records
            }
        }

        #(
            impl From<super::responses::#res> for AnyResponse {
                fn from(answer: super::responses::#res) -> Self {
                    AnyResponse::#v(answer)
                }
            }
        )*
    }
}

/// The `for_operation!` macro: a `match` over every operation whose arm names
/// the operation's request and answer types, so that code doing the same thing
/// for each operation (property tests, fuzz targets) covers a new operation
/// when the code is regenerated, with no list kept by hand.
fn for_operation(spec: &Spec) -> TokenStream {
    let entries = spec.endpoints.operations.iter().map(|op| {
        let v = op_ident(op);
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
    let docs = ops
        .iter()
        .map(|op| doc_lines(&format!("`{}`: {}", op.name(), op.summary_en)));
    let v: Vec<_> = ops.iter().map(op_ident).collect();
    let names = ops.iter().map(|op| op.name());
    quote! {
        /// One operation of the spec. Not `#[non_exhaustive]` on purpose: a
        /// `match` without a wildcard arm fails to compile when the spec gains an
        /// operation, so every front end must decide how to serve it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OperationId {
            #( #docs #v, )*
        }

        impl OperationId {
            /// Every operation, in spec order.
            pub const ALL: [OperationId; #count] = [ #( OperationId::#v ),* ];

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
                    #( #names => Some(OperationId::#v), )*
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
    let variant = op_ident(op);
    let (name, summary_ko, summary_en) = (op.name(), &op.summary_ko, &op.summary_en);
    let path = op.path.name.get_ref();
    let methods = op.methods.iter().map(|m| ident(m.variant()));
    let effect = ident(op.effect.variant());
    let key = option(op.idempotency_key().map(|k| k.name()));
    let codes = op.codes.iter().map(|c| {
        let v = code_variant(spec, c.get_ref());
        quote! { ResultCode::#v }
    });
    let fields = op.request.iter().map(|f| request_field(spec, op, f));
    let root = op.root.name.get_ref();
    let record = option(op.records.as_ref().map(|r| r.element.get_ref().as_str()));
    let records = op.records.iter().flat_map(|r| r.fields.iter());
    let phones = op
        .response
        .iter()
        .chain(records)
        .filter(|f| f.type_name.get_ref() == "mobile")
        .map(|f| f.wire.get_ref());
    let response = format_ident!("{}", response_type(op));
    let record_fields = match &op.records {
        Some(_) => {
            let item = ident(&record_type(op));
            quote! { super::responses::#item::FIELD_SPECS }
        }
        None => quote! { &[] },
    };
    let flat_record = op.records.as_ref().is_some_and(|r| r.also_flat);
    quote! {
        OperationSpec {
            id: OperationId::#variant,
            name: #name,
            summary_ko: #summary_ko,
            summary_en: #summary_en,
            path: #path,
            methods: &[ #( Method::#methods ),* ],
            effect: Effect::#effect,
            idempotency_key: #key,
            codes: &[ #( #codes ),* ],
            fields: &[ #( #fields ),* ],
            root: #root,
            record_element: #record,
            phone_elements: &[ #( #phones ),* ],
            answer: super::responses::#response::FIELD_SPECS,
            record_fields: #record_fields,
            flat_record: #flat_record,
        }
    }
}

/// One `RequestFieldSpec { .. }` of an entry; a list field's `ListSpec` is the
/// request type's own constant (`CouponSendRequest::RECIPIENTS_LIST`).
fn request_field(spec: &Spec, op: &Operation, f: &RequestField) -> TokenStream {
    let kind_key = f.kind.get_ref();
    let kind = spec.endpoints.kinds.get(kind_key);
    let code = code_variant(spec, super::field_code(spec, f));
    let doc = kind.map_or("", |k| k.doc.as_str());
    let (name, wire, required) = (f.name(), f.wire.get_ref(), f.required);
    let request = request_type(op);
    let list = option(f.list.as_ref().map(|_| {
        let c = ident(&format!("{}_LIST", f.name().to_uppercase()));
        quote! { super::requests::#request::#c }
    }));
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

//! Emits the response side of every operation: one `{Op}Response` struct per
//! operation (scalar fields, and a `Vec` of a `{Op}Item` record struct when the
//! spec names `records`), a decoder for each written straight onto
//! `XmlCursor` (a byte scanner for the documents servers send, else quick-xml
//! events; no serde), the inverse encoder for the
//! sandbox, how the enum and token kinds that responses carry read (an enum as
//! `Reported<Kind>`, keeping a value the spec does not list; a token as the
//! kind's type, kept as sent when it breaks the kind's rule), which elements an
//! answer left out (`AbsentElements`), the field-by-field views of each answer
//! and record (`AnswerView`, `fields()`), and the names every answer and call
//! share.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::requests::pascal;
use super::{doc_lines, ident, number, option};
use crate::Spec;
use crate::model::{Kind, Operation, ResponseField, Rule};
use crate::validate::SCALAR_TYPES;

/// The name of an operation's response type, e.g. `CouponSendResponse`.
pub fn response_type(op: &Operation) -> String {
    format!("{}Response", pascal(op.name()))
}

/// The name of an operation's record type, e.g. `GoodsListItem`.
pub fn record_type(op: &Operation) -> String {
    format!("{}Item", pascal(op.name()))
}

/// The kind a response field's `type` names, when it names one of `rule` (a
/// scalar type such as `date` is never a kind here, even where a request kind
/// shares its key).
pub fn answer_kind<'s>(spec: &'s Spec, type_name: &str, rule: Rule) -> Option<&'s Kind> {
    if SCALAR_TYPES.contains(&type_name) {
        return None;
    }
    spec.endpoints
        .kinds
        .get(type_name)
        .filter(|k| k.rule == rule)
}

/// Whether an answer field is secret: marked itself, or its type's kind is
/// (the scalar type `mobile` takes the mark of the kind of the same key).
pub fn is_secret(spec: &Spec, f: &ResponseField) -> bool {
    f.secret
        || spec
            .endpoints
            .kinds
            .get(f.type_name.get_ref())
            .is_some_and(|k| k.secret)
}

/// The whole `responses.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let e = &spec.endpoints;
    let label = |s: &crate::model::Source| super::source_label(spec, s);
    let code = e.answer.result_code.name.get_ref();
    let message = e.answer.result_message.name.get_ref();
    let poc_id = e.client.poc_id.name.get_ref();
    let poc_max = Literal::u32_unsuffixed(*e.client.poc_id.max_bytes.get_ref());
    let poc_secret = e.client.poc_id.secret;
    let test_url = e.test_server.url.get_ref();
    let answer_charset = option(e.answer.charset.as_ref().map(|c| c.name.get_ref()));
    let charset_doc = match &e.answer.charset {
        Some(charset) => format!(
            " The charset every answer declares (source: {}): a declared charset \
             naming another encoding is drift from the spec.",
            label(charset.source.get_ref())
        ),
        None => " The charset every answer declares: the spec names none.".to_owned(),
    };

    let code_doc = format!(
        " Element holding the two-digit result code, under every answer's root (source: {}).",
        label(e.answer.result_code.source.get_ref())
    );
    let message_doc = format!(
        " Element holding the server's message, under every answer's root (source: {}).",
        label(e.answer.result_message.source.get_ref())
    );
    let poc_doc = format!(
        " Parameter the client sends its POC_ID in with every call (source: {}).",
        label(e.client.poc_id.source.get_ref())
    );
    let poc_max_doc = format!(
        " Most bytes a POC_ID may hold (source: {}).",
        label(e.client.poc_id.limit_source.get_ref())
    );
    let test_url_doc = format!(
        " The test server's base URL the SDK uses by default (source: {}; the code manual \
         gives another, see docs/endpoints.md, Conflicts).",
        label(e.test_server.source.get_ref())
    );
    let kind_types: Vec<_> = answer_kinds(spec, Rule::Enum)
        .chain(answer_kinds(spec, Rule::Token))
        .map(|(_, kind)| ident(kind.type_name.get_ref()))
        .collect();
    let kinds_import =
        (!kind_types.is_empty()).then(|| quote! { use super::kinds::{ #( #kind_types ),* }; });
    let enums = answer_kinds(spec, Rule::Enum).map(|(_, kind)| emit_enum(kind));
    let tokens = answer_kinds(spec, Rule::Token).map(|(_, kind)| emit_token(kind));
    let ops = e.operations.iter().map(|op| emit_operation(spec, op));
    quote! {
        //! Typed answers of every operation, their decoders (through `XmlCursor`:
        //! a byte scanner for the documents servers send, else quick-xml events;
        //! each under its operation's own root) and their encoders (for the
        //! sandbox), their field-by-field views, and the element and parameter
        //! names every call shares.
        //!
        //! A field reads `None` when its element is absent or empty; the answer's
        //! `absent` marks tell the two apart, and so do the views
        //! ([`crate::view::ViewValue::Absent`] / [`crate::view::ViewValue::Empty`]).
        use super::super::operation::{AnswerFieldSpec, AnswerType, EnumKindSpec};
        use super::super::view::{AbsentElements, AnswerView, FieldView, RecordView, ViewValue};
        use super::super::xml::{
            CalendarDate, DecodeError, FieldValue, FlatRecord, Phone, Reported, Response, Timestamp,
            XmlCursor, XmlWriter,
        };
        #kinds_import

        #[doc = #code_doc]
        pub const RESULT_CODE_ELEMENT: &str = #code;
        #[doc = #message_doc]
        pub const RESULT_MESSAGE_ELEMENT: &str = #message;
        #[doc = #poc_doc]
        pub const POC_ID_PARAM: &str = #poc_id;
        #[doc = #poc_max_doc]
        pub const POC_ID_MAX_BYTES: u32 = #poc_max;
        /// Whether the spec marks the POC_ID secret (`[client].poc_id.secret`).
        pub const POC_ID_SECRET: bool = #poc_secret;
        #[doc = #test_url_doc]
        pub const DEFAULT_TEST_URL: &str = #test_url;
        #[doc = #charset_doc]
        pub const ANSWER_CHARSET: Option<&str> = #answer_charset;

        #( #enums )*
        #( #tokens )*
        #( #ops )*
    }
}

/// The kinds of `rule` some response field has as its type, in key order.
fn answer_kinds(spec: &Spec, rule: Rule) -> impl Iterator<Item = (&String, &Kind)> {
    let used: Vec<&str> = spec
        .endpoints
        .operations
        .iter()
        .flat_map(|op| {
            op.response
                .iter()
                .chain(op.records.iter().flat_map(|r| r.fields.iter()))
        })
        .map(|f| f.type_name.get_ref().as_str())
        .filter(|t| !SCALAR_TYPES.contains(t))
        .collect();
    spec.endpoints
        .kinds
        .iter()
        .filter(move |(key, kind)| kind.rule == rule && used.contains(&key.as_str()))
}

fn emit_enum(kind: &Kind) -> TokenStream {
    let ty = ident(kind.type_name.get_ref());
    let expected = format!(
        "one of {}",
        kind.values
            .iter()
            .map(|v| v.wire.get_ref().as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote! {
        impl FieldValue for Reported<#ty> {
            const EXPECTED: &'static str = #expected;

            fn parse_text(text: std::borrow::Cow<'_, str>) -> Result<Option<Self>, String> {
                let text = text.trim();
                Ok((!text.is_empty()).then(|| match #ty::from_wire(text) {
                    Ok(value) => Reported::Known(value),
                    Err(_) => Reported::Unknown(text.to_owned()),
                }))
            }

            fn write_text(&self, out: &mut String) {
                match self {
                    Reported::Known(value) => out.push_str(value.as_wire()),
                    Reported::Unknown(text) => out.push_str(text),
                }
            }
        }
    }
}

/// A token kind in answers: read as the kind's type, trimmed; a value that
/// breaks the kind's rule is kept as sent (`breaks_rule()`) and logged without
/// its text, never a decode failure.
fn emit_token(kind: &Kind) -> TokenStream {
    let ty = ident(kind.type_name.get_ref());
    let expected = format!(
        "an identifier (ASCII letters, digits, '-' and '_', at most {})",
        number(&kind.max_len)
    );
    quote! {
        impl FieldValue for #ty {
            const EXPECTED: &'static str = #expected;

            fn parse_text(text: std::borrow::Cow<'_, str>) -> Result<Option<Self>, String> {
                let text = text.trim();
                if text.is_empty() {
                    return Ok(None);
                }
                let value = #ty::reported(text);
                if value.breaks_rule() {
                    tracing::warn!(
                        kind = #ty::KIND,
                        len = text.len(),
                        "an answer holds a value that breaks its kind's rule; kept as sent"
                    );
                }
                Ok(Some(value))
            }

            fn write_text(&self, out: &mut String) {
                out.push_str(self.as_str());
            }
        }
    }
}

/// The scalar answer types by spec word: the field's Rust type, its
/// `AnswerType` variant, and its `ViewValue` of `v` (a reference to the value).
pub fn scalar(word: &str) -> Option<(Ident, Ident, TokenStream)> {
    let (rust, variant, view) = match word {
        "text" => ("String", "Text", quote! { ViewValue::Text(v.as_str()) }),
        "int" => ("i64", "Int", quote! { ViewValue::Int(*v) }),
        "amount" => ("i64", "Amount", quote! { ViewValue::Amount(*v) }),
        "date" => ("CalendarDate", "Date", quote! { ViewValue::Date(*v) }),
        "timestamp" => (
            "Timestamp",
            "Timestamp",
            quote! { ViewValue::Timestamp(*v) },
        ),
        "mobile" => ("Phone", "Mobile", quote! { ViewValue::Phone(v) }),
        _ => return None,
    };
    Some((ident(rust), ident(variant), view))
}

/// A response field's spec `type` in the generated code: the field's Rust type,
/// its `AnswerType` and its `ViewValue` of `v` (a reference to the value). An
/// enum kind reads as `Reported<Kind>` and its `AnswerType` refers to the
/// generated enum's own `WIRE_VALUES` and `DOCS`, so the values and their
/// meaning are written once, in `kinds.rs`. The validator has rejected any
/// other type; should one slip through it reads as text.
fn typed(spec: &Spec, type_name: &str) -> [TokenStream; 3] {
    if let Some((rust, variant, view)) = scalar(type_name) {
        return [quote! { #rust }, quote! { AnswerType::#variant }, view];
    }
    if let Some(kind) = answer_kind(spec, type_name, Rule::Enum) {
        let ty = ident(kind.type_name.get_ref());
        return [
            quote! { Reported<#ty> },
            quote! {
                AnswerType::Enum(EnumKindSpec {
                    kind: #type_name,
                    wire_values: &super::kinds::#ty::WIRE_VALUES,
                    docs: &super::kinds::#ty::DOCS,
                })
            },
            quote! {
                match v {
                    Reported::Known(k) => ViewValue::Enum { wire: k.as_wire(), doc: Some(k.doc()) },
                    Reported::Unknown(t) => ViewValue::Enum { wire: t.as_str(), doc: None },
                }
            },
        ];
    }
    if let Some(kind) = answer_kind(spec, type_name, Rule::Token) {
        let ty = ident(kind.type_name.get_ref());
        return [
            quote! { #ty },
            quote! { AnswerType::Id { kind: #type_name } },
            quote! { ViewValue::Id { text: v.as_str(), breaks_rule: v.breaks_rule() } },
        ];
    }
    typed(spec, "text")
}

/// The `AnswerType` of a response field's spec `type` (see `typed`).
pub fn answer_type(spec: &Spec, type_name: &str) -> TokenStream {
    let [_, answer, _] = typed(spec, type_name);
    answer
}

/// One `AnswerFieldSpec { .. }`: a scalar answer element or a record's child,
/// with its type, (for an enum kind) the kind's doc and its secret mark.
fn answer_field_spec(spec: &Spec, f: &ResponseField) -> TokenStream {
    let (name, wire) = (f.name.get_ref(), f.wire.get_ref());
    let ty = answer_type(spec, f.type_name.get_ref());
    let doc = answer_kind(spec, f.type_name.get_ref(), Rule::Enum).map_or("", |k| k.doc.as_str());
    let secret = is_secret(spec, f);
    let max_bytes = option(f.max_bytes.map(Literal::u32_unsuffixed));
    quote! {
        AnswerFieldSpec {
            name: #name,
            wire: #wire,
            ty: #ty,
            doc: #doc,
            secret: #secret,
            max_bytes: #max_bytes,
        }
    }
}

/// What one struct's fields emit.
struct Fields {
    decls: TokenStream,
    decode_arms: TokenStream,
    encodes: TokenStream,
    /// `FIELD_SPECS`, one const per field, `fields()` and `unread()`.
    items: TokenStream,
}

/// The `AbsentElements` bit of the field at `i` (or the count of `i` fields).
fn bit(i: usize) -> Literal {
    Literal::u32_unsuffixed(u32::try_from(i).unwrap_or(u32::MAX))
}

/// The decoder arm of `f`, the field at `i`: after `setup`, its element read
/// into the field of `target` and no longer marked absent there.
fn decode_arm(f: &ResponseField, i: usize, setup: TokenStream, target: TokenStream) -> TokenStream {
    let (name, wire, index) = (ident(f.name.get_ref()), f.wire.get_ref(), bit(i));
    let wire_bytes = Literal::byte_string(wire.as_bytes());
    quote! {
        #wire_bytes => {
            #setup
            #target.#name = cursor.value(#wire)?;
            #target.absent.remove(#index);
        }
    }
}

/// Declarations, decoder arms (assigning into `out`), encoder calls and view
/// items of `fields`, the fields of the struct `owner` (for docs).
fn fields(spec: &Spec, fields: &[ResponseField], owner: &str) -> Fields {
    let name: Vec<Ident> = fields.iter().map(|f| ident(f.name.get_ref())).collect();
    let wire: Vec<&String> = fields.iter().map(|f| f.wire.get_ref()).collect();
    let index: Vec<Literal> = (0..fields.len()).map(bit).collect();
    let konst: Vec<Ident> = fields
        .iter()
        .map(|f| ident(&f.name.get_ref().to_uppercase()))
        .collect();
    let (types, views): (Vec<_>, Vec<_>) = fields
        .iter()
        .map(|f| {
            let [ty, _, view] = typed(spec, f.type_name.get_ref());
            (ty, view)
        })
        .unzip();
    let docs = fields.iter().map(|f| {
        let length = f
            .max_bytes
            .map_or(String::new(), |n| format!(", at most {n} bytes"));
        let secret = if is_secret(spec, f) { "; a secret" } else { "" };
        format!(
            " `<{}>`, {}{length} (source: {}){secret}; `None` when absent or empty \
             (`absent` tells which).",
            f.wire.get_ref(),
            f.type_name.get_ref(),
            super::source_label(spec, f.source.get_ref())
        )
    });
    let const_docs = fields.iter().map(|f| {
        let (name, wire) = (f.name.get_ref(), f.wire.get_ref());
        format!(" The spec's entry of `{owner}::{name}` (`<{wire}>`).")
    });
    let at = (0..fields.len()).map(Literal::usize_unsuffixed);
    let specs = fields.iter().map(|f| answer_field_spec(spec, f));
    let count = bit(fields.len());
    Fields {
        decls: quote! { #( #[doc = #docs] pub #name: Option<#types>, )* },
        decode_arms: (fields.iter().enumerate())
            .map(|(i, f)| decode_arm(f, i, quote! {}, quote! { out }))
            .collect(),
        encodes: quote! {
            #(
                if self.#name.is_some() || !self.absent.contains(#index) {
                    writer.field(#wire, self.#name.as_ref());
                }
            )*
        },
        items: quote! {
            /// The spec's entries of the fields, in spec order.
            pub const FIELD_SPECS: &'static [AnswerFieldSpec] = &[ #( #specs ),* ];
            #(
                #[doc = #const_docs]
                pub const #konst: &'static AnswerFieldSpec = &Self::FIELD_SPECS[#at];
            )*

            /// Every field, in spec order, as a view (absent ones too).
            pub fn fields(&self) -> Vec<FieldView<'_>> {
                Vec::from([ #(
                    FieldView::new(
                        Self::#konst,
                        match &self.#name {
                            Some(v) => #views,
                            None => ViewValue::missing(self.absent.contains(#index)),
                        },
                    )
                ),* ])
            }

            /// Where decoding starts: every field `None` and every element
            /// marked absent until it is read.
            pub fn unread() -> Self {
                Self { absent: AbsentElements::first(#count), ..Self::default() }
            }
        },
    }
}

const ABSENT_DOC: &str = " Which elements the server left out (their fields read `None`); a \
    `None` not marked here came empty, as the encoder writes it.";

fn emit_operation(spec: &Spec, op: &Operation) -> TokenStream {
    let name = op.name();
    let ty = format_ident!("{}", response_type(op));
    let root = op.root.name.get_ref();
    let root_doc = format!(
        " `<{root}>` (source: {}).",
        super::source_label(spec, op.root.source.get_ref())
    );
    let doc = doc_lines(&format!(
        "The answer to `{name}` ({} — {}) under its root `<{root}>`, without the result \
         code and message.",
        op.summary_ko, op.summary_en
    ));
    let Fields {
        decls,
        decode_arms,
        encodes,
        items,
    } = fields(spec, &op.response, &response_type(op));
    let (record_decl, record_arm, record_encode, record_items, record_views) = match &op.records {
        Some(records) => {
            let list = ident(records.name.get_ref());
            let element = records.element.get_ref();
            let item = format_ident!("{}", record_type(op));
            let max = records.max.map_or(String::new(), |n| {
                format!(" (at most {n}, the document says)")
            });
            let flat = if records.also_flat {
                " The record's fields may also stand flat under the root: they then form one record."
            } else {
                ""
            };
            let list_doc = format!(
                " Every `<{element}>` record, in document order{max} (source: {}).{flat}",
                super::source_label(spec, records.source.get_ref())
            );
            let item_doc = doc_lines(&format!("One `<{element}>` record of a `{name}` answer."));
            let decode_doc =
                format!(" Reads one `<{element}>` element that `cursor` has just opened.");
            let encode_doc = format!(" Writes it as one `<{element}>` element.");
            let r = fields(spec, &records.fields, &record_type(op));
            let (item_decls, item_arms, item_encodes, item_items) =
                (r.decls, r.decode_arms, r.encodes, r.items);
            let element_bytes = Literal::byte_string(element.as_bytes());
            let mut arm = quote! { #element_bytes => out.#list.push(#item::decode(cursor)?), };
            let encode = if records.also_flat {
                // a record field flat under the root fills the one record
                let setup = quote! { let record = flat.get_with(&mut out.#list, #item::unread); };
                arm.extend(
                    records
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(j, f)| decode_arm(f, j, setup.clone(), quote! { record })),
                );
                quote! {
                    match self.#list.as_slice() {
                        [only] => only.encode_fields(writer),
                        all => for record in all { record.encode(writer); },
                    }
                }
            } else {
                quote! { for record in &self.#list { record.encode(writer); } }
            };
            (
                quote! { #[doc = #list_doc] pub #list: Vec<#item>, },
                arm,
                encode,
                quote! {
                    #item_doc
                    #[derive(Debug, Clone, PartialEq, Eq, Default)]
                    pub struct #item {
                        #item_decls
                        #[doc = #ABSENT_DOC]
                        pub absent: AbsentElements,
                    }

                    impl #item {
                        #item_items

                        #[doc = #decode_doc]
                        pub fn decode(cursor: &mut XmlCursor<'_>) -> Result<Self, DecodeError> {
                            let mut out = Self::unread();
                            while let Some(name) = cursor.next_child()? {
                                match name {
                                    #item_arms
                                    _ => cursor.skip()?,
                                }
                            }
                            Ok(out)
                        }

                        #[doc = #encode_doc]
                        pub fn encode(&self, writer: &mut XmlWriter) {
                            writer.open(#element);
                            self.encode_fields(writer);
                            writer.close(#element);
                        }

                        /// Writes its fields, without the record element around them.
                        pub fn encode_fields(&self, writer: &mut XmlWriter) {
                            #item_encodes
                        }
                    }
                },
                quote! {
                    self.#list
                        .iter()
                        .map(|record| RecordView::new(#element, record.fields()))
                        .collect()
                },
            )
        }
        None => (
            quote! {},
            quote! {},
            quote! {},
            quote! {},
            quote! { Vec::new() },
        ),
    };
    let out_binding = if op.response.is_empty() && op.records.is_none() {
        quote! { let _ = self; }
    } else {
        quote! { let out = self; }
    };
    let uses_flat = op.records.as_ref().is_some_and(|r| r.also_flat);
    let flat_binding = (!uses_flat).then(|| quote! { let _ = flat; });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct #ty {
            #decls
            #record_decl
            #[doc = #ABSENT_DOC]
            pub absent: AbsentElements,
        }

        impl #ty {
            #items
        }

        impl Response for #ty {
            const OPERATION: &'static str = #name;
            #[doc = #root_doc]
            const ROOT: &'static str = #root;

            fn decode_child(
                &mut self,
                name: &[u8],
                cursor: &mut XmlCursor<'_>,
                flat: &mut FlatRecord,
            ) -> Result<bool, DecodeError> {
                #out_binding
                #flat_binding
                match name {
                    #decode_arms
                    #record_arm
                    _ => return Ok(false),
                }
                Ok(true)
            }

            fn encode_children(&self, writer: &mut XmlWriter) {
                #encodes
                #record_encode
            }

            fn unread() -> Self {
                #ty::unread()
            }
        }

        impl AnswerView for #ty {
            fn fields(&self) -> Vec<FieldView<'_>> {
                #ty::fields(self)
            }

            fn records(&self) -> Vec<RecordView<'_>> {
                #record_views
            }
        }

        #record_items
    }
}

//! Emits the response side of every operation: one `{Op}Response` struct per
//! operation (scalar fields, and a `Vec` of a `{Op}Item` record struct when the
//! spec names `records`), a decoder for each written straight onto
//! `XmlCursor` (a byte scanner for the documents servers send, else quick-xml
//! events; no serde), the inverse encoder for the
//! sandbox, how the enum kinds that responses carry read (as `Reported<Kind>`,
//! keeping a value the spec does not list), and the names every answer and
//! call share.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_lines, ident};
use crate::Spec;
use crate::model::{Operation, ResponseField, Rule};

/// `goods_list` → `GoodsList`.
pub fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The name of an operation's response type, e.g. `CouponSendResponse`.
pub fn response_type(op: &Operation) -> String {
    format!("{}Response", pascal(op.name()))
}

/// The name of an operation's record type, e.g. `GoodsListItem`.
pub fn record_type(op: &Operation) -> String {
    format!("{}Item", pascal(op.name()))
}

/// The whole `responses.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let e = &spec.endpoints;
    let label = |s: &crate::model::Source| super::source_label(spec, s);
    let code = e.answer.result_code.name.get_ref();
    let message = e.answer.result_message.name.get_ref();
    let poc_id = e.client.poc_id.name.get_ref();
    let poc_max = proc_macro2::Literal::u32_unsuffixed(*e.client.poc_id.max_bytes.get_ref());
    let test_url = e.test_server.url.get_ref();
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
    let kind_types: Vec<_> = enum_kinds(spec)
        .map(|(_, kind)| ident(kind.type_name.get_ref()))
        .collect();
    let kinds_import = if kind_types.is_empty() {
        quote! {}
    } else {
        quote! { use super::kinds::{ #( #kind_types ),* }; }
    };
    let enums = enum_kinds(spec).map(|(key, kind)| emit_enum(key, kind));
    let ops = e.operations.iter().map(|op| emit_operation(spec, op));
    quote! {
        //! Typed answers of every operation, their decoders (through `XmlCursor`:
        //! a byte scanner for the documents servers send, else quick-xml events;
        //! each under its operation's own root) and their encoders (for the
        //! sandbox), and the element and parameter names every call shares.
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
        #[doc = #test_url_doc]
        pub const DEFAULT_TEST_URL: &str = #test_url;

        #( #enums )*
        #( #ops )*
    }
}

/// The enum kinds some response field has as its type, in key order.
fn enum_kinds(spec: &Spec) -> impl Iterator<Item = (&String, &crate::model::Kind)> {
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
        .collect();
    spec.endpoints
        .kinds
        .iter()
        .filter(move |(key, kind)| kind.rule == Rule::Enum && used.contains(&key.as_str()))
}

fn emit_enum(_key: &str, kind: &crate::model::Kind) -> TokenStream {
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

/// The Rust type of a response field.
fn field_type(spec: &Spec, f: &ResponseField) -> TokenStream {
    match f.type_name.get_ref().as_str() {
        "text" => quote! { String },
        "int" | "amount" => quote! { i64 },
        "date" => quote! { CalendarDate },
        "timestamp" => quote! { Timestamp },
        "mobile" => quote! { Phone },
        key => match spec.endpoints.kinds.get(key) {
            Some(kind) => {
                let ty = ident(kind.type_name.get_ref());
                quote! { Reported<#ty> }
            }
            None => quote! { String },
        },
    }
}

struct Fields {
    decls: Vec<TokenStream>,
    decode_arms: Vec<TokenStream>,
    encodes: Vec<TokenStream>,
}

/// Declarations, decoder arms (assigning into `out`) and encoder calls of `fields`.
fn fields(spec: &Spec, fields: &[ResponseField]) -> Fields {
    let label = |s: &crate::model::Source| super::source_label(spec, s);
    let mut out = Fields {
        decls: Vec::new(),
        decode_arms: Vec::new(),
        encodes: Vec::new(),
    };
    for f in fields {
        let name = ident(f.name.get_ref());
        let wire = f.wire.get_ref();
        let ty = field_type(spec, f);
        let length = f
            .max_bytes
            .map_or(String::new(), |n| format!(", at most {n} bytes"));
        let doc = format!(
            " `<{wire}>`, {}{length} (source: {}); `None` when absent or empty.",
            f.type_name.get_ref(),
            label(f.source.get_ref())
        );
        out.decls
            .push(quote! { #[doc = #doc] pub #name: Option<#ty>, });
        let wire_bytes = proc_macro2::Literal::byte_string(wire.as_bytes());
        out.decode_arms
            .push(quote! { #wire_bytes => out.#name = cursor.value(#wire)?, });
        out.encodes
            .push(quote! { writer.field(#wire, self.#name.as_ref()); });
    }
    out
}

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
    } = fields(spec, &op.response);
    let mut uses_flat = false;
    let (record_decl, record_arm, record_encode, record_items) = match &op.records {
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
            let r = fields(spec, &records.fields);
            let (item_decls, item_arms, item_encodes) = (r.decls, r.decode_arms, r.encodes);
            let element_bytes = proc_macro2::Literal::byte_string(element.as_bytes());
            let mut arm = quote! { #element_bytes => out.#list.push(#item::decode(cursor)?), };
            let encode = if records.also_flat {
                uses_flat = true;
                for f in &records.fields {
                    let field = ident(f.name.get_ref());
                    let wire = f.wire.get_ref();
                    let wire_bytes = proc_macro2::Literal::byte_string(wire.as_bytes());
                    arm.extend(quote! {
                        #wire_bytes => flat.get(&mut out.#list).#field = cursor.value(#wire)?,
                    });
                }
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
                        #( #item_decls )*
                    }

                    impl #item {
                        #[doc = #decode_doc]
                        pub fn decode(cursor: &mut XmlCursor<'_>) -> Result<Self, DecodeError> {
                            let mut out = Self::default();
                            while let Some(name) = cursor.next_child()? {
                                match name {
                                    #( #item_arms )*
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
                            #( #item_encodes )*
                        }
                    }
                },
            )
        }
        None => (quote! {}, quote! {}, quote! {}, quote! {}),
    };
    let out_binding = if decode_arms.is_empty() && op.records.is_none() {
        quote! { let _ = self; }
    } else {
        quote! { let out = self; }
    };
    let flat_binding = if uses_flat {
        quote! {}
    } else {
        quote! { let _ = flat; }
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct #ty {
            #( #decls )*
            #record_decl
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
                    #( #decode_arms )*
                    #record_arm
                    _ => return Ok(false),
                }
                Ok(true)
            }

            fn encode_children(&self, writer: &mut XmlWriter) {
                #( #encodes )*
                #record_encode
            }
        }

        #record_items
    }
}

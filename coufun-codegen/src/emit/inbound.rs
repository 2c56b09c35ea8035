//! Emits `inbound.rs`: for each inbound operation of `spec/endpoints.toml` (COUFUN
//! calls the merchant: the exchange notice) the typed request with its form
//! reader and writer, its delivery facts, its answer codes and its answer codec.
//! Field types are the operations' own: a field with a `kind` is that kind's
//! generated type (an enum kind read as `Reported<T>`), one with a `type` the
//! type an answer field of that type decodes to.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::requests::pascal;
use super::responses::scalar;
use super::{doc_lines, ident, method_names, number};
use crate::Spec;
use crate::model::{
    AnswerCode, InboundAnswer, Kind, Method, Operation, RequestField, Rule, Source,
};

/// How generated docs cite a source: `exchange manual v1.6 §4 row 1`.
pub fn cite(spec: &Spec, source: &Source) -> String {
    super::with_place(super::source_label(spec, source), source)
}

/// The Rust type of an inbound operation's request type, e.g. `ExchangeNotice`.
pub fn request_type(op: &Operation) -> Ident {
    ident(&pascal(op.name()))
}

/// What the emitter reads for one field: its Rust type and the form reader's
/// method that gives it.
struct Field<'a> {
    spec: &'a RequestField,
    name: Ident,
    ty: TokenStream,
    reader: TokenStream,
    secret: bool,
    /// The spec's word for its type: the kind's key or the `type`.
    type_word: String,
    kind: Option<&'a Kind>,
}

fn fields<'a>(spec: &'a Spec, op: &'a Operation) -> Vec<Field<'a>> {
    op.request
        .iter()
        .map(|f| {
            let kind_key = f.kind.get_ref().as_str();
            let kind = spec.endpoints.kinds.get(kind_key);
            let (ty, reader, type_word) = match (kind, &f.type_name) {
                (Some(k), _) => {
                    let t = ident(k.type_name.get_ref());
                    if k.rule == Rule::Enum {
                        (
                            quote! { Reported<#t> },
                            quote! { reported::<#t> },
                            kind_key.to_owned(),
                        )
                    } else {
                        (quote! { #t }, quote! { kind::<#t> }, kind_key.to_owned())
                    }
                }
                // the form reader's method is named after the scalar type
                (None, t) => {
                    let word = t.as_ref().map_or("text", |t| t.get_ref().as_str());
                    let (ty, reader) = match scalar(word) {
                        Some((rust, ..)) => (rust, ident(word)),
                        None => (ident("String"), ident("text")),
                    };
                    (quote! { #ty }, quote! { #reader }, word.to_owned())
                }
            };
            Field {
                spec: f,
                name: ident(f.name()),
                ty,
                reader,
                secret: kind.is_some_and(|k| k.secret),
                type_word,
                kind,
            }
        })
        .collect()
}

/// The whole `inbound.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let ops = spec
        .endpoints
        .inbound
        .iter()
        .map(|op| emit_operation(spec, op));
    quote! {
        //! The inbound operations of `spec/endpoints.toml` (COUFUN calls the
        //! merchant): each one's typed request, read from and written to the form
        //! COUFUN posts, its delivery facts, and the merchant's answer with its codes.
        use std::borrow::Cow;
        use std::fmt;
        use std::time::Duration;

        #[allow(unused_imports)]
        use super::kinds::*;
        #[allow(unused_imports)]
        use crate::xml::{CalendarDate, Phone, Reported, Timestamp};
        use crate::notice::form::{
            check_answer_value, decode_answer, encode_answer, mask, AnswerError, Delivery, Form,
            Inbound, InboundField, NoticeError, UnknownValue,
        };

        #( #ops )*
    }
}

/// The tokens of one inbound operation.
pub fn emit_operation(spec: &Spec, op: &Operation) -> TokenStream {
    let fields = fields(spec, op);
    let ty = request_type(op);
    let count = Literal::usize_unsuffixed(fields.len());
    let doc = doc_lines(&format!(
        "{} ({})\n\nAn inbound operation: COUFUN sends it, {} a form; read one with \
         [`Inbound::from_form`] (the `notice` module's parser does), write one with \
         [`Inbound::form_values`].",
        op.summary_en,
        op.summary_ko,
        method_names(op).join(" or "),
    ));
    let decls = fields.iter().map(|f| {
        let (n, t) = (&f.name, &f.ty);
        let d = field_doc(spec, f);
        if f.spec.required {
            quote! { #d pub #n: #t, }
        } else {
            quote! { #d pub #n: Option<#t>, }
        }
    });
    let debug_fields = fields.iter().map(|f| {
        let n = &f.name;
        let label = n.to_string();
        match (f.secret, f.spec.required) {
            (true, true) => quote! { .field(#label, &mask(self.#n.as_str())) },
            (true, false) => {
                quote! { .field(#label, &self.#n.as_ref().map(|v| mask(v.as_str()))) }
            }
            (false, _) => quote! { .field(#label, &self.#n) },
        }
    });
    let specs = fields.iter().map(|f| {
        let name = f.name.to_string();
        let wire = f.spec.wire.get_ref();
        let max = Literal::usize_unsuffixed(number(&f.spec.max_bytes) as usize);
        let required = f.spec.required;
        let secret = f.secret;
        let type_word = &f.type_word;
        let source = cite(spec, f.spec.source.get_ref());
        quote! {
            InboundField { name: #name, wire: #wire, max_bytes: #max, required: #required,
                secret: #secret, type_name: #type_word, source: #source }
        }
    });
    let field_consts = fields.iter().enumerate().map(|(i, f)| {
        let c = format_ident!("{}", f.name.to_string().to_uppercase());
        let i = Literal::usize_unsuffixed(i);
        let d = format!(" The field `{}` (`FIELDS[{i}]`).", f.spec.wire.get_ref());
        quote! { #[doc = #d] pub const #c: InboundField = Self::FIELDS[#i]; }
    });
    let reads = fields.iter().enumerate().map(|(i, f)| {
        let (n, r) = (&f.name, &f.reader);
        let i = Literal::usize_unsuffixed(i);
        let required = f
            .spec
            .required
            .then(|| quote! { .and_then(|v| form.required(#i, v)) });
        quote! { let #n = form.#r(#i) #required; }
    });
    let names: Vec<&Ident> = fields.iter().map(|f| &f.name).collect();
    let writes = fields.iter().map(|f| {
        let n = &f.name;
        let value = write_value(f, quote! { v });
        if f.spec.required {
            quote! { { let v = &self.#n; #value } }
        } else {
            quote! { self.#n.as_ref().map_or(Cow::Borrowed(""), |v| #value) }
        }
    });
    let delivery = op.delivery.as_ref().map(|d| {
        let method = method_names(op)
            .into_iter()
            .next()
            .unwrap_or(Method::Post.name());
        let content_type = d.content_type.get_ref();
        let charset = d.charset.get_ref();
        let secs = *d.retry_interval_seconds.get_ref();
        let retry = Literal::u64_unsuffixed(secs);
        let header = format!("{content_type}; charset={charset}");
        let doc = doc_lines(&format!(
            "How COUFUN delivers it: {method}, `{content_type}` in {charset}; without a final \
             answer it sends again every {secs} s ({}).",
            cite(spec, d.source.get_ref())
        ));
        quote! {
            #doc
            pub const DELIVERY: Delivery = Delivery {
                method: #method,
                content_type: #content_type,
                charset: #charset,
                content_type_header: #header,
                retry_interval: Duration::from_secs(#retry),
            };
        }
    });
    let answer = op.answer.as_ref().map(|a| emit_answer(spec, op, a));
    // The required fields alone: what a sender must give; the optional ones
    // start empty, so a new optional field in the spec breaks no caller.
    let required_ty = format_ident!("{ty}Required");
    let required_doc = doc_lines(&format!(
        "The required fields of a [`{ty}`]; [`{ty}::new`] leaves the optional ones empty."
    ));
    let (required, optional): (Vec<&Field>, Vec<&Field>) =
        fields.iter().partition(|f| f.spec.required);
    let required_decls = required.iter().map(|f| {
        let (n, t) = (&f.name, &f.ty);
        let d = doc_lines(&format!("`{}`.", f.spec.wire.get_ref()));
        quote! { #d pub #n: #t, }
    });
    let required_names: Vec<&Ident> = required.iter().map(|f| &f.name).collect();
    let optional_names = optional.iter().map(|f| &f.name);
    quote! {
        #doc
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct #ty {
            #( #decls )*
        }

        impl fmt::Debug for #ty {
            /// Secret fields show masked.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!(#ty))
                    #( #debug_fields )*
                    .finish()
            }
        }

        #required_doc
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct #required_ty {
            #( #required_decls )*
        }

        impl #ty {
            /// A request of `required`'s fields, every optional field empty.
            pub fn new(required: #required_ty) -> Self {
                let #required_ty { #( #required_names ),* } = required;
                Self { #( #required_names, )* #( #optional_names: None, )* }
            }

            /// The form fields as the spec describes them, in the document's order.
            pub const FIELDS: [InboundField; #count] = [ #( #specs ),* ];
            #( #field_consts )*
            #delivery
        }

        impl Inbound for #ty {
            const FIELDS: &'static [InboundField] = &Self::FIELDS;

            fn from_form(form: &Form) -> Result<Self, NoticeError> {
                #( #reads )*
                Ok(Self { #( #names: #names?, )* })
            }

            fn form_values(&self) -> Vec<Cow<'_, str>> {
                vec![ #( #writes ),* ]
            }
        }

        #answer
    }
}

/// The rustdoc of one field: its wire name, limit, type, whether it may be
/// absent, what it holds and where the document says so.
fn field_doc(spec: &Spec, f: &Field) -> TokenStream {
    let max = f
        .spec
        .max_bytes
        .as_ref()
        .map_or(String::new(), |m| format!(", {} bytes", m.get_ref()));
    let kind = f.kind.map_or(String::new(), |k| {
        format!(
            " Kind `{}` ([`{}`]): {}",
            f.type_word,
            k.type_name.get_ref(),
            k.doc
        )
    });
    let secret = if f.secret {
        " A secret: `Debug` shows it masked."
    } else {
        ""
    };
    doc_lines(&format!(
        "`{}` ({}{max}, {}): {}{kind}{secret}\n\nSource: {}.",
        f.spec.wire.get_ref(),
        f.type_word,
        if f.spec.required {
            "required"
        } else {
            "may be empty or absent"
        },
        f.spec.doc.as_deref().unwrap_or(""),
        cite(spec, f.spec.source.get_ref()),
    ))
}

/// The expression writing field value `v` back as form text.
fn write_value(f: &Field, v: TokenStream) -> TokenStream {
    match (f.kind, f.type_word.as_str()) {
        (Some(k), _) if k.rule == Rule::Enum => quote! {
            match #v {
                Reported::Known(value) => Cow::Borrowed(value.as_wire()),
                Reported::Unknown(text) => Cow::Borrowed(text.as_str()),
            }
        },
        (Some(_), _) => quote! { Cow::Borrowed(#v.as_str()) },
        (None, "timestamp" | "date" | "int" | "amount") => quote! { Cow::Owned(#v.to_string()) },
        (None, "mobile") => quote! { Cow::Borrowed(#v.expose()) },
        (None, _) => quote! { Cow::Borrowed(#v.as_str()) },
    }
}

/// The answer's code enum and codec.
fn emit_answer(spec: &Spec, op: &Operation, answer: &InboundAnswer) -> TokenStream {
    let base = pascal(op.name());
    let code_ty = format_ident!("{base}AnswerCode");
    let answer_ty = format_ident!("{base}Answer");
    let codes = answer_codes(spec, &code_ty, &answer.codes);
    let root = op.root.name.get_ref();
    let charset = answer.charset.get_ref();
    let ascii_only = answer.ascii_only;
    let rc = answer.result_code.name.get_ref();
    let rm = answer.result_message.name.get_ref();
    let rm_max = Literal::usize_unsuffixed(*answer.result_message.max_bytes.get_ref() as usize);
    let fallback = answer
        .codes
        .iter()
        .find(|c| c.code.get_ref() == "99")
        .map_or(String::new(), |c| c.message_en.get_ref().clone());
    // The answer's elements beyond code and message, each with its setter and getter.
    let n: Vec<Ident> = op
        .response
        .iter()
        .map(|f| ident(f.name.get_ref()))
        .collect();
    let wire: Vec<&String> = op.response.iter().map(|f| f.wire.get_ref()).collect();
    let setters = op.response.iter().map(|f| {
        let (n, with, wire) = (
            ident(f.name.get_ref()),
            format_ident!("with_{}", f.name.get_ref()),
            f.wire.get_ref(),
        );
        let max = Literal::usize_unsuffixed(f.max_bytes.unwrap_or(0) as usize);
        let d = doc_lines(&format!(
            "With `{wire}` (at most {max} bytes{}; {}).",
            if ascii_only {
                ", ASCII letters and digits"
            } else {
                ""
            },
            cite(spec, f.source.get_ref())
        ));
        let get = doc_lines(&format!("`{wire}`, when given."));
        quote! {
            #d
            pub fn #with(mut self, value: impl Into<String>) -> Result<Self, AnswerError> {
                let value = value.into();
                check_answer_value(#wire, &value, #max, #ascii_only, false)?;
                self.#n = Some(value);
                Ok(self)
            }
            #get
            pub fn #n(&self) -> Option<&str> {
                self.#n.as_deref()
            }
        }
    });
    // after the code and the message
    let at = (2..n.len() + 2).map(Literal::usize_unsuffixed);
    let count = Literal::usize_unsuffixed(n.len() + 2);
    let answer_doc = doc_lines(&format!(
        "The merchant's answer to one [`{base}`]: `<{root}>` holding `{rc}`, `{rm}`{}, \
         declared and encoded {charset}.",
        wire.iter()
            .map(|w| format!(" and `{w}`"))
            .collect::<String>()
    ));
    quote! {
        #codes

        #answer_doc
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct #answer_ty {
            code: #code_ty,
            message: String,
            #( #n: Option<String>, )*
        }

        impl #answer_ty {
            /// The answer's root element.
            pub const ROOT: &'static str = #root;
            /// The element holding the answer code.
            pub const RESULT_CODE: &'static str = #rc;
            /// The element holding the answer message.
            pub const RESULT_MESSAGE: &'static str = #rm;
            /// The charset the answer is declared and encoded in.
            pub const CHARSET: &'static str = #charset;

            /// An answer with `code` and the spec's English message for it (the
            /// `99` code's for a code outside the document).
            pub fn new(code: #code_ty) -> Self {
                let message = code.message_en().unwrap_or(#fallback).to_owned();
                Self { code, message, #( #n: None, )* }
            }

            /// With `message` as the answer message (at most its byte limit).
            pub fn with_message(mut self, message: impl Into<String>) -> Result<Self, AnswerError> {
                let message = message.into();
                check_answer_value(#rm, &message, #rm_max, #ascii_only, true)?;
                self.message = message;
                Ok(self)
            }

            #( #setters )*

            /// The code.
            pub fn code(&self) -> &#code_ty {
                &self.code
            }

            /// The answer message.
            pub fn message(&self) -> &str {
                &self.message
            }

            /// The answer as XML, declared and encoded in its charset.
            pub fn encode(&self) -> Vec<u8> {
                let mut elements = vec![(#rc, self.code.as_str()), (#rm, self.message.as_str())];
                #( if let Some(value) = &self.#n { elements.push((#wire, value.as_str())); } )*
                encode_answer(Self::CHARSET, Self::ROOT, &elements)
            }

            /// Reads an answer (the sender's side). Lenient on values: an unknown
            /// code is kept, the other values are read as sent.
            pub fn decode(bytes: &[u8]) -> Result<Self, AnswerError> {
                let mut values: [Option<String>; #count] = decode_answer(bytes, Self::ROOT, [#rc, #rm, #( #wire ),*])?;
                let code = values[0].take().ok_or_else(|| AnswerError::Malformed {
                    root: Self::ROOT,
                    reason: format!("no <{}>", Self::RESULT_CODE),
                })?;
                Ok(Self {
                    code: #code_ty::from_wire(&code),
                    message: values[1].take().unwrap_or_default(),
                    #( #n: values[#at].take().filter(|s| !s.is_empty()), )*
                })
            }
        }
    }
}

fn answer_codes(spec: &Spec, ty: &Ident, codes: &[AnswerCode]) -> TokenStream {
    let variants = codes.iter().map(|c| {
        let d = doc_lines(&format!(
            "`{}` {} ({}) — {}: {} ({}).",
            c.code.get_ref(),
            c.message_ko.get_ref(),
            c.description_ko.get_ref(),
            c.message_en.get_ref(),
            c.description_en.get_ref(),
            cite(spec, c.source.get_ref())
        ));
        let v = ident(c.variant.get_ref());
        quote! { #d #v, }
    });
    let v: Vec<Ident> = codes.iter().map(|c| ident(c.variant.get_ref())).collect();
    let wire: Vec<&String> = codes.iter().map(|c| c.code.get_ref()).collect();
    let stops = codes.iter().map(|c| c.stops_retry);
    // The document's texts of each code: (method, its doc, the text).
    type Text = fn(&AnswerCode) -> &String;
    let texts: [(&str, &str, Text); 4] = [
        (
            "message_ko",
            "The document's message, in Korean; `None` for an unknown code.",
            |c| c.message_ko.get_ref(),
        ),
        (
            "description_ko",
            "The document's description, in Korean; `None` for an unknown code.",
            |c| c.description_ko.get_ref(),
        ),
        (
            "message_en",
            "The English message: what the answer message carries.",
            |c| c.message_en.get_ref(),
        ),
        (
            "description_en",
            "The English description; `None` for an unknown code.",
            |c| c.description_en.get_ref(),
        ),
    ];
    let texts = texts.map(|(method, doc, text)| {
        let (method, doc, text) = (ident(method), doc_lines(doc), codes.iter().map(text));
        quote! {
            #doc
            pub fn #method(&self) -> Option<&'static str> {
                match self {
                    #( #ty::#v => Some(#text), )*
                    #ty::Unknown(_) => None,
                }
            }
        }
    });
    let count = Literal::usize_unsuffixed(codes.len());
    let d = doc_lines(&format!(
        "A code of the merchant's answer; one outside the document parses as \
         [`{ty}::Unknown`]."
    ));
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ty {
            #( #variants )*
            /// A code the document does not define, kept as received.
            Unknown(UnknownValue),
        }

        impl #ty {
            /// Every code the document defines, in its order.
            pub const ALL: [#ty; #count] = [ #( #ty::#v ),* ];

            /// The code for `text` as received (unknown codes kept).
            pub fn from_wire(text: &str) -> Self {
                match text {
                    #( #wire => #ty::#v, )*
                    other => #ty::Unknown(UnknownValue::new(other)),
                }
            }

            /// The two-digit code.
            pub fn as_str(&self) -> &str {
                match self {
                    #( #ty::#v => #wire, )*
                    #ty::Unknown(value) => value.as_str(),
                }
            }

            #( #texts )*

            /// Whether COUFUN stops sending again on this answer (`false` for an
            /// unknown code).
            pub fn stops_retry(&self) -> bool {
                match self {
                    #( #ty::#v => #stops, )*
                    #ty::Unknown(_) => false,
                }
            }
        }

        impl fmt::Display for #ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

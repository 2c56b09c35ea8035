//! Emits `generated/notice.rs` from `spec/notifications.toml`: the notice's wire
//! names and limits, one enum per value table, and the answer's element names
//! and codes.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::{doc_lines, ident};
use crate::notice_model::{AnswerCode, NoticeFormat, NoticesFile, ValueTable};

/// The whole `notice.rs` generated module.
pub fn emit(file: &NoticesFile) -> TokenStream {
    let doc = &file.document;
    let id = doc.id.get_ref();
    let version = doc.version.get_ref();
    let revised = doc.revised.get_ref();
    let title = doc.title.get_ref();
    let method = file.delivery.method.get_ref();
    let delivery_charset = file.delivery.charset.get_ref();
    let content_type = &file.delivery.content_type;
    let retry = *file.delivery.retry_interval_seconds.get_ref();
    let retry_lit = Literal::u64_unsuffixed(retry);
    let retry_doc = doc_lines(&format!(
        "How long COUFUN waits before sending a notice again when it got no `00`\n\
         ({retry} s; {}).",
        file.delivery.source.cite()
    ));
    let answer_charset = file.answer.charset.get_ref();
    let ascii_only = file.answer.ascii_only;
    let header_doc = inner_doc_lines(&format!(
        "Exchange notifications (COUFUN → merchant) as the `{id}` manual v{version}\n\
         ({revised}, \"{title}\") defines them: the form fields of a notice, their\n\
         value tables, and the merchant's XML answer with its codes."
    ));
    let fields = file.fields.iter().map(|f| {
        let konst = ident(&f.rust.get_ref().to_uppercase());
        let name = f.name.get_ref();
        let rust = f.rust.get_ref();
        let max = Literal::usize_unsuffixed(*f.max_bytes.get_ref() as usize);
        let format = ident(match f.format {
            NoticeFormat::Text => "Text",
            NoticeFormat::Datetime => "Datetime",
            NoticeFormat::Amount => "Amount",
            NoticeFormat::Enum => "Enum",
        });
        let optional = f.optional;
        let source = format!("{} v{version}", f.source.cite());
        let d = doc_lines(&format!(
            "`{name}` ({} bytes{}): {}\n\nSource: {source}.",
            f.max_bytes.get_ref(),
            if f.optional {
                ", may be empty"
            } else {
                ", required"
            },
            f.doc.get_ref()
        ));
        quote! {
            #d
            pub const #konst: NoticeFieldSpec = NoticeFieldSpec {
                name: #name,
                rust: #rust,
                max_bytes: #max,
                format: NoticeFormat::#format,
                optional: #optional,
                source: #source,
            };
        }
    });
    let all = file
        .fields
        .iter()
        .map(|f| ident(&f.rust.get_ref().to_uppercase()));
    let count = Literal::usize_unsuffixed(file.fields.len());
    let tables = file
        .tables
        .iter()
        .map(|(key, table)| value_table(key, table, file));
    let answer = &file.answer;
    let element = |e: &crate::notice_model::AnswerElement, what: &str| {
        let name = e.name.get_ref();
        let d = doc_lines(&format!(
            "`{name}`: {what} ({} v{version}).",
            e.source.cite()
        ));
        let max = e.max_bytes.as_ref().map(|m| *m.get_ref() as usize);
        (quote! { #d pub const NAME: &str = #name; }, max)
    };
    let elements = [
        ("ROOT", &answer.root, "the root element"),
        (
            "RESULT_CODE",
            &answer.result_code,
            "the two-digit answer code",
        ),
        (
            "RESULT_MESSAGE",
            &answer.result_message,
            "the answer message (English)",
        ),
        (
            "EXCHANGE_ID",
            &answer.exchange_id,
            "the merchant's id for this processing",
        ),
    ]
    .map(|(module, e, what)| {
        let (name, max) = element(e, what);
        let module = ident(&module.to_lowercase());
        let max = max.map(|m| {
            let m = Literal::usize_unsuffixed(m);
            quote! {
                /// The value's limit in bytes.
                pub const MAX_BYTES: usize = #m;
            }
        });
        let d = doc_lines(&format!("The answer's {what}."));
        quote! { #d pub mod #module { #name #max } }
    });
    let answer_code = answer_codes(&answer.codes, id, version);
    quote! {
        #header_doc

        use std::fmt;
        use std::time::Duration;

        /// Id of the manual the notification spec transcribes.
        pub const DOCUMENT: &str = #id;
        /// Version of that manual.
        pub const DOCUMENT_VERSION: &str = #version;
        /// Date of its last revision.
        pub const DOCUMENT_REVISED: &str = #revised;
        /// The HTTP method COUFUN sends a notice with.
        pub const DELIVERY_METHOD: &str = #method;
        /// The media type of a notice's body.
        pub const DELIVERY_CONTENT_TYPE: &str = #content_type;
        /// The charset COUFUN encodes a notice's body in.
        pub const DELIVERY_CHARSET: &str = #delivery_charset;
        /// The charset the answer is declared and encoded in.
        pub const ANSWER_CHARSET: &str = #answer_charset;
        /// Whether the answer's values must be ASCII letters and digits only.
        pub const ANSWER_ASCII_ONLY: bool = #ascii_only;
        #retry_doc
        pub const RETRY_INTERVAL: Duration = Duration::from_secs(#retry_lit);

        /// How a notice field's text is read.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum NoticeFormat {
            /// Free text.
            Text,
            /// `YYYYMMDDHH24MISS`, Korean time.
            Datetime,
            /// A non-negative integer.
            Amount,
            /// One value of a table; values outside it are kept as unknown.
            Enum,
        }

        /// One form field of a notice.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct NoticeFieldSpec {
            /// The wire name.
            pub name: &'static str,
            /// Our Rust name for it.
            pub rust: &'static str,
            /// Its limit in bytes of the body's charset.
            pub max_bytes: usize,
            /// How its text is read.
            pub format: NoticeFormat,
            /// Whether it may be absent or empty.
            pub optional: bool,
            /// Where the manual defines it.
            pub source: &'static str,
        }

        /// The form fields of a notice, one constant each.
        pub mod fields {
            use super::{NoticeFieldSpec, NoticeFormat};
            #( #fields )*
            /// Every field, in the manual's order.
            pub const ALL: [NoticeFieldSpec; #count] = [ #( #all ),* ];
        }

        /// The element names and limits of the merchant's answer.
        pub mod answer {
            #( #elements )*
        }

        /// A value outside the manual's table, kept as received. Opaque, so that
        /// matching on it cannot silently change meaning when a later manual
        /// defines the value.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct UnknownValue(String);

        impl UnknownValue {
            /// The value as received.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        #( #tables )*

        #answer_code
    }
}

/// `#![doc = "…"]` lines for `text`.
fn inner_doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote! { #( #![doc = #lines] )* }
}

fn value_table(key: &str, table: &ValueTable, file: &NoticesFile) -> TokenStream {
    let ty = ident(table.type_name.get_ref());
    let field = file
        .fields
        .iter()
        .find(|f| f.table.as_ref().is_some_and(|t| t.get_ref() == key))
        .map_or_else(String::new, |f| f.name.get_ref().clone());
    let d = doc_lines(&format!(
        "{}\n\nThe values of `{field}`; one outside the table parses as\n\
         [`{}::Unknown`], keeping the text.",
        table.doc,
        table.type_name.get_ref()
    ));
    let variants = table.values.iter().map(|v| {
        let d = doc_lines(&format!(
            "`{}`: {} — {} ({}).",
            v.value.get_ref(),
            v.meaning_ko.get_ref(),
            v.meaning_en.get_ref(),
            v.source.cite()
        ));
        let name = ident(v.variant.get_ref());
        quote! { #d #name, }
    });
    let arms = |f: &dyn Fn(&crate::notice_model::TableValue) -> TokenStream| {
        table.values.iter().map(f).collect::<Vec<_>>()
    };
    let from = arms(&|v| {
        let value = v.value.get_ref();
        let name = ident(v.variant.get_ref());
        quote! { #value => #ty::#name, }
    });
    let as_str = arms(&|v| {
        let value = v.value.get_ref();
        let name = ident(v.variant.get_ref());
        quote! { #ty::#name => #value, }
    });
    let ko = arms(&|v| {
        let text = v.meaning_ko.get_ref();
        let name = ident(v.variant.get_ref());
        quote! { #ty::#name => Some(#text), }
    });
    let en = arms(&|v| {
        let text = v.meaning_en.get_ref();
        let name = ident(v.variant.get_ref());
        quote! { #ty::#name => Some(#text), }
    });
    let all = table.values.iter().map(|v| ident(v.variant.get_ref()));
    let count = Literal::usize_unsuffixed(table.values.len());
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #ty {
            #( #variants )*
            /// A value the manual does not define, kept as received.
            Unknown(UnknownValue),
        }

        impl #ty {
            /// Every value the manual defines, in its order.
            pub const ALL: [#ty; #count] = [ #( #ty::#all ),* ];

            /// The value for `text` as received (unknown values kept).
            pub fn from_wire(text: &str) -> Self {
                match text {
                    #( #from )*
                    other => #ty::Unknown(UnknownValue(other.to_owned())),
                }
            }

            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( #as_str )*
                    #ty::Unknown(value) => value.as_str(),
                }
            }

            /// Whether the manual defines this value.
            pub fn is_known(&self) -> bool {
                !matches!(self, #ty::Unknown(_))
            }

            /// The manual's meaning, in Korean; `None` for an unknown value.
            pub fn meaning_ko(&self) -> Option<&'static str> {
                match self {
                    #( #ko )*
                    #ty::Unknown(_) => None,
                }
            }

            /// The meaning in English; `None` for an unknown value.
            pub fn meaning_en(&self) -> Option<&'static str> {
                match self {
                    #( #en )*
                    #ty::Unknown(_) => None,
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

fn answer_codes(codes: &[AnswerCode], id: &str, version: &str) -> TokenStream {
    let variants = codes.iter().map(|c| {
        let d = doc_lines(&format!(
            "`{}` {} ({}) — {}: {} ({} v{version}).",
            c.code.get_ref(),
            c.message_ko.get_ref(),
            c.description_ko.get_ref(),
            c.message_en.get_ref(),
            c.description_en.get_ref(),
            c.source.cite()
        ));
        let v = ident(c.variant.get_ref());
        quote! { #d #v, }
    });
    let arm = |f: &dyn Fn(&AnswerCode) -> TokenStream| codes.iter().map(f).collect::<Vec<_>>();
    let from = arm(&|c| {
        let code = c.code.get_ref();
        let v = ident(c.variant.get_ref());
        quote! { #code => NoticeAnswerCode::#v, }
    });
    let text = |get: fn(&AnswerCode) -> &str| {
        arm(&|c| {
            let t = get(c);
            let v = ident(c.variant.get_ref());
            quote! { NoticeAnswerCode::#v => Some(#t), }
        })
    };
    let as_str = arm(&|c| {
        let code = c.code.get_ref();
        let v = ident(c.variant.get_ref());
        quote! { NoticeAnswerCode::#v => #code, }
    });
    let message_ko = text(|c| c.message_ko.get_ref());
    let description_ko = text(|c| c.description_ko.get_ref());
    let message_en = text(|c| c.message_en.get_ref());
    let description_en = text(|c| c.description_en.get_ref());
    let stops = arm(&|c| {
        let s = c.stops_retry;
        let v = ident(c.variant.get_ref());
        quote! { NoticeAnswerCode::#v => #s, }
    });
    let all = codes.iter().map(|c| ident(c.variant.get_ref()));
    let count = Literal::usize_unsuffixed(codes.len());
    let d = doc_lines(&format!(
        "A code of the merchant's answer to a notice (`{id}` manual v{version}, §7);\n\
         one outside the manual parses as [`NoticeAnswerCode::Unknown`]."
    ));
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum NoticeAnswerCode {
            #( #variants )*
            /// A code the manual does not define, kept as received.
            Unknown(UnknownValue),
        }

        impl NoticeAnswerCode {
            /// Every code the manual defines, in its order.
            pub const ALL: [NoticeAnswerCode; #count] = [ #( NoticeAnswerCode::#all ),* ];

            /// The code for `text` as received (unknown codes kept).
            pub fn from_wire(text: &str) -> Self {
                match text {
                    #( #from )*
                    other => NoticeAnswerCode::Unknown(UnknownValue(other.to_owned())),
                }
            }

            /// The two-digit code.
            pub fn as_str(&self) -> &str {
                match self {
                    #( #as_str )*
                    NoticeAnswerCode::Unknown(value) => value.as_str(),
                }
            }

            /// The manual's message, in Korean; `None` for an unknown code.
            pub fn message_ko(&self) -> Option<&'static str> {
                match self {
                    #( #message_ko )*
                    NoticeAnswerCode::Unknown(_) => None,
                }
            }

            /// The manual's description, in Korean; `None` for an unknown code.
            pub fn description_ko(&self) -> Option<&'static str> {
                match self {
                    #( #description_ko )*
                    NoticeAnswerCode::Unknown(_) => None,
                }
            }

            /// The English message (ASCII): what `RESULTMSG` carries.
            pub fn message_en(&self) -> Option<&'static str> {
                match self {
                    #( #message_en )*
                    NoticeAnswerCode::Unknown(_) => None,
                }
            }

            /// The English description; `None` for an unknown code.
            pub fn description_en(&self) -> Option<&'static str> {
                match self {
                    #( #description_en )*
                    NoticeAnswerCode::Unknown(_) => None,
                }
            }

            /// Whether COUFUN stops sending the notice again on this answer
            /// (`false` for an unknown code).
            pub fn stops_retry(&self) -> bool {
                match self {
                    #( #stops )*
                    NoticeAnswerCode::Unknown(_) => false,
                }
            }
        }

        impl fmt::Display for NoticeAnswerCode {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

//! Emitters: each turns the validated spec into the tokens (or text) of one
//! generated file. Shared helpers live here: doc attributes, identifiers,
//! source citations, optional values and what several emitters read of an
//! operation or a field the same way.

pub mod client;
pub mod docs;
pub mod inbound;
pub mod issuing;
pub mod kinds;
pub mod manual;
pub mod operations;
pub mod requests;
pub mod responses;
pub mod result_code;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote};

use crate::model::{Operation, RequestField};

/// `#[doc = "…"]` lines for `text`, one attribute per line of text.
pub fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote! { #( #[doc = #lines] )* }
}

/// How generated docs name a source: `create manual v1.4`, `observed`, `inferred`.
pub fn source_label(spec: &crate::Spec, source: &crate::model::Source) -> String {
    match source.document() {
        Some(key) => match spec.endpoints.documents.get(key) {
            Some(doc) => format!("{key} manual v{}", doc.version.get_ref()),
            None => format!("{key} manual"),
        },
        None => source.as_str().to_owned(),
    }
}

/// `label` followed by the source's place in its document, if it names one:
/// how generated docs cite a source (`exchange manual v1.6 §4 row 1`).
pub fn with_place(label: String, source: &crate::model::Source) -> String {
    match source.place() {
        place if place.is_empty() => label,
        place => format!("{label} {place}"),
    }
}

/// An identifier from a name the validator has already checked.
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `Some(value)` or `None`, as tokens.
pub fn option(value: Option<impl ToTokens>) -> TokenStream {
    match value {
        Some(value) => quote! { Some(#value) },
        None => quote! { None },
    }
}

/// An operation's methods as the wire names them, in the spec's order: `GET`, `POST`.
pub fn method_names(op: &Operation) -> Vec<&'static str> {
    op.methods.iter().map(|m| m.name()).collect()
}

/// An operation's name in `PascalCase` as an identifier: its `OperationId` and
/// `AnyRequest` / `AnyResponse` variant, e.g. `CouponSend`.
pub fn op_ident(op: &Operation) -> Ident {
    ident(&requests::pascal(op.name()))
}

/// A spec number that may be absent: its value, or zero (the validator has
/// required each one a rule reads).
pub fn number<T: Copy + Default>(value: &Option<toml::Spanned<T>>) -> T {
    value.as_ref().map_or_else(T::default, |v| *v.get_ref())
}

/// The code a broken rule of request field `f` answers: the field's own, else
/// its kind's (empty when the kind is unknown, which the validator refuses).
pub fn field_code<'s>(spec: &'s crate::Spec, f: &'s RequestField) -> &'s str {
    f.code
        .as_ref()
        .or_else(|| spec.endpoints.kinds.get(f.kind.get_ref()).map(|k| &k.code))
        .map_or("", |c| c.get_ref().as_str())
}

/// `generated/mod.rs`: declares each generated module.
pub fn module_index(modules: &[&str]) -> TokenStream {
    let modules = modules.iter().map(|m| ident(m));
    quote! {
        //! Code generated from `spec/`: never edited by hand. Each module's header
        //! names the spec files it comes from and the command that rewrites it.
        // rustfmt would reformat prettyplease's output and make `codegen --check` fail.
        #( #[rustfmt::skip] pub mod #modules; )*
    }
}

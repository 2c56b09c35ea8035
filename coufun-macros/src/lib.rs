//! Compile-time checked COUFUN literals. A thin layer over `coufun-codegen`: every
//! limit and code comes from the spec embedded there (checked by
//! `coufun_codegen::literal` with the same `coufun-rules` functions the run-time
//! validators call), never from this crate, and every problem becomes a compile
//! error at the literal's span (never a panic).

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::{LitStr, Token, parse_macro_input};

use coufun_codegen::Spec;
use coufun_codegen::literal::{check_literal, list_limit};

/// The embedded spec, parsed and validated once per compiler process (not once
/// per macro call: it is compiled into `coufun-codegen` and cannot change).
fn spec(span: Span) -> Result<&'static Spec, syn::Error> {
    static SPEC: std::sync::OnceLock<Result<Spec, String>> = std::sync::OnceLock::new();
    match SPEC.get_or_init(|| coufun_codegen::embedded::spec().map_err(|e| e.to_string())) {
        Ok(spec) => Ok(spec),
        Err(e) => Err(syn::Error::new(
            span,
            format!("the coufun spec is invalid:\n{e}"),
        )),
    }
}

/// Checks `lit` against the spec kind `key` and expands to the pre-validated value.
fn checked(key: &str, macro_name: &str, input: TokenStream) -> TokenStream {
    let lit = parse_macro_input!(input as LitStr);
    expand_one(key, macro_name, &lit)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn expand_one(
    key: &str,
    macro_name: &str,
    lit: &LitStr,
) -> Result<proc_macro2::TokenStream, syn::Error> {
    let spec = spec(lit.span())?;
    let checked = check_literal(spec, key, &lit.value())
        .map_err(|e| syn::Error::new(lit.span(), format!("{macro_name}!: {e}")))?;
    let ty = format_ident!("{}", checked.type_name);
    let value = LitStr::new(&checked.value, lit.span());
    Ok(quote! { ::coufun_api::generated::kinds::#ty::__from_checked_literal(#value) })
}

/// A message subject checked at compile time (spec kind `subject`, in CP949):
/// `subject!("쿠폰이 도착했습니다")` is a `coufun_api::Subject`.
#[proc_macro]
pub fn subject(input: TokenStream) -> TokenStream {
    checked("subject", "subject", input)
}

/// A message body checked at compile time (spec kind `body`, in CP949).
#[proc_macro]
pub fn body(input: TokenStream) -> TokenStream {
    checked("body", "body", input)
}

/// An extra input checked at compile time (spec kind `extra`, in CP949).
#[proc_macro]
pub fn extra(input: TokenStream) -> TokenStream {
    checked("extra", "extra", input)
}

/// A TR_ID checked at compile time (spec kind `tr_id`, in CP949).
#[proc_macro]
pub fn tr_id(input: TokenStream) -> TokenStream {
    checked("tr_id", "tr_id", input)
}

/// A sender number checked at compile time (spec kind `sender`); `-` and ` `
/// are removed.
#[proc_macro]
pub fn sender(input: TokenStream) -> TokenStream {
    checked("sender", "sender", input)
}

/// A recipient mobile number checked at compile time (spec kind `mobile`); `-`
/// and ` ` are removed.
#[proc_macro]
pub fn recipient(input: TokenStream) -> TokenStream {
    checked("mobile", "recipient", input)
}

/// An array of recipient mobile numbers checked at compile time: each number
/// against spec kind `mobile`, and their count against the smallest list limit
/// the spec gives a `mobile` list field (recipients of a coupon send).
#[proc_macro]
pub fn recipients(input: TokenStream) -> TokenStream {
    let lits = parse_macro_input!(input with Punctuated::<LitStr, Token![,]>::parse_terminated);
    let mut error: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut error {
        Some(first) => first.combine(e),
        None => error = Some(e),
    };
    let spec = match spec(Span::call_site()) {
        Ok(spec) => spec,
        Err(e) => return e.into_compile_error().into(),
    };
    if let Some((max, code)) = list_limit(spec, "mobile")
        && lits.len() > max as usize
    {
        let span = lits
            .iter()
            .nth(max as usize)
            .map_or(Span::call_site(), LitStr::span);
        push(syn::Error::new(
            span,
            format!(
                "recipients!: {} numbers, over the limit of {max}; the server would answer code {code}",
                lits.len()
            ),
        ));
    }
    let mut values = Vec::new();
    for lit in &lits {
        match expand_one("mobile", "recipients", lit) {
            Ok(v) => values.push(v),
            Err(e) => push(e),
        }
    }
    match error {
        Some(e) => e.into_compile_error().into(),
        None => quote! { [ #( #values ),* ] }.into(),
    }
}

/// The `ResultCode` variant for a two-digit code literal, checked against the spec.
///
/// `result_code!("21")` expands to `::coufun_api::ResultCode::InvalidSubject`; a
/// code the manual does not define is a compile error naming the known codes.
#[proc_macro]
pub fn result_code(input: TokenStream) -> TokenStream {
    let lit = parse_macro_input!(input as LitStr);
    let spec = match spec(lit.span()) {
        Ok(spec) => spec,
        Err(e) => return e.into_compile_error().into(),
    };
    let value = lit.value();
    match spec.codes.codes.iter().find(|c| c.code() == value) {
        Some(c) => {
            let variant = syn::Ident::new(c.variant(), lit.span());
            quote! { ::coufun_api::ResultCode::#variant }.into()
        }
        None if !coufun_codegen::validate::is_two_digits(&value) => syn::Error::new(
            lit.span(),
            format!(
                "result_code!: `{value}` is not a two-digit result code (write it as e.g. \"05\")"
            ),
        )
        .to_compile_error()
        .into(),
        None => {
            let known: Vec<&str> = spec.codes.codes.iter().map(|c| c.code()).collect();
            syn::Error::new(
                lit.span(),
                format!(
                    "result_code!: `{value}` is not a result code of manual v{}; known codes: {}",
                    spec.codes.manual.version.get_ref(),
                    known.join(", ")
                ),
            )
            .to_compile_error()
            .into()
        }
    }
}

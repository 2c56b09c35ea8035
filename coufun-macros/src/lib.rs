//! Compile-time checked COUFUN literals. Every limit and code comes from the table
//! the generator writes from the spec (`src/generated/literal_table.rs`, kept up to
//! date by `cargo xtask codegen`), checked with the same `coufun-rules` functions
//! the run-time validators call; this crate never parses the spec, and every
//! problem becomes a compile error at the literal's span (never a panic).

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{format_ident, quote};

use coufun_rules::literal::LiteralKind;
use syn::punctuated::Punctuated;
use syn::{LitStr, Token, parse_macro_input};
use syn3 as syn;

/// What the generator writes for this crate (never edited by hand).
#[allow(dead_code, unused_imports)]
mod generated {
    // rustfmt would reformat prettyplease's output and make `codegen --check` fail.
    #[rustfmt::skip]
    pub(crate) mod literal_table;
}
use generated::literal_table as table;

/// Checks `lit` against `kind` and expands to the pre-validated value.
fn checked(kind: &LiteralKind<'_>, macro_name: &str, input: TokenStream) -> TokenStream {
    let lit = parse_macro_input!(input as LitStr);
    expand_one(kind, macro_name, &lit)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn expand_one(
    kind: &LiteralKind<'_>,
    macro_name: &str,
    lit: &LitStr,
) -> Result<proc_macro2::TokenStream, syn::Error> {
    let value = kind
        .check(&lit.value())
        .map_err(|e| syn::Error::new(lit.span(), format!("{macro_name}!: {e}")))?;
    let ty = format_ident!("{}", kind.type_name);
    let value = LitStr::new(&value, lit.span());
    Ok(quote! { ::coufun_api::generated::kinds::#ty::__from_checked_literal(#value) })
}

/// A message subject checked at compile time (spec kind `subject`, in CP949):
/// `subject!("쿠폰이 도착했습니다")` is a `coufun_api::Subject`.
#[proc_macro]
pub fn subject(input: TokenStream) -> TokenStream {
    checked(&table::SUBJECT, "subject", input)
}

/// A message body checked at compile time (spec kind `body`, in CP949).
#[proc_macro]
pub fn body(input: TokenStream) -> TokenStream {
    checked(&table::BODY, "body", input)
}

/// An extra input checked at compile time (spec kind `extra`, in CP949).
#[proc_macro]
pub fn extra(input: TokenStream) -> TokenStream {
    checked(&table::EXTRA, "extra", input)
}

/// A TR_ID checked at compile time (spec kind `tr_id`, in CP949).
#[proc_macro]
pub fn tr_id(input: TokenStream) -> TokenStream {
    checked(&table::TR_ID, "tr_id", input)
}

/// A sender number checked at compile time (spec kind `sender`); `-` and ` `
/// are removed.
#[proc_macro]
pub fn sender(input: TokenStream) -> TokenStream {
    checked(&table::SENDER, "sender", input)
}

/// A recipient mobile number checked at compile time (spec kind `mobile`); `-`
/// and ` ` are removed.
#[proc_macro]
pub fn recipient(input: TokenStream) -> TokenStream {
    checked(&table::MOBILE, "recipient", input)
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
    if let Some(limit) = &table::MOBILE.list
        && lits.len() > limit.max as usize
    {
        let (max, code) = (limit.max, limit.code);
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
        match expand_one(&table::MOBILE, "recipients", lit) {
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
    let value = lit.value();
    match table::RESULT_CODES.iter().find(|(code, _)| *code == value) {
        Some((_, variant)) => {
            let variant = syn::Ident::new(variant, lit.span());
            quote! { ::coufun_api::ResultCode::#variant }.into()
        }
        None if !is_two_digits(&value) => syn::Error::new(
            lit.span(),
            format!(
                "result_code!: `{value}` is not a two-digit result code (write it as e.g. \"05\")"
            ),
        )
        .to_compile_error()
        .into(),
        None => {
            let known: Vec<&str> = table::RESULT_CODES.iter().map(|(code, _)| *code).collect();
            syn::Error::new(
                lit.span(),
                format!(
                    "result_code!: `{value}` is not a result code of manual v{}; known codes: {}",
                    table::MANUAL_VERSION,
                    known.join(", ")
                ),
            )
            .to_compile_error()
            .into()
        }
    }
}

/// The shape of every result code (the generator refuses a spec whose codes are
/// not two ASCII digits).
fn is_two_digits(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())
}

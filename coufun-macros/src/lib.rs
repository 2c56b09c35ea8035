//! Compile-time checked COUFUN literals. A thin layer over `coufun-codegen`: every
//! limit and code comes from the spec embedded there, never from this crate, and
//! every problem becomes a compile error at the literal's span (never a panic).

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use proc_macro::TokenStream;
use quote::quote;
use syn::{LitStr, parse_macro_input};

/// The `ResultCode` variant for a two-digit code literal, checked against the spec.
///
/// `result_code!("21")` expands to `::coufun_api::ResultCode::InvalidSubject`; a
/// code the manual does not define is a compile error naming the known codes.
#[proc_macro]
pub fn result_code(input: TokenStream) -> TokenStream {
    let lit = parse_macro_input!(input as LitStr);
    let spec = match coufun_codegen::embedded::spec() {
        Ok(spec) => spec,
        Err(e) => {
            return syn::Error::new(lit.span(), format!("the coufun spec is invalid:\n{e}"))
                .to_compile_error()
                .into();
        }
    };
    let value = lit.value();
    match spec.codes.codes.iter().find(|c| c.code() == value) {
        Some(c) => {
            let variant = syn::Ident::new(c.variant(), lit.span());
            quote! { ::coufun_api::ResultCode::#variant }.into()
        }
        None => {
            let known: Vec<&str> = spec.codes.codes.iter().map(|c| c.code()).collect();
            syn::Error::new(
                lit.span(),
                format!(
                    "`{value}` is not a result code of manual v{}; known codes: {}",
                    spec.codes.manual.version.get_ref(),
                    known.join(", ")
                ),
            )
            .to_compile_error()
            .into()
        }
    }
}

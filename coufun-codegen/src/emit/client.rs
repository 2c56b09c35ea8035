//! Emits one method per operation on the async client and on the blocking one
//! (feature `blocking`): `client.coupon_send(&request)` sends the operation's
//! generated request and returns its generated response type; and `goods_info`,
//! the one-item lookup over the records with role `goods_catalog`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc_lines;
use super::requests::request_type;
use super::responses::{record_type, response_type};
use crate::Spec;
use crate::model::{Effect, Operation};

/// The whole `client.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let ops = &spec.endpoints.operations;
    let catalog = ops.iter().find(|op| op.goods_catalog().is_some());
    // one client's methods, async or blocking
    let methods = |is_async| {
        ops.iter()
            .map(move |op| method(op, is_async))
            .chain(catalog.map(move |op| goods_info(op, is_async)))
    };
    let (async_methods, blocking_methods) = (methods(true), methods(false));
    quote! {
        //! One method per operation on [`Client`] (feature `client`) and, with
        //! the `blocking` feature, on the blocking client.
        #![cfg(feature = "client")]
        use super::super::client::Client;
        use super::super::error::Error;
        use super::super::issuance::IssueOutcome;
        use super::requests::*;
        use super::responses::*;

        impl Client {
            #( #async_methods )*
        }

        #[cfg(feature = "blocking")]
        impl super::super::client::blocking::Client {
            #( #blocking_methods )*
        }
    }
}

/// `goods_info(goods_id)`: one call of the catalog operation `op`, searched for
/// the record whose `goods_id` role field holds `goods_id` (trimmed).
fn goods_info(op: &Operation, is_async: bool) -> TokenStream {
    let name = format_ident!("{}", op.name());
    let request = request_type(op);
    let item = format_ident!("{}", record_type(op));
    let Some((records, Some(id))) = op.goods_catalog() else {
        return quote! {};
    };
    let (list, id_name) = (
        format_ident!("{}", records.name.get_ref()),
        format_ident!("{}", id.name.get_ref()),
    );
    let doc = doc_lines(&format!(
        "Looks one goods item up by its `{}`. No manual documents a goods-info \
         operation of its own: `{}` (`{}`) returns every detail of every goods item, so \
         this is one [`{}`](Self::{}) call searched for `goods_id`. `Ok(None)`: the list \
         does not hold it. (The goods manual asks merchants to keep the list on their \
         side: cache it rather than calling this per purchase.)",
        id.wire.get_ref(),
        op.name(),
        op.path.name.get_ref(),
        op.name(),
        op.name(),
    ));
    let (asyncness, dot_await) = asyncness(is_async);
    quote! {
        #doc
        pub #asyncness fn goods_info(&self, goods_id: &str) -> Result<Option<#item>, Error> {
            let request = #request::builder().build_with(self.request_charset())?;
            let list = self.#name(&request) #dot_await ?;
            Ok(list.#list.into_iter().find(|item| {
                item.#id_name
                    .as_ref()
                    .map(|v| ::core::convert::AsRef::<str>::as_ref(v).trim())
                    == Some(goods_id.trim())
            }))
        }
    }
}

fn method(op: &Operation, is_async: bool) -> TokenStream {
    let name = format_ident!("{}", op.name());
    let request = request_type(op);
    let response = format_ident!("{}", response_type(op));
    let methods = super::method_names(op).join(" or ");
    let writes = op.effect == Effect::Write;
    let effect = match (writes, op.idempotency_key()) {
        (false, _) => "reads only: safe to repeat".to_owned(),
        (true, Some(key)) => {
            format!("changes state; the server deduplicates on `{}`", key.name())
        }
        (true, None) => {
            "changes state; not deduplicated: learn the outcome before repeating".to_owned()
        }
    };
    let retries = match (writes, op.idempotency_key()) {
        (false, _) => "Failed attempts are retried per the client's retry policy.",
        (true, Some(_)) => {
            "Issued at most once: every retry sends the same request with the same TR_ID; the \
             outcome says issued, not issued, issued by an earlier attempt whose answer was \
             lost, or unknown (see [`crate::issuance`])."
        }
        (true, None) => {
            "An attempt whose outcome is unknown is retried only with the very same request."
        }
    };
    let doc = doc_lines(&format!(
        "{} — {}\n\n{} `{}` ({effect}; the first method is preferred).\n\n{retries}",
        op.summary_ko,
        op.summary_en,
        methods,
        op.path.name.get_ref()
    ));
    let (asyncness, dot_await) = asyncness(is_async);
    let (answer, call) = if op.is_issuing() {
        (quote! { IssueOutcome<#response> }, quote! { issue })
    } else {
        (
            quote! { Result<#response, Error> },
            quote! { call_counted_in },
        )
    };
    quote! {
        #doc
        pub #asyncness fn #name(&self, request: &#request) -> #answer {
            self.#call(request, request.charset()) #dot_await
        }
    }
}

/// `async` and `.await` for the async client; nothing for the blocking one.
fn asyncness(is_async: bool) -> (TokenStream, TokenStream) {
    if is_async {
        (quote! { async }, quote! { .await })
    } else {
        (quote! {}, quote! {})
    }
}

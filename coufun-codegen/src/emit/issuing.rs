//! Emits `issuing.rs`: for each issuing operation (a write whose request has a
//! field with `role = "idempotency_key"`) the `IssuingRequest` and
//! `IssuingResponse` impls, read off the spec's roles. The traits and the
//! issuance state machine that uses them are hand-written in the runtime
//! (`coufun-api/src/issuance.rs`); a new issuing operation needs only its roles.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::requests::request_type;
use super::responses::response_type;
use super::{doc_lines, ident, option};
use crate::Spec;
use crate::model::{AnswerRole, Operation, RequestField, RequestRole};

/// The whole `issuing.rs` generated module.
pub fn emit(spec: &Spec) -> TokenStream {
    let impls = spec
        .endpoints
        .operations
        .iter()
        .filter(|op| op.is_issuing())
        .map(emit_operation);
    quote! {
        //! What each issuing operation's fields are to issuance, from the spec's
        //! `role`s: the idempotency key, the coupons asked for, the goods; the
        //! order id, the stated count, the echoes and the coupon numbers.
        use super::requests::*;
        use super::responses::*;
        use crate::issuance::{IssuingRequest, IssuingResponse};
        use crate::TrId;

        #( #impls )*
    }
}

/// Both impls of one issuing operation.
pub fn emit_operation(op: &Operation) -> TokenStream {
    let request = request_type(op);
    let response = format_ident!("{}", response_type(op));
    let Some(key) = op.idempotency_key() else {
        return quote! {};
    };
    let key_name = ident(key.name());
    let key_wire = key.wire.get_ref();
    let count = op.request_role(RequestRole::CouponCount);
    let goods = op.request_role(RequestRole::Goods);
    // A request role's value read through `get` (`Some` of it for a required field).
    let role_value = |field: Option<&RequestField>, get: TokenStream| match field {
        Some(f) if f.required => {
            let n = ident(f.name());
            quote! { Some(self.#n().#get) }
        }
        Some(f) => {
            let n = ident(f.name());
            quote! { self.#n().map(|v| v.#get) }
        }
        None => quote! { None },
    };
    let coupons_requested = role_value(count, quote! { get() });
    let goods_value = role_value(goods, quote! { as_str() });
    let goods_wire = option(goods.map(|f| f.wire.get_ref()));
    let request_doc = doc_lines(&format!(
        "`{}`: the idempotency key is `{}` ({key_wire}); {}; {}.",
        op.name(),
        key.name(),
        role_says(
            count,
            "the coupons asked for are",
            "the request does not say how many coupons it asks for"
        ),
        role_says(goods, "the goods are", "the request names no goods"),
    ));

    // The answer's roles, in the doc's order: what each is called, and the
    // method reading it (a stated count is a number, the others text).
    use AnswerRole::{EchoGoods, EchoIdempotencyKey, OrderId, StatedCount};
    let roles = [
        (OrderId, "the order id is", "no order id"),
        (StatedCount, "the stated count is", "no stated count"),
        (EchoIdempotencyKey, "the echoed key is", "no echoed key"),
        (EchoGoods, "the echoed goods are", "no echoed goods"),
    ];
    let [order_id, stated, echoed_key, echoed_goods] =
        roles.map(|(role, ..)| match op.answer_role(role) {
            Some(f) if role == StatedCount => {
                let n = ident(f.name.get_ref());
                quote! { self.#n }
            }
            Some(f) => {
                let n = ident(f.name.get_ref());
                quote! { self.#n.as_ref().map(::core::convert::AsRef::<str>::as_ref) }
            }
            None => quote! { None },
        });
    let numbers = match op.issued_coupons() {
        Some((records, Some(number))) => {
            let (list, n) = (ident(records.name.get_ref()), ident(number.name.get_ref()));
            quote! {
                self.#list
                    .iter()
                    .filter_map(|c| c.#n.as_ref().map(::core::convert::AsRef::<str>::as_ref))
                    .collect()
            }
        }
        _ => quote! { Vec::new() },
    };
    let says = roles.map(|(role, some, none)| answer_says(op, role, some, none));
    let response_doc = doc_lines(&format!(
        "`{}`: {}; {}.",
        op.name(),
        says.join("; "),
        match op.issued_coupons() {
            Some((records, Some(number))) => format!(
                "the coupon numbers are `{}` of each `{}`",
                number.wire.get_ref(),
                records.element.get_ref()
            ),
            _ => "no coupon numbers".to_owned(),
        },
    ));
    quote! {
        #request_doc
        impl IssuingRequest for #request {
            const KEY_WIRE: &'static str = #key_wire;
            const GOODS_WIRE: Option<&'static str> = #goods_wire;

            fn issue_key(&self) -> &TrId {
                self.#key_name()
            }

            fn coupons_requested(&self) -> Option<u64> {
                #coupons_requested
            }

            fn goods(&self) -> Option<&str> {
                #goods_value
            }
        }

        #response_doc
        impl IssuingResponse for #response {
            fn order_id(&self) -> Option<&str> {
                #order_id
            }

            fn coupon_numbers(&self) -> Vec<&str> {
                #numbers
            }

            fn stated_count(&self) -> Option<i64> {
                #stated
            }

            fn echoed_key(&self) -> Option<&str> {
                #echoed_key
            }

            fn echoed_goods(&self) -> Option<&str> {
                #echoed_goods
            }
        }
    }
}

/// `the coupons asked for are `quantity` (CREATE_CNT)`, or what to say without one.
fn role_says(field: Option<&RequestField>, some: &str, none: &str) -> String {
    field.map_or_else(
        || none.to_owned(),
        |f| format!("{some} `{}` ({})", f.name(), f.wire.get_ref()),
    )
}

/// The same for an answer element.
fn answer_says(op: &Operation, role: AnswerRole, some: &str, none: &str) -> String {
    op.answer_role(role).map_or_else(
        || none.to_owned(),
        |f| format!("{some} `{}`", f.wire.get_ref()),
    )
}

//! The literal macros' table: each kind that has a literal macro, as the
//! `coufun_rules::literal::LiteralKind` the spec makes of it, and the result codes,
//! emitted as `coufun-macros/src/generated/literal_table.rs` so that the macros
//! check literals with `coufun-rules` and never parse the spec at a user's compile
//! time. [`check_literal`] runs the same check on a loaded spec.

use std::borrow::Cow;

use coufun_rules::MobilePrefix;
use coufun_rules::literal::{ListLimit, LiteralKind, LiteralRule};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::Spec;
use crate::emit::{number, option};
use crate::model::{Kind, Rule};

/// A literal that passed its kind's check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedLiteral {
    /// The Rust type of the kind, e.g. `Subject`.
    pub type_name: String,
    /// The value the type holds: the text itself, or for phone numbers the
    /// digits with separators removed.
    pub value: String,
}

/// Why a literal was refused: a message naming the kind, the rule, the limit and
/// the measured size (never a phone number).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LiteralError(pub String);

/// The kind `key` of `spec` as the literal macros check it, or `None` when its
/// rule has no literal macro (count, date, token, enum).
pub fn literal_kind<'a>(spec: &'a Spec, key: &'a str, kind: &'a Kind) -> Option<LiteralKind<'a>> {
    let rule = match kind.rule {
        Rule::Text => LiteralRule::Text {
            min_bytes: number(&kind.min_bytes),
            max_bytes: number(&kind.max_bytes),
        },
        Rule::Digits => LiteralRule::Digits {
            max_len: number(&kind.max_len),
        },
        Rule::Mobile => LiteralRule::Mobile {
            prefixes: Cow::Owned(
                kind.prefixes
                    .iter()
                    .map(|p| MobilePrefix {
                        prefix: p.prefix.get_ref(),
                        digits: &p.digits,
                    })
                    .collect(),
            ),
        },
        Rule::Count | Rule::Date | Rule::Token | Rule::Enum => return None,
    };
    let code = kind.code.get_ref();
    let code_message = spec
        .codes
        .codes
        .iter()
        .find(|c| c.code() == code)
        .map_or("", |c| c.message_en.get_ref().as_str());
    Some(LiteralKind {
        key,
        type_name: kind.type_name.get_ref(),
        rule,
        code,
        code_message,
        doc: &kind.doc,
        list: list_limit(spec, key),
    })
}

/// Checks `text` against the kind `key` of `spec`, measuring text in CP949 (the
/// check the macros make with the emitted table).
pub fn check_literal(spec: &Spec, key: &str, text: &str) -> Result<CheckedLiteral, LiteralError> {
    let (key, found) = spec
        .endpoints
        .kinds
        .get_key_value(key)
        .ok_or_else(|| LiteralError(format!("the spec has no kind `{key}`")))?;
    let Some(literal) = literal_kind(spec, key, found) else {
        return Err(LiteralError(format!(
            "kind `{key}` has rule `{:?}`, which has no literal macro",
            found.rule
        )));
    };
    literal
        .check(text)
        .map(|value| CheckedLiteral {
            type_name: literal.type_name.to_owned(),
            value,
        })
        .map_err(|refusal| LiteralError(refusal.to_string()))
}

/// The most values a list field of kind `key` may hold in any operation, with the
/// code for more (e.g. recipients: 9, `15`).
pub fn list_limit<'a>(spec: &'a Spec, key: &str) -> Option<ListLimit<'a>> {
    spec.endpoints
        .operations
        .iter()
        .flat_map(|op| &op.request)
        .filter(|f| f.kind.get_ref() == key)
        .filter_map(|f| f.list.as_ref())
        .map(|l| ListLimit {
            max: *l.max.get_ref(),
            code: l.code.get_ref(),
        })
        .min_by_key(|l| l.max)
}

fn emit_kind(kind: &LiteralKind<'_>) -> TokenStream {
    let LiteralKind {
        key,
        type_name,
        code,
        code_message,
        doc,
        ..
    } = kind;
    let n = |v: u32| proc_macro2::Literal::u32_unsuffixed(v);
    let rule = match &kind.rule {
        LiteralRule::Text {
            min_bytes,
            max_bytes,
        } => {
            let (min_bytes, max_bytes) = (n(*min_bytes), n(*max_bytes));
            quote! { LiteralRule::Text { min_bytes: #min_bytes, max_bytes: #max_bytes } }
        }
        LiteralRule::Digits { max_len } => {
            let max_len = n(*max_len);
            quote! { LiteralRule::Digits { max_len: #max_len } }
        }
        LiteralRule::Mobile { prefixes } => {
            let prefixes = prefixes.iter().map(|MobilePrefix { prefix, digits }| {
                let digits = digits.iter().map(|d| n(*d));
                quote! { MobilePrefix { prefix: #prefix, digits: &[ #( #digits ),* ] } }
            });
            quote! { LiteralRule::Mobile { prefixes: Cow::Borrowed(&[ #( #prefixes ),* ]) } }
        }
        // A rule coufun-rules gains later: the macros' crate fails to build, naming it.
        _ => quote! { compile_error!("coufun-codegen cannot emit this literal rule") },
    };
    let list = option(kind.list.map(|ListLimit { max, code }| {
        let max = n(max);
        quote! { ListLimit { max: #max, code: #code } }
    }));
    let name = format_ident!("{}", key.to_uppercase());
    let item_doc = format!(" Kind `{key}` (`{type_name}`): {doc}");
    quote! {
        #[doc = #item_doc]
        pub(crate) const #name: LiteralKind<'static> = LiteralKind {
            key: #key,
            type_name: #type_name,
            rule: #rule,
            code: #code,
            code_message: #code_message,
            doc: #doc,
            list: #list,
        };
    }
}

/// The whole `literal_table.rs` of `coufun-macros`: one `const` per kind that has
/// a literal macro (named after its key, e.g. `SUBJECT`), the result codes with
/// their `ResultCode` variants, and the manual's version.
pub fn emit(spec: &Spec) -> TokenStream {
    let kinds = spec
        .endpoints
        .kinds
        .iter()
        .filter_map(|(key, kind)| literal_kind(spec, key, kind))
        .map(|k| emit_kind(&k));
    let codes = spec.codes.codes.iter().map(|c| {
        let (code, variant) = (c.code(), c.variant());
        quote! { (#code, #variant) }
    });
    let version = spec.codes.manual.version.get_ref();
    quote! {
        //! The spec's kinds and result codes as the literal macros check them: data
        //! only, checked with `coufun_rules::literal` (the macros never parse the spec).
        use std::borrow::Cow;

        use coufun_rules::MobilePrefix;
        use coufun_rules::literal::{ListLimit, LiteralKind, LiteralRule};

        #( #kinds )*

        /// Every result code of the manual with its `coufun_api::ResultCode` variant.
        pub(crate) const RESULT_CODES: &[(&str, &str)] = &[ #( #codes ),* ];
        /// The version of the code-definition manual the codes come from.
        pub(crate) const MANUAL_VERSION: &str = #version;
    }
}

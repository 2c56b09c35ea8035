//! Compile-time checks of literals (for `coufun-macros`): a literal is checked
//! against a kind of the spec with the same `coufun_rules` function the generated
//! validator calls, in CP949, with the limits read from the given spec.

use coufun_rules::{Charset, MobilePrefix, Violation};

use crate::Spec;
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

fn kind<'a>(spec: &'a Spec, key: &str) -> Result<&'a Kind, LiteralError> {
    spec.endpoints
        .kinds
        .get(key)
        .ok_or_else(|| LiteralError(format!("the spec has no kind `{key}`")))
}

fn refuse(spec: &Spec, key: &str, kind: &Kind, violation: Violation) -> LiteralError {
    let code = kind.code.get_ref();
    let message = spec
        .codes
        .codes
        .iter()
        .find(|c| c.code() == code)
        .map_or("", |c| c.message_en.get_ref().as_str());
    LiteralError(format!(
        "{} (spec kind `{key}`): {violation}; the server would answer code {code} ({message}). \
         Rule: {}",
        kind.type_name.get_ref(),
        kind.doc
    ))
}

/// Checks `text` against the kind `key` of `spec`, measuring text in CP949.
pub fn check_literal(spec: &Spec, key: &str, text: &str) -> Result<CheckedLiteral, LiteralError> {
    let kind = kind(spec, key)?;
    let limit = |v: &Option<toml::Spanned<u32>>| v.as_ref().map_or(0, |v| *v.get_ref());
    let value = match kind.rule {
        Rule::Text => coufun_rules::check_text(
            text,
            Charset::Cp949,
            limit(&kind.min_bytes),
            limit(&kind.max_bytes),
        )
        .map(|_| text.to_owned()),
        Rule::Digits => coufun_rules::check_digits(text, limit(&kind.max_len)),
        Rule::Mobile => {
            let prefixes: Vec<MobilePrefix<'_>> = kind
                .prefixes
                .iter()
                .map(|p| MobilePrefix {
                    prefix: p.prefix.get_ref(),
                    digits: &p.digits,
                })
                .collect();
            coufun_rules::check_mobile(text, &prefixes)
        }
        rule => {
            return Err(LiteralError(format!(
                "kind `{key}` has rule `{rule:?}`, which has no literal macro"
            )));
        }
    };
    value
        .map(|value| CheckedLiteral {
            type_name: kind.type_name.get_ref().clone(),
            value,
        })
        .map_err(|v| refuse(spec, key, kind, v))
}

/// The most values a list field of kind `key` may hold in any operation, with the
/// code for more (e.g. recipients: 9, `15`).
pub fn list_limit(spec: &Spec, key: &str) -> Option<(u32, String)> {
    spec.endpoints
        .operations
        .iter()
        .flat_map(|op| &op.request)
        .filter(|f| f.kind.get_ref() == key)
        .filter_map(|f| f.list.as_ref())
        .map(|l| (*l.max.get_ref(), l.code.get_ref().clone()))
        .min_by_key(|(max, _)| *max)
}

//! A kind's rule and limits as data, and the one check of a literal against it:
//! the generator builds a [`LiteralKind`] from the spec and writes it out as a
//! `const` table for `coufun-macros`, which checks its literals with
//! [`LiteralKind::check`] at compile time, so the macros never parse the spec.

use std::borrow::Cow;
use std::fmt;

use crate::charset::Charset;
use crate::rules::{MobilePrefix, check_digits, check_mobile, check_text};
use crate::violation::Violation;

/// The rule of a kind that has a literal macro, with the spec's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiteralRule<'a> {
    /// `text`: `min_bytes..=max_bytes` bytes, measured in CP949.
    Text {
        /// Fewest bytes.
        min_bytes: u32,
        /// Most bytes.
        max_bytes: u32,
    },
    /// `digits`: ASCII digits once `-` and ` ` are removed, at most `max_len`.
    Digits {
        /// Most digits.
        max_len: u32,
    },
    /// `mobile`: a Korean mobile number with one of `prefixes`.
    Mobile {
        /// The allowed prefixes and digit counts.
        prefixes: Cow<'a, [MobilePrefix<'a>]>,
    },
}

/// The most values a list of this kind may hold, and the code answered past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListLimit<'a> {
    /// The most values.
    pub max: u32,
    /// The result code for more.
    pub code: &'a str,
}

/// One kind of the spec as the literal macros need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralKind<'a> {
    /// The kind's key in the spec, e.g. `subject`.
    pub key: &'a str,
    /// The Rust type generated for it, e.g. `Subject`.
    pub type_name: &'a str,
    /// The rule and its limits.
    pub rule: LiteralRule<'a>,
    /// The result code the server answers when the rule is broken.
    pub code: &'a str,
    /// That code's English message (empty when the code table lacks it).
    pub code_message: &'a str,
    /// The kind's one-line description.
    pub doc: &'a str,
    /// The smallest list limit any request field of this kind has, if any.
    pub list: Option<ListLimit<'a>>,
}

/// Why a literal was refused: the kind, the broken rule with its limit and the
/// measured size, the code the server would answer and the rule's description
/// (never the value itself: it may be a phone number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralRefusal {
    violation: Violation,
    message: String,
}

impl LiteralRefusal {
    /// The broken rule.
    pub fn violation(&self) -> Violation {
        self.violation
    }
}

impl fmt::Display for LiteralRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LiteralRefusal {}

impl LiteralKind<'_> {
    /// Checks `text` against the rule (text measured in CP949) and returns the
    /// value the kind's type holds: the text itself, or for digits and phone
    /// numbers the digits with separators removed.
    pub fn check(&self, text: &str) -> Result<String, LiteralRefusal> {
        let checked = match &self.rule {
            LiteralRule::Text {
                min_bytes,
                max_bytes,
            } => check_text(text, Charset::Cp949, *min_bytes, *max_bytes).map(|_| text.to_owned()),
            LiteralRule::Digits { max_len } => check_digits(text, *max_len),
            LiteralRule::Mobile { prefixes } => check_mobile(text, prefixes),
        };
        checked.map_err(|violation| LiteralRefusal {
            violation,
            message: format!(
                "{} (spec kind `{}`): {violation}; the server would answer code {} ({}). Rule: {}",
                self.type_name, self.key, self.code, self.code_message, self.doc
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBJECT: LiteralKind<'static> = LiteralKind {
        key: "subject",
        type_name: "Subject",
        rule: LiteralRule::Text {
            min_bytes: 1,
            max_bytes: 4,
        },
        code: "99",
        code_message: "Subject error",
        doc: "a test kind",
        list: None,
    };

    const MOBILE: LiteralKind<'static> = LiteralKind {
        key: "mobile",
        type_name: "MobileNumber",
        rule: LiteralRule::Mobile {
            prefixes: Cow::Borrowed(&[MobilePrefix {
                prefix: "010",
                digits: &[8],
            }]),
        },
        code: "98",
        code_message: "Recipient error",
        doc: "a test mobile kind",
        list: Some(ListLimit { max: 2, code: "97" }),
    };

    #[test]
    fn text_is_measured_in_cp949_against_the_given_limits() {
        assert_eq!(SUBJECT.check("가나").as_deref(), Ok("가나"));
        let refused = SUBJECT.check("가나다").unwrap_err();
        assert_eq!(
            refused.to_string(),
            format!(
                "Subject (spec kind `subject`): {}; the server would answer code 99 (Subject error). Rule: a test kind",
                refused.violation()
            )
        );
        assert!(refused.to_string().contains("over the limit of 4 bytes"));
    }

    #[test]
    fn phone_numbers_lose_their_separators_and_never_appear_in_a_refusal() {
        assert_eq!(MOBILE.check("010-1234-5678").as_deref(), Ok("01012345678"));
        let refused = MOBILE.check("010-123-4567").unwrap_err().to_string();
        assert!(refused.contains("code 98"), "{refused}");
        assert!(!refused.contains("4567"), "{refused}");
    }
}

//! The runtime below the generated `ResultCode`: the types its table is made
//! of ([`Lang`], [`Category`], [`RetryClass`], [`UnknownCode`], the table row),
//! and its behaviour — parsing, texts, display, serde — written once as the
//! macro `impl_result_code!`, which the generated module invokes on its enum.
//! (A macro rather than a trait, so that `from_number`, `as_str`, `retry` and
//! the rest stay `const fn`.) This module never names generated code: the enum
//! and its table are generated from `spec/result_codes.toml` into
//! `generated::result_code`.

use std::fmt;

/// A language the manual's texts come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Lang {
    /// Korean, as the manual writes it.
    #[default]
    Ko,
    /// English (our translation).
    En,
}

#[doc(inline)]
pub use coufun_rules::{Category, RetryClass};

/// A two-digit code the manual does not define. Opaque: it can be shown and
/// compared, but not built or matched on by value, so code written against
/// today's manual keeps its meaning when a later one defines the code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownCode(u8);

impl UnknownCode {
    /// The two digits, as the server sent them.
    pub const fn as_str(&self) -> &'static str {
        two_digits(self.0)
    }

    /// The code numbered `n` (the generated enum's unknown case).
    pub(crate) const fn new(n: u8) -> UnknownCode {
        UnknownCode(n)
    }

    /// Its number, 0–99.
    pub(crate) const fn number(self) -> u8 {
        self.0
    }
}

impl fmt::Debug for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnknownCode").field(&self.as_str()).finish()
    }
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the generated code table.
#[derive(Debug)]
pub(crate) struct CodeInfo {
    pub(crate) number: u8,
    pub(crate) message_ko: &'static str,
    pub(crate) description_ko: &'static str,
    pub(crate) message_en: &'static str,
    pub(crate) description_en: &'static str,
    pub(crate) category: Category,
    pub(crate) retry: RetryClass,
    pub(crate) contact_admin: bool,
    pub(crate) since: Option<&'static str>,
    pub(crate) changed_in: Option<&'static str>,
    pub(crate) action_ko: Option<&'static str>,
    pub(crate) action_en: Option<&'static str>,
}

/// Text that is not a two-digit result code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "result code must be two ASCII digits, got {found:?} / 결과 코드는 두 자리 숫자여야 합니다"
)]
pub struct ParseResultCodeError {
    /// What was found (at most 16 characters of it).
    pub found: String,
}

/// "00" … "99" back to back, so every code's text is a `&'static str`.
const DIGIT_PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

pub(crate) const fn two_digits(n: u8) -> &'static str {
    let i = (n as usize % 100) * 2;
    let (_, tail) = DIGIT_PAIRS.as_bytes().split_at(i);
    let (pair, _) = tail.split_at(2);
    match std::str::from_utf8(pair) {
        Ok(s) => s,
        Err(_) => "??",
    }
}

/// Gives the generated `ResultCode` enum (`$ty`, with its `Success` and
/// `Unknown(UnknownCode)` variants and its generated `known_from_number` and
/// `known_info`) its whole behaviour: numbers and digits, texts in both
/// languages, classification, display, parsing and serde. Invoked once, by the
/// generated module.
macro_rules! impl_result_code {
    ($ty:ident) => {
        impl $ty {
            /// The code numbered `n` (0–99): a known variant or [`Self::Unknown`].
            /// `None` above 99.
            pub const fn from_number(n: u8) -> Option<$ty> {
                if n > 99 {
                    return None;
                }
                match $ty::known_from_number(n) {
                    Some(code) => Some(code),
                    None => Some($ty::Unknown($crate::result_code::UnknownCode::new(n))),
                }
            }

            /// The code as a number, 0–99.
            pub const fn number(self) -> u8 {
                match self.known_info() {
                    Some(info) => info.number,
                    None => match self {
                        $ty::Unknown(u) => u.number(),
                        _ => 0,
                    },
                }
            }

            /// The two-digit code, e.g. `"05"`.
            pub const fn as_str(self) -> &'static str {
                $crate::result_code::two_digits(self.number())
            }

            /// Whether the manual defines this code.
            pub const fn is_known(self) -> bool {
                self.known_info().is_some()
            }

            /// Whether this is `00`, success.
            pub const fn is_success(self) -> bool {
                matches!(self, $ty::Success)
            }

            /// The manual's message (Korean) or ours (English).
            pub fn message(self, lang: $crate::result_code::Lang) -> &'static str {
                $crate::result_code::message(self.known_info(), lang)
            }

            /// The manual's description (Korean) or ours (English).
            pub fn description(self, lang: $crate::result_code::Lang) -> &'static str {
                $crate::result_code::description(self.known_info(), lang)
            }

            /// What to do on this code, beyond its description, where the spec
            /// says (`action_ko` / `action_en` in `spec/result_codes.toml`):
            /// for `01`, which address to have registered, and with whom.
            ///
            /// ```
            /// use coufun_api::{Lang, ResultCode};
            ///
            /// let action = ResultCode::IpNotRegistered.action(Lang::En);
            /// assert!(action.is_some_and(|a| a.contains("IP address")));
            /// assert_eq!(ResultCode::Success.action(Lang::En), None);
            /// ```
            pub fn action(self, lang: $crate::result_code::Lang) -> Option<&'static str> {
                $crate::result_code::action(self.known_info(), lang)
            }

            /// What the code is about.
            pub const fn category(self) -> $crate::result_code::Category {
                match self.known_info() {
                    Some(i) => i.category,
                    None => $crate::result_code::Category::Unknown,
                }
            }

            /// Whether a call that answered this code may be sent again. Unknown
            /// codes are [`RetryClass::Never`](crate::RetryClass::Never): nothing
            /// is known to make a retry safe.
            pub const fn retry(self) -> $crate::result_code::RetryClass {
                match self.known_info() {
                    Some(i) => i.retry,
                    None => $crate::result_code::RetryClass::Never,
                }
            }

            /// Whether the manual says to contact the administrator (관리자 문의).
            pub const fn contact_admin(self) -> bool {
                match self.known_info() {
                    Some(i) => i.contact_admin,
                    None => false,
                }
            }

            /// The manual version whose revision entry added this code, where it says.
            pub const fn since(self) -> Option<&'static str> {
                match self.known_info() {
                    Some(i) => i.since,
                    None => None,
                }
            }

            /// The manual version whose revision entry changed this code, where it says.
            pub const fn changed_in(self) -> Option<&'static str> {
                match self.known_info() {
                    Some(i) => i.changed_in,
                    None => None,
                }
            }

            /// Shows the code and its message in `lang`, e.g. `20 Send count exceeded`.
            pub fn display(self, lang: $crate::result_code::Lang) -> impl ::std::fmt::Display {
                $crate::result_code::Displayed {
                    code: self.as_str(),
                    message: self.message(lang),
                }
            }
        }

        /// Korean, as the manual writes it: `20 발송횟수 초과`.
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.display($crate::result_code::Lang::Ko), f)
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::result_code::ParseResultCodeError;

            /// Exactly two ASCII digits; a code outside the manual becomes
            /// [`Self::Unknown`].
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let n = $crate::result_code::parse_two_digits(s)?;
                $ty::from_number(n).ok_or_else(|| $crate::result_code::parse_error(s))
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                struct Visitor;
                impl ::serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str("a two-digit COUFUN result code")
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Visitor)
            }
        }
    };
}
pub(crate) use impl_result_code;

/// The table's message of a code (`None`: a code outside the manual).
pub(crate) fn message(info: Option<&'static CodeInfo>, lang: Lang) -> &'static str {
    match (info, lang) {
        (Some(i), Lang::Ko) => i.message_ko,
        (Some(i), Lang::En) => i.message_en,
        (None, Lang::Ko) => "알 수 없는 결과 코드",
        (None, Lang::En) => "Unknown result code",
    }
}

/// The table's description of a code.
pub(crate) fn description(info: Option<&'static CodeInfo>, lang: Lang) -> &'static str {
    match (info, lang) {
        (Some(i), Lang::Ko) => i.description_ko,
        (Some(i), Lang::En) => i.description_en,
        (None, Lang::Ko) => "매뉴얼에 정의되지 않은 코드 (서버가 더 새로운 버전일 수 있음)",
        (None, Lang::En) => "A code this manual version does not define (the server may be newer).",
    }
}

/// The table's action for a code, where the spec gives one.
pub(crate) fn action(info: Option<&'static CodeInfo>, lang: Lang) -> Option<&'static str> {
    match lang {
        Lang::Ko => info?.action_ko,
        Lang::En => info?.action_en,
    }
}

/// A code and its message, e.g. `20 Send count exceeded`.
pub(crate) struct Displayed {
    pub(crate) code: &'static str,
    pub(crate) message: &'static str,
}

impl fmt::Display for Displayed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.message)
    }
}

/// The number of a two-ASCII-digit code.
pub(crate) fn parse_two_digits(s: &str) -> Result<u8, ParseResultCodeError> {
    match s.as_bytes() {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Ok((a - b'0') * 10 + (b - b'0')),
        _ => Err(parse_error(s)),
    }
}

pub(crate) fn parse_error(s: &str) -> ParseResultCodeError {
    ParseResultCodeError {
        found: s.chars().take(16).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_digits_are_the_number_written_with_two_digits() {
        for n in 0..=99u8 {
            assert_eq!(two_digits(n), format!("{n:02}"));
            assert_eq!(parse_two_digits(two_digits(n)), Ok(n));
        }
    }

    #[test]
    fn rejects_what_is_not_two_digits() {
        for bad in ["", "5", "005", "ab", "٠١", " 1", "1 ", "+1"] {
            assert!(parse_two_digits(bad).is_err(), "{bad:?} parsed");
        }
    }
}

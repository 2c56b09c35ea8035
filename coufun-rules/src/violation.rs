//! What a broken rule reports: the rule, its limit and what was measured. Never the
//! checked value itself (it may be a phone number), only sizes, positions and, for
//! text, the one character that could not be encoded.

use std::fmt;

use crate::charset::Charset;

/// One broken rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Violation {
    /// A required field is absent.
    Missing,
    /// The text holds a character the charset cannot encode.
    Unencodable {
        /// The character.
        ch: char,
        /// Its index among the text's characters, counting from 0.
        index: usize,
        /// The charset.
        charset: Charset,
    },
    /// Fewer bytes than the rule's `min_bytes`.
    TooFewBytes {
        /// Bytes measured in `charset`.
        measured: usize,
        /// The limit.
        min: u32,
        /// The charset measured in.
        charset: Charset,
    },
    /// More bytes than the rule's `max_bytes`.
    TooManyBytes {
        /// Bytes measured in `charset`.
        measured: usize,
        /// The limit.
        max: u32,
        /// The charset measured in.
        charset: Charset,
    },
    /// Nothing left after removing `-` and ` ` (or an empty identifier).
    Empty,
    /// A character other than an ASCII digit, `-` or ` `.
    NotDigit {
        /// Its index among the input's characters, counting from 0.
        index: usize,
    },
    /// More digits than the rule's `max_len`.
    TooManyDigits {
        /// Digits measured.
        measured: usize,
        /// The limit.
        max: u32,
    },
    /// Digits that are not a Korean mobile number (no allowed prefix, or a wrong
    /// number of digits after it).
    NotMobile {
        /// Digits measured (after removing `-` and ` `).
        digits: usize,
    },
    /// Not a decimal integer.
    NotANumber,
    /// Smaller than the rule's `min`.
    TooSmall {
        /// The value.
        value: u64,
        /// The limit.
        min: u64,
    },
    /// A negative number where a count is expected (the rule's `min` is never
    /// below 0); the value as given, which no `u64` can hold.
    Negative {
        /// The value.
        value: i64,
        /// The limit.
        min: u64,
    },
    /// Larger than the rule's `max`.
    TooLarge {
        /// The value.
        value: u64,
        /// The limit.
        max: u64,
    },
    /// Not a real calendar date written `YYYYMMDD`.
    NotADate,
    /// A character other than an ASCII letter, digit, `-` or `_` in an identifier.
    BadTokenChar {
        /// The character.
        ch: char,
        /// Its index, counting from 0.
        index: usize,
    },
    /// An identifier longer than the rule's `max_len`.
    TooLong {
        /// Characters measured.
        measured: usize,
        /// The limit.
        max: u32,
    },
    /// Not one of the values the rule allows.
    NotAllowed,
    /// More values than a list field allows.
    TooManyItems {
        /// Values given.
        measured: usize,
        /// The limit.
        max: u32,
    },
    /// A field that must not come after another does (start date after end date).
    OutOfOrder,
    /// None of the fields of which at least one is required is given.
    NoneGiven,
}

impl Violation {
    /// The spec's name of the rule or limit broken, e.g. `max_bytes`.
    pub const fn rule(&self) -> &'static str {
        match self {
            Violation::Missing => "required",
            Violation::Unencodable { .. } => "charset",
            Violation::TooFewBytes { .. } => "min_bytes",
            Violation::TooManyBytes { .. } => "max_bytes",
            Violation::Empty => "non_empty",
            Violation::NotDigit { .. } => "digits",
            Violation::TooManyDigits { .. } | Violation::TooLong { .. } => "max_len",
            Violation::NotMobile { .. } => "prefixes",
            Violation::NotANumber => "integer",
            Violation::TooSmall { .. } | Violation::Negative { .. } => "min",
            Violation::TooLarge { .. } => "max",
            Violation::NotADate => "date",
            Violation::BadTokenChar { .. } => "token",
            Violation::NotAllowed => "values",
            Violation::TooManyItems { .. } => "list.max",
            Violation::OutOfOrder => "not_after",
            Violation::NoneGiven => "one_of",
        }
    }

    /// The limit broken, when the rule has a number.
    pub const fn limit(&self) -> Option<u64> {
        match *self {
            Violation::TooFewBytes { min, .. } => Some(min as u64),
            Violation::TooManyBytes { max, .. }
            | Violation::TooManyDigits { max, .. }
            | Violation::TooLong { max, .. }
            | Violation::TooManyItems { max, .. } => Some(max as u64),
            Violation::TooSmall { min, .. } | Violation::Negative { min, .. } => Some(min),
            Violation::TooLarge { max, .. } => Some(max),
            _ => None,
        }
    }

    /// What was measured (bytes, digits, characters, values or the number itself),
    /// when the rule has a number.
    pub const fn measured(&self) -> Option<u64> {
        match *self {
            Violation::TooFewBytes { measured, .. }
            | Violation::TooManyBytes { measured, .. }
            | Violation::TooManyDigits { measured, .. }
            | Violation::TooLong { measured, .. }
            | Violation::TooManyItems { measured, .. } => Some(measured as u64),
            Violation::NotMobile { digits } => Some(digits as u64),
            Violation::TooSmall { value, .. } | Violation::TooLarge { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The violation in Korean.
    pub fn korean(&self) -> impl fmt::Display + '_ {
        Described(self, Language::Korean)
    }

    /// The violation in English (also its `Display`).
    pub fn english(&self) -> impl fmt::Display + '_ {
        Described(self, Language::English)
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.english().fmt(f)
    }
}

impl std::error::Error for Violation {}

#[derive(Clone, Copy)]
enum Language {
    Korean,
    English,
}

struct Described<'a>(&'a Violation, Language);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Language::{English as En, Korean as Ko};
        match (*self.0, self.1) {
            (Violation::Missing, Ko) => write!(f, "필수 항목이 없습니다"),
            (Violation::Missing, En) => write!(f, "is required but missing"),
            (Violation::Unencodable { ch, index, charset }, Ko) => write!(
                f,
                "인덱스 {index}의 문자 {ch:?} (U+{:04X})는 {charset}로 표현할 수 없습니다",
                ch as u32
            ),
            (Violation::Unencodable { ch, index, charset }, En) => write!(
                f,
                "character {ch:?} (U+{:04X}) at index {index} cannot be encoded in {charset}",
                ch as u32
            ),
            (
                Violation::TooFewBytes {
                    measured,
                    min,
                    charset,
                },
                Ko,
            ) => write!(
                f,
                "최소 {min}바이트 필요, {charset} 기준 {measured}바이트입니다"
            ),
            (
                Violation::TooFewBytes {
                    measured,
                    min,
                    charset,
                },
                En,
            ) => write!(f, "is {measured} bytes in {charset}, at least {min} needed"),
            (
                Violation::TooManyBytes {
                    measured,
                    max,
                    charset,
                },
                Ko,
            ) => write!(
                f,
                "{charset} 기준 {measured}바이트로 최대 {max}바이트를 초과합니다"
            ),
            (
                Violation::TooManyBytes {
                    measured,
                    max,
                    charset,
                },
                En,
            ) => write!(
                f,
                "is {measured} bytes in {charset}, over the limit of {max} bytes"
            ),
            (Violation::Empty, Ko) => write!(f, "값이 비어 있습니다"),
            (Violation::Empty, En) => write!(f, "is empty"),
            (Violation::NotDigit { index }, Ko) => {
                write!(
                    f,
                    "인덱스 {index}의 문자가 숫자가 아닙니다 ('-'와 공백만 허용)"
                )
            }
            (Violation::NotDigit { index }, En) => write!(
                f,
                "character at index {index} is not a digit (only '-' and ' ' may separate digits)"
            ),
            (Violation::TooManyDigits { measured, max }, Ko) => {
                write!(f, "숫자 {measured}자리로 최대 {max}자리를 초과합니다")
            }
            (Violation::TooManyDigits { measured, max }, En) => {
                write!(f, "has {measured} digits, over the limit of {max}")
            }
            (Violation::NotMobile { digits }, Ko) => {
                write!(f, "휴대폰번호 형식이 아닙니다 (숫자 {digits}자리)")
            }
            (Violation::NotMobile { digits }, En) => {
                write!(
                    f,
                    "is not a Korean mobile number in the allowed format ({digits} digits)"
                )
            }
            (Violation::NotANumber, Ko) => write!(f, "정수가 아닙니다"),
            (Violation::NotANumber, En) => write!(f, "is not a whole number"),
            (Violation::TooSmall { value, min }, Ko) => {
                write!(f, "{value}은(는) 최소값 {min}보다 작습니다")
            }
            (Violation::TooSmall { value, min }, En) => {
                write!(f, "is {value}, below the minimum of {min}")
            }
            (Violation::Negative { value, min }, Ko) => {
                write!(f, "{value}은(는) 음수로 최소값 {min}보다 작습니다")
            }
            (Violation::Negative { value, min }, En) => {
                write!(f, "is {value}, negative, below the minimum of {min}")
            }
            (Violation::TooLarge { value, max }, Ko) => {
                write!(f, "{value}은(는) 최대값 {max}보다 큽니다")
            }
            (Violation::TooLarge { value, max }, En) => {
                write!(f, "is {value}, above the maximum of {max}")
            }
            (Violation::NotADate, Ko) => write!(f, "YYYYMMDD 형식의 올바른 날짜가 아닙니다"),
            (Violation::NotADate, En) => write!(f, "is not a real calendar date written YYYYMMDD"),
            (Violation::BadTokenChar { ch, index }, Ko) => write!(
                f,
                "인덱스 {index}의 문자 {ch:?}는 허용되지 않습니다 (영문, 숫자, '-', '_'만 허용)"
            ),
            (Violation::BadTokenChar { ch, index }, En) => write!(
                f,
                "character {ch:?} at index {index} is not an ASCII letter, digit, '-' or '_'"
            ),
            (Violation::TooLong { measured, max }, Ko) => {
                write!(f, "{measured}자로 최대 {max}자를 초과합니다")
            }
            (Violation::TooLong { measured, max }, En) => {
                write!(f, "is {measured} characters, over the limit of {max}")
            }
            (Violation::NotAllowed, Ko) => write!(f, "허용되지 않는 값입니다"),
            (Violation::NotAllowed, En) => write!(f, "is not one of the allowed values"),
            (Violation::TooManyItems { measured, max }, Ko) => {
                write!(f, "{measured}개로 최대 {max}개를 초과합니다")
            }
            (Violation::TooManyItems { measured, max }, En) => {
                write!(f, "has {measured} values, over the limit of {max}")
            }
            (Violation::OutOfOrder, Ko) => write!(f, "시작이 끝보다 뒤입니다"),
            (Violation::OutOfOrder, En) => write!(f, "the start comes after the end"),
            (Violation::NoneGiven, Ko) => write!(f, "이 중 하나 이상이 필요합니다"),
            (Violation::NoneGiven, En) => write!(f, "at least one of them is required"),
        }
    }
}

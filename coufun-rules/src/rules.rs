//! One check per rule of `spec/endpoints.toml`, parameterized by the limits the
//! caller read from the spec. Each returns the value as it goes on the wire
//! (digits without separators, the measured size) or the [`Violation`].

use crate::charset::{Charset, byte_len};
use crate::violation::Violation;

/// `text`: `min_bytes..=max_bytes` bytes in `charset`; returns the byte length.
pub fn check_text(
    text: &str,
    charset: Charset,
    min_bytes: u32,
    max_bytes: u32,
) -> Result<usize, Violation> {
    let measured = byte_len(text, charset).map_err(|e| Violation::Unencodable {
        ch: e.ch,
        index: e.index,
        charset: e.charset,
    })?;
    if measured > max_bytes as usize {
        Err(Violation::TooManyBytes {
            measured,
            max: max_bytes,
            charset,
        })
    } else if measured < min_bytes as usize {
        Err(Violation::TooFewBytes {
            measured,
            min: min_bytes,
            charset,
        })
    } else {
        Ok(measured)
    }
}

/// The ASCII digits of `input` once `-` and ` ` are removed, or the first other
/// character's index.
pub fn strip_separators(input: &str) -> Result<String, Violation> {
    let mut digits = String::with_capacity(input.len());
    for (index, ch) in input.chars().enumerate() {
        match ch {
            '0'..='9' => digits.push(ch),
            '-' | ' ' => {}
            _ => return Err(Violation::NotDigit { index }),
        }
    }
    if digits.is_empty() {
        return Err(Violation::Empty);
    }
    Ok(digits)
}

/// `digits`: ASCII digits (with `-` and ` ` removed), at most `max_len`; returns
/// the digits.
pub fn check_digits(input: &str, max_len: u32) -> Result<String, Violation> {
    let digits = strip_separators(input)?;
    if digits.len() > max_len as usize {
        return Err(Violation::TooManyDigits {
            measured: digits.len(),
            max: max_len,
        });
    }
    Ok(digits)
}

/// A mobile prefix and the digit counts allowed after it (from the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MobilePrefix<'a> {
    /// E.g. `"010"`.
    pub prefix: &'a str,
    /// Digits allowed after the prefix, e.g. `[7, 8]`.
    pub digits: &'a [u32],
}

/// `mobile`: digits (with `-` and ` ` removed) that start with one of `prefixes`
/// and continue with one of its allowed digit counts; returns the digits.
pub fn check_mobile(input: &str, prefixes: &[MobilePrefix<'_>]) -> Result<String, Violation> {
    let digits = strip_separators(input)?;
    let fits = prefixes.iter().any(|p| {
        digits
            .strip_prefix(p.prefix)
            .is_some_and(|rest| u32::try_from(rest.len()).is_ok_and(|n| p.digits.contains(&n)))
    });
    if fits {
        Ok(digits)
    } else {
        Err(Violation::NotMobile {
            digits: digits.len(),
        })
    }
}

/// `count`: `min..=max` (no upper bound when `max` is `None`).
pub fn check_count(value: u64, min: u64, max: Option<u64>) -> Result<u64, Violation> {
    if value < min {
        Err(Violation::TooSmall { value, min })
    } else if let Some(max) = max.filter(|&max| value > max) {
        Err(Violation::TooLarge { value, max })
    } else {
        Ok(value)
    }
}

/// A signed number given for a `count` (before [`check_count`]): the number when
/// it is not negative, else [`Violation::Negative`] with the value and `min`.
pub fn non_negative(value: i64, min: u64) -> Result<u64, Violation> {
    u64::try_from(value).map_err(|_| Violation::Negative { value, min })
}

/// `count` from its wire text: decimal digits only.
pub fn parse_count(text: &str, min: u64, max: Option<u64>) -> Result<u64, Violation> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Violation::NotANumber);
    }
    let value = text.parse::<u64>().map_err(|_| Violation::NotANumber)?;
    check_count(value, min, max)
}

/// Days in `month` (1–12) of the Gregorian `year`; 0 for a month that does not exist.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    }
}

/// `date`: a real calendar date written `YYYYMMDD`; returns `(year, month, day)`.
pub fn parse_date(text: &str) -> Result<(u16, u8, u8), Violation> {
    let b = text.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return Err(Violation::NotADate);
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    };
    let (year, month, day) = (num(0..4), num(4..6), num(6..8));
    if year == 0 || day == 0 || day > days_in_month(year, month) {
        return Err(Violation::NotADate);
    }
    // The checks above bound each part well inside its type.
    Ok((year as u16, month as u8, day as u8))
}

/// `date`, checking only: see [`parse_date`].
pub fn check_date(text: &str) -> Result<(), Violation> {
    parse_date(text).map(|_| ())
}

/// `token`: 1..=`max_len` ASCII letters, digits, `-` and `_`.
pub fn check_token(text: &str, max_len: u32) -> Result<(), Violation> {
    if text.is_empty() {
        return Err(Violation::Empty);
    }
    if let Some((index, ch)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(Violation::BadTokenChar { ch, index });
    }
    if text.len() > max_len as usize {
        return Err(Violation::TooLong {
            measured: text.len(),
            max: max_len,
        });
    }
    Ok(())
}

/// `enum`: one of `values` (wire texts); returns its index.
pub fn check_enum(text: &str, values: &[&str]) -> Result<usize, Violation> {
    values
        .iter()
        .position(|v| *v == text)
        .ok_or(Violation::NotAllowed)
}

/// A list field: at most `max` values.
pub fn check_list_len(len: usize, max: u32) -> Result<(), Violation> {
    if len > max as usize {
        Err(Violation::TooManyItems { measured: len, max })
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PREFIXES: [MobilePrefix<'static>; 2] = [
        MobilePrefix {
            prefix: "010",
            digits: &[8],
        },
        MobilePrefix {
            prefix: "011",
            digits: &[7, 8],
        },
    ];

    #[test]
    fn mobile_numbers() {
        assert_eq!(
            check_mobile("010-1234-5678", &PREFIXES).as_deref(),
            Ok("01012345678")
        );
        assert_eq!(
            check_mobile("011 123 4567", &PREFIXES).as_deref(),
            Ok("0111234567")
        );
        assert_eq!(
            check_mobile("010-123-4567", &PREFIXES),
            Err(Violation::NotMobile { digits: 10 })
        );
        assert_eq!(
            check_mobile("02-123-4567", &PREFIXES),
            Err(Violation::NotMobile { digits: 9 })
        );
        assert_eq!(
            check_mobile("010-1234-567O", &PREFIXES),
            Err(Violation::NotDigit { index: 12 })
        );
    }

    #[test]
    fn dates_are_real() {
        assert_eq!(parse_date("20240229"), Ok((2024, 2, 29)));
        assert_eq!(parse_date("20230229"), Err(Violation::NotADate));
        assert_eq!(parse_date("21000229"), Err(Violation::NotADate));
        assert_eq!(parse_date("20000229"), Ok((2000, 2, 29)));
        assert_eq!(parse_date("20241301"), Err(Violation::NotADate));
        assert_eq!(parse_date("20240431"), Err(Violation::NotADate));
        assert_eq!(parse_date("2024-1-1"), Err(Violation::NotADate));
    }

    #[test]
    fn a_negative_count_keeps_its_value() {
        assert_eq!(non_negative(0, 1), Ok(0));
        assert_eq!(non_negative(i64::MAX, 1), Ok(i64::MAX as u64));
        let v = non_negative(-7, 1).unwrap_err();
        assert_eq!(v, Violation::Negative { value: -7, min: 1 });
        assert_eq!((v.rule(), v.limit()), ("min", Some(1)));
        assert!(v.to_string().contains("-7") && v.korean().to_string().contains("-7"));
        assert_eq!(
            non_negative(i64::MIN, 1),
            Err(Violation::Negative {
                value: i64::MIN,
                min: 1
            })
        );
    }

    #[test]
    fn counts_and_tokens() {
        assert_eq!(
            parse_count("0", 1, None),
            Err(Violation::TooSmall { value: 0, min: 1 })
        );
        assert_eq!(parse_count("+1", 1, None), Err(Violation::NotANumber));
        assert_eq!(
            parse_count("10", 1, Some(9)),
            Err(Violation::TooLarge { value: 10, max: 9 })
        );
        assert_eq!(check_token("0000012345", 10), Ok(()));
        assert_eq!(
            check_token("00000123456", 10),
            Err(Violation::TooLong {
                measured: 11,
                max: 10
            })
        );
        assert_eq!(
            check_token("G 1", 10),
            Err(Violation::BadTokenChar { ch: ' ', index: 1 })
        );
    }

    proptest! {
        /// The text validator accepts exactly the strings within its limit.
        #[test]
        fn text_accepts_exactly_within_limit(
            text in "[가-힣a-zA-Z0-9 ]{0,40}",
            min in 0u32..5,
            max in 0u32..60,
        ) {
            let (bytes, _, _) = encoding_rs::EUC_KR.encode(&text);
            let within = bytes.len() >= min as usize && bytes.len() <= max as usize;
            prop_assert_eq!(check_text(&text, Charset::Cp949, min, max).is_ok(), within);
            let within_utf8 = text.len() >= min as usize && text.len() <= max as usize;
            prop_assert_eq!(check_text(&text, Charset::Utf8, min, max).is_ok(), within_utf8);
        }

        /// The digits validator accepts exactly separator-sprinkled digit strings
        /// of at most `max_len` digits.
        #[test]
        fn digits_accept_exactly_within_limit(input in "[0-9 -]{0,20}", max in 1u32..15) {
            let digits: String = input.chars().filter(char::is_ascii_digit).collect();
            let within = !digits.is_empty() && digits.len() <= max as usize;
            prop_assert_eq!(check_digits(&input, max).is_ok(), within);
        }
    }
}

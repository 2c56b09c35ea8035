//! Secrets and personal data: the merchant's `POC_ID`, phone numbers and coupon
//! numbers (the spec marks each `secret`). None appears in clear in `Debug`,
//! `Display`, logs or error messages: the masking functions here are what the
//! generated types of secret kinds call.

use std::fmt::{self, Write as _};

/// The merchant's client id (`POC_ID`), a secret (the spec's `[client].poc_id`
/// says `secret = true`). `Debug` and `Display` print `PocId(***)`;
/// [`PocId::expose`] is the one way to read it (for the wire).
///
/// ```
/// use coufun_api::privacy::PocId;
/// let id = PocId::new("POC0000001")?;
/// assert_eq!(format!("{id:?}"), "PocId(***)");
/// assert_eq!(id.expose(), "POC0000001");
/// # Ok::<(), coufun_api::privacy::InvalidPocId>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PocId(String);

/// A `POC_ID` that is empty, not a token (ASCII letters, digits, `-`, `_`) or
/// longer than 10 bytes.
/// Carries no part of the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidPocId {
    /// Empty (or only white space).
    #[error("POC_ID is empty")]
    Empty,
    /// A character other than an ASCII letter, digit, `-` or `_`.
    #[error(
        "POC_ID holds a character other than ASCII letters, digits, '-' and '_' at index {index}"
    )]
    BadCharacter {
        /// Index of the first bad character.
        index: usize,
    },
    /// Longer than the manuals allow.
    #[error("POC_ID is {len} bytes long, at most {max} allowed")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit (the spec's `client.poc_id.max_bytes`).
        max: u32,
    },
}

impl PocId {
    /// Checks that `id` is a non-empty token and keeps it.
    pub fn new(id: impl Into<String>) -> Result<Self, InvalidPocId> {
        let id = id.into();
        if id.trim().is_empty() {
            return Err(InvalidPocId::Empty);
        }
        // The token rule: ASCII letters, digits, '-' and '_', then the length.
        let max = crate::generated::responses::POC_ID_MAX_BYTES;
        match coufun_rules::check_token(&id, max) {
            Ok(()) => Ok(PocId(id)),
            Err(coufun_rules::Violation::BadTokenChar { index, .. }) => {
                Err(InvalidPocId::BadCharacter { index })
            }
            // The one other violation of a token that is not empty.
            Err(_) => Err(InvalidPocId::TooLong { len: id.len(), max }),
        }
    }

    /// The id in clear, for the wire only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if POC_ID_SECRET {
            f.write_str("PocId(***)")
        } else {
            f.debug_tuple("PocId").field(&self.0).finish()
        }
    }
}

impl fmt::Display for PocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if POC_ID_SECRET {
            f.write_str("***")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// Whether the spec marks the POC_ID secret.
const POC_ID_SECRET: bool = crate::generated::responses::POC_ID_SECRET;

/// A secret (a coupon number) masked for logs, errors and people: `***` and its
/// last four characters when it has at least eight, else `***` alone, so that
/// what is shown can be matched against a list without being usable.
///
/// ```
/// use coufun_api::privacy::mask_secret;
/// assert_eq!(mask_secret("1234567890123456"), "***3456");
/// assert_eq!(mask_secret("1234567"), "***");
/// ```
pub fn mask_secret(text: &str) -> String {
    mask(text).to_string()
}

/// `text` masked as [`mask_secret`] masks it, without allocating: a value for
/// `Debug` fields and format arguments.
///
/// ```
/// use coufun_api::privacy::mask;
/// assert_eq!(format!("{}", mask("1234567890123456")), "***3456");
/// assert_eq!(format!("{:?}", mask("1234567")), "\"***\"");
/// ```
pub fn mask(text: &str) -> Masked<'_> {
    Masked(text)
}

/// A secret shown masked by `Display` and `Debug` (see [`mask_secret`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Masked<'a>(&'a str);

impl fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.trim();
        f.write_str("***")?;
        let count = text.chars().count();
        if count >= 8 {
            text.chars()
                .skip(count - 4)
                .try_for_each(|c| f.write_char(c))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// A phone number masked for logs and errors: the first three and last four
/// digits kept, the middle replaced by `*` (`010-****-5678`, `011-***-4567`).
/// Separators in the input are ignored; anything shorter than eight digits, or
/// holding other characters, is masked whole.
///
/// ```
/// use coufun_api::privacy::mask_phone;
/// assert_eq!(mask_phone("010-1234-5678"), "010-****-5678");
/// assert_eq!(mask_phone("0111234567"), "011-***-4567");
/// assert_eq!(mask_phone("12"), "***");
/// ```
pub fn mask_phone(number: &str) -> String {
    let digits: String = number.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if digits.len() < 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return "***".to_owned();
    }
    let (head, rest) = digits.split_at(3);
    let (middle, tail) = rest.split_at(rest.len() - 4);
    format!("{head}-{}-{tail}", "*".repeat(middle.len()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn poc_id_is_redacted_and_checked() {
        let id = PocId::new("POC1234567").unwrap();
        assert!(!format!("{id:?}{id}").contains("1234567"));
        assert_eq!(PocId::new("  "), Err(InvalidPocId::Empty));
        assert_eq!(
            PocId::new("POC 1"),
            Err(InvalidPocId::BadCharacter { index: 3 })
        );
        let long = PocId::new("POC12345678").unwrap_err();
        assert_eq!(long, InvalidPocId::TooLong { len: 11, max: 10 });
        assert!(!long.to_string().contains("POC1"), "{long}");
    }

    #[test]
    fn secrets_keep_at_most_their_last_four_characters() {
        assert_eq!(mask_secret("ABCD12345678"), "***5678");
        assert_eq!(mask_secret(" 12345678 "), "***5678");
        assert_eq!(mask_secret("한글쿠폰번호입니다"), "***호입니다");
        for short in ["", "1234567", "가나다라마바사"] {
            assert_eq!(mask_secret(short), "***", "{short}");
        }
    }

    #[test]
    fn phones_keep_only_head_and_tail() {
        assert_eq!(mask_phone("01012345678"), "010-****-5678");
        assert_eq!(mask_phone("010 1234 5678"), "010-****-5678");
        assert_eq!(mask_phone("021234567"), "021-**-4567");
        assert_eq!(mask_phone("010-1234-567O"), "***");
    }
}

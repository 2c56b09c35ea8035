//! TR_IDs: generating them (identifiers unique across processes and restarts,
//! sortable by time, within the spec's TR_ID byte limit, with an optional caller
//! prefix), and reading them back from text ([`FromStr`]) or a store (serde),
//! always through the checked constructor.
//!
//! A generated TR_ID is the prefix followed by a ULID (26 characters of Crockford
//! base32: 48 bits of milliseconds since 1970, then 80 random bits, incremented
//! within one millisecond so that one generator's ids strictly increase).

use std::str::FromStr;
use std::sync::Mutex;

use coufun_rules::Violation;

use crate::TrId;

/// Length of the ULID part of a generated TR_ID.
const ULID_LEN: usize = ulid::ULID_LEN;

/// A prefix that cannot start generated TR_IDs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrIdPrefixError {
    /// The prefix leaves no room for the 26-character ULID within the TR_ID limit.
    #[error(
        "TR_ID prefix is {measured} bytes; with the 26-byte ULID it must fit in TR_ID's {limit} bytes, so at most {max_prefix} \
         / TR_ID 접두어가 {measured}바이트입니다: ULID 26바이트와 합쳐 {limit}바이트 이내여야 하므로 최대 {max_prefix}바이트"
    )]
    TooLong {
        /// Bytes of the prefix.
        measured: usize,
        /// The TR_ID limit from the spec.
        limit: u32,
        /// The longest prefix allowed.
        max_prefix: usize,
    },
    /// The prefix holds a character other than ASCII letters, digits, `-` and `_`.
    #[error(
        "TR_ID prefix character {ch:?} at index {index} is not an ASCII letter, digit, '-' or '_' \
         / TR_ID 접두어의 {index}번째 문자 {ch:?}는 영문, 숫자, '-', '_'가 아닙니다"
    )]
    BadCharacter {
        /// The character.
        ch: char,
        /// Its index, in characters.
        index: usize,
    },
}

/// Makes TR_IDs: `generator.next_id()` for each issuing request.
///
/// ```
/// use coufun_api::tr_id::TrIdGenerator;
///
/// let ids = TrIdGenerator::with_prefix("shop1-")?;
/// let (a, b) = (ids.next_id(), ids.next_id());
/// assert!(a.as_str().starts_with("shop1-"));
/// assert!(a.as_str() < b.as_str(), "sortable by time, strictly increasing");
/// # Ok::<(), coufun_api::tr_id::TrIdPrefixError>(())
/// ```
#[derive(Debug, Default)]
pub struct TrIdGenerator {
    prefix: String,
    ulids: Mutex<ulid::Generator>,
}

impl TrIdGenerator {
    /// A generator without a prefix.
    pub fn new() -> Self {
        TrIdGenerator::default()
    }

    /// A generator whose ids all start with `prefix` (ASCII letters, digits, `-`,
    /// `_`; short enough to leave room for the ULID within the TR_ID limit).
    pub fn with_prefix(prefix: impl Into<String>) -> Result<Self, TrIdPrefixError> {
        let prefix = prefix.into();
        if let Some((index, ch)) = prefix
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(TrIdPrefixError::BadCharacter { ch, index });
        }
        let max_prefix = (TrId::MAX_BYTES as usize).saturating_sub(ULID_LEN);
        if prefix.len() > max_prefix {
            return Err(TrIdPrefixError::TooLong {
                measured: prefix.len(),
                limit: TrId::MAX_BYTES,
                max_prefix,
            });
        }
        Ok(TrIdGenerator {
            prefix,
            ulids: Mutex::default(),
        })
    }

    /// The prefix every id starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A new TR_ID, greater than every id this generator made before.
    #[allow(clippy::expect_used)]
    pub fn next_id(&self) -> TrId {
        let ulid = {
            let mut ulids = self.ulids.lock().unwrap_or_else(|p| p.into_inner());
            match ulids.generate() {
                Ok(ulid) => ulid,
                // more than 2^80 ids in one millisecond: borrow the next millisecond
                Err(overflow) => overflow.commit_overflow_increment(),
            }
        };
        let mut buf = [0u8; ULID_LEN];
        let text = format!("{}{}", self.prefix, ulid.array_to_str(&mut buf));
        // The prefix was checked to be ASCII and short enough; the ULID is 26 ASCII
        // characters: the TR_ID rule cannot reject the result.
        TrId::new(text).expect("prefix checked at construction")
    }
}

/// Text that is not a TR_ID: the violation of the TR_ID rule (it names the limit
/// and the measured value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid TR_ID: {} / 올바른 TR_ID가 아닙니다: {}", violation.english(), violation.korean())]
#[non_exhaustive]
pub struct ParseTrIdError {
    /// How the text breaks the TR_ID rule.
    pub violation: Violation,
}

/// `"order-1".parse::<TrId>()`: the same check as [`TrId::new`] (CP949).
///
/// ```
/// use coufun_api::TrId;
///
/// let id: TrId = "order-2024-0001".parse()?;
/// assert_eq!(id.as_str(), "order-2024-0001");
/// assert!("x".repeat(51).parse::<TrId>().is_err());
/// # Ok::<(), coufun_api::tr_id::ParseTrIdError>(())
/// ```
impl FromStr for TrId {
    type Err = ParseTrIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TrId::new(text).map_err(|violation| ParseTrIdError { violation })
    }
}

/// A TR_ID serializes as its text.
impl serde::Serialize for TrId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A TR_ID deserializes from text through [`TrId::new`]: a stored value that
/// breaks the rule is an error, never an unchecked TR_ID.
impl<'de> serde::Deserialize<'de> for TrId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_tr_id_parses_from_text_through_its_check() {
        let id: TrId = "order-1".parse().unwrap();
        assert_eq!(id, TrId::new("order-1").unwrap());
        let max = TrId::MAX_BYTES as usize;
        assert!("x".repeat(max).parse::<TrId>().is_ok());
        let err = "x".repeat(max + 1).parse::<TrId>().unwrap_err();
        assert!(
            matches!(err.violation, Violation::TooManyBytes { measured, max: limit, .. }
                if measured == max + 1 && limit == TrId::MAX_BYTES),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("TR_ID") && text.contains(&(max + 1).to_string()),
            "{text}"
        );
        assert!("".parse::<TrId>().is_err(), "at least one byte");
    }

    #[test]
    fn a_tr_id_round_trips_through_serde_and_a_bad_one_is_refused() {
        let id = TrId::new("order-2024-0001").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"order-2024-0001\"");
        let back: TrId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        // an owned string (escapes) goes through the same check
        let escaped: TrId = serde_json::from_str("\"order\\u002d1\"").unwrap();
        assert_eq!(escaped.as_str(), "order-1");
        let too_long = format!("\"{}\"", "x".repeat(TrId::MAX_BYTES as usize + 1));
        let err = serde_json::from_str::<TrId>(&too_long).unwrap_err();
        assert!(err.to_string().contains("not a valid TR_ID"), "{err}");
        assert!(serde_json::from_str::<TrId>("\"\"").is_err());
        assert!(serde_json::from_str::<TrId>("42").is_err());
    }

    #[test]
    fn ids_are_unique_strictly_increasing_and_within_the_limit() {
        let ids = TrIdGenerator::new();
        let made: Vec<String> = (0..20_000)
            .map(|_| ids.next_id().as_str().to_owned())
            .collect();
        assert!(made.windows(2).all(|w| w[0] < w[1]));
        assert!(
            made.iter()
                .all(|id| id.len() == ULID_LEN && id.len() <= TrId::MAX_BYTES as usize)
        );
    }

    #[test]
    fn two_generators_as_two_processes_do_not_collide() {
        let (a, b) = (TrIdGenerator::new(), TrIdGenerator::new());
        let mut seen = HashSet::new();
        for _ in 0..20_000 {
            assert!(seen.insert(a.next_id().as_str().to_owned()));
            assert!(seen.insert(b.next_id().as_str().to_owned()));
        }
    }

    #[test]
    fn ids_carry_the_time_they_were_made() {
        let before = std::time::SystemTime::now();
        let id = TrIdGenerator::new().next_id();
        let ulid = ulid::Ulid::from_string(id.as_str()).unwrap();
        let made = ulid.datetime();
        let slack = std::time::Duration::from_millis(5);
        assert!(made + slack >= before && made <= std::time::SystemTime::now() + slack);
    }

    #[test]
    fn the_longest_prefix_fits_and_one_more_byte_is_refused() {
        let max = TrId::MAX_BYTES as usize - ULID_LEN;
        let ok = TrIdGenerator::with_prefix("p".repeat(max)).unwrap();
        assert_eq!(ok.next_id().as_str().len(), TrId::MAX_BYTES as usize);
        let err = TrIdGenerator::with_prefix("p".repeat(max + 1)).unwrap_err();
        assert_eq!(
            err,
            TrIdPrefixError::TooLong {
                measured: max + 1,
                limit: TrId::MAX_BYTES,
                max_prefix: max
            }
        );
        assert!(err.to_string().contains(&format!("{}", max + 1)));
    }

    #[test]
    fn prefix_characters_are_checked() {
        assert_eq!(
            TrIdGenerator::with_prefix("상점-").unwrap_err(),
            TrIdPrefixError::BadCharacter {
                ch: '상', index: 0
            }
        );
        assert!(TrIdGenerator::with_prefix("a b").is_err());
        assert!(TrIdGenerator::with_prefix("Shop_1-").is_ok());
    }
}

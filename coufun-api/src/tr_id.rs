//! TR_IDs: generating them (identifiers unique across processes and restarts,
//! sortable by time, within the spec's TR_ID byte limit, with an optional caller
//! prefix), and reading them back from text ([`FromStr`]) or a store (serde),
//! always through the checked constructor. The type is [`TrId`],
//! at the crate root with the other field kinds.
//!
//! A generated TR_ID is the prefix followed by a ULID (26 characters of Crockford
//! base32: 48 bits of milliseconds since 1970, then 80 random bits from the
//! operating system, incremented within one millisecond so that one generator's
//! ids strictly increase).

use std::str::FromStr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use coufun_rules::Violation;

use crate::TrId;

/// Length of the ULID part of a generated TR_ID.
const ULID_LEN: usize = 26;

/// Bits of a ULID after its millisecond timestamp: the random part.
const RANDOM_BITS: u32 = 80;

/// Crockford's base32 alphabet (no I, L, O, U), as ULIDs write it.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The monotonic ULID state of one generator: the last ULID it made, as its
/// 128-bit value (`0` before the first).
#[derive(Debug, Default)]
struct LastUlid(u128);

impl LastUlid {
    /// The next ULID at `now_ms`: a fresh random part in a new millisecond;
    /// otherwise (the same millisecond, or a clock that went back) the last one
    /// plus one, which carries into the next millisecond once the 80 random bits
    /// are all ones.
    fn next(&mut self, now_ms: u128, random: impl FnOnce() -> u128) -> u128 {
        let now_ms = now_ms & ((1 << 48) - 1);
        let next = if now_ms <= self.0 >> RANDOM_BITS {
            self.0.saturating_add(1)
        } else {
            (now_ms << RANDOM_BITS) | (random() & ((1 << RANDOM_BITS) - 1))
        };
        self.0 = next;
        next
    }
}

/// A ULID's 26 characters: its 128 bits, 5 at a time from the top (the first
/// character holds the top 3), in Crockford base32.
fn encode_ulid(mut value: u128) -> [u8; ULID_LEN] {
    let mut text = [0u8; ULID_LEN];
    for slot in text.iter_mut().rev() {
        *slot = CROCKFORD[(value & 0x1f) as usize];
        value >>= 5;
    }
    text
}

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
    last: Mutex<LastUlid>,
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
            last: Mutex::default(),
        })
    }

    /// The prefix every id starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A new TR_ID, greater than every id this generator made before.
    #[allow(clippy::expect_used)]
    pub fn next_id(&self) -> TrId {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        let ulid = self
            .last
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .next(now_ms, crate::random::random_u128);
        let mut text = String::with_capacity(self.prefix.len() + ULID_LEN);
        text.push_str(&self.prefix);
        text.extend(encode_ulid(ulid).map(char::from));
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
    fn a_ulid_is_written_as_the_ulid_crate_writes_it() {
        for value in [
            0,
            1,
            u128::MAX,
            1 << 80,
            (1 << 80) - 1,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
        ] {
            let text = encode_ulid(value);
            assert_eq!(
                std::str::from_utf8(&text).unwrap(),
                ulid::Ulid(value).to_string()
            );
        }
    }

    #[test]
    fn within_a_millisecond_the_random_part_counts_up_and_carries_into_the_next() {
        let ms: u128 = 1_700_000_000_000;
        let mut last = LastUlid::default();
        let first = last.next(ms, || 41);
        assert_eq!(first, (ms << RANDOM_BITS) | 41);
        assert_eq!(
            last.next(ms, || unreachable!()),
            first + 1,
            "same millisecond"
        );
        assert_eq!(
            last.next(ms - 5, || unreachable!()),
            first + 2,
            "clock went back"
        );
        let fresh = last.next(ms + 1, || u128::MAX);
        assert_eq!(
            fresh,
            ((ms + 1) << RANDOM_BITS) | ((1 << RANDOM_BITS) - 1),
            "80 random bits kept"
        );
        assert_eq!(
            last.next(ms + 1, || unreachable!()),
            (ms + 2) << RANDOM_BITS,
            "overflow carries"
        );
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

//! The value types of response fields and how each reads from and writes to
//! element text: text, integers, `YYYYMMDD` dates, `YYYYMMDDHHMISS` timestamps
//! and phone numbers (masked whenever shown).

use std::borrow::Cow;
use std::fmt;

use crate::privacy::mask_phone;

/// A type a response element's text reads into and writes back from.
pub trait FieldValue: Sized {
    /// What the text must look like, for error messages (e.g. `"an integer"`).
    const EXPECTED: &'static str;

    /// `Ok(None)` for an empty element (or only white space);
    /// `Err(excerpt)` when the text is not a value of this type, with a short,
    /// privacy-safe excerpt of what was found.
    fn parse_text(text: Cow<'_, str>) -> Result<Option<Self>, String>;

    /// Appends the value's text (unescaped) to `out`.
    fn write_text(&self, out: &mut String);
}

/// A short excerpt of server text for an error message, phone-like digit runs masked.
pub(crate) fn excerpt(text: &str) -> String {
    crate::redact::redact(&text.chars().take(40).collect::<String>(), &[])
}

impl FieldValue for String {
    const EXPECTED: &'static str = "text";

    fn parse_text(text: Cow<'_, str>) -> Result<Option<Self>, String> {
        Ok((!text.trim().is_empty()).then(|| text.into_owned()))
    }

    fn write_text(&self, out: &mut String) {
        out.push_str(self);
    }
}

/// A calendar date, written `YYYYMMDD` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CalendarDate {
    year: u16,
    month: u8,
    day: u8,
}

impl CalendarDate {
    /// The date, when it exists in the Gregorian calendar (years 1–9999).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let days = coufun_rules::days_in_month(u32::from(year), u32::from(month));
        ((1..=9999).contains(&year) && (1..=days).contains(&u32::from(day)))
            .then_some(CalendarDate { year, month, day })
    }

    /// Parses `YYYYMMDD`.
    pub fn parse_ymd(text: &str) -> Option<Self> {
        let (year, month, day) = coufun_rules::parse_date(text).ok()?;
        CalendarDate::new(year, month, day)
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }
    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }
    /// The day of the month, 1–31.
    pub fn day(self) -> u8 {
        self.day
    }
}

/// `YYYYMMDD`, as on the wire.
impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

/// A moment written `YYYYMMDDHHMISS` on the wire (24-hour clock, the server's
/// local time, Korea, UTC+9), e.g. when a coupon was used or cancelled — in a
/// response record or in an exchange notice's `EXCHANGE_DATE`.
///
/// `Display` (and [`Timestamp::to_compact`]) write the wire form;
/// [`Timestamp::to_iso8601`] writes ISO 8601 with the `+09:00` offset.
///
/// ```
/// use coufun_api::xml::Timestamp;
///
/// let t = Timestamp::parse("20240301123000").ok_or("not a time")?;
/// assert_eq!(Some(t), Timestamp::from_ymd_hms(2024, 3, 1, 12, 30, 0));
/// assert_eq!(t.to_string(), "20240301123000");
/// assert_eq!(t.to_compact(), "20240301123000");
/// assert_eq!(t.to_iso8601(), "2024-03-01T12:30:00+09:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    date: CalendarDate,
    hour: u8,
    minute: u8,
    second: u8,
}

impl Timestamp {
    /// The moment, when the date exists and the time is within a day
    /// (hours 0–23, minutes and seconds 0–59).
    pub fn new(date: CalendarDate, hour: u8, minute: u8, second: u8) -> Option<Self> {
        (hour < 24 && minute < 60 && second < 60).then_some(Timestamp {
            date,
            hour,
            minute,
            second,
        })
    }

    /// The moment from its six parts, when the date exists (years 1–9999) and
    /// the time is within a day.
    pub fn from_ymd_hms(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Option<Self> {
        Timestamp::new(CalendarDate::new(year, month, day)?, hour, minute, second)
    }

    /// Parses `YYYYMMDDHHMISS` (14 ASCII digits).
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let date = CalendarDate::parse_ymd(text.get(..8)?)?;
        let two = |at: usize| text.get(at..at + 2)?.parse::<u8>().ok();
        Timestamp::new(date, two(8)?, two(10)?, two(12)?)
    }

    /// `YYYYMMDDHHMISS`, as on the wire (the same text as `Display`).
    pub fn to_compact(self) -> String {
        self.to_string()
    }

    /// ISO 8601 in Korean time, e.g. `2024-03-01T12:30:00+09:00`.
    pub fn to_iso8601(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+09:00",
            self.date.year, self.date.month, self.date.day, self.hour, self.minute, self.second
        )
    }

    /// The day.
    pub fn date(self) -> CalendarDate {
        self.date
    }
    /// The hour, 0–23.
    pub fn hour(self) -> u8 {
        self.hour
    }
    /// The minute, 0–59.
    pub fn minute(self) -> u8 {
        self.minute
    }
    /// The second, 0–59.
    pub fn second(self) -> u8 {
        self.second
    }
}

/// `YYYYMMDDHHMISS`, as on the wire.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{:02}{:02}{:02}",
            self.date, self.hour, self.minute, self.second
        )
    }
}

/// [`FieldValue`] for types read from their text, trimmed, by a parser
/// (`Ok(None)` when nothing is left, the excerpt when the parser refuses it)
/// and written by their `Display`.
macro_rules! parsed_field_value {
    ($($ty:ty: $expected:literal, $parse:expr;)+) => {$(
        impl FieldValue for $ty {
            const EXPECTED: &'static str = $expected;

            fn parse_text(text: Cow<'_, str>) -> Result<Option<Self>, String> {
                let t = text.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                ($parse)(t).map(Some).ok_or_else(|| excerpt(t))
            }

            fn write_text(&self, out: &mut String) {
                use fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
    )+};
}

parsed_field_value! {
    i64: "an integer", |t: &str| t.parse().ok();
    CalendarDate: "a date written YYYYMMDD", CalendarDate::parse_ymd;
    Timestamp: "a time written YYYYMMDDHHMISS", Timestamp::parse;
}

/// A phone number as the server reported it: unchecked text (the server may
/// already mask it), shown masked (`010-****-5678`) by `Debug` and `Display`.
/// [`Phone::expose`] gives the digits.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Phone(String);

impl Phone {
    /// A phone number from its text.
    pub fn new(text: impl Into<String>) -> Self {
        Phone(text.into())
    }

    /// The number in clear. Keep it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Phone").field(&mask_phone(&self.0)).finish()
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_phone(&self.0))
    }
}

impl FieldValue for Phone {
    const EXPECTED: &'static str = "a phone number";

    fn parse_text(text: Cow<'_, str>) -> Result<Option<Self>, String> {
        let t = text.trim();
        Ok((!t.is_empty()).then(|| Phone(t.to_owned())))
    }

    fn write_text(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

/// A value of an enum kind as the server reported it: one the spec lists, or
/// the server's own text for one it does not (a newer server may add values).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reported<T> {
    /// A value the spec lists.
    Known(T),
    /// Text the spec does not list, as sent.
    Unknown(String),
}

impl<T> Reported<T> {
    /// The known value, if it is one.
    pub fn known(&self) -> Option<&T> {
        match self {
            Reported::Known(value) => Some(value),
            Reported::Unknown(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_exist() {
        assert_eq!(
            CalendarDate::parse_ymd("20240229")
                .map(|d| d.to_string())
                .as_deref(),
            Some("20240229")
        );
        for bad in [
            "20230229", "20241301", "20240100", "2024-1-1", "2024010", "00000101",
        ] {
            assert_eq!(CalendarDate::parse_ymd(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_must_exist() {
        let t = Timestamp::parse("20240229235959");
        assert_eq!(t.map(|t| t.to_string()).as_deref(), Some("20240229235959"));
        assert_eq!(
            t.map(|t| (t.hour(), t.minute(), t.second())),
            Some((23, 59, 59))
        );
        for bad in [
            "20240229240000",
            "20230229120000",
            "2024022912000",
            "20240229 12000",
            "202402291260",
            "00000101000000",
            "20241301000000",
            "20240101126000",
            "20240101120060",
            "+2024010112000",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_from_parts_and_renderings() {
        let t = Timestamp::from_ymd_hms(2024, 3, 1, 9, 5, 7);
        assert_eq!(t, Timestamp::parse("20240301090507"));
        assert_eq!(
            t.map(Timestamp::to_compact).as_deref(),
            Some("20240301090507")
        );
        assert_eq!(
            t.map(Timestamp::to_iso8601).as_deref(),
            Some("2024-03-01T09:05:07+09:00")
        );
        for (y, mo, d, h, mi, s) in [
            (0, 1, 1, 0, 0, 0),
            (2023, 2, 29, 0, 0, 0),
            (2024, 13, 1, 0, 0, 0),
            (2024, 1, 1, 24, 0, 0),
            (2024, 1, 1, 0, 60, 0),
            (2024, 1, 1, 0, 0, 60),
        ] {
            assert_eq!(Timestamp::from_ymd_hms(y, mo, d, h, mi, s), None);
        }
    }

    #[test]
    fn phones_show_masked() {
        let p = Phone::new("01012345678");
        assert_eq!(p.to_string(), "010-****-5678");
        assert!(!format!("{p:?}").contains("1234"));
        assert_eq!(p.expose(), "01012345678");
    }
}

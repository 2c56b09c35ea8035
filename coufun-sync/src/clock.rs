//! Korean time (UTC+9), the server's clock: the day the goods-list limit is
//! counted in, and the day coupon validity is judged by.

/// The moment `at` in Korean time.
pub fn korean(at: jiff::Timestamp) -> jiff::Zoned {
    at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)))
}

/// The Korean calendar day of `at`.
pub fn korean_day(at: jiff::Timestamp) -> jiff::civil::Date {
    korean(at).date()
}

/// `date` as `YYYYMMDD` (how validity dates are stored, sorting as they come).
pub fn ymd(date: jiff::civil::Date) -> String {
    date.strftime("%Y%m%d").to_string()
}

/// ISO 8601 in Korean time, to the second (`2024-03-01T04:00:00+09:00`).
pub fn korean_iso(at: jiff::Timestamp) -> String {
    korean(at).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The first moment of the Korean day after `at`'s.
pub fn next_korean_midnight(at: jiff::Timestamp) -> jiff::Timestamp {
    let zoned = korean(at);
    zoned
        .date()
        .tomorrow()
        .ok()
        .and_then(|d| d.to_zoned(zoned.time_zone().clone()).ok())
        .map_or(at, |z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_korean_day_turns_at_15_utc() {
        let before: jiff::Timestamp = "2024-03-01T14:59:59Z".parse().unwrap();
        let after: jiff::Timestamp = "2024-03-01T15:00:00Z".parse().unwrap();
        assert_eq!(ymd(korean_day(before)), "20240301");
        assert_eq!(ymd(korean_day(after)), "20240302");
        assert_eq!(korean_iso(after), "2024-03-02T00:00:00+09:00");
        assert_eq!(
            korean_iso(next_korean_midnight(before)),
            "2024-03-02T00:00:00+09:00"
        );
    }
}

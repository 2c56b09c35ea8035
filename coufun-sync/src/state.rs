//! What a coupon's state is and when a sighting of it is a change: the
//! [`Observation`] a notice or a status answer gives, the [`Reading`] two of
//! them are compared by, [`judge`] (the one rule deciding change, same or
//! stale) and [`is_open`] (whether a coupon may still change, so is polled).
//! Pure: the stores call these inside the transaction that writes the change.

use coufun_api::notice::ExchangeNotice;
use coufun_api::responses::CouponStatusItem;
use coufun_api::xml::{CalendarDate, Reported, Timestamp};
use coufun_api::{CouponStatus, CouponType};

/// Who saw a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Source {
    /// The coupon was registered (issued): its first history row.
    Registered,
    /// An exchange notice COUFUN sent.
    Notice,
    /// A status lookup this crate made.
    Poll,
}

impl Source {
    /// The name stored in the history table.
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::Registered => "registered",
            Source::Notice => "notice",
            Source::Poll => "poll",
        }
    }

    /// The source stored as `text`.
    pub fn from_stored(text: &str) -> Option<Self> {
        [Source::Registered, Source::Notice, Source::Poll]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One sighting of a coupon's state, from a notice or a status answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Observation {
    /// The state reported.
    pub state: Reported<CouponStatus>,
    /// Exchange or stored-value voucher, when the sighting says.
    pub coupon_type: Option<Reported<CouponType>>,
    /// What is left of a stored-value (`AMOUNT`) voucher; `None` for an
    /// exchange voucher or when not reported.
    pub balance: Option<i64>,
    /// A stored-value voucher's face value, when reported (status answers).
    pub total_amount: Option<i64>,
    /// When it was last used or a use cancelled.
    pub exchanged_at: Option<Timestamp>,
    /// When it was cancelled.
    pub cancelled_at: Option<Timestamp>,
    /// Its last valid day, when reported (status answers).
    pub valid_until: Option<CalendarDate>,
    /// The approval number of the use or use-cancel (notices).
    pub approval_number: Option<String>,
}

fn is_amount(kind: Option<&Reported<CouponType>>) -> bool {
    matches!(kind, Some(Reported::Known(CouponType::Amount)))
}

impl Observation {
    /// A coupon in `state` and nothing else known.
    pub fn of_state(state: CouponStatus) -> Self {
        Observation {
            state: Reported::Known(state),
            coupon_type: None,
            balance: None,
            total_amount: None,
            exchanged_at: None,
            cancelled_at: None,
            valid_until: None,
            approval_number: None,
        }
    }

    /// What an exchange notice says: its state, type, time and approval
    /// number, and for a stored-value voucher its balance (an exchange
    /// voucher's notice carries a balance of 0 that means nothing).
    pub fn from_notice(notice: &ExchangeNotice) -> Self {
        let amount = is_amount(Some(&notice.coupon_type));
        Observation {
            state: notice.state.clone(),
            coupon_type: Some(notice.coupon_type.clone()),
            balance: amount.then_some(notice.balance),
            total_amount: None,
            exchanged_at: Some(notice.time),
            cancelled_at: None,
            valid_until: None,
            approval_number: Some(notice.approval_number.clone()),
        }
    }

    /// What one record of a status answer says; `None` when it holds no state.
    pub fn from_status(item: &CouponStatusItem) -> Option<Self> {
        let amount = is_amount(item.coupon_type.as_ref());
        Some(Observation {
            state: item.status.clone()?,
            coupon_type: item.coupon_type.clone(),
            balance: if amount { item.remaining_amount } else { None },
            total_amount: if amount { item.total_amount } else { None },
            exchanged_at: item.exchanged_at,
            cancelled_at: item.cancelled_at,
            valid_until: item.valid_until,
            approval_number: None,
        })
    }

    /// The part of it [`judge`] compares.
    pub fn reading(&self) -> Reading {
        Reading {
            state: state_wire(&self.state),
            balance: self.balance,
            exchanged_at: self.exchanged_at.map(Timestamp::to_compact),
            cancelled_at: self.cancelled_at.map(Timestamp::to_compact),
        }
    }
}

/// A state as stored: its wire text (a value the spec does not list, as sent).
pub fn state_wire(state: &Reported<CouponStatus>) -> String {
    coufun_api::notice::reported_wire(state).into_owned()
}

/// `text` as `parse` reads it, else as the text (a value the spec does not list).
fn reported<T, E>(text: &str, parse: fn(&str) -> Result<T, E>) -> Reported<T> {
    parse(text).map_or_else(|_| Reported::Unknown(text.to_owned()), Reported::Known)
}

/// A stored state text read back.
pub fn state_from_wire(text: &str) -> Reported<CouponStatus> {
    reported(text, CouponStatus::from_wire)
}

/// A stored coupon type text read back.
pub fn coupon_type_from_wire(text: &str) -> Reported<CouponType> {
    reported(text, CouponType::from_wire)
}

/// What two sightings are compared by: the state's wire text, the balance,
/// and the event times as `YYYYMMDDHHMISS` (which sort as they happened).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reading {
    /// The state's wire text.
    pub state: String,
    /// A stored-value voucher's balance.
    pub balance: Option<i64>,
    /// Last use or use-cancel.
    pub exchanged_at: Option<String>,
    /// Cancellation.
    pub cancelled_at: Option<String>,
}

impl Reading {
    /// A reading of these parts.
    pub fn new(
        state: impl Into<String>,
        balance: Option<i64>,
        exchanged_at: Option<String>,
        cancelled_at: Option<String>,
    ) -> Self {
        Reading {
            state: state.into(),
            balance,
            exchanged_at,
            cancelled_at,
        }
    }

    fn cancelled(&self) -> bool {
        self.state == CouponStatus::Cancelled.as_wire()
    }

    /// The name of the change that leads to this reading, unique per coupon
    /// in the history table: its state, balance and event times when it has a
    /// time (event times only move forward), else the version `seq` it becomes.
    /// (Three events of one coupon in one second, the third repeating the
    /// first's state and balance, would collide: the third is not recorded.)
    pub fn change_key(&self, seq: i64) -> String {
        if self.exchanged_at.is_none() && self.cancelled_at.is_none() {
            return format!("v{seq}");
        }
        let time = |t: &Option<String>| t.clone().unwrap_or_else(|| "-".to_owned());
        let balance = self
            .balance
            .map_or_else(|| "-".to_owned(), |b| b.to_string());
        format!(
            "{}|b{balance}|x{}|c{}",
            self.state,
            time(&self.exchanged_at),
            time(&self.cancelled_at)
        )
    }
}

/// What a sighting is, against the state recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// A real change: it gets a history row.
    Change,
    /// The state recorded, seen again (perhaps read differently: a notice
    /// reports a partial use-cancel of an `AMOUNT` voucher `000` where the
    /// status lookup says `001`; the same event time makes it the same event).
    Same,
    /// Older than what is recorded (a notice delivered late, a poll answered
    /// before a notice was written): nothing is written.
    Stale,
}

/// `a` is known to come after `b`.
fn after(a: &Option<String>, b: &Option<String>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a > b)
}

/// `seen` has a time `current` does not have, or a later one.
fn advanced(current: &Option<String>, seen: &Option<String>) -> bool {
    match (current, seen) {
        (None, Some(_)) => true,
        (Some(c), Some(s)) => s > c,
        _ => false,
    }
}

/// Both known and different.
fn differs(a: Option<i64>, b: Option<i64>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a != b)
}

/// Whether `seen` is a change from `current`, the same state, or stale.
///
/// 1. Stale: the coupon was cancelled and `seen` is not (a cancel is final),
///    or an event time of `current` is later than `seen`'s.
/// 2. Change: `seen` has a use or use-cancel later than the one recorded, or
///    one where none was recorded (uses nobody notified happened meanwhile).
/// 3. Same: a stored-value voucher at the same last event time with the same
///    balance, cancelled or not alike — one event, read two ways (a notice
///    reports a partial use-cancel `000` where the status lookup says `001`).
/// 4. Otherwise (the same times, or none to go by): a change when the state
///    differs (a use and its cancel in the same second), or both balances are
///    known and differ.
pub fn judge(current: &Reading, seen: &Reading) -> Verdict {
    if current.cancelled() && !seen.cancelled() {
        return Verdict::Stale;
    }
    if after(&current.exchanged_at, &seen.exchanged_at)
        || after(&current.cancelled_at, &seen.cancelled_at)
    {
        return Verdict::Stale;
    }
    // (A cancel time appearing is no new event: a cancel is final, and a
    // cancel not yet recorded differs in state, below.)
    if advanced(&current.exchanged_at, &seen.exchanged_at) {
        return Verdict::Change;
    }
    if current.balance.is_some()
        && current.balance == seen.balance
        && current.exchanged_at.is_some()
        && current.exchanged_at == seen.exchanged_at
        && current.cancelled() == seen.cancelled()
    {
        return Verdict::Same;
    }
    if current.state != seen.state || differs(current.balance, seen.balance) {
        Verdict::Change
    } else {
        Verdict::Same
    }
}

/// Whether a coupon may still change by itself, and so is polled: an unused
/// coupon, and a stored-value voucher used in part (balance left, or not
/// known). A cancelled coupon is final; a used exchange voucher changes only by
/// a use-cancel at a shop, which COUFUN notifies. A state the spec does not
/// list keeps being polled.
pub fn is_open(
    state: &Reported<CouponStatus>,
    coupon_type: Option<&Reported<CouponType>>,
    balance: Option<i64>,
) -> bool {
    let closed = match state {
        Reported::Known(CouponStatus::Cancelled) => true,
        Reported::Known(CouponStatus::Used) => {
            !(is_amount(coupon_type) && balance.is_none_or(|left| left > 0))
        }
        // unused, or a state the spec does not list
        _ => false,
    };
    !closed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(state: CouponStatus, balance: Option<i64>, x: Option<&str>, c: Option<&str>) -> Reading {
        Reading::new(
            state.as_wire(),
            balance,
            x.map(str::to_owned),
            c.map(str::to_owned),
        )
    }

    const T1: &str = "20240301100000";
    const T2: &str = "20240301110000";

    #[test]
    fn first_use_is_a_change_and_seeing_it_again_is_not() {
        let issued = r(CouponStatus::Unused, None, None, None);
        let used = r(CouponStatus::Used, None, Some(T1), None);
        assert_eq!(judge(&issued, &used), Verdict::Change);
        assert_eq!(judge(&used, &used), Verdict::Same);
        // a status answer without a time, after the notice
        let used_no_time = r(CouponStatus::Used, None, None, None);
        assert_eq!(judge(&used, &used_no_time), Verdict::Same);
        assert_eq!(judge(&issued, &issued), Verdict::Same);
    }

    #[test]
    fn a_later_use_time_is_a_change_even_in_the_same_state() {
        // a use-cancel and a new use nobody notified, between two polls
        let used = r(CouponStatus::Used, None, Some(T1), None);
        assert_eq!(
            judge(&used, &r(CouponStatus::Used, None, Some(T2), None)),
            Verdict::Change
        );
        // a use and its cancel nobody notified, after the coupon was issued
        let issued = r(CouponStatus::Unused, None, None, None);
        assert_eq!(
            judge(&issued, &r(CouponStatus::Unused, None, Some(T1), None)),
            Verdict::Change
        );
        // a cancel time appearing is the same cancel
        let cancelled = r(CouponStatus::Cancelled, None, None, None);
        assert_eq!(
            judge(
                &cancelled,
                &r(CouponStatus::Cancelled, None, None, Some(T1))
            ),
            Verdict::Same
        );
    }

    #[test]
    fn a_status_record_reads_as_its_observation() {
        let t = Timestamp::from_ymd_hms(2024, 6, 1, 10, 0, 0);
        let item = CouponStatusItem {
            coupon_type: Some(Reported::Known(CouponType::Amount)),
            status: Some(Reported::Known(CouponStatus::Used)),
            valid_until: CalendarDate::new(2024, 9, 1),
            exchanged_at: t,
            total_amount: Some(10_000),
            remaining_amount: Some(7_000),
            ..CouponStatusItem::default()
        };
        let seen = Observation::from_status(&item).unwrap();
        assert_eq!(seen.state, Reported::Known(CouponStatus::Used));
        assert_eq!(seen.balance, Some(7_000));
        assert_eq!(seen.total_amount, Some(10_000));
        assert_eq!(seen.exchanged_at, t);
        assert_eq!(seen.valid_until, CalendarDate::new(2024, 9, 1));
        assert_eq!(
            seen.reading().exchanged_at.as_deref(),
            Some("20240601100000")
        );
        // an exchange voucher's amounts say nothing
        let barcode = CouponStatusItem {
            coupon_type: Some(Reported::Known(CouponType::Barcode)),
            ..item.clone()
        };
        let seen = Observation::from_status(&barcode).unwrap();
        assert_eq!((seen.balance, seen.total_amount), (None, None));
        // no state, no observation
        let empty = CouponStatusItem {
            status: None,
            ..item
        };
        assert_eq!(Observation::from_status(&empty), None);
    }

    #[test]
    fn an_older_event_is_stale() {
        let used = r(CouponStatus::Used, None, Some(T1), None);
        let unused_again = r(CouponStatus::Unused, None, Some(T2), None);
        assert_eq!(judge(&used, &unused_again), Verdict::Change);
        assert_eq!(judge(&unused_again, &used), Verdict::Stale);
        let cancelled = r(CouponStatus::Cancelled, None, None, Some(T1));
        let old = r(CouponStatus::Cancelled, None, None, Some("20240101000000"));
        assert_eq!(judge(&cancelled, &old), Verdict::Stale);
    }

    #[test]
    fn a_cancel_is_final() {
        let cancelled = r(CouponStatus::Cancelled, None, None, Some(T1));
        let unused = r(CouponStatus::Unused, None, None, None);
        assert_eq!(judge(&cancelled, &unused), Verdict::Stale);
        assert_eq!(judge(&unused, &cancelled), Verdict::Change);
        // a cancel without a time, after a use with one
        let used = r(CouponStatus::Used, Some(500), Some(T1), None);
        let cancelled_no_time = r(CouponStatus::Cancelled, Some(500), Some(T1), None);
        assert_eq!(judge(&used, &cancelled_no_time), Verdict::Change);
        assert_eq!(judge(&cancelled_no_time, &cancelled_no_time), Verdict::Same);
    }

    #[test]
    fn one_event_read_two_ways_is_the_same() {
        // a partial use-cancel: the notice says 000, the status lookup 001
        let notice = r(CouponStatus::Unused, Some(9000), Some(T2), None);
        let status = r(CouponStatus::Used, Some(9000), Some(T2), None);
        assert_eq!(judge(&notice, &status), Verdict::Same);
        assert_eq!(judge(&status, &notice), Verdict::Same);
        // another balance at the same time is another event
        let more = r(CouponStatus::Used, Some(8000), Some(T2), None);
        assert_eq!(judge(&status, &more), Verdict::Change);
        // a cancel at the same time is not the same event
        let cancelled = r(CouponStatus::Cancelled, Some(9000), Some(T2), None);
        assert_eq!(judge(&status, &cancelled), Verdict::Change);
    }

    #[test]
    fn a_use_and_its_cancel_in_one_second_are_two_changes() {
        let used = r(CouponStatus::Used, None, Some(T1), None);
        let unused = r(CouponStatus::Unused, None, Some(T1), None);
        assert_eq!(judge(&used, &unused), Verdict::Change);
        assert_eq!(judge(&unused, &unused), Verdict::Same);
        // a balance only on one side says nothing
        let known = r(CouponStatus::Used, Some(5), Some(T1), None);
        assert_eq!(judge(&used, &known), Verdict::Same);
        assert_eq!(judge(&known, &used), Verdict::Same);
    }

    #[test]
    fn without_times_state_and_balance_decide() {
        use CouponStatus::{Unused, Used};
        let a = r(Used, Some(7000), None, None);
        let plain = r(Used, None, None, None);
        for (current, seen, verdict) in [
            (&a, r(Used, Some(5000), None, None), Verdict::Change),
            (&a, plain.clone(), Verdict::Same),
            (&plain, a.clone(), Verdict::Same),
            (&a, r(Unused, Some(7000), None, None), Verdict::Change),
            // a later use of a stored-value voucher: a new time
            (
                &r(Used, Some(7000), Some(T1), None),
                r(Used, Some(5000), Some(T2), None),
                Verdict::Change,
            ),
        ] {
            assert_eq!(judge(current, &seen), verdict, "{current:?} then {seen:?}");
        }
    }

    #[test]
    fn change_keys_name_the_event_or_the_version() {
        assert_eq!(
            r(CouponStatus::Unused, None, None, None).change_key(1),
            "v1"
        );
        let used = r(CouponStatus::Used, None, Some(T1), None);
        assert_eq!(used.change_key(2), used.change_key(7));
        assert_ne!(
            used.change_key(2),
            r(CouponStatus::Cancelled, None, Some(T1), None).change_key(2)
        );
        assert_ne!(
            used.change_key(2),
            r(CouponStatus::Used, None, Some(T1), Some(T2)).change_key(2)
        );
        assert_ne!(
            used.change_key(2),
            r(CouponStatus::Used, Some(1), Some(T1), None).change_key(2)
        );
        assert_ne!(
            r(CouponStatus::Used, None, None, Some(T1)).change_key(2),
            r(CouponStatus::Used, None, Some(T1), None).change_key(2)
        );
    }

    #[test]
    fn open_coupons_are_those_that_can_still_change() {
        use CouponStatus::{Cancelled, Unused, Used};
        let (barcode, amount) = (Some(CouponType::Barcode), Some(CouponType::Amount));
        // state, type, balance: open
        for (state, kind, balance, open) in [
            (Unused, None, None, true),
            (Cancelled, None, None, false),
            (Used, barcode, None, false),
            (Used, None, None, false),
            (Used, amount, Some(1), true),
            (Used, amount, None, true),
            (Used, amount, Some(0), false),
        ] {
            let kind = kind.map(Reported::Known);
            let state = Reported::Known(state);
            assert_eq!(
                is_open(&state, kind.as_ref(), balance),
                open,
                "{state:?} {kind:?} {balance:?}"
            );
        }
        assert!(is_open(&Reported::Unknown("777".into()), None, None));
    }

    #[test]
    fn sources_round_trip() {
        for s in [Source::Registered, Source::Notice, Source::Poll] {
            assert_eq!(Source::from_stored(s.as_str()), Some(s));
        }
        assert_eq!(Source::from_stored("x"), None);
    }
}

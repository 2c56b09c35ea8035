//! Coupon issuance at most once, and never reported wrong. A coupon costs money:
//! when a send or create times out or its connection drops, the coupons may or
//! may not exist. The documented API has no lookup by TR_ID (status takes
//! `GOODS_ID` + `BARCODE_NUM`), so the client settles the outcome with what the
//! server does document: its deduplication on TR_ID.
//!
//! The rules ([`crate::retry`] decides each failure):
//! 1. Every attempt sends the very same request, with the same TR_ID — never a
//!    new one — so the server issues at most once per TR_ID (a repeat answers `12`).
//! 2. An attempt whose answer was lost (timeout after sending, dropped
//!    connection, 5xx, unreadable answer) is retried with the same request.
//! 3. An answer `00` is [`IssueOutcome::Issued`], with the coupon numbers.
//! 4. A `12` (duplicate TR_ID) or `23` (duplicate request) means an earlier
//!    attempt with this TR_ID reached the server — ours whose answer was lost, or
//!    the caller's before a restart: [`IssueOutcome::EarlierAttemptReached`].
//!    Coupons probably exist, but their numbers are not retrievable through the
//!    API; it is never reported as not issued, nor as issued with made-up numbers.
//! 5. A refusal (a code that retrying cannot change) is
//!    [`IssueOutcome::NotIssued`] only when no earlier attempt's fate is open; after
//!    a lost answer it is [`IssueOutcome::Unknown`] (the lost attempt may have
//!    issued, and used up the very limit that now refuses).
//! 6. When the deadline or the attempt budget runs out with an attempt's fate
//!    open, the result is [`IssueOutcome::Unknown`], carrying the TR_ID.
//!
//! What the merchant does with each outcome:
//!
//! | outcome | coupons | what to do |
//! |---|---|---|
//! | `Issued` | exist, numbers in the answer | deliver them |
//! | `NotIssued` | none for this TR_ID | fix the cause; a new request may take a new TR_ID |
//! | `EarlierAttemptReached` | probably exist, numbers unknown | do not issue again; ask the supplier (by TR_ID, or the ORDER_ID on their side) for the numbers, or cancel them there |
//! | `Unknown` | may exist | send the same request with the same TR_ID later: `00` issues, `12` shows an earlier attempt did |
//!
//! One state machine (`Issuance`, private) drives both the async and the blocking client.

use std::marker::PhantomData;
use std::time::Duration;

use crate::ResultCode;
use crate::error::Error;
use crate::generated::kinds::TrId;
use crate::generated::requests::{CouponCreateRequest, CouponSendRequest};
use crate::generated::responses::{CouponCreateResponse, CouponSendResponse};
use crate::operation::Effect;
use crate::retry::{Attempts, Decision, RetryPolicy, decide};

/// How a coupon send or create ended. Exactly one of four, and never a generic
/// error for a coupon that may exist.
///
/// ```
/// use coufun_api::issuance::IssueOutcome;
/// use coufun_api::responses::CouponCreateResponse;
///
/// /// What the merchant does with one order's outcome.
/// fn settle(outcome: IssueOutcome<CouponCreateResponse>) -> String {
///     match outcome {
///         IssueOutcome::Issued(issued) => format!("deliver {:?}", issued.coupon_numbers()),
///         IssueOutcome::NotIssued(refused) => format!("nothing issued: {}", refused.error),
///         IssueOutcome::EarlierAttemptReached(earlier) => {
///             format!("never send again; reconcile TR_ID {} with the supplier", earlier.tr_id)
///         }
///         // `Unknown`: send the same request, same TR_ID, later (docs/lost-answer.md).
///         other => format!("resend with TR_ID {} later", other.tr_id()),
///     }
/// }
/// # let _ = settle;
/// ```
#[must_use = "a coupon may have been issued: look at the outcome"]
#[derive(Debug)]
#[non_exhaustive]
pub enum IssueOutcome<R> {
    /// The server answered `00`: the coupons exist, their numbers are in the answer.
    Issued(Issued<R>),
    /// The server refused, and no earlier attempt's fate is open: no coupon
    /// exists for this TR_ID.
    NotIssued(NotIssued),
    /// The server answered `12` (or `23`): an earlier attempt with this TR_ID
    /// reached it. Coupons probably exist, but their numbers are not
    /// retrievable through the API. Never issue again for this order.
    EarlierAttemptReached(EarlierAttemptReached),
    /// The deadline passed with an attempt's fate open: coupons may exist. Send
    /// the same request (same TR_ID) again later.
    Unknown(OutcomeUnknown),
}

impl<R> IssueOutcome<R> {
    /// The TR_ID of the issuing request.
    pub fn tr_id(&self) -> &TrId {
        match self {
            IssueOutcome::Issued(i) => &i.tr_id,
            IssueOutcome::NotIssued(n) => &n.tr_id,
            IssueOutcome::EarlierAttemptReached(e) => &e.tr_id,
            IssueOutcome::Unknown(u) => &u.tr_id,
        }
    }

    /// How many calls it took.
    pub fn attempts(&self) -> u32 {
        match self {
            IssueOutcome::Issued(i) => i.attempts,
            IssueOutcome::NotIssued(n) => n.attempts,
            IssueOutcome::EarlierAttemptReached(e) => e.attempts,
            IssueOutcome::Unknown(u) => u.attempts,
        }
    }

    /// Whether the answer confirmed the coupons (with their numbers).
    pub fn is_issued(&self) -> bool {
        matches!(self, IssueOutcome::Issued(_))
    }

    /// Whether coupons may exist for this TR_ID: every outcome but `NotIssued`.
    pub fn may_have_issued(&self) -> bool {
        !matches!(self, IssueOutcome::NotIssued(_))
    }

    /// `Ok` when issued; otherwise the refusal, [`Error::EarlierAttemptReached`]
    /// or [`Error::OutcomeUnknown`], each carrying the TR_ID — for `?` in code
    /// that treats all three as errors.
    pub fn into_result(self) -> Result<Issued<R>, Error> {
        match self {
            IssueOutcome::Issued(i) => Ok(i),
            IssueOutcome::NotIssued(n) => Err(n.error),
            IssueOutcome::EarlierAttemptReached(e) => Err(Error::EarlierAttemptReached {
                tr_id: e.tr_id,
                code: e.code,
                attempts: e.attempts,
            }),
            IssueOutcome::Unknown(u) => Err(Error::OutcomeUnknown {
                tr_id: u.tr_id,
                attempts: u.attempts,
                last: u.last_error.map(Box::new),
            }),
        }
    }
}

/// Issued: the server's own answer.
///
/// ```
/// use coufun_api::issuance::Issued;
/// use coufun_api::responses::CouponCreateResponse;
///
/// fn deliver(issued: &Issued<CouponCreateResponse>) {
///     // The numbers that arrived are real, even if fewer than asked for.
///     for number in issued.coupon_numbers() {
///         println!("coupon {number} for TR_ID {}", issued.tr_id);
///     }
///     if !issued.coupon_count().is_consistent() {
///         println!("reconcile TR_ID {}: {}", issued.tr_id, issued.coupon_count());
///     }
/// }
/// # let _ = deliver;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Issued<R> {
    /// The TR_ID of the issuing request.
    pub tr_id: TrId,
    /// The answer (order id, coupon numbers).
    pub answer: R,
    /// Calls it took.
    pub attempts: u32,
    /// How many coupons the request asked for, when it says (a create's
    /// `CREATE_CNT`).
    pub requested: Option<u64>,
}

impl<R: IssuingResponse> Issued<R> {
    /// The order id the server assigned, when it said.
    pub fn order_id(&self) -> Option<&str> {
        self.answer.order_id()
    }

    /// The numbers (`BARCODE_NUM`) of the coupons issued, in the server's order.
    pub fn coupon_numbers(&self) -> Vec<&str> {
        self.answer.coupon_numbers()
    }

    /// The coupons asked for, the count the answer states and the numbers it
    /// lists, side by side: see [`CouponCount::is_consistent`]. The client logs a
    /// warning when they disagree; the coupons listed are issued either way.
    pub fn coupon_count(&self) -> CouponCount {
        CouponCount {
            requested: self.requested,
            stated: self.answer.stated_count(),
            listed: self.answer.coupon_numbers().len(),
        }
    }
}

/// The coupon counts of an issuing answer. The create manual says the answer
/// states `ORDER_CNT` and lists one `ORDER_INFO` (with its `BARCODE_NUM`) per
/// coupon created; when these disagree with each other or with the request, some
/// coupons may be paid for without their numbers in hand. Such an answer is still
/// [`IssueOutcome::Issued`] (an error would hide the numbers that did arrive):
/// deliver what is listed and reconcile the rest with the supplier by TR_ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CouponCount {
    /// Coupons the request asked for, when it says.
    pub requested: Option<u64>,
    /// The count the answer states (`ORDER_CNT`), when it states one.
    pub stated: Option<i64>,
    /// Coupon numbers the answer lists.
    pub listed: usize,
}

impl CouponCount {
    /// Whether every count known agrees with the numbers listed: the stated
    /// count and the requested one, each when present, equal the coupons listed.
    pub fn is_consistent(&self) -> bool {
        let listed = self.listed as u64;
        let stated_agrees = self
            .stated
            .is_none_or(|stated| u64::try_from(stated) == Ok(listed));
        let requested_agrees = self.requested.is_none_or(|requested| requested == listed);
        stated_agrees && requested_agrees
    }
}

/// `listed 2, stated 3 (ORDER_CNT), requested 3`: the counts known.
impl std::fmt::Display for CouponCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "listed {}", self.listed)?;
        if let Some(stated) = self.stated {
            write!(f, ", stated {stated} (ORDER_CNT)")?;
        }
        if let Some(requested) = self.requested {
            write!(f, ", requested {requested}")?;
        }
        Ok(())
    }
}

/// Not issued: the server's refusal (or why nothing reached it).
#[derive(Debug)]
#[non_exhaustive]
pub struct NotIssued {
    /// The TR_ID of the issuing request.
    pub tr_id: TrId,
    /// The refusal: usually [`Error::Api`] with its code.
    pub error: Error,
    /// Calls it took.
    pub attempts: u32,
}

impl NotIssued {
    /// The server's result code, when it answered one.
    pub fn code(&self) -> Option<ResultCode> {
        self.error.result_code()
    }
}

/// An earlier attempt with this TR_ID reached the server (it answered `12` or
/// `23`); coupons probably exist, but the API cannot tell their numbers.
#[derive(Debug)]
#[non_exhaustive]
pub struct EarlierAttemptReached {
    /// The TR_ID of the issuing request: the key to ask the supplier by.
    pub tr_id: TrId,
    /// The duplicate code answered (`12` or `23`).
    pub code: ResultCode,
    /// Attempts of this call whose answer was lost before the duplicate; `0`
    /// means the TR_ID had been used before this call (e.g. before a restart).
    pub lost_answers: u32,
    /// Calls it took.
    pub attempts: u32,
}

/// The outcome is unknown: the deadline passed with an attempt's fate open.
#[derive(Debug)]
#[non_exhaustive]
pub struct OutcomeUnknown {
    /// The TR_ID to send the same request with again.
    pub tr_id: TrId,
    /// The last failure seen.
    pub last_error: Option<Error>,
    /// Calls it took.
    pub attempts: u32,
}

/// An issuing operation's request: how many coupons it asks for.
pub trait IssuingRequest {
    /// Coupons asked for, when the request says.
    fn coupons_requested(&self) -> Option<u64>;
}

/// Send: `None`. Its manual is not public, so how `CREATE_CNT` combines with the
/// recipients is not known.
impl IssuingRequest for CouponSendRequest {
    fn coupons_requested(&self) -> Option<u64> {
        None
    }
}

/// Create: `CREATE_CNT`, one `ORDER_INFO` each in the answer (the create manual).
impl IssuingRequest for CouponCreateRequest {
    fn coupons_requested(&self) -> Option<u64> {
        Some(self.quantity().get())
    }
}

/// An issuing operation's answer: where its order id and coupon numbers are.
pub trait IssuingResponse {
    /// The order id, when the server sent one.
    fn order_id(&self) -> Option<&str>;
    /// The coupon numbers, in the server's order.
    fn coupon_numbers(&self) -> Vec<&str>;
    /// The count of coupons the answer states, when it has such a field.
    fn stated_count(&self) -> Option<i64> {
        None
    }
}

impl IssuingResponse for CouponSendResponse {
    fn order_id(&self) -> Option<&str> {
        self.order_id.as_deref()
    }
    fn coupon_numbers(&self) -> Vec<&str> {
        self.coupons
            .iter()
            .filter_map(|c| c.coupon_number.as_deref())
            .collect()
    }
}

impl IssuingResponse for CouponCreateResponse {
    fn order_id(&self) -> Option<&str> {
        self.order_id.as_deref()
    }
    fn stated_count(&self) -> Option<i64> {
        self.order_count
    }
    fn coupon_numbers(&self) -> Vec<&str> {
        self.coupons
            .iter()
            .filter_map(|c| c.coupon_number.as_deref())
            .collect()
    }
}

/// The issuing state machine: feed it each call's result, it says whether to
/// send again and, at the end, how the issuance ended. No I/O of its own.
#[cfg_attr(not(feature = "client"), allow(dead_code))] // driven by the client
#[derive(Debug)]
pub(crate) struct Issuance<R> {
    tr_id: TrId,
    /// Coupons the request asks for, when it says.
    requested: Option<u64>,
    attempts: Attempts,
    /// Attempts whose answer was lost (each may have reached the server).
    lost_answers: u32,
    /// Wait before the next call.
    wait: Duration,
    last_error: Option<Error>,
    answer: PhantomData<fn() -> R>,
}

#[cfg_attr(not(feature = "client"), allow(dead_code))] // driven by the client
impl<R> Issuance<R> {
    /// A new issuance of the request carrying `tr_id` and asking for
    /// `requested` coupons (when it says).
    pub(crate) fn new(tr_id: TrId, requested: Option<u64>, policy: RetryPolicy) -> Self {
        Issuance {
            tr_id,
            requested,
            attempts: Attempts::start(policy),
            lost_answers: 0,
            wait: Duration::ZERO,
            last_error: None,
            answer: PhantomData,
        }
    }

    /// Whether to send the (unchanged) request now; `false` when the budget is
    /// spent (then [`give_up`](Self::give_up)).
    pub(crate) fn next_call(&mut self) -> bool {
        if self.attempts.made() > 0 && !self.attempts.may_retry() {
            return false;
        }
        self.attempts.record();
        true
    }

    /// How long to wait before the next call.
    pub(crate) fn wait(&self) -> Duration {
        self.wait
    }

    /// The issuing call answered `result`; `Some` when that settles it.
    pub(crate) fn sent(&mut self, result: Result<R, Error>) -> Option<IssueOutcome<R>> {
        let error = match result {
            Ok(answer) => {
                return Some(IssueOutcome::Issued(Issued {
                    tr_id: self.tr_id.clone(),
                    answer,
                    attempts: self.attempts.made(),
                    requested: self.requested,
                }));
            }
            Err(error) => error,
        };
        let failure = error.failure_kind();
        if failure.outcome_unknown() {
            self.lost_answers += 1;
        }
        match decide(Effect::Write, failure) {
            Decision::RetrySameRequest => {
                self.wait = self.attempts.backoff();
                self.last_error = Some(error);
                None
            }
            Decision::EarlierAttemptReached => {
                Some(IssueOutcome::EarlierAttemptReached(EarlierAttemptReached {
                    tr_id: self.tr_id.clone(),
                    code: error.result_code().unwrap_or(ResultCode::DuplicateTrId),
                    lost_answers: self.lost_answers,
                    attempts: self.attempts.made(),
                }))
            }
            // a refusal after a lost answer: the lost attempt may have issued
            _ if self.lost_answers > 0 => Some(self.unknown(Some(error))),
            _ => Some(self.not_issued(error)),
        }
    }

    /// Refused before any call (e.g. the request's charset is not the client's).
    pub(crate) fn refused(&self, error: Error) -> IssueOutcome<R> {
        self.not_issued(error)
    }

    /// The budget is spent: unknown if an attempt's fate is open, else not issued.
    pub(crate) fn give_up(&mut self) -> IssueOutcome<R> {
        match (self.lost_answers, self.last_error.take()) {
            (0, Some(error)) => self.not_issued(error),
            (_, error) => self.unknown(error),
        }
    }

    fn not_issued(&self, error: Error) -> IssueOutcome<R> {
        IssueOutcome::NotIssued(NotIssued {
            tr_id: self.tr_id.clone(),
            error,
            attempts: self.attempts.made(),
        })
    }

    fn unknown(&self, error: Option<Error>) -> IssueOutcome<R> {
        IssueOutcome::Unknown(OutcomeUnknown {
            tr_id: self.tr_id.clone(),
            last_error: error,
            attempts: self.attempts.made(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CallInfo;
    use crate::generated::responses::{CouponCreateItem, CouponSendItem};

    const SEND: CallInfo = CallInfo {
        operation: "coupon_send",
        effect: Effect::Write,
        idempotent: true,
    };

    fn policy(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            deadline: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(1),
        }
    }

    fn run(max_attempts: u32) -> Issuance<CouponSendResponse> {
        Issuance::new(TrId::new("TR-TEST-1").unwrap(), None, policy(max_attempts))
    }

    fn api(code: &str) -> Error {
        Error::Api {
            info: SEND,
            code: code.parse().unwrap(),
            message: String::new(),
        }
    }

    fn bad_gateway() -> Error {
        Error::Status {
            info: SEND,
            status: 502,
            excerpt: String::new(),
        }
    }

    fn answer() -> CouponSendResponse {
        let mut answer = CouponSendResponse {
            order_id: Some("O-1".into()),
            ..Default::default()
        };
        answer.coupons.push(CouponSendItem {
            coupon_number: Some("C-1".into()),
            ..Default::default()
        });
        answer
    }

    #[test]
    fn an_answer_is_issued() {
        let mut r = run(5);
        assert!(r.next_call());
        let out = r.sent(Ok(answer())).unwrap();
        let IssueOutcome::Issued(issued) = out else {
            panic!("{out:?}")
        };
        assert_eq!((issued.order_id(), issued.attempts), (Some("O-1"), 1));
        assert_eq!(issued.coupon_numbers(), ["C-1"]);
    }

    fn create_answer(stated: Option<i64>, listed: usize) -> CouponCreateResponse {
        let mut answer = CouponCreateResponse {
            order_count: stated,
            ..Default::default()
        };
        for i in 0..listed {
            answer.coupons.push(CouponCreateItem {
                coupon_number: Some(format!("C-{i}")),
                ..Default::default()
            });
        }
        answer
    }

    fn create_issued(
        requested: Option<u64>,
        stated: Option<i64>,
        listed: usize,
    ) -> Issued<CouponCreateResponse> {
        let mut r = Issuance::new(TrId::new("TR-TEST-1").unwrap(), requested, policy(1));
        r.next_call();
        match r.sent(Ok(create_answer(stated, listed))) {
            Some(IssueOutcome::Issued(issued)) => issued,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_coupon_count_sets_the_request_beside_the_answer() {
        let issued = create_issued(Some(3), Some(3), 3);
        let count = issued.coupon_count();
        assert_eq!(
            (count.requested, count.stated, count.listed),
            (Some(3), Some(3), 3)
        );
        assert!(count.is_consistent());
        assert_eq!(issued.requested, Some(3));
        assert_eq!(
            count.to_string(),
            "listed 3, stated 3 (ORDER_CNT), requested 3"
        );
        assert_eq!(
            create_issued(None, None, 1).coupon_count().to_string(),
            "listed 1"
        );
    }

    #[test]
    fn a_count_disagreeing_with_the_coupons_listed_is_inconsistent() {
        for (requested, stated, listed) in [
            (Some(3), Some(3), 2), // a coupon number missing
            (Some(3), Some(2), 2), // fewer issued than asked
            (Some(2), Some(2), 3), // more listed than asked and stated
            (None, Some(3), 2),    // the answer disagrees with itself
            (Some(3), None, 2),    // no stated count: the request still counts
            (None, Some(-1), 0),   // a negative count is no count of zero
        ] {
            let count = create_issued(requested, stated, listed).coupon_count();
            assert!(!count.is_consistent(), "{count:?}");
        }
        for (requested, stated, listed) in [(None, None, 2), (Some(2), None, 2), (None, Some(0), 0)]
        {
            let count = create_issued(requested, stated, listed).coupon_count();
            assert!(count.is_consistent(), "{count:?}");
        }
    }

    #[test]
    fn a_create_request_asks_for_its_quantity_and_a_send_does_not_say() {
        let create = crate::CouponCreateRequest::builder()
            .goods_id("0000012345")
            .quantity(4)
            .tr_id("TR-1")
            .build()
            .unwrap();
        assert_eq!(create.coupons_requested(), Some(4));
        let send = crate::CouponSendRequest::builder()
            .goods_id("0000012345")
            .tr_id("TR-1")
            .sender("0212345678")
            .subject("쿠폰")
            .recipients(["01012345678"])
            .quantity(4)
            .build()
            .unwrap();
        assert_eq!(send.coupons_requested(), None);
        // a send answer states no count of its own
        assert_eq!(answer().stated_count(), None);
    }

    #[test]
    fn a_lost_answer_is_retried_with_the_same_request() {
        let mut r = run(5);
        r.next_call();
        assert!(r.sent(Err(bad_gateway())).is_none());
        assert!(r.next_call(), "the same request again, never a new TR_ID");
        let out = r.sent(Ok(answer())).unwrap();
        assert!(out.is_issued());
        assert_eq!(out.attempts(), 2);
        assert_eq!(out.tr_id().as_str(), "TR-TEST-1");
    }

    #[test]
    fn a_duplicate_after_a_lost_answer_is_an_earlier_attempt_reached() {
        for duplicate in ["12", "23"] {
            let mut r = run(5);
            r.next_call();
            r.sent(Err(bad_gateway()));
            r.next_call();
            let out = r.sent(Err(api(duplicate))).unwrap();
            assert!(out.may_have_issued() && !out.is_issued());
            let IssueOutcome::EarlierAttemptReached(e) = &out else {
                panic!("{out:?}")
            };
            assert_eq!(
                (e.code.as_str(), e.lost_answers, e.attempts),
                (duplicate, 1, 2)
            );
            let err = out.into_result().unwrap_err();
            assert_eq!(err.retry(), Decision::EarlierAttemptReached);
            assert!(err.to_string().contains("TR-TEST-1"), "{err}");
        }
    }

    #[test]
    fn a_duplicate_on_the_first_attempt_is_an_earlier_attempt_reached_too() {
        // the caller reused a TR_ID, e.g. after a restart: never "not issued"
        let mut r = run(5);
        r.next_call();
        let out = r.sent(Err(api("12"))).unwrap();
        assert!(
            matches!(out, IssueOutcome::EarlierAttemptReached(ref e) if e.lost_answers == 0),
            "{out:?}"
        );
    }

    #[test]
    fn a_refusal_is_not_issued() {
        let mut r = run(5);
        r.next_call();
        let out = r.sent(Err(api("21"))).unwrap();
        let IssueOutcome::NotIssued(not) = out else {
            panic!("{out:?}")
        };
        assert_eq!(
            (not.code(), not.attempts),
            (Some(ResultCode::InvalidSubject), 1)
        );
    }

    #[test]
    fn a_refusal_after_a_lost_answer_is_unknown() {
        let mut r = run(8);
        r.next_call();
        r.sent(Err(bad_gateway()));
        r.next_call();
        // the issue limit may have been used up by the lost attempt itself
        let out = r.sent(Err(api("95"))).unwrap();
        let IssueOutcome::Unknown(unknown) = &out else {
            panic!("{out:?}")
        };
        assert_eq!(
            unknown.last_error.as_ref().and_then(Error::result_code),
            Some(ResultCode::IssueLimitExceeded)
        );
        assert_eq!(out.attempts(), 2);
    }

    #[test]
    fn server_failures_are_retried_with_the_same_tr_id() {
        let mut r = run(5);
        r.next_call();
        assert!(r.sent(Err(api("99"))).is_none());
        assert!(r.next_call());
        assert!(r.sent(Ok(answer())).unwrap().is_issued());
    }

    #[test]
    fn the_budget_running_out_with_the_outcome_open_is_unknown() {
        let mut r = run(3);
        for _ in 0..3 {
            assert!(r.next_call());
            assert!(r.sent(Err(bad_gateway())).is_none());
        }
        assert!(!r.next_call());
        let out = r.give_up();
        let IssueOutcome::Unknown(unknown) = &out else {
            panic!("{out:?}")
        };
        assert_eq!((unknown.tr_id.as_str(), unknown.attempts), ("TR-TEST-1", 3));
        let err = out.into_result().unwrap_err();
        assert!(matches!(err, Error::OutcomeUnknown { .. }));
        assert_eq!(err.retry(), Decision::RetrySameRequest);
        assert!(err.to_string().contains("TR-TEST-1"));
    }

    #[test]
    fn the_budget_running_out_on_answered_failures_is_not_issued() {
        // 99 answers commit nothing: when they use up the budget, nothing was issued
        let mut r = run(2);
        for _ in 0..2 {
            r.next_call();
            assert!(r.sent(Err(api("99"))).is_none());
        }
        assert!(!r.next_call());
        assert!(
            matches!(r.give_up(), IssueOutcome::NotIssued(ref n) if n.code() == Some(ResultCode::SystemError))
        );
    }

    #[test]
    fn a_charset_refusal_before_any_call_is_not_issued() {
        let r = run(2);
        let error = Error::Unencodable {
            operation: "coupon_send",
            field: "SEND_TITLE",
            charset: crate::Charset::Cp949,
        };
        assert!(matches!(r.refused(error), IssueOutcome::NotIssued(_)));
    }
}

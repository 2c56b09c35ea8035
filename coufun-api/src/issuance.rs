//! Exactly-once coupon issuance. A coupon costs money: when a send or create
//! times out or its connection drops, the coupon may or may not exist. This module
//! decides, attempt by attempt, how the client finds out — never by issuing with a
//! new TR_ID, never by reporting an issued coupon as failed.
//!
//! The rules ([`crate::retry`] decides each failure):
//! 1. Every attempt sends the very same request, with the same TR_ID, so the
//!    server issues at most once per TR_ID (a repeat answers `12`).
//! 2. An attempt whose outcome is unknown (timeout after sending, dropped
//!    connection, 5xx, unreadable answer) is retried with the same request.
//! 3. A `12` (duplicate TR_ID) or `23` (duplicate request) answer means an earlier
//!    attempt — ours, or the caller's before a restart — reached the server: the
//!    client looks the TR_ID up with the status operation and returns what was
//!    issued.
//! 4. A refusal (a code that retrying cannot change) after an attempt whose
//!    outcome was unknown is also checked by a status lookup before it is
//!    reported as not issued.
//! 5. Only when the deadline or the attempt budget runs out with the outcome
//!    still open is the result [`IssueOutcome::Unknown`], carrying the TR_ID: look
//!    it up later with `Client::reconcile`.
//!
//! One state machine (`Issuance`, private) drives both the async and the blocking client.

use std::marker::PhantomData;
use std::time::Duration;

use crate::error::Error;
use crate::generated::kinds::TrId;
use crate::generated::requests::CouponStatusRequest;
use crate::generated::responses::{CouponCreateResponse, CouponSendResponse, CouponStatusResponse};
use crate::operation::Effect;
use crate::result_code::ResultCode;
use crate::retry::{Attempts, Decision, RetryPolicy, decide};

/// How a coupon send or create ended. Exactly one of three, and never a generic
/// error for a coupon that may exist.
#[must_use = "a coupon may have been issued: look at the outcome"]
#[derive(Debug)]
#[non_exhaustive]
pub enum IssueOutcome<R> {
    /// The coupons exist.
    Issued(Issued<R>),
    /// The server refused, and no coupon exists for this TR_ID.
    NotIssued(NotIssued),
    /// The deadline passed without learning the outcome: coupons may exist.
    /// Reconcile later by the TR_ID (`Client::reconcile`).
    Unknown(OutcomeUnknown),
}

impl<R> IssueOutcome<R> {
    /// The TR_ID of the issuing request.
    pub fn tr_id(&self) -> &TrId {
        match self {
            IssueOutcome::Issued(i) => &i.tr_id,
            IssueOutcome::NotIssued(n) => &n.tr_id,
            IssueOutcome::Unknown(u) => &u.tr_id,
        }
    }

    /// How many calls it took (issuing attempts and status lookups).
    pub fn attempts(&self) -> u32 {
        match self {
            IssueOutcome::Issued(i) => i.attempts,
            IssueOutcome::NotIssued(n) => n.attempts,
            IssueOutcome::Unknown(u) => u.attempts,
        }
    }

    /// Whether the coupons exist.
    pub fn is_issued(&self) -> bool {
        matches!(self, IssueOutcome::Issued(_))
    }

    /// `Ok` when issued; otherwise the refusal, or [`Error::OutcomeUnknown`]
    /// carrying the TR_ID — for `?` in code that treats both as errors.
    pub fn into_result(self) -> Result<Issued<R>, Error> {
        match self {
            IssueOutcome::Issued(i) => Ok(i),
            IssueOutcome::NotIssued(n) => Err(n.error),
            IssueOutcome::Unknown(u) => Err(Error::OutcomeUnknown {
                tr_id: u.tr_id,
                attempts: u.attempts,
                last: u.last_error.map(Box::new),
            }),
        }
    }
}

/// Issued: what the server answered, or what a status lookup found.
#[derive(Debug)]
#[non_exhaustive]
pub struct Issued<R> {
    /// The TR_ID of the issuing request.
    pub tr_id: TrId,
    /// How it is known.
    pub confirmation: Confirmation<R>,
    /// Calls it took.
    pub attempts: u32,
}

/// How an issuance is known.
#[derive(Debug)]
#[non_exhaustive]
pub enum Confirmation<R> {
    /// The issuing call itself answered `00`.
    Answered(R),
    /// An earlier attempt's answer was lost; the status lookup by TR_ID found the order.
    FoundByStatus(CouponStatusResponse),
}

impl<R> Issued<R> {
    /// The issuing call's own answer, when it was not lost.
    pub fn answer(&self) -> Option<&R> {
        match &self.confirmation {
            Confirmation::Answered(r) => Some(r),
            Confirmation::FoundByStatus(_) => None,
        }
    }

    /// [`answer`](Self::answer), by value.
    pub fn into_answer(self) -> Option<R> {
        match self.confirmation {
            Confirmation::Answered(r) => Some(r),
            Confirmation::FoundByStatus(_) => None,
        }
    }
}

impl<R: IssuingResponse> Issued<R> {
    /// The order id the server assigned, when it said.
    pub fn order_id(&self) -> Option<&str> {
        match &self.confirmation {
            Confirmation::Answered(r) => r.order_id(),
            Confirmation::FoundByStatus(s) => s.order_id.as_deref(),
        }
    }

    /// The numbers of the coupons issued, in the server's order.
    pub fn coupon_numbers(&self) -> Vec<&str> {
        match &self.confirmation {
            Confirmation::Answered(r) => r.coupon_numbers(),
            Confirmation::FoundByStatus(s) => s
                .coupons
                .iter()
                .filter_map(|c| c.coupon_number.as_deref())
                .collect(),
        }
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

/// The outcome is unknown: the deadline passed without an answer that settles it.
#[derive(Debug)]
#[non_exhaustive]
pub struct OutcomeUnknown {
    /// The TR_ID to reconcile by.
    pub tr_id: TrId,
    /// The last failure seen.
    pub last_error: Option<Error>,
    /// Calls it took.
    pub attempts: u32,
}

/// An issuing operation's answer: where its order id and coupon numbers are.
pub trait IssuingResponse {
    /// The order id, when the server sent one.
    fn order_id(&self) -> Option<&str>;
    /// The coupon numbers, in the server's order.
    fn coupon_numbers(&self) -> Vec<&str>;
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
    fn coupon_numbers(&self) -> Vec<&str> {
        self.coupons
            .iter()
            .filter_map(|c| c.coupon_number.as_deref())
            .collect()
    }
}

/// The status request that looks `tr_id` up, in the client's charset.
pub(crate) fn status_by_tr_id(
    tr_id: &TrId,
    charset: crate::Charset,
) -> Result<CouponStatusRequest, Error> {
    CouponStatusRequest::builder()
        .tr_id(tr_id.clone())
        .build_with(charset)
        .map_err(Error::Validation)
}

/// What a status lookup by TR_ID says: `Some` when an order exists for it,
/// `None` when the server has none (`03`, or an empty answer).
pub(crate) fn found(
    result: Result<CouponStatusResponse, Error>,
) -> Result<Option<CouponStatusResponse>, Error> {
    match result {
        Ok(status) if status.order_id.is_some() || !status.coupons.is_empty() => Ok(Some(status)),
        Ok(_) => Ok(None),
        Err(error) if error.result_code() == Some(ResultCode::InvalidOrderId) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The next call an issuance needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Send the issuing request (again, unchanged).
    Send,
    /// Look the TR_ID up with the status operation.
    LookUp,
}

/// The exactly-once state machine: feed it each call's result, it says what to
/// do next and, at the end, how the issuance ended. No I/O of its own.
#[derive(Debug)]
pub(crate) struct Issuance<R> {
    tr_id: TrId,
    attempts: Attempts,
    next: Next,
    /// An attempt may have reached the server without our learning its outcome.
    outcome_open: bool,
    /// Wait before the next call.
    wait: Duration,
    last_error: Option<Error>,
    answer: PhantomData<fn() -> R>,
}

impl<R> Issuance<R> {
    /// A new issuance of the request carrying `tr_id`.
    pub(crate) fn new(tr_id: TrId, policy: RetryPolicy) -> Self {
        Issuance {
            tr_id,
            attempts: Attempts::start(policy),
            next: Next::Send,
            outcome_open: false,
            wait: Duration::ZERO,
            last_error: None,
            answer: PhantomData,
        }
    }

    /// The call to make now, or `None` when the budget is spent (then [`give_up`](Self::give_up)).
    pub(crate) fn next_call(&mut self) -> Option<Next> {
        if self.attempts.made() > 0 && !self.attempts.may_retry() {
            return None;
        }
        self.attempts.record();
        Some(self.next)
    }

    /// How long to wait before the next call.
    pub(crate) fn wait(&self) -> Duration {
        self.wait
    }

    /// The issuing call answered `result`; `Some` when that settles it.
    pub(crate) fn sent(&mut self, result: Result<R, Error>) -> Option<IssueOutcome<R>> {
        let error = match result {
            Ok(answer) => return Some(self.issued(Confirmation::Answered(answer))),
            Err(error) => error,
        };
        let failure = error.failure_kind();
        self.outcome_open |= failure.outcome_unknown();
        match decide(Effect::Write, failure) {
            Decision::RetrySameRequest => self.then(Next::Send, Some(error), true),
            Decision::Reconcile => {
                // an earlier attempt reached the server: learn what it did
                self.outcome_open = true;
                self.then(Next::LookUp, Some(error), false)
            }
            _ if self.outcome_open => self.then(Next::LookUp, Some(error), false),
            _ => Some(self.not_issued(error)),
        }
    }

    /// The status lookup by TR_ID answered `result`; `Some` when that settles it.
    pub(crate) fn looked_up(
        &mut self,
        result: Result<CouponStatusResponse, Error>,
    ) -> Option<IssueOutcome<R>> {
        match found(result) {
            Ok(Some(status)) => Some(self.issued(Confirmation::FoundByStatus(status))),
            // no order for the TR_ID: nothing was committed; the same request
            // (same TR_ID) settles it, and a refusal of it is then final
            Ok(None) => {
                self.outcome_open = false;
                self.then(Next::Send, None, true)
            }
            Err(error) => match decide(Effect::Read, error.failure_kind()) {
                Decision::RetrySameRequest => self.then(Next::LookUp, Some(error), true),
                // the lookup itself is refused (e.g. not permitted): we cannot learn
                _ => Some(self.unknown(Some(error))),
            },
        }
    }

    /// Refused before any call (e.g. the request's charset is not the client's).
    pub(crate) fn refused(self, error: Error) -> IssueOutcome<R> {
        self.not_issued(error)
    }

    /// The budget is spent: unknown if an attempt may have issued, else not issued.
    pub(crate) fn give_up(mut self) -> IssueOutcome<R> {
        match (self.outcome_open, self.last_error.take()) {
            (false, Some(error)) => self.not_issued(error),
            (_, error) => self.unknown(error),
        }
    }

    /// Goes on with `next`; a failure seen replaces the last one kept.
    fn then(
        &mut self,
        next: Next,
        error: Option<Error>,
        back_off: bool,
    ) -> Option<IssueOutcome<R>> {
        self.next = next;
        self.wait = if back_off {
            self.attempts.backoff()
        } else {
            Duration::ZERO
        };
        if error.is_some() {
            self.last_error = error;
        }
        None
    }

    fn issued(&self, confirmation: Confirmation<R>) -> IssueOutcome<R> {
        IssueOutcome::Issued(Issued {
            tr_id: self.tr_id.clone(),
            confirmation,
            attempts: self.attempts.made(),
        })
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
    use crate::generated::responses::CouponStatusItem;

    const SEND: CallInfo = CallInfo {
        operation: "coupon_send",
        effect: Effect::Write,
        idempotent: true,
    };
    const STATUS: CallInfo = CallInfo {
        operation: "coupon_status",
        effect: Effect::Read,
        idempotent: false,
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
        Issuance::new(TrId::new("TR-TEST-1").unwrap(), policy(max_attempts))
    }

    fn api(info: CallInfo, code: &str) -> Error {
        Error::Api {
            info,
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
        CouponSendResponse {
            order_id: Some("O-1".into()),
            ..Default::default()
        }
    }

    fn order() -> CouponStatusResponse {
        let mut status = CouponStatusResponse {
            order_id: Some("O-1".into()),
            ..Default::default()
        };
        status.coupons.push(CouponStatusItem {
            coupon_number: Some("C-1".into()),
            ..Default::default()
        });
        status
    }

    #[test]
    fn an_answer_is_issued() {
        let mut r = run(5);
        assert_eq!(r.next_call(), Some(Next::Send));
        let out = r.sent(Ok(answer())).unwrap();
        let IssueOutcome::Issued(issued) = out else {
            panic!("{out:?}")
        };
        assert_eq!((issued.order_id(), issued.attempts), (Some("O-1"), 1));
        assert!(matches!(issued.confirmation, Confirmation::Answered(_)));
    }

    #[test]
    fn a_lost_answer_is_retried_with_the_same_request() {
        let mut r = run(5);
        r.next_call();
        assert!(r.sent(Err(bad_gateway())).is_none());
        assert_eq!(
            r.next_call(),
            Some(Next::Send),
            "the same request again, never a new TR_ID"
        );
        let out = r.sent(Ok(answer())).unwrap();
        assert!(out.is_issued());
        assert_eq!(out.attempts(), 2);
        assert_eq!(out.tr_id().as_str(), "TR-TEST-1");
    }

    #[test]
    fn a_duplicate_after_a_lost_answer_is_found_by_status() {
        for duplicate in ["12", "23"] {
            let mut r = run(5);
            r.next_call();
            r.sent(Err(bad_gateway()));
            r.next_call();
            assert!(r.sent(Err(api(SEND, duplicate))).is_none());
            assert_eq!(r.wait(), Duration::ZERO, "look up at once");
            assert_eq!(r.next_call(), Some(Next::LookUp));
            let out = r.looked_up(Ok(order())).unwrap();
            let IssueOutcome::Issued(issued) = out else {
                panic!("{out:?}")
            };
            assert!(matches!(
                issued.confirmation,
                Confirmation::FoundByStatus(_)
            ));
            assert_eq!(issued.coupon_numbers(), ["C-1"]);
        }
    }

    #[test]
    fn a_duplicate_on_the_first_attempt_is_also_reconciled() {
        // the caller reused a TR_ID, e.g. after a restart: report what it issued
        let mut r = run(5);
        r.next_call();
        assert!(r.sent(Err(api(SEND, "12"))).is_none());
        assert_eq!(r.next_call(), Some(Next::LookUp));
        assert!(r.looked_up(Ok(order())).unwrap().is_issued());
    }

    #[test]
    fn a_refusal_is_not_issued_without_a_lookup() {
        let mut r = run(5);
        r.next_call();
        let out = r.sent(Err(api(SEND, "21"))).unwrap();
        let IssueOutcome::NotIssued(not) = out else {
            panic!("{out:?}")
        };
        assert_eq!(
            (not.code(), not.attempts),
            (Some(ResultCode::InvalidSubject), 1)
        );
    }

    #[test]
    fn a_refusal_after_a_lost_answer_is_checked_by_status_first() {
        let mut r = run(8);
        r.next_call();
        r.sent(Err(bad_gateway()));
        r.next_call();
        // the issue limit may have been used up by the lost attempt itself
        assert!(r.sent(Err(api(SEND, "95"))).is_none());
        assert_eq!(r.next_call(), Some(Next::LookUp));
        assert!(r.looked_up(Ok(order())).unwrap().is_issued());

        // and when the lookup finds nothing, the same request settles it
        let mut r = run(8);
        r.next_call();
        r.sent(Err(bad_gateway()));
        r.next_call();
        r.sent(Err(api(SEND, "95")));
        r.next_call();
        assert!(r.looked_up(Err(api(STATUS, "03"))).is_none());
        assert_eq!(r.next_call(), Some(Next::Send));
        let out = r.sent(Err(api(SEND, "95"))).unwrap();
        assert_eq!(out.attempts(), 4);
        assert!(
            matches!(out, IssueOutcome::NotIssued(ref n) if n.code() == Some(ResultCode::IssueLimitExceeded))
        );
    }

    #[test]
    fn server_failures_are_retried_with_the_same_tr_id() {
        let mut r = run(5);
        r.next_call();
        assert!(r.sent(Err(api(SEND, "99"))).is_none());
        assert_eq!(r.next_call(), Some(Next::Send));
        assert!(r.sent(Ok(answer())).unwrap().is_issued());
    }

    #[test]
    fn a_failed_lookup_is_retried_and_a_refused_one_is_unknown() {
        let mut r = run(6);
        r.next_call();
        r.sent(Err(api(SEND, "12")));
        r.next_call();
        let lost = Error::Status {
            info: STATUS,
            status: 503,
            excerpt: String::new(),
        };
        assert!(r.looked_up(Err(lost)).is_none());
        assert_eq!(r.next_call(), Some(Next::LookUp));
        let out = r.looked_up(Err(api(STATUS, "98"))).unwrap();
        assert!(matches!(out, IssueOutcome::Unknown(_)), "{out:?}");
    }

    #[test]
    fn the_budget_running_out_with_the_outcome_open_is_unknown() {
        let mut r = run(3);
        for _ in 0..3 {
            assert_eq!(r.next_call(), Some(Next::Send));
            assert!(r.sent(Err(bad_gateway())).is_none());
        }
        assert_eq!(r.next_call(), None);
        let out = r.give_up();
        let IssueOutcome::Unknown(unknown) = &out else {
            panic!("{out:?}")
        };
        assert_eq!((unknown.tr_id.as_str(), unknown.attempts), ("TR-TEST-1", 3));
        let err = out.into_result().unwrap_err();
        assert!(matches!(err, Error::OutcomeUnknown { .. }));
        assert_eq!(err.retry(), Decision::Reconcile);
        assert!(err.to_string().contains("TR-TEST-1"));
    }

    #[test]
    fn the_budget_running_out_on_answered_failures_is_not_issued() {
        // 99 answers commit nothing: when they use up the budget, nothing was issued
        let mut r = run(2);
        for _ in 0..2 {
            r.next_call();
            assert!(r.sent(Err(api(SEND, "99"))).is_none());
        }
        assert_eq!(r.next_call(), None);
        assert!(
            matches!(r.give_up(), IssueOutcome::NotIssued(ref n) if n.code() == Some(ResultCode::SystemError))
        );
    }
}

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
//! 7. An answer `00` that echoes another TR_ID (or GOODS_ID) than the request's is
//!    never `Issued`: it is [`IssueOutcome::Mismatched`]. Its coupon numbers are
//!    not attributed to the request (they may be another order's); our request
//!    reached the server, so coupons may exist for its TR_ID.
//!
//! What the merchant does with each outcome:
//!
//! | outcome | coupons | what to do |
//! |---|---|---|
//! | `Issued` | exist, numbers in the answer | deliver them |
//! | `NotIssued` | none for this TR_ID | fix the cause; a new request may take a new TR_ID. A server error (`50`, `99`: [`RetryClass::SameTrId`](crate::RetryClass::SameTrId)) that outlasted the retries: send the same request with the same TR_ID later, as for `Unknown` |
//! | `EarlierAttemptReached` | probably exist, numbers unknown | do not issue again; ask the supplier (by TR_ID, or the ORDER_ID on their side) for the numbers, or cancel them there |
//! | `Unknown` | may exist | send the same request with the same TR_ID later: `00` issues, `12` shows an earlier attempt did |
//! | `Mismatched` | may exist, numbers unknown | do not send again with a new TR_ID; reconcile with the supplier by TR_ID (the answer named another order) |
//!
//! Which request field is the TR_ID, which counts the coupons and which answer
//! elements state the order id, the count, the echoes and the numbers are spec
//! facts (`role = ".."` in `spec/endpoints.toml`): the [`IssuingRequest`] and
//! [`IssuingResponse`] impls are generated from them; this module only reads
//! them through the traits.
//!
//! One state machine (`Issuance`, private) drives both the async and the blocking client.

use std::marker::PhantomData;
use std::time::Duration;

use crate::error::Error;
use crate::operation::{Effect, Operation};
use crate::retry::{Attempts, Decision, RetryPolicy, decide};
use crate::{ResultCode, TrId};

/// How a coupon send or create ended. Exactly one of five, and never a generic
/// error for a coupon that may exist.
///
/// Exhaustive on purpose (no `#[non_exhaustive]`): these are money outcomes, and
/// a match on them must handle each one. A new variant is a breaking change, so
/// that it fails to compile where it matters instead of landing in a wildcard arm.
///
/// ```
/// use coufun_api::RetryClass;
/// use coufun_api::issuance::IssueOutcome;
/// use coufun_api::responses::CouponCreateResponse;
///
/// /// What the merchant does with one order's outcome.
/// fn settle(outcome: IssueOutcome<CouponCreateResponse>) -> String {
///     match outcome {
///         IssueOutcome::Issued(issued) => format!("deliver {:?}", issued.coupon_numbers()),
///         // A server error (50, 99) on every attempt: the same TR_ID, later.
///         IssueOutcome::NotIssued(refused)
///             if refused.code().map(|c| c.retry()) == Some(RetryClass::SameTrId) =>
///         {
///             format!("resend with TR_ID {} later: {}", refused.tr_id, refused.error)
///         }
///         IssueOutcome::NotIssued(refused) => format!("nothing issued: {}", refused.error),
///         IssueOutcome::EarlierAttemptReached(earlier) => {
///             format!("never send again; reconcile TR_ID {} with the supplier", earlier.tr_id)
///         }
///         IssueOutcome::Mismatched(mismatch) => {
///             format!("another order's answer ({mismatch}): never send again; reconcile")
///         }
///         // Send the same request, same TR_ID, later (docs/lost-answer.md).
///         IssueOutcome::Unknown(unknown) => format!("resend with TR_ID {} later", unknown.tr_id),
///     }
/// }
/// # let _ = settle;
/// ```
#[must_use = "a coupon may have been issued: look at the outcome"]
#[derive(Debug)]
pub enum IssueOutcome<R> {
    /// The server answered `00`: the coupons exist, their numbers are in the answer.
    Issued(Issued<R>),
    /// The server refused, and no earlier attempt's fate is open: no coupon
    /// exists for this TR_ID. Fix the cause ([`NotIssued::code`]); a new
    /// request may take a new TR_ID. When the code is a server error that may
    /// be sent again (`50`, `99`: `retry()` is [`RetryClass::SameTrId`](crate::RetryClass::SameTrId)),
    /// the retries ran out on it: send the same request, same TR_ID, later.
    NotIssued(NotIssued),
    /// The server answered `12` (or `23`): an earlier attempt with this TR_ID
    /// reached it. Coupons probably exist, but their numbers are not
    /// retrievable through the API. Never issue again for this order.
    EarlierAttemptReached(EarlierAttemptReached),
    /// The deadline passed with an attempt's fate open: coupons may exist. Send
    /// the same request (same TR_ID) again later.
    Unknown(OutcomeUnknown),
    /// The server answered `00`, but the answer echoes another TR_ID or GOODS_ID
    /// than the request's: it is not this request's answer (a mixed-up proxy or
    /// server). Coupons may exist for this TR_ID (the request reached the
    /// server); the numbers listed are not attributed to it. Do not send it
    /// again with a new TR_ID: reconcile with the supplier by TR_ID.
    Mismatched(EchoMismatch),
}

impl<R> IssueOutcome<R> {
    /// The TR_ID of the issuing request.
    pub fn tr_id(&self) -> &TrId {
        match self {
            IssueOutcome::Issued(i) => &i.tr_id,
            IssueOutcome::NotIssued(n) => &n.tr_id,
            IssueOutcome::EarlierAttemptReached(e) => &e.tr_id,
            IssueOutcome::Unknown(u) => &u.tr_id,
            IssueOutcome::Mismatched(m) => &m.tr_id,
        }
    }

    /// How many calls it took.
    pub fn attempts(&self) -> u32 {
        match self {
            IssueOutcome::Issued(i) => i.attempts,
            IssueOutcome::NotIssued(n) => n.attempts,
            IssueOutcome::EarlierAttemptReached(e) => e.attempts,
            IssueOutcome::Unknown(u) => u.attempts,
            IssueOutcome::Mismatched(m) => m.attempts,
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

    /// `Ok` when issued; otherwise the refusal, [`Error::EarlierAttemptReached`],
    /// [`Error::OutcomeUnknown`] or [`Error::EchoMismatch`], each carrying the
    /// TR_ID — for `?` in code that treats all four as errors.
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
            IssueOutcome::Mismatched(m) => Err(Error::EchoMismatch(Box::new(m))),
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

/// Which echoed element of an issuing answer differs from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EchoedField {
    /// The idempotency key (TR_ID; role `echo_idempotency_key`).
    IdempotencyKey,
    /// The goods (GOODS_ID; role `echo_goods`).
    Goods,
}

/// An issuing answer `00` that echoes another TR_ID or GOODS_ID than the request
/// carried ([`IssueOutcome::Mismatched`]). Neither value is a secret (a TR_ID is
/// the merchant's own key, a GOODS_ID a catalogue id), so both are kept in clear
/// for the reconciliation; the answer's coupon numbers (secrets, and perhaps
/// another order's) are not kept, only how many it listed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EchoMismatch {
    /// The TR_ID of the issuing request: the key to reconcile by.
    pub tr_id: TrId,
    /// Which echo differs.
    pub field: EchoedField,
    /// Its wire name (e.g. `TR_ID`), from the spec.
    pub wire: &'static str,
    /// The value the request sent.
    pub sent: String,
    /// The value the answer echoed.
    pub answered: String,
    /// How many coupon numbers the answer listed (not attributed to the request).
    pub listed: usize,
    /// Calls it took.
    pub attempts: u32,
}

/// `TR_ID: sent "A", answered "B" (3 coupon numbers listed, not attributed)`.
impl std::fmt::Display for EchoMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: sent {:?}, answered {:?} ({} coupon numbers listed, not attributed to TR_ID {})",
            self.wire, self.sent, self.answered, self.listed, self.tr_id
        )
    }
}

/// An issuing operation's request, as the spec's roles describe it. The impls
/// are generated (`generated/issuing.rs`) from the request fields' `role`s:
/// `idempotency_key`, `coupon_count`, `goods`.
pub trait IssuingRequest: Operation {
    /// Wire name of the idempotency key (e.g. `TR_ID`).
    const KEY_WIRE: &'static str;
    /// Wire name of the goods field, when the request has one.
    const GOODS_WIRE: Option<&'static str>;
    /// The idempotency key the request carries: every attempt sends it unchanged.
    fn issue_key(&self) -> &TrId;
    /// Coupons asked for, when the request says (a field with role
    /// `coupon_count`; none for an operation whose count semantics are unknown).
    fn coupons_requested(&self) -> Option<u64>;
    /// The goods issued, when the request names them (role `goods`).
    fn goods(&self) -> Option<&str>;
}

/// An issuing operation's answer, as the spec's roles describe it (impls
/// generated from the answer's `role`s).
pub trait IssuingResponse {
    /// The order id (role `order_id`), when the server sent one.
    fn order_id(&self) -> Option<&str>;
    /// The coupon numbers (records `issued_coupons`, field `coupon_number`), in
    /// the server's order.
    fn coupon_numbers(&self) -> Vec<&str>;
    /// The count of coupons the answer states (role `stated_count`), when it
    /// has such an element and sent it.
    fn stated_count(&self) -> Option<i64>;
    /// The idempotency key the answer echoes (role `echo_idempotency_key`).
    fn echoed_key(&self) -> Option<&str>;
    /// The goods the answer echoes (role `echo_goods`).
    fn echoed_goods(&self) -> Option<&str>;
}

/// What the answer must echo: the request's key and goods, with their wire names.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    tr_id: TrId,
    key_wire: &'static str,
    goods: Option<(&'static str, String)>,
    requested: Option<u64>,
}

impl Expected {
    /// What `request` carries.
    #[cfg_attr(not(feature = "client"), allow(dead_code))] // the client starts issuances
    pub(crate) fn of<O: IssuingRequest>(request: &O) -> Self {
        Expected {
            tr_id: request.issue_key().clone(),
            key_wire: O::KEY_WIRE,
            goods: O::GOODS_WIRE.zip(request.goods().map(str::to_owned)),
            requested: request.coupons_requested(),
        }
    }

    /// The first echo of `answer` that differs from the request. An echo left
    /// out (or empty) is no mismatch: the manuals do not promise every echo.
    fn mismatch<R: IssuingResponse>(&self, answer: &R, attempts: u32) -> Option<EchoMismatch> {
        let differs = |sent: &str, echoed: Option<&str>| {
            echoed
                .map(str::trim)
                .filter(|e| !e.is_empty() && *e != sent.trim())
                .map(str::to_owned)
        };
        let key = differs(self.tr_id.as_str(), answer.echoed_key()).map(|answered| {
            (
                EchoedField::IdempotencyKey,
                self.key_wire,
                self.tr_id.as_str(),
                answered,
            )
        });
        let goods = || {
            let (wire, sent) = self.goods.as_ref()?;
            differs(sent, answer.echoed_goods())
                .map(|answered| (EchoedField::Goods, *wire, sent.as_str(), answered))
        };
        let (field, wire, sent, answered) = key.or_else(goods)?;
        Some(EchoMismatch {
            tr_id: self.tr_id.clone(),
            field,
            wire,
            sent: sent.to_owned(),
            answered,
            listed: answer.coupon_numbers().len(),
            attempts,
        })
    }
}

/// The issuing state machine: feed it each call's result, it says whether to
/// send again and, at the end, how the issuance ended. No I/O of its own.
#[cfg_attr(not(feature = "client"), allow(dead_code))] // driven by the client
#[derive(Debug)]
pub(crate) struct Issuance<R> {
    tr_id: TrId,
    /// What the answer must echo, and the coupons asked for.
    expected: Expected,
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
    /// A new issuance of the request that carries `expected`.
    pub(crate) fn new(expected: Expected, policy: RetryPolicy) -> Self {
        Issuance {
            tr_id: expected.tr_id.clone(),
            expected,
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
    pub(crate) fn sent(&mut self, result: Result<R, Error>) -> Option<IssueOutcome<R>>
    where
        R: IssuingResponse,
    {
        let error = match result {
            Ok(answer) => {
                if let Some(mismatch) = self.expected.mismatch(&answer, self.attempts.made()) {
                    return Some(IssueOutcome::Mismatched(mismatch));
                }
                return Some(IssueOutcome::Issued(Issued {
                    tr_id: self.tr_id.clone(),
                    answer,
                    attempts: self.attempts.made(),
                    requested: self.expected.requested,
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

    /// An issuing answer as the traits see it (the generated ones are tested in
    /// `tests/issuing_roles.rs`): this module knows no generated type.
    #[derive(Debug, Default)]
    struct Answer {
        order_id: Option<String>,
        stated: Option<i64>,
        numbers: Vec<String>,
        key: Option<String>,
        goods: Option<String>,
    }

    impl IssuingResponse for Answer {
        fn order_id(&self) -> Option<&str> {
            self.order_id.as_deref()
        }
        fn coupon_numbers(&self) -> Vec<&str> {
            self.numbers.iter().map(String::as_str).collect()
        }
        fn stated_count(&self) -> Option<i64> {
            self.stated
        }
        fn echoed_key(&self) -> Option<&str> {
            self.key.as_deref()
        }
        fn echoed_goods(&self) -> Option<&str> {
            self.goods.as_deref()
        }
    }

    fn expected(requested: Option<u64>) -> Expected {
        Expected {
            tr_id: TrId::new("TR-TEST-1").unwrap(),
            key_wire: "TR_ID",
            goods: Some(("GOODS_ID", "0000012345".to_owned())),
            requested,
        }
    }

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

    fn run(max_attempts: u32) -> Issuance<Answer> {
        Issuance::new(expected(None), policy(max_attempts))
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

    fn answer() -> Answer {
        Answer {
            order_id: Some("O-1".into()),
            numbers: vec!["C-1".into()],
            ..Default::default()
        }
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

    fn create_answer(stated: Option<i64>, listed: usize) -> Answer {
        Answer {
            stated,
            numbers: (0..listed).map(|i| format!("C-{i}")).collect(),
            ..Default::default()
        }
    }

    fn create_issued(requested: Option<u64>, stated: Option<i64>, listed: usize) -> Issued<Answer> {
        let mut r = Issuance::new(expected(requested), policy(1));
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
    fn an_answer_echoing_the_request_is_issued() {
        let mut r = run(5);
        r.next_call();
        let echoing = Answer {
            key: Some(" TR-TEST-1 ".into()),
            goods: Some("0000012345".into()),
            ..answer()
        };
        assert!(r.sent(Ok(echoing)).unwrap().is_issued());
        // an echo left out is no mismatch: the manuals do not promise each one
        let mut r = run(5);
        r.next_call();
        let silent = Answer {
            key: Some(String::new()),
            ..answer()
        };
        assert!(r.sent(Ok(silent)).unwrap().is_issued());
    }

    #[test]
    fn an_answer_echoing_another_tr_id_or_goods_is_mismatched_never_issued() {
        for (key, goods, field, wire, sent, answered) in [
            (
                "TR-OTHER",
                "0000012345",
                EchoedField::IdempotencyKey,
                "TR_ID",
                "TR-TEST-1",
                "TR-OTHER",
            ),
            (
                "TR-TEST-1",
                "0000099999",
                EchoedField::Goods,
                "GOODS_ID",
                "0000012345",
                "0000099999",
            ),
            // both differ: the TR_ID is reported, it names the order
            (
                "TR-OTHER",
                "0000099999",
                EchoedField::IdempotencyKey,
                "TR_ID",
                "TR-TEST-1",
                "TR-OTHER",
            ),
        ] {
            let mut r = run(5);
            r.next_call();
            let other = Answer {
                key: Some(key.into()),
                goods: Some(goods.into()),
                numbers: vec!["C-1".into(), "C-2".into()],
                ..answer()
            };
            let out = r.sent(Ok(other)).unwrap();
            assert!(!out.is_issued() && out.may_have_issued(), "{out:?}");
            let IssueOutcome::Mismatched(m) = &out else {
                panic!("{out:?}")
            };
            assert_eq!(
                (
                    m.field,
                    m.wire,
                    m.sent.as_str(),
                    m.answered.as_str(),
                    m.listed,
                    m.attempts
                ),
                (field, wire, sent, answered, 2, 1)
            );
            assert_eq!(out.tr_id().as_str(), "TR-TEST-1");
            let text = m.to_string();
            assert!(text.contains(sent) && text.contains(answered), "{text}");
            assert!(!text.contains("C-1"), "no coupon number: {text}");
            let err = out.into_result().unwrap_err();
            assert_eq!(
                err.retry(),
                Decision::EarlierAttemptReached,
                "never a new TR_ID"
            );
            assert!(err.to_string().contains("TR-TEST-1"), "{err}");
        }
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

//! How issuing one row ended ([`RowOutcome`], read from the SDK's exhaustive
//! [`IssueOutcome`]), what the store records for it, and what a run does with
//! a refusal ([`Refusal`], from the result code's generated retry class and
//! category — no code is named here). The words for the SDK's outcomes
//! ([`count_warning`], [`unknown_detail`], [`reached_detail`],
//! [`mismatch_detail`]) are written here once, for a row's message and for
//! the command line's output alike.

use coufun_api::issuance::{
    CouponCount, EarlierAttemptReached, EchoMismatch, IssueOutcome, IssuingResponse, OutcomeUnknown,
};
use coufun_api::{Category, Error, ResultCode};

use crate::state::RowState;

/// How issuing one row ended. `Debug` masks the coupon numbers.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowOutcome {
    /// Coupons exist.
    Issued {
        /// Order id, when known.
        order: Option<String>,
        /// Coupon numbers.
        coupons: Vec<String>,
        /// Why the coupons listed need a look (they disagree with the count
        /// stated or asked for); goes to the row's message.
        warning: Option<String>,
    },
    /// The server refused: nothing issued.
    Refused {
        /// The code.
        code: ResultCode,
        /// Its message.
        message: String,
    },
    /// The row broke a field rule: nothing sent.
    Invalid(String),
    /// Outcome unknown: may exist; retried with the same TR_ID next run.
    Unknown(String),
    /// Nothing reached the server (the connection or the TLS handshake failed,
    /// or the client refused before sending), so nothing was issued; sent
    /// again with the same TR_ID next run, and not asked of the supplier.
    NotSent(String),
    /// An earlier attempt reached the server (the answer to a repeat, kept as
    /// answered); numbers not retrievable; never resent.
    Reached {
        /// The code the repeat was answered.
        code: ResultCode,
        /// What the SDK said.
        detail: String,
    },
    /// The answer echoed another TR_ID or goods id than the row sent: its
    /// coupons are not attributed to the row, which is never resent and goes to
    /// the reconciliation request.
    EchoMismatch {
        /// What differed (both values), for the row's message.
        detail: String,
    },
}

impl std::fmt::Debug for RowOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowOutcome::Issued {
                order,
                coupons,
                warning,
            } => f
                .debug_struct("Issued")
                .field("order", order)
                .field("coupons", &crate::state::masked(coupons))
                .field("warning", warning)
                .finish(),
            RowOutcome::Refused { code, message } => f
                .debug_struct("Refused")
                .field("code", code)
                .field("message", message)
                .finish(),
            RowOutcome::Invalid(why) => f.debug_tuple("Invalid").field(why).finish(),
            RowOutcome::Unknown(why) => f.debug_tuple("Unknown").field(why).finish(),
            RowOutcome::NotSent(why) => f.debug_tuple("NotSent").field(why).finish(),
            RowOutcome::Reached { code, detail } => f
                .debug_struct("Reached")
                .field("code", code)
                .field("detail", detail)
                .finish(),
            RowOutcome::EchoMismatch { detail } => f
                .debug_struct("EchoMismatch")
                .field("detail", detail)
                .finish(),
        }
    }
}

impl<R: IssuingResponse> From<IssueOutcome<R>> for RowOutcome {
    /// Every outcome of the SDK, one arm each (no wildcard: a new outcome fails
    /// to compile here).
    fn from(outcome: IssueOutcome<R>) -> Self {
        match outcome {
            IssueOutcome::Issued(issued) => RowOutcome::Issued {
                order: issued.order_id().map(str::to_owned),
                coupons: issued
                    .coupon_numbers()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                warning: count_warning(issued.coupon_count()),
            },
            IssueOutcome::NotIssued(refused) => match refused.error {
                Error::Api { code, message, .. } => RowOutcome::Refused { code, message },
                // Not issued without an answer: no attempt reached the server
                // (the SDK says so only when no attempt's fate is open).
                other => RowOutcome::NotSent(other.to_string()),
            },
            IssueOutcome::Unknown(unknown) => RowOutcome::Unknown(unknown_detail(&unknown)),
            IssueOutcome::EarlierAttemptReached(earlier) => RowOutcome::Reached {
                code: earlier.code,
                detail: reached_detail(&earlier),
            },
            IssueOutcome::Mismatched(mismatch) => RowOutcome::EchoMismatch {
                detail: mismatch_detail(&mismatch),
            },
        }
    }
}

/// Why an issued answer's coupons need a look, when its counts disagree
/// ([`CouponCount::is_consistent`]); `None` when they agree.
pub fn count_warning(count: CouponCount) -> Option<String> {
    (!count.is_consistent()).then(|| {
        format!(
            "coupon count disagrees ({count}): deliver the coupons listed, \
             reconcile the rest with the supplier by TR_ID"
        )
    })
}

/// What happened to an issue whose outcome is unknown: the last failure
/// seen, or `no answer`.
pub fn unknown_detail(unknown: &OutcomeUnknown) -> String {
    unknown
        .last_error
        .as_ref()
        .map_or_else(|| "no answer".to_owned(), ToString::to_string)
}

/// What an earlier attempt that reached the server means: the code the
/// repeat was answered, after how many lost answers, and that the numbers
/// are out of reach.
pub fn reached_detail(earlier: &EarlierAttemptReached) -> String {
    format!(
        "result code {} after {} lost answer(s): an earlier attempt reached the server; \
         the coupons' numbers cannot be retrieved through the API",
        earlier.code.as_str(),
        earlier.lost_answers
    )
}

/// What an answer that echoed another TR_ID or goods id means (both values
/// named), and what to do.
pub fn mismatch_detail(mismatch: &EchoMismatch) -> String {
    format!(
        "the answer is not this request's ({mismatch}): coupons may exist for this TR_ID; \
         do not send it again with a new TR_ID, reconcile with the supplier by TR_ID"
    )
}

/// What a run does with a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The code's retry class allows sending it again (`as_is`, `same_tr_id`):
    /// the whole campaign pauses, then the same row goes again with the same
    /// TR_ID; when the code outlasts the pauses, the run stops and leaves the
    /// row for the next.
    Retry,
    /// Never retried (retry class `never`), but a quota of the spec's category
    /// `limit`: nothing was issued and every following row would be refused
    /// alike, so the campaign's run stops at once and leaves the row open for a
    /// rerun once the limit is lifted.
    Halt,
    /// Never retried: the row is refused.
    Final,
}

/// How a run treats a refusal answering `code`: from the code's generated
/// retry class (what `coufun codes` shows) and category, nothing else.
pub fn refusal(code: ResultCode) -> Refusal {
    if code.retry().may_retry() {
        Refusal::Retry
    } else if code.category() == Category::Limit {
        Refusal::Halt
    } else {
        Refusal::Final
    }
}

/// What the store records for an outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry<'a> {
    pub state: RowState,
    pub code: Option<ResultCode>,
    pub message: Option<&'a str>,
    pub order: Option<&'a str>,
    pub coupons: Option<String>,
}

impl<'a> Entry<'a> {
    pub fn of(outcome: &'a RowOutcome) -> Self {
        let entry = |state, code, message: &'a str| Entry {
            state,
            code,
            message: Some(message),
            order: None,
            coupons: None,
        };
        match outcome {
            RowOutcome::Issued {
                order,
                coupons,
                warning,
            } => Entry {
                state: RowState::Issued,
                code: Some(ResultCode::Success),
                message: warning.as_deref(),
                order: order.as_deref(),
                coupons: Some(coupons.join(" ")),
            },
            // A code that stops the run or pauses it leaves the row for a rerun.
            RowOutcome::Refused { code, message } => {
                let state = match refusal(*code) {
                    Refusal::Halt | Refusal::Retry => RowState::Deferred,
                    Refusal::Final => RowState::Refused,
                };
                entry(state, Some(*code), message)
            }
            RowOutcome::Invalid(why) => entry(RowState::Invalid, None, why),
            RowOutcome::Unknown(why) => entry(RowState::Unknown, None, why),
            RowOutcome::NotSent(why) => entry(RowState::Deferred, None, why),
            RowOutcome::Reached { code, detail } => entry(RowState::Reached, Some(*code), detail),
            RowOutcome::EchoMismatch { detail } => entry(RowState::EchoMismatch, None, detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_follow_the_generated_retry_class() {
        for code in ResultCode::ALL {
            let r = refusal(code);
            assert_eq!(r == Refusal::Retry, code.retry().may_retry(), "{code:?}");
            assert_eq!(
                r == Refusal::Halt,
                !code.retry().may_retry() && code.category() == Category::Limit,
                "{code:?}"
            );
        }
        assert_eq!(refusal(ResultCode::SystemError), Refusal::Retry);
        assert!(!ResultCode::IssueLimitExceeded.retry().may_retry());
        assert_eq!(refusal(ResultCode::IssueLimitExceeded), Refusal::Halt);
        assert_eq!(refusal(ResultCode::InvalidGoods), Refusal::Final);
    }

    #[test]
    fn each_outcome_is_recorded_in_its_state() {
        let issued = RowOutcome::Issued {
            order: Some("O1".into()),
            coupons: vec!["C1".into(), "C2".into()],
            warning: None,
        };
        let shown = format!("{issued:?}");
        assert!(!shown.contains("C1\""), "{shown}");
        let e = Entry::of(&issued);
        assert_eq!(e.state, RowState::Issued);
        assert_eq!(e.code, Some(ResultCode::Success));
        assert_eq!(e.coupons.as_deref(), Some("C1 C2"));
        assert_eq!(e.order, Some("O1"));
        let refused = |code| RowOutcome::Refused {
            code,
            message: "m".into(),
        };
        assert_eq!(
            Entry::of(&refused(ResultCode::InvalidGoods)).state,
            RowState::Refused
        );
        assert_eq!(
            Entry::of(&refused(ResultCode::IssueLimitExceeded)).state,
            RowState::Deferred
        );
        assert_eq!(
            Entry::of(&refused(ResultCode::SystemError)).state,
            RowState::Deferred
        );
        assert_eq!(
            Entry::of(&RowOutcome::Invalid("x".into())).state,
            RowState::Invalid
        );
        assert_eq!(
            Entry::of(&RowOutcome::Unknown("x".into())).state,
            RowState::Unknown
        );
        let refused_connection = RowOutcome::NotSent("refused".into());
        let not_sent = Entry::of(&refused_connection);
        assert_eq!(
            (not_sent.state, not_sent.code, not_sent.message),
            (RowState::Deferred, None, Some("refused"))
        );
        assert!(!not_sent.state.needs_reconciliation() && not_sent.state.needs_sending());
        let reached = RowOutcome::Reached {
            code: ResultCode::DuplicateRequest,
            detail: "d".into(),
        };
        assert_eq!(
            (Entry::of(&reached).state, Entry::of(&reached).code),
            (RowState::Reached, Some(ResultCode::DuplicateRequest))
        );
        let mismatch = RowOutcome::EchoMismatch { detail: "d".into() };
        assert_eq!(Entry::of(&mismatch).state, RowState::EchoMismatch);
        assert_eq!(Entry::of(&mismatch).coupons, None);
    }
}

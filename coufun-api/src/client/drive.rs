//! The run of a call, shared by the async and the blocking client and free of
//! I/O: which request to send, when to wait, when it is over, and every
//! `tracing` span and event a call records. A client only carries out what a
//! [`Plan`] asks ([`Next`]): send the request, or sleep.

use std::marker::PhantomData;
use std::time::Duration;

use super::settings::CallConfig;
use super::wire;
use crate::Charset;
use crate::TrId;
use crate::error::Error;
use crate::issuance::{Expected, Issuance, IssueOutcome, IssuingRequest, IssuingResponse};
use crate::operation::Operation;
use crate::retry::{Attempts, Decision};

/// What the client does next.
#[derive(Debug)]
pub(crate) enum Next<T> {
    /// Send the (unchanged) request inside [`Plan::span`], then call
    /// [`Plan::answered`] with what came back.
    Send,
    /// Sleep this long, then call [`Plan::waited`].
    Wait(Duration),
    /// It is over.
    Done(T),
}

/// A run of one public call: [`Retrying`] or [`Issuing`].
pub(crate) trait Plan {
    /// What one sent request answers.
    type Answer;
    /// What the run ends with.
    type Output;
    /// The span the requests are sent in.
    fn span(&self) -> &tracing::Span;
    /// One request answered `answer`.
    fn answered(&mut self, answer: Result<Self::Answer, Error>) -> Next<Self::Output>;
    /// The wait asked for is over.
    fn waited(&mut self) -> Next<Self::Output>;
}

/// A call retried per the client's policy, only where [`Error::retry`] allows it.
#[derive(Debug)]
pub(crate) struct Retrying<R> {
    attempts: Attempts,
    span: tracing::Span,
    answer: PhantomData<fn() -> R>,
}

impl<R> Retrying<R> {
    /// Starts a call of `O` whose request text was checked in `counted_in`:
    /// refused, nothing sent, when the client sends another charset.
    pub(crate) fn start<O: Operation>(
        config: &CallConfig,
        counted_in: Charset,
    ) -> (Self, Next<Result<R, Error>>) {
        let mut run = Retrying {
            attempts: Attempts::start(config.retry),
            span: tracing::Span::none(),
            answer: PhantomData,
        };
        let next = match wire::check_charset::<O>(config, counted_in) {
            Err(refused) => Next::Done(Err(refused)),
            Ok(()) => run.waited(),
        };
        (run, next)
    }
}

impl<R> Plan for Retrying<R> {
    type Answer = R;
    type Output = Result<R, Error>;

    fn span(&self) -> &tracing::Span {
        &self.span
    }

    fn answered(&mut self, answer: Result<R, Error>) -> Next<Self::Output> {
        match answer {
            Err(e) if e.retry() == Decision::RetrySameRequest && self.attempts.may_retry() => {
                wait_or_go(self, self.attempts.backoff())
            }
            answer => Next::Done(answer),
        }
    }

    fn waited(&mut self) -> Next<Self::Output> {
        self.attempts.record();
        Next::Send
    }
}

/// A coupon send or create issued exactly once ([`crate::issuance`]), in its
/// own span, which records the outcome and says it in one event.
#[derive(Debug)]
pub(crate) struct Issuing<R> {
    run: Issuance<R>,
    span: tracing::Span,
}

impl<R: IssuingResponse> Issuing<R> {
    /// Starts issuing `request` under its idempotency key, its text checked in
    /// `counted_in`: refused, nothing sent, when the client sends another charset.
    pub(crate) fn start<O: IssuingRequest>(
        config: &CallConfig,
        request: &O,
        counted_in: Charset,
    ) -> (Self, Next<IssueOutcome<R>>) {
        let mut issuing = Issuing {
            run: Issuance::new(Expected::of(request), config.retry),
            span: issue_span::<O>(request.issue_key()),
        };
        let next = match wire::check_charset::<O>(config, counted_in) {
            Err(refused) => {
                let outcome = issuing.run.refused(refused);
                issuing.finish(outcome)
            }
            Ok(()) => issuing.waited(),
        };
        (issuing, next)
    }

    fn finish(&self, outcome: IssueOutcome<R>) -> Next<IssueOutcome<R>> {
        record_issue(&self.span, &outcome);
        Next::Done(outcome)
    }
}

impl<R: IssuingResponse> Plan for Issuing<R> {
    type Answer = R;
    type Output = IssueOutcome<R>;

    fn span(&self) -> &tracing::Span {
        &self.span
    }

    fn answered(&mut self, answer: Result<R, Error>) -> Next<Self::Output> {
        match self.run.sent(answer) {
            Some(outcome) => self.finish(outcome),
            None => wait_or_go(self, self.run.wait()),
        }
    }

    fn waited(&mut self) -> Next<Self::Output> {
        if self.run.next_call() {
            Next::Send
        } else {
            let outcome = self.run.give_up();
            self.finish(outcome)
        }
    }
}

/// [`Next::Wait`], or straight on when there is nothing to wait for.
fn wait_or_go<P: Plan + ?Sized>(plan: &mut P, wait: Duration) -> Next<P::Output> {
    if wait.is_zero() {
        plan.waited()
    } else {
        Next::Wait(wait)
    }
}

/// The span of one issuance: operation and TR_ID now, outcome at the end.
fn issue_span<O: Operation>(tr_id: &TrId) -> tracing::Span {
    tracing::info_span!(
        "coufun_issue",
        operation = O::NAME,
        tr_id = tr_id.as_str(),
        outcome = tracing::field::Empty,
        attempts = tracing::field::Empty,
    )
}

fn record_issue<R: IssuingResponse>(span: &tracing::Span, outcome: &IssueOutcome<R>) {
    let (word, code) = match outcome {
        IssueOutcome::Issued(issued) => {
            let count = issued.coupon_count();
            if !count.is_consistent() {
                let _entered = span.enter();
                tracing::warn!(
                    requested = count.requested,
                    stated = count.stated,
                    listed = count.listed,
                    "the answer lists another number of coupons than it states or than were asked for: deliver those listed, reconcile the rest by TR_ID"
                );
            }
            ("issued", None)
        }
        IssueOutcome::NotIssued(n) => ("not_issued", n.code()),
        IssueOutcome::EarlierAttemptReached(e) => ("earlier_attempt_reached", Some(e.code)),
        IssueOutcome::Unknown(_) => ("unknown", None),
        IssueOutcome::Mismatched(m) => {
            let _entered = span.enter();
            // neither value is a secret; the coupon numbers are left out
            tracing::warn!(
                field = m.wire,
                sent = m.sent.as_str(),
                answered = m.answered.as_str(),
                listed = m.listed,
                "the answer echoes another value than the request sent: not this request's answer; coupons may exist for this TR_ID: do not send it again with a new TR_ID, reconcile by TR_ID"
            );
            ("mismatched", None)
        }
    };
    span.record("outcome", word);
    span.record("attempts", outcome.attempts());
    let _entered = span.enter();
    match code {
        Some(code) => tracing::info!(result_code = code.as_str(), "{word}"),
        None => tracing::info!("{word}"),
    }
}

/// The span of one request: operation and TR_ID now, result code when answered.
pub(crate) fn call_span<O: Operation>(request: &O) -> tracing::Span {
    let span = tracing::info_span!(
        "coufun_call",
        operation = O::NAME,
        tr_id = tracing::field::Empty,
        result_code = tracing::field::Empty,
    );
    if let Some(tr_id) = request.idempotency_key() {
        span.record("tr_id", tr_id);
    }
    span
}

/// Records how one request ended, in its span.
pub(crate) fn record_outcome<R>(span: &tracing::Span, result: &Result<R, Error>) {
    let _entered = span.enter();
    match result {
        Ok(_) => {
            span.record("result_code", crate::ResultCode::Success.as_str());
            tracing::debug!("answered");
        }
        Err(error) => {
            if let Some(code) = error.result_code() {
                span.record("result_code", code.as_str());
            }
            tracing::warn!(error = %error, retry = ?error.retry(), "call failed");
        }
    }
}

//! The retry policy: which failed attempts may be sent again, which show that an
//! earlier attempt already reached the server, which must stop — and how long to
//! wait between attempts. Pure decisions, no I/O: the issuing loop applies them.
//!
//! | operation | failure | decision |
//! |---|---|---|
//! | any | checked locally (validation) | stop: nothing was sent |
//! | any | never sent (connection refused) | retry the same request |
//! | any | never sent: TLS handshake failed on the certificate or protocol | stop: sending again fails the same way |
//! | read | no answer, unreadable answer, HTTP 5xx | retry |
//! | write | no answer, unreadable answer, HTTP 5xx | retry the same request (same TR_ID), never a new one |
//! | any | HTTP 4xx | stop |
//! | write | `12` duplicate TR_ID, `23` duplicate request | stop: an earlier attempt reached the server (its answer is not retrievable) |
//! | any | a code classed [`RetryClass::SameTrId`] (`50`, `99`) | retry the same request |
//! | any | a code classed [`RetryClass::Never`] (validation, state, limits, unknown codes) | stop |

use std::time::Duration;

use crate::ResultCode;
use crate::operation::Effect;
use crate::result_code::RetryClass;

/// What went wrong with one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// Rejected before sending (validation): the server saw nothing.
    Local,
    /// The request never reached the server (connection refused, DNS failure).
    NotSent,
    /// The request never reached the server because the TLS handshake failed
    /// in a way sending again cannot change: an untrusted or wrong-host
    /// certificate, a server that does not speak TLS
    /// ([`TlsProblem::is_permanent`](crate::TlsProblem::is_permanent)).
    Tls,
    /// The request was, or may have been, sent and no answer came (timeout after
    /// sending, connection dropped): a write may have taken effect.
    NoAnswer,
    /// An answer came but could not be read (truncated or malformed XML, an HTML
    /// page with status 200): a write may have taken effect.
    Unreadable,
    /// An HTTP error status, from the server or a proxy in front of it.
    HttpStatus(u16),
    /// The server answered this result code (not `00`).
    Api(ResultCode),
}

impl FailureKind {
    /// Whether a write may have taken effect on the server despite the failure.
    pub const fn outcome_unknown(self) -> bool {
        match self {
            FailureKind::NoAnswer | FailureKind::Unreadable => true,
            FailureKind::HttpStatus(s) => s >= 500,
            _ => false,
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Send the very same request again (same TR_ID), after a backoff.
    RetrySameRequest,
    /// An earlier attempt with the same TR_ID (or the same request) reached the
    /// server: sending again only repeats this answer. The API has no lookup by
    /// TR_ID, so what that attempt did cannot be asked.
    EarlierAttemptReached,
    /// Retrying cannot help: report the failure.
    Stop,
}

/// Decides what follows a failed attempt of an operation with `effect`.
pub fn decide(effect: Effect, failure: FailureKind) -> Decision {
    match failure {
        FailureKind::Local | FailureKind::Tls => Decision::Stop,
        FailureKind::NotSent | FailureKind::NoAnswer | FailureKind::Unreadable => {
            Decision::RetrySameRequest
        }
        FailureKind::HttpStatus(status) if status >= 500 => Decision::RetrySameRequest,
        FailureKind::HttpStatus(_) => Decision::Stop,
        FailureKind::Api(ResultCode::DuplicateTrId | ResultCode::DuplicateRequest)
            if effect == Effect::Write =>
        {
            Decision::EarlierAttemptReached
        }
        FailureKind::Api(code) => match code.retry() {
            RetryClass::AsIs | RetryClass::SameTrId => Decision::RetrySameRequest,
            _ => Decision::Stop,
        },
    }
}

/// How often and how long to try: attempts, a total deadline, and exponential
/// backoff with full jitter between attempts.
///
/// ```
/// use std::time::Duration;
/// use coufun_api::retry::RetryPolicy;
///
/// // Up to 5 calls within 60 s, backoff ceilings 500 ms, 1 s, 2 s, … up to 10 s.
/// let patient = RetryPolicy {
///     max_attempts: 5,
///     deadline: Duration::from_secs(60),
///     initial_backoff: Duration::from_millis(500),
///     max_backoff: Duration::from_secs(10),
/// };
/// assert_eq!(patient.backoff_ceiling(1), Duration::from_millis(500));
/// assert_eq!(patient.backoff_ceiling(2), Duration::from_secs(1));
/// assert!(patient.may_attempt_again(4, Duration::from_secs(3)));
/// assert!(!patient.may_attempt_again(5, Duration::from_secs(3)));
///
/// // One attempt, nothing retried (tests that classify single answers).
/// assert!(!RetryPolicy::no_retry().may_attempt_again(1, Duration::ZERO));
/// // Set on the client: `Client::builder(env, poc_id).retry_policy(patient)`.
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most attempts in all (the first included); at least 1.
    pub max_attempts: u32,
    /// Time from the first attempt after which no new attempt starts.
    pub deadline: Duration,
    /// Backoff ceiling before the second attempt; it doubles after each attempt.
    pub initial_backoff: Duration,
    /// Largest backoff ceiling.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 8 calls within 30 s, backoff ceilings 200 ms,
    /// 400 ms, … up to 5 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            deadline: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// Never retry: one attempt.
    pub const fn no_retry() -> Self {
        RetryPolicy {
            max_attempts: 1,
            deadline: Duration::MAX,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        }
    }

    /// The backoff ceiling after `attempts_made` attempts (1 after the first).
    pub fn backoff_ceiling(&self, attempts_made: u32) -> Duration {
        let doublings = attempts_made.saturating_sub(1).min(30);
        self.initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff)
    }

    /// A wait in `0..=backoff_ceiling(attempts_made)` picked by `random`: a
    /// uniformly random `u64` gives "full jitter", so that many clients failing
    /// together do not retry together (the client draws it from the OS; any
    /// random-number generator's `u64` will do).
    pub fn backoff(&self, attempts_made: u32, random: u64) -> Duration {
        let ceiling = self.backoff_ceiling(attempts_made);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        // `random` scaled onto 0..=nanos (the high half of the 128-bit product)
        let picked = (u128::from(random) * (u128::from(nanos) + 1)) >> 64;
        Duration::from_nanos(u64::try_from(picked).unwrap_or(nanos))
    }

    /// Whether another attempt may start after `attempts_made` attempts with
    /// `elapsed` since the first.
    pub fn may_attempt_again(&self, attempts_made: u32, elapsed: Duration) -> bool {
        attempts_made < self.max_attempts && elapsed < self.deadline
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    const READ: Effect = Effect::Read;
    const WRITE: Effect = Effect::Write;

    #[test]
    fn validation_failures_are_never_retried() {
        assert_eq!(decide(READ, FailureKind::Local), Decision::Stop);
        assert_eq!(decide(WRITE, FailureKind::Local), Decision::Stop);
    }

    #[test]
    fn a_permanent_tls_failure_is_never_retried_nor_a_lost_answer() {
        assert_eq!(decide(READ, FailureKind::Tls), Decision::Stop);
        assert_eq!(decide(WRITE, FailureKind::Tls), Decision::Stop);
        assert!(!FailureKind::Tls.outcome_unknown());
    }

    #[test]
    fn transport_failures_retry_the_same_request() {
        for effect in [READ, WRITE] {
            for f in [
                FailureKind::NotSent,
                FailureKind::NoAnswer,
                FailureKind::Unreadable,
            ] {
                assert_eq!(
                    decide(effect, f),
                    Decision::RetrySameRequest,
                    "{effect:?} {f:?}"
                );
            }
        }
    }

    #[test]
    fn server_errors_retry_and_client_errors_stop() {
        for effect in [READ, WRITE] {
            for (status, decision) in [
                (502, Decision::RetrySameRequest),
                (503, Decision::RetrySameRequest),
                (404, Decision::Stop),
                (400, Decision::Stop),
            ] {
                assert_eq!(decide(effect, FailureKind::HttpStatus(status)), decision);
            }
        }
    }

    #[test]
    fn duplicates_of_a_write_mean_an_earlier_attempt_reached_the_server() {
        for code in [ResultCode::DuplicateTrId, ResultCode::DuplicateRequest] {
            assert_eq!(
                decide(WRITE, FailureKind::Api(code)),
                Decision::EarlierAttemptReached
            );
            // a read has no earlier effect to speak of and cannot succeed by repeating
            assert_eq!(decide(READ, FailureKind::Api(code)), Decision::Stop);
        }
    }

    #[test]
    fn server_side_failures_retry_with_the_same_tr_id() {
        for code in [ResultCode::SystemError, ResultCode::CouponCreationFailed] {
            for effect in [WRITE, READ] {
                let decision = decide(effect, FailureKind::Api(code));
                assert_eq!(decision, Decision::RetrySameRequest);
            }
        }
    }

    #[test]
    fn codes_that_cannot_succeed_stop() {
        let never: Vec<ResultCode> = ResultCode::ALL
            .into_iter()
            .filter(|c| c.retry() == RetryClass::Never)
            .filter(|c| !matches!(c, ResultCode::DuplicateTrId | ResultCode::DuplicateRequest))
            .collect();
        assert!(never.len() > 25);
        for code in never {
            for effect in [WRITE, READ] {
                let decision = decide(effect, FailureKind::Api(code));
                assert_eq!(decision, Decision::Stop, "{code:?}");
            }
        }
        let unknown: ResultCode = "42".parse().unwrap();
        assert_eq!(decide(WRITE, FailureKind::Api(unknown)), Decision::Stop);
    }

    #[test]
    fn which_failures_leave_a_write_unknown() {
        assert!(FailureKind::NoAnswer.outcome_unknown());
        assert!(FailureKind::Unreadable.outcome_unknown());
        assert!(FailureKind::HttpStatus(502).outcome_unknown());
        assert!(!FailureKind::NotSent.outcome_unknown());
        assert!(!FailureKind::HttpStatus(404).outcome_unknown());
        assert!(!FailureKind::Api(ResultCode::SystemError).outcome_unknown());
    }

    #[test]
    fn backoff_doubles_up_to_the_ceiling_with_full_jitter() {
        let p = RetryPolicy {
            max_attempts: 10,
            deadline: Duration::from_secs(10),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
        };
        let ceilings: Vec<u128> = (1..=5).map(|n| p.backoff_ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 500, 500]);
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let waits: Vec<Duration> = (0..200).map(|_| p.backoff(3, rng.random())).collect();
        assert_eq!(
            p.backoff(3, 0),
            Duration::ZERO,
            "the lowest draw waits not at all"
        );
        assert_eq!(
            p.backoff(3, u64::MAX),
            Duration::from_millis(400),
            "the highest the ceiling"
        );
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(400)));
        assert!(
            waits.iter().any(|w| *w < Duration::from_millis(100)),
            "jitter reaches low"
        );
        assert!(
            waits.iter().any(|w| *w > Duration::from_millis(300)),
            "jitter reaches high"
        );
    }

    #[test]
    fn attempts_stop_at_the_count_or_the_deadline() {
        let p = RetryPolicy {
            max_attempts: 3,
            deadline: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        assert!(p.may_attempt_again(2, Duration::from_millis(10)));
        assert!(!p.may_attempt_again(3, Duration::from_millis(10)));
        assert!(!p.may_attempt_again(1, Duration::from_secs(1)));
        assert!(!RetryPolicy::no_retry().may_attempt_again(1, Duration::ZERO));
    }
}

/// The attempts of one call so far, against a [`RetryPolicy`]: shared by the
/// async and blocking clients' retry loops and by exactly-once issuance.
#[cfg_attr(not(feature = "client"), allow(dead_code))] // driven by the client
#[derive(Debug)]
pub(crate) struct Attempts {
    policy: RetryPolicy,
    started: std::time::Instant,
    made: u32,
}

#[cfg_attr(not(feature = "client"), allow(dead_code))] // driven by the client
impl Attempts {
    /// Starts counting now.
    pub(crate) fn start(policy: RetryPolicy) -> Self {
        Attempts {
            policy,
            started: std::time::Instant::now(),
            made: 0,
        }
    }

    /// Counts one more attempt.
    pub(crate) fn record(&mut self) {
        self.made += 1;
    }

    /// Attempts made so far.
    pub(crate) fn made(&self) -> u32 {
        self.made
    }

    /// Whether another attempt may start.
    pub(crate) fn may_retry(&self) -> bool {
        self.policy
            .may_attempt_again(self.made, self.started.elapsed())
    }

    /// The wait before the next attempt (jittered, never past the deadline).
    pub(crate) fn backoff(&self) -> Duration {
        let wait = self.policy.backoff(self.made, crate::random::random_u64());
        let left = self.policy.deadline.saturating_sub(self.started.elapsed());
        wait.min(left)
    }
}

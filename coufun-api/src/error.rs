//! [`Error`]: everything a call can fail with, each case saying whether sending
//! the same request again is safe ([`Error::retry`]), from the spec's retry
//! classification of result codes and the operation's effect. Texts that came
//! from the server are redacted (POC_ID blanked, phone numbers masked) before
//! they are stored here.

use crate::operation::Effect;
use crate::xml::DecodeError;
use crate::{Charset, ResultCode, RetryClass};

/// What a failed call was, for classifying retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallInfo {
    /// The operation, e.g. `"coupon_send"`.
    pub operation: &'static str,
    /// Read or write.
    pub effect: Effect,
    /// Whether the request carries a key the server deduplicates on (TR_ID).
    pub idempotent: bool,
}

impl CallInfo {
    /// How to retry a call whose outcome on the server is unknown: a read as
    /// is, a deduplicated write only with the same TR_ID, any other write not
    /// before learning what happened.
    pub fn retry_when_outcome_unknown(self) -> RetryClass {
        match (self.effect, self.idempotent) {
            (Effect::Read, _) => RetryClass::AsIs,
            (Effect::Write, true) => RetryClass::SameTrId,
            (Effect::Write, false) => RetryClass::Never,
        }
    }

    /// How to retry after the server answered `code`: the spec's class, made
    /// stricter for the operation (a read needs no TR_ID; a write without one
    /// cannot be deduplicated, so "same TR_ID" becomes "never").
    pub fn retry_after(self, code: ResultCode) -> RetryClass {
        match (code.retry(), self.effect, self.idempotent) {
            (RetryClass::SameTrId, Effect::Read, _) => RetryClass::AsIs,
            (RetryClass::SameTrId, Effect::Write, false) => RetryClass::Never,
            (class, _, _) => class,
        }
    }
}

/// A failed call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request value cannot be written in the request charset; nothing was sent.
    #[error("{operation}: field {field} holds text that {charset:?} cannot encode; nothing was sent")]
    Unencodable {
        /// The operation.
        operation: &'static str,
        /// The wire name of the field.
        field: &'static str,
        /// The request charset.
        charset: Charset,
    },
    /// The connection could not be made: the request never reached the server.
    #[error("{}: could not connect; the request was not sent: {source}", info.operation)]
    Connect {
        /// The call.
        info: CallInfo,
        /// reqwest's error, its URL removed.
        source: reqwest::Error,
    },
    /// No complete answer in time after the request was sent: it may have reached the server.
    #[error("{}: timed out after sending; the request may have reached the server", info.operation)]
    Timeout {
        /// The call.
        info: CallInfo,
        /// reqwest's error, its URL removed.
        source: reqwest::Error,
    },
    /// The connection failed after the request was (perhaps) sent.
    #[error("{}: transport failed; the request may have reached the server: {source}", info.operation)]
    Transport {
        /// The call.
        info: CallInfo,
        /// The underlying error, its URL removed.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The server answered an HTTP status other than 2xx.
    #[error("{}: HTTP {status}: {excerpt}", info.operation)]
    Status {
        /// The call.
        info: CallInfo,
        /// The status code.
        status: u16,
        /// The start of the body (redacted), for diagnosis.
        excerpt: String,
    },
    /// The body is larger than the configured cap; it was not read further.
    #[error("{}: the response is larger than the {limit}-byte cap; reading stopped", info.operation)]
    TooLarge {
        /// The call.
        info: CallInfo,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The body is not XML: an HTML error page from a proxy, or plain text.
    #[error("{}: the response (HTTP {status}) is not XML: {excerpt}", info.operation)]
    NotXml {
        /// The call.
        info: CallInfo,
        /// The status code.
        status: u16,
        /// The start of the body (redacted).
        excerpt: String,
    },
    /// The body is XML but cannot be read as the operation's response.
    #[error("{}: malformed response: {source}", info.operation)]
    MalformedXml {
        /// The call.
        info: CallInfo,
        /// What is wrong with it.
        source: DecodeError,
    },
    /// The server answered a result code other than `00`.
    #[error("{}: result code {}: {message}", info.operation, code.as_str())]
    Api {
        /// The call.
        info: CallInfo,
        /// The code (unknown codes stay [`ResultCode::Unknown`] with their digits).
        code: ResultCode,
        /// The server's own message (redacted).
        message: String,
    },
}

impl Error {
    /// The call that failed, when one was attempted.
    pub fn call_info(&self) -> Option<CallInfo> {
        match self {
            Error::Unencodable { .. } => None,
            Error::Connect { info, .. }
            | Error::Timeout { info, .. }
            | Error::Transport { info, .. }
            | Error::Status { info, .. }
            | Error::TooLarge { info, .. }
            | Error::NotXml { info, .. }
            | Error::MalformedXml { info, .. }
            | Error::Api { info, .. } => Some(*info),
        }
    }

    /// The result code, for [`Error::Api`].
    pub fn result_code(&self) -> Option<ResultCode> {
        match self {
            Error::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the request may have reached the server (and so may have
    /// taken effect). `false` only when it certainly was not sent.
    pub fn may_have_reached_server(&self) -> bool {
        !matches!(self, Error::Unencodable { .. } | Error::Connect { .. })
    }

    /// Whether, and how, the same request may be sent again.
    pub fn retry(&self) -> RetryClass {
        match self {
            Error::Unencodable { .. } => RetryClass::Never,
            Error::Connect { .. } => RetryClass::AsIs,
            Error::Api { info, code, .. } => info.retry_after(*code),
            Error::Status { info, status, .. } => match status {
                408 | 429 | 500..=599 => info.retry_when_outcome_unknown(),
                _ => RetryClass::Never,
            },
            Error::Timeout { info, .. }
            | Error::Transport { info, .. }
            | Error::TooLarge { info, .. }
            | Error::NotXml { info, .. }
            | Error::MalformedXml { info, .. } => info.retry_when_outcome_unknown(),
        }
    }

    /// Whether sending the very same request again (same TR_ID) is safe.
    pub fn is_retry_safe(&self) -> bool {
        self.retry().may_retry()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEND: CallInfo = CallInfo { operation: "coupon_send", effect: Effect::Write, idempotent: true };
    const CANCEL: CallInfo = CallInfo { operation: "coupon_cancel", effect: Effect::Write, idempotent: false };
    const LIST: CallInfo = CallInfo { operation: "goods_list", effect: Effect::Read, idempotent: false };

    #[test]
    fn unknown_outcomes_follow_the_effect() {
        assert_eq!(LIST.retry_when_outcome_unknown(), RetryClass::AsIs);
        assert_eq!(SEND.retry_when_outcome_unknown(), RetryClass::SameTrId);
        assert_eq!(CANCEL.retry_when_outcome_unknown(), RetryClass::Never);
    }

    #[test]
    fn result_codes_follow_the_spec_made_stricter_by_the_operation() {
        let same_tr_id = ResultCode::ALL.iter().copied().find(|c| c.retry() == RetryClass::SameTrId);
        let code = same_tr_id.unwrap_or(ResultCode::Success);
        assert_eq!(code.retry(), RetryClass::SameTrId, "the spec classifies some code as same_tr_id");
        assert_eq!(SEND.retry_after(code), RetryClass::SameTrId);
        assert_eq!(LIST.retry_after(code), RetryClass::AsIs);
        assert_eq!(CANCEL.retry_after(code), RetryClass::Never);
        for code in ResultCode::ALL.iter().filter(|c| c.retry() == RetryClass::Never) {
            assert_eq!(SEND.retry_after(*code), RetryClass::Never);
        }
    }
}

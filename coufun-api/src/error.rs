//! [`Error`]: everything a call can fail with, each case saying what the retry
//! policy ([`crate::retry`]) makes of it ([`Error::retry`]): the spec's retry
//! classification of result codes and the operation's effect. Texts that came
//! from the server are redacted (POC_ID blanked, phone numbers masked) before
//! they are stored here.

use crate::generated::kinds::TrId;
use crate::operation::Effect;
use crate::retry::{Decision, FailureKind, decide};
use crate::validation::ValidationErrors;
use crate::xml::DecodeError;
use crate::{Charset, Lang, ResultCode};

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

/// A failure of the HTTP stack (connecting, sending, reading the answer, or
/// setting the client up), opaque so that the HTTP library stays out of this
/// crate's API: what callers need is asked with [`is_timeout`](Self::is_timeout),
/// [`is_connect`](Self::is_connect) and [`tls_problem`](Self::tls_problem), and
/// the library's own error (its URL removed) is the
/// [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct TransportError {
    kind: TransportKind,
    source: Box<dyn std::error::Error + Send + Sync>,
}

#[cfg_attr(not(feature = "client"), allow(dead_code))] // driven by the client
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TransportKind {
    Connect,
    /// The connection was made but its TLS handshake failed (nothing sent).
    Tls(TlsProblem),
    Timeout,
    Other,
    Setup,
}

/// Why the TLS handshake with the server failed
/// ([`TransportError::tls_problem`]). The request was not sent: a handshake
/// comes before any byte of it. Displays what is wrong in plain words.
///
/// Every problem but [`ClosedDuringHandshake`](Self::ClosedDuringHandshake)
/// fails the same way however often the request is sent, so the retry policy
/// stops at once ([`FailureKind::Tls`]); a connection closed during the
/// handshake is retried as a connection failure.
///
/// ```
/// use coufun_api::TlsProblem;
///
/// let text = TlsProblem::UntrustedCertificate.to_string();
/// assert!(text.contains("not signed by a certificate authority this client trusts"));
/// assert!(TlsProblem::NotTls.to_string().contains("plain http"));
/// assert!(!TlsProblem::ClosedDuringHandshake.is_permanent());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsProblem {
    /// The server's certificate chains to no root the client trusts: a
    /// self-signed certificate or a private CA (trust it with
    /// [`ClientBuilder::add_root_certificate_pem`](crate::ClientBuilder::add_root_certificate_pem)).
    UntrustedCertificate,
    /// The certificate is valid for other host names than the URL's.
    WrongHostName,
    /// The certificate has expired or is not valid yet (or this machine's clock is off).
    OutsideValidity,
    /// The certificate was refused for another reason (revoked, bad
    /// signature, wrong purpose, unsupported algorithm, malformed).
    BadCertificate,
    /// The server answered the handshake with something that is not TLS: a
    /// plain-http server behind an `https://` URL (or the wrong port).
    NotTls,
    /// The server closed the connection during the handshake.
    ClosedDuringHandshake,
    /// The handshake failed otherwise: no protocol version or cipher in
    /// common, or the server refused it with an alert.
    Handshake,
}

impl TlsProblem {
    /// Whether sending again fails the same way (every problem but a
    /// connection closed during the handshake).
    pub fn is_permanent(self) -> bool {
        self != TlsProblem::ClosedDuringHandshake
    }

    /// A few words for the problem, for [`TransportError`]'s Display.
    fn label(self) -> &'static str {
        match self {
            TlsProblem::UntrustedCertificate => "untrusted certificate",
            TlsProblem::WrongHostName => "certificate for another host name",
            TlsProblem::OutsideValidity => "certificate expired or not yet valid",
            TlsProblem::BadCertificate => "certificate refused",
            TlsProblem::NotTls => "the server does not speak TLS",
            TlsProblem::ClosedDuringHandshake => "connection closed during the handshake",
            TlsProblem::Handshake => "handshake refused",
        }
    }
}

impl std::fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TlsProblem::UntrustedCertificate => {
                "the server's certificate is not signed by a certificate authority this client \
                 trusts (it is self-signed, or signed by a private CA whose certificate the \
                 client was not given)"
            }
            TlsProblem::WrongHostName => {
                "the server's certificate is not valid for the host name in the URL \
                 (use the host name the certificate names, not an IP address or alias)"
            }
            TlsProblem::OutsideValidity => {
                "the server's certificate has expired or is not valid yet \
                 (or this machine's clock is wrong)"
            }
            TlsProblem::BadCertificate => {
                "the server's certificate was refused (revoked, bad signature, wrong purpose \
                 or unsupported algorithm)"
            }
            TlsProblem::NotTls => {
                "the server did not answer in TLS: it looks like a plain http server behind \
                 an https:// URL (use http://, or the server's https port)"
            }
            TlsProblem::ClosedDuringHandshake => {
                "the server closed the connection during the TLS handshake"
            }
            TlsProblem::Handshake => {
                "no protocol version or cipher in common with the server, or it refused the \
                 handshake"
            }
        })
    }
}

/// The TLS problem somewhere in `error`'s chain of causes: a rustls error
/// (held directly or inside an `io::Error`, as tokio-rustls hands it over) or
/// the end of the stream in the middle of a handshake.
#[cfg(feature = "client")]
fn tls_problem_in(error: &(dyn std::error::Error + 'static)) -> Option<TlsProblem> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(rustls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls_problem_of(rustls));
        }
        cause = match error.downcast_ref::<std::io::Error>() {
            Some(io) => {
                if io.kind() == std::io::ErrorKind::UnexpectedEof
                    && io.to_string().contains("tls handshake")
                {
                    return Some(TlsProblem::ClosedDuringHandshake);
                }
                // io::Error's `source` skips the error it wraps: go into it.
                io.get_ref()
                    .map(|inner| inner as &(dyn std::error::Error + 'static))
            }
            None => error.source(),
        };
    }
    None
}

/// What a rustls error means for the caller.
#[cfg(feature = "client")]
fn tls_problem_of(error: &rustls::Error) -> TlsProblem {
    use rustls::{CertificateError as C, Error as E};
    match error {
        E::InvalidCertificate(C::UnknownIssuer) => TlsProblem::UntrustedCertificate,
        E::InvalidCertificate(C::NotValidForName | C::NotValidForNameContext { .. }) => {
            TlsProblem::WrongHostName
        }
        E::InvalidCertificate(
            C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. },
        ) => TlsProblem::OutsideValidity,
        E::InvalidCertificate(_) => TlsProblem::BadCertificate,
        E::InvalidMessage(_) | E::InappropriateMessage { .. } => TlsProblem::NotTls,
        _ => TlsProblem::Handshake,
    }
}

impl TransportError {
    /// Whether no answer came in time.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportKind::Timeout
    }

    /// Whether the connection could not be made (the request was not sent):
    /// refused, unreachable, or its TLS handshake failed
    /// ([`tls_problem`](Self::tls_problem)).
    pub fn is_connect(&self) -> bool {
        matches!(self.kind, TransportKind::Connect | TransportKind::Tls(_))
    }

    /// Why the TLS handshake failed, when it did: the certificate is not
    /// trusted, names another host, has expired, or the server does not speak
    /// TLS at all (a plain-http server behind an `https://` URL).
    pub fn tls_problem(&self) -> Option<TlsProblem> {
        match self.kind {
            TransportKind::Tls(problem) => Some(problem),
            _ => None,
        }
    }

    /// reqwest's error, its URL (which holds the query of a GET: POC_ID,
    /// phone numbers) removed.
    #[cfg(feature = "client")]
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        let kind = if error.is_connect() {
            tls_problem_in(&error).map_or(TransportKind::Connect, TransportKind::Tls)
        } else if error.is_timeout() {
            TransportKind::Timeout
        } else if error.is_builder() {
            TransportKind::Setup
        } else {
            TransportKind::Other
        };
        TransportError {
            kind,
            source: Box::new(error.without_url()),
        }
    }

    /// An I/O error while reading an answer (the blocking client's body).
    #[cfg(feature = "blocking")]
    pub(crate) fn from_io(error: std::io::Error) -> Self {
        let kind = match error.kind() {
            std::io::ErrorKind::TimedOut => TransportKind::Timeout,
            _ => TransportKind::Other,
        };
        TransportError {
            kind,
            source: Box::new(error),
        }
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.kind {
            // Short: the error holding it (`Error::Connect`) says it in full.
            TransportKind::Tls(problem) => {
                return write!(f, "TLS handshake failed ({})", problem.label());
            }
            TransportKind::Connect => "HTTP connection error",
            TransportKind::Timeout => "HTTP timeout",
            TransportKind::Other => "HTTP transport error",
            TransportKind::Setup => "HTTP client setup error",
        })
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// A failed call.
///
/// Ask it what happened rather than matching every case: the result code of a
/// refusal ([`Error::result_code`]), whether the request may have reached the
/// server ([`Error::may_have_reached_server`]), and what the retry policy makes
/// of it ([`Error::retry`]).
///
/// ```
/// use coufun_api::{CouponCreateRequest, Error, Lang, ResultCode};
///
/// fn report(error: &Error) -> String {
///     match error.result_code() {
///         // A refusal: the code's text in both languages, and what to do.
///         Some(code) => format!(
///             "{} / {}{}",
///             code.message(Lang::Ko),
///             code.message(Lang::En),
///             code.action(Lang::En).map(|a| format!(": {a}")).unwrap_or_default()
///         ),
///         None if !error.may_have_reached_server() => format!("not sent: {error}"),
///         None => format!("may have reached the server: {error}"),
///     }
/// }
///
/// // A request that breaks a rule is never sent.
/// let invalid = CouponCreateRequest::builder()
///     .goods_id("0000012345")
///     .quantity(1u64)
///     .tr_id("x".repeat(51))
///     .build()
///     .unwrap_err();
/// let error = Error::from(invalid);
/// assert!(!error.may_have_reached_server());
/// assert!(report(&error).starts_with("not sent"));
/// # let _ = ResultCode::Success;
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request broke the spec's rules; nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// The request's text was checked in one charset and the client sends
    /// another; nothing was sent.
    #[error(
        "{operation}: the request was checked in {counted_in} but the client sends {sent_in}; build it with the client's charset"
    )]
    CharsetMismatch {
        /// The operation.
        operation: &'static str,
        /// The charset the request was checked in.
        counted_in: Charset,
        /// The charset the client sends.
        sent_in: Charset,
    },
    /// A request value cannot be written in the request charset; nothing was sent.
    #[error(
        "{operation}: field {field} holds text that {charset:?} cannot encode; nothing was sent"
    )]
    Unencodable {
        /// The operation.
        operation: &'static str,
        /// The wire name of the field.
        field: &'static str,
        /// The request charset.
        charset: Charset,
    },
    /// The connection could not be made: the request never reached the server.
    /// A TLS handshake that failed is one of these, and its Display says why
    /// (`goods_list: TLS handshake failed: the server's certificate is not
    /// signed by …; the request was not sent`); ask
    /// [`TransportError::tls_problem`] of the `source`.
    #[error("{}: {}; the request was not sent", info.operation, connect_failure(source))]
    Connect {
        /// The call.
        info: CallInfo,
        /// The HTTP stack's error, its URL removed.
        source: TransportError,
    },
    /// No complete answer in time after the request was sent: it may have reached the server.
    #[error("{}: timed out after sending; the request may have reached the server", info.operation)]
    Timeout {
        /// The call.
        info: CallInfo,
        /// The HTTP stack's error, its URL removed.
        source: TransportError,
    },
    /// The connection failed after the request was (perhaps) sent.
    #[error("{}: transport failed; the request may have reached the server", info.operation)]
    Transport {
        /// The call.
        info: CallInfo,
        /// The HTTP stack's error, its URL removed.
        source: TransportError,
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
    #[error("{}: malformed response", info.operation)]
    MalformedXml {
        /// The call.
        info: CallInfo,
        /// What is wrong with it.
        source: DecodeError,
    },
    /// The server answered a result code other than `00`. Displays the code
    /// with its text in Korean and English (as validation errors do), the
    /// server's own message, and what to do where the spec says
    /// ([`ResultCode::action`]).
    #[error("{}", refusal_text(info.operation, *code, message))]
    Api {
        /// The call.
        info: CallInfo,
        /// The code (unknown codes stay [`ResultCode::Unknown`] with their digits).
        code: ResultCode,
        /// The server's own message (redacted).
        message: String,
    },
    /// A coupon send or create whose outcome is unknown: the deadline passed
    /// without an answer that settles it, so coupons may exist. Send the same
    /// request (same TR_ID) again later; never with a new TR_ID.
    #[error(
        "{}: outcome unknown after {attempts} calls; coupons may exist: send the same request with TR_ID {tr_id} again later",
        "coupon issuance"
    )]
    OutcomeUnknown {
        /// The TR_ID of the issuing request.
        tr_id: TrId,
        /// Calls made.
        attempts: u32,
        /// The last failure seen.
        #[source]
        last: Option<Box<Error>>,
    },
    /// A coupon send or create answered `12` (duplicate TR_ID) or `23`
    /// (duplicate request): an earlier attempt with this TR_ID reached the
    /// server, so coupons probably exist, but the API cannot tell their numbers.
    /// Do not send it again with a new TR_ID.
    #[error(
        "coupon issuance: an earlier attempt with TR_ID {tr_id} reached the server (answered {}); coupons probably exist but their numbers are not retrievable through the API",
        code.as_str()
    )]
    EarlierAttemptReached {
        /// The TR_ID of the issuing request.
        tr_id: TrId,
        /// The duplicate code answered (`12` or `23`).
        code: ResultCode,
        /// Calls made.
        attempts: u32,
    },
    /// A coupon send or create answered `00` with another TR_ID or GOODS_ID than
    /// the request's ([`IssueOutcome::Mismatched`](crate::issuance::IssueOutcome::Mismatched)):
    /// coupons may exist for this TR_ID, the answer's numbers are not its own. Do
    /// not send it again with a new TR_ID; reconcile with the supplier by TR_ID.
    #[error("coupon issuance: the answer is not this request's: {0}")]
    EchoMismatch(Box<crate::issuance::EchoMismatch>),
}

/// What failed in a connection that could not be made: `could not connect`,
/// or the TLS handshake's problem.
fn connect_failure(source: &TransportError) -> String {
    match source.tls_problem() {
        Some(problem) => format!("TLS handshake failed: {problem}"),
        None => "could not connect".to_owned(),
    }
}

/// `coupon_create: result code 01 IP 오류 / IP error (server: "…") — what to do: … / …`.
fn refusal_text(operation: &str, code: ResultCode, server_message: &str) -> String {
    let mut text = format!(
        "{operation}: result code {} {} / {}",
        code.as_str(),
        code.message(Lang::Ko),
        code.message(Lang::En)
    );
    if !server_message.is_empty() {
        text.push_str(&format!(" (server: {server_message:?})"));
    }
    if let (Some(en), Some(ko)) = (code.action(Lang::En), code.action(Lang::Ko)) {
        text.push_str(&format!(" — what to do: {en} / {ko}"));
    }
    text
}

impl Error {
    /// The call that failed, when one was attempted.
    pub fn call_info(&self) -> Option<CallInfo> {
        match self {
            Error::Validation(_)
            | Error::CharsetMismatch { .. }
            | Error::Unencodable { .. }
            | Error::OutcomeUnknown { .. }
            | Error::EarlierAttemptReached { .. }
            | Error::EchoMismatch(_) => None,
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
            Error::Api { code, .. } | Error::EarlierAttemptReached { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the request may have reached the server (and so may have
    /// taken effect). `false` only when it certainly was not sent.
    pub fn may_have_reached_server(&self) -> bool {
        !matches!(
            self,
            Error::Validation(_)
                | Error::CharsetMismatch { .. }
                | Error::Unencodable { .. }
                | Error::Connect { .. }
        )
    }

    /// The failure as the retry policy sees it.
    pub fn failure_kind(&self) -> FailureKind {
        match self {
            Error::Validation(_) | Error::CharsetMismatch { .. } | Error::Unencodable { .. } => {
                FailureKind::Local
            }
            Error::Connect { source, .. } => match source.tls_problem() {
                Some(problem) if problem.is_permanent() => FailureKind::Tls,
                _ => FailureKind::NotSent,
            },
            Error::Timeout { .. } | Error::Transport { .. } | Error::OutcomeUnknown { .. } => {
                FailureKind::NoAnswer
            }
            Error::TooLarge { .. }
            | Error::NotXml { .. }
            | Error::MalformedXml { .. }
            | Error::EchoMismatch(_) => FailureKind::Unreadable,
            Error::Status { status, .. } => FailureKind::HttpStatus(*status),
            Error::Api { code, .. } => FailureKind::Api(*code),
            Error::EarlierAttemptReached { code, .. } => FailureKind::Api(*code),
        }
    }

    /// What to do next, by the retry policy ([`crate::retry::decide`]): the
    /// spec's classification of the result code and the operation's effect.
    pub fn retry(&self) -> Decision {
        match self {
            // the same TR_ID settles it: answered, or 12 for an earlier attempt
            Error::OutcomeUnknown { .. } => return Decision::RetrySameRequest,
            // reached the server, numbers unknown: reconcile, never a new TR_ID
            Error::EarlierAttemptReached { .. } | Error::EchoMismatch(_) => {
                return Decision::EarlierAttemptReached;
            }
            _ => {}
        }
        let effect = self.call_info().map_or(Effect::Read, |info| info.effect);
        decide(effect, self.failure_kind())
    }

    /// Whether sending the very same request again (same TR_ID) is safe.
    pub fn is_retry_safe(&self) -> bool {
        self.retry() == Decision::RetrySameRequest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEND: CallInfo = CallInfo {
        operation: "coupon_send",
        effect: Effect::Write,
        idempotent: true,
    };

    fn api(code: &str) -> Error {
        let code = code.parse().unwrap_or(ResultCode::Success);
        Error::Api {
            info: SEND,
            code,
            message: String::new(),
        }
    }

    #[test]
    fn classification_follows_the_policy() {
        let status = |status| Error::Status {
            info: SEND,
            status,
            excerpt: String::new(),
        };
        assert_eq!(status(502).retry(), Decision::RetrySameRequest);
        assert_eq!(status(404).retry(), Decision::Stop);
        assert_eq!(api("99").retry(), Decision::RetrySameRequest);
        assert_eq!(api("12").retry(), Decision::EarlierAttemptReached);
        assert_eq!(api("21").retry(), Decision::Stop);
        assert_eq!(
            api("77").retry(),
            Decision::Stop,
            "unknown codes never retry"
        );
        let not_xml = Error::NotXml {
            info: SEND,
            status: 200,
            excerpt: String::new(),
        };
        assert!(not_xml.is_retry_safe() && not_xml.may_have_reached_server());
        let local = Error::Unencodable {
            operation: "coupon_send",
            field: "SEND_TITLE",
            charset: Charset::Cp949,
        };
        assert!(!local.is_retry_safe() && !local.may_have_reached_server());
    }
}

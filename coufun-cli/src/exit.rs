//! The documented exit codes of `coufun` and the error type that carries one.

use std::process::ExitCode;

/// Exit codes (see the crate README), each its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// 0: the call succeeded (every bulk row issued).
    Success = 0,
    /// 1: a local failure: a file, the journal, the configuration.
    Local = 1,
    /// 2: bad arguments: nothing was sent.
    BadArguments = 2,
    /// 3: the server refused (answered a code other than 00).
    Refused = 3,
    /// 4: the outcome is unknown: coupons may exist — send again with the same
    /// TR_ID (never a new one), or rerun bulk-create.
    Unknown = 4,
    /// 6: never send again: an earlier attempt reached the server (a repeat
    /// answered `12`/`23` after a lost answer) or the answer was another order's —
    /// coupons probably exist; ask the supplier (`coufun reconcile`).
    DoNotResend = 6,
    /// 5: transport failure: no usable answer (connection, HTTP status, unreadable body).
    Transport = 5,
    /// 7: `coufun doctor` only: the setup works, with warnings (the answers
    /// differ from the spec, plain http to a server on the network).
    Warnings = 7,
    /// 130: interrupted by Ctrl-C (bulk-create: rerun to resume).
    Interrupted = 130,
}

impl Exit {
    /// The number.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}

/// A failure to report on stderr with its exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    /// The exit code.
    pub exit: Exit,
    /// What to print.
    pub message: String,
}

impl CliError {
    /// A failure with `exit`.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
        }
    }

    /// A local failure (1): a file, the journal, the configuration.
    pub fn local(message: impl Into<String>) -> Self {
        CliError::new(Exit::Local, message)
    }

    /// Bad arguments (2): nothing was sent.
    pub fn bad(message: impl Into<String>) -> Self {
        CliError::new(Exit::BadArguments, message)
    }
}

/// A result whose error is a local failure in a place (a store, a file).
pub trait LocalIn<T> {
    /// The error, if any, as a local failure in `place`: `place: ` and the
    /// chain of its causes.
    fn local_in(self, place: &str) -> Result<T, CliError>;
}

impl<T, E: std::error::Error> LocalIn<T> for Result<T, E> {
    fn local_in(self, place: &str) -> Result<T, CliError> {
        self.map_err(|e| CliError::local(format!("{place}: {}", coufun_api::ErrorChain(&e))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each outcome has its own number: "send again with the same TR_ID" (4)
    /// and "never send again" (6) above all.
    #[test]
    fn every_exit_has_its_own_code() {
        let all = [
            Exit::Success,
            Exit::Local,
            Exit::BadArguments,
            Exit::Refused,
            Exit::Unknown,
            Exit::Transport,
            Exit::DoNotResend,
            Exit::Warnings,
            Exit::Interrupted,
        ];
        let codes: std::collections::BTreeSet<u8> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert_eq!(Exit::Unknown.code(), 4);
        assert_eq!(Exit::DoNotResend.code(), 6);
    }
}

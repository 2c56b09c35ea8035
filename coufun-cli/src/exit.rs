//! The documented exit codes of `coufun` and the error type that carries one.

use std::process::ExitCode;

/// Exit codes (see the crate README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the call succeeded (every bulk row issued).
    Success,
    /// 1: a local failure: a file, the journal, the configuration.
    Local,
    /// 2: bad arguments: nothing was sent.
    BadArguments,
    /// 3: the server refused (answered a code other than 00).
    Refused,
    /// 4: the outcome is unknown: coupons may exist (send again with the same TR_ID, or rerun bulk-create).
    Unknown,
    /// 5: transport failure: no usable answer (connection, HTTP status, unreadable body).
    Transport,
    /// 130: interrupted by Ctrl-C (bulk-create: rerun to resume).
    Interrupted,
}

impl Exit {
    /// The number.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Local => 1,
            Exit::BadArguments => 2,
            Exit::Refused => 3,
            Exit::Unknown => 4,
            Exit::Transport => 5,
            Exit::Interrupted => 130,
        }
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
}

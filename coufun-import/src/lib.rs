//! The manual importer behind `cargo xtask import-manual`: reads a new version of
//! a COUFUN manual (markdown), merges it into `spec/`, and says what changed.
//!
//! - [`manual_md`] → [`import`] → [`diff`]: the code-definition manual into
//!   `spec/result_codes.toml`.
//! - [`interface_md`] → [`interface_import`] → [`interface_diff`]: an interface
//!   manual into `spec/endpoints.toml` (the exchange manual into
//!   `spec/notifications.toml`).
//!
//! [`run`] recognises which manual a file is and does either.

#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod diff;
pub mod entry;
pub mod import;
pub mod interface_diff;
pub mod interface_import;
pub mod interface_md;
pub mod manual_md;
mod markdown;

pub use import::{ImportError, MissingCodes, Options, Outcome, run};

//! The maintainer tasks behind `cargo xtask`, as a library so tests can call them.
//!
//! - [`codegen`]: rewrite (or check) every generated file from `spec/`.
//! - [`manual_md`] → [`import`] → [`diff`]: read a new version of the manual,
//!   merge it into `spec/result_codes.toml`, and say what changed.

pub mod codegen;
pub mod diff;
pub mod import;
pub mod interface_diff;
pub mod interface_import;
pub mod interface_md;
pub mod manual_md;

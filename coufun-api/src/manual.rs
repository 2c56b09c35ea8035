//! The manual this crate was generated from: its version, revision history and
//! environments, re-exported from [`crate::generated::manual`].

pub use crate::generated::manual::{
    MANUAL_REVISED, MANUAL_REVISIONS, MANUAL_TITLE, MANUAL_VERSION, PRODUCTION_URL, TEST_URL,
};

/// One row of the manual's revision history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ManualRevision {
    /// Version, e.g. `"1.5"`.
    pub version: &'static str,
    /// Date, `YYYY-MM-DD`.
    pub date: &'static str,
    /// The change, as the manual writes it.
    pub change_ko: &'static str,
    /// The change in English.
    pub change_en: &'static str,
}

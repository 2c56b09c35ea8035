//! `cargo xtask import-manual` on the interface manuals: each manual the
//! project wrote in the published format (`tests/fixtures/interface/`) parses,
//! changes nothing in the spec that says the same; a synthetic new version of
//! each gives a diff naming every change (snapshot) and a spec (snapshot) that
//! validation refuses, naming each NEEDS HUMAN mark, until they are written;
//! the transcription irregularities parse like the clean text; malformed
//! tables give located errors.

#![allow(clippy::panic, reason = "a test fails by panicking, with the cause")]

use coufun_codegen::{ENDPOINTS_PATH, NEEDS_HUMAN};
use coufun_codegen::{SpecSource, validate::needs_human_marks};
use xtask::import::MissingCodes;
use xtask::interface_import::{self, Merged, NOTIFICATIONS_PATH};
use xtask::interface_md::{self, Detected, InterfaceManual, Length, ManualKind, ParseError};

const ENDPOINTS: &str = include_str!("fixtures/interface/endpoints.toml");
const NOTIFICATIONS: &str = include_str!("fixtures/interface/notifications.toml");

const GOODS: &str = include_str!("fixtures/interface/goods-v1.2.md");
const CREATE: &str = include_str!("fixtures/interface/create-v1.4.md");
const STATUS: &str = include_str!("fixtures/interface/status-v1.3.md");
const CANCEL: &str = include_str!("fixtures/interface/cancel-v1.2.md");
const EXCHANGE: &str = include_str!("fixtures/interface/exchange-v1.6.md");

fn parse(text: &str) -> InterfaceManual {
    interface_md::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn merge_with(text: &str, missing: MissingCodes) -> Merged {
    interface_import::merge(ENDPOINTS, Some(NOTIFICATIONS), &parse(text), missing)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn merge(text: &str) -> Merged {
    merge_with(text, MissingCodes::Keep)
}

#[test]
fn each_manual_is_recognised() {
    for (text, kind) in [
        (GOODS, ManualKind::Goods),
        (CREATE, ManualKind::Create),
        (STATUS, ManualKind::Status),
        (CANCEL, ManualKind::Cancel),
        (EXCHANGE, ManualKind::Exchange),
    ] {
        assert_eq!(interface_md::detect(text), Some(Detected::Interface(kind)));
        assert_eq!(parse(text).kind, kind);
    }
}

#[test]
fn manuals_equal_to_the_spec_change_nothing() {
    for text in [GOODS, CREATE, STATUS, CANCEL, EXCHANGE] {
        let merged = merge_with(text, MissingCodes::Remove);
        assert!(merged.diff.is_empty(), "{}", merged.diff);
        assert_eq!(merged.endpoints, ENDPOINTS);
        assert_eq!(merged.notifications.as_deref(), Some(NOTIFICATIONS));
    }
}

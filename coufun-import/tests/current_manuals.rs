//! Importing each of the six current manuals (the fixtures: code definition v1.6,
//! goods v1.2, create v1.4, status v1.3, cancel v1.2, exchange v1.6) into the
//! workspace spec is "no change": an empty diff, nothing to fix by hand, nothing
//! written. One test per manual, run as `cargo xtask import-manual FILE --dry-run`
//! runs it; a manual whose facts the spec lost (or a document whose wording is
//! compared with another document's table) fails its own test.

#![allow(clippy::panic, reason = "a test fails by panicking, with the cause")]

use std::path::{Path, PathBuf};

use coufun_import::{Options, run};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn assert_no_change(fixture: &str) {
    let manual = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    let options = Options {
        dry_run: true,
        ..Options::default()
    };
    let outcome = run(&workspace(), &manual, options).unwrap_or_else(|e| panic!("{fixture}: {e}"));
    assert!(
        outcome.diff.is_empty(),
        "{fixture} changes the spec:\n{}",
        outcome.diff
    );
    assert!(outcome.todo.is_empty(), "{fixture}: {:?}", outcome.todo);
    assert!(!outcome.wrote, "{fixture}: a dry run wrote the spec");
    assert_eq!(
        outcome.diff.to_string(),
        "no change: the spec already says what the manual says\n"
    );
}

#[test]
fn the_code_definition_manual_v16_is_no_change() {
    assert_no_change("coufun-code-definition-v1.6.md");
}

#[test]
fn the_goods_manual_v12_is_no_change() {
    assert_no_change("interface/goods-v1.2.md");
}

#[test]
fn the_create_manual_v14_is_no_change() {
    assert_no_change("interface/create-v1.4.md");
}

#[test]
fn the_status_manual_v13_is_no_change() {
    assert_no_change("interface/status-v1.3.md");
}

#[test]
fn the_cancel_manual_v12_is_no_change() {
    assert_no_change("interface/cancel-v1.2.md");
}

/// The exchange manual's value tables (coupon state, coupon type) word their
/// values in its own way; they are compared with the exchange document's
/// wording only, so the status manual's wording of the same values is no
/// change for it.
#[test]
fn the_exchange_manual_v16_is_no_change() {
    assert_no_change("interface/exchange-v1.6.md");
}

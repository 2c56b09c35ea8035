//! `cargo xtask import-manual FILE --dry-run` as users run it: the binary calls the
//! importer (`coufun-import`) and exits 0 when the spec agrees, 1 when it
//! differs, 2 when FILE is no manual. The fixtures are the importer's.

#![allow(clippy::panic, reason = "a test fails by panicking, with the cause")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The importer's fixtures.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../coufun-import/tests/fixtures")
}

/// The six current manuals: the spec says what each says.
const EQUAL: [&str; 6] = [
    "coufun-code-definition-v1.6.md",
    "interface/goods-v1.2.md",
    "interface/create-v1.4.md",
    "interface/status-v1.3.md",
    "interface/cancel-v1.2.md",
    "interface/exchange-v1.6.md",
];

/// The synthetic new versions of the interface manuals.
const NEW_VERSIONS: [&str; 5] = [
    "interface/goods-v1.3.md",
    "interface/create-v1.5.md",
    "interface/status-v1.4.md",
    "interface/cancel-v1.3.md",
    "interface/exchange-v1.7.md",
];

fn dry_run(path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["import-manual", &path.display().to_string(), "--dry-run"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn dry_run_exits_0_when_the_spec_agrees_1_when_it_differs_2_when_no_manual() {
    for file in EQUAL {
        let out = dry_run(&fixtures().join(file));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{file}: {stdout}");
        assert!(stdout.starts_with("no change"), "{file}: {stdout}");
    }
    for file in NEW_VERSIONS {
        let out = dry_run(&fixtures().join(file));
        assert_eq!(out.status.code(), Some(1), "{file}");
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let list = dir.path().join("list.md");
    std::fs::write(&list, "# 장보기 목록\n\n- 사과\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dry_run(&list).status.code(), Some(2));
    let cancel = std::fs::read_to_string(fixtures().join("interface/cancel-v1.2.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        cancel.matches("| 30byte | 필수 |").count(),
        1,
        "the fixture changed"
    );
    let broken = dir.path().join("broken.md");
    std::fs::write(
        &broken,
        cancel.replacen("| 30byte | 필수 |", "| 서른 | 필수 |", 1),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dry_run(&broken).status.code(), Some(2));
}

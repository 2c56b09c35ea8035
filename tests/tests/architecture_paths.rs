//! ARCHITECTURE.md names files and folders in backticks; each one must exist, so the
//! map cannot drift from the tree unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

/// Backticked spans that look like workspace paths: they start with a letter or
/// digit and hold a `/`, no spaces and no `::` (Rust paths, comments and command
/// lines are left out).
fn named_paths(markdown: &str) -> Vec<&str> {
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| {
            span.starts_with(|c: char| c.is_ascii_alphanumeric())
                && span.contains('/')
                && !span.contains(' ')
                && !span.contains("::")
        })
        .collect()
}

#[test]
fn every_path_architecture_md_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let paths = named_paths(&text);
    assert!(paths.len() >= 20, "too few paths found: {paths:?}");
    let missing: Vec<&str> = paths
        .into_iter()
        .filter(|p| !root.join(p.trim_end_matches('/')).exists())
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn a_missing_path_is_caught() {
    let paths = named_paths("see `spec/nowhere.toml`, `cargo xtask codegen`, `a::b/c` and `//!`");
    assert_eq!(paths, ["spec/nowhere.toml"]);
}

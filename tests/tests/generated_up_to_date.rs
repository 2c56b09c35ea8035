//! Fails when a generated file no longer matches what `spec/` generates, naming
//! each stale file (the test-suite twin of `cargo xtask codegen --check`).

use coufun_codegen::{Spec, generated_files, stale_files};
use coufun_tests::workspace_root;

#[test]
fn generated_files_match_the_spec() {
    let root = workspace_root();
    let spec = Spec::load(&root).unwrap_or_else(|e| panic!("the spec is invalid:\n{e}"));
    let files = generated_files(&spec).unwrap_or_else(|e| panic!("{e}"));
    let stale: Vec<&str> = stale_files(&root, &files).iter().map(|f| f.path).collect();
    assert!(
        stale.is_empty(),
        "stale generated files (run `cargo xtask codegen`): {}",
        stale.join(", ")
    );
}

#[test]
fn an_edited_korean_message_makes_the_result_code_file_stale() {
    // Copy the workspace's spec and generated files, edit one Korean message in the
    // copy, and check that exactly the files made from it are reported.
    let root = workspace_root();
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec::load(&root).unwrap();
    for f in generated_files(&spec).unwrap() {
        let to = dir.path().join(f.path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root.join(f.path), to).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("spec")).unwrap();
    std::fs::copy(
        root.join("spec/endpoints.toml"),
        dir.path().join("spec/endpoints.toml"),
    )
    .unwrap();
    let codes = std::fs::read_to_string(root.join("spec/result_codes.toml")).unwrap();
    let edited = codes.replacen(
        "message_ko = \"발송횟수 초과\"",
        "message_ko = \"발송 횟수 초과\"",
        1,
    );
    assert_ne!(codes, edited, "the message to edit is in the spec");
    std::fs::write(dir.path().join("spec/result_codes.toml"), edited).unwrap();

    let edited_spec = Spec::load(dir.path()).unwrap();
    let files = generated_files(&edited_spec).unwrap();
    let stale: Vec<&str> = stale_files(dir.path(), &files)
        .iter()
        .map(|f| f.path)
        .collect();
    assert_eq!(
        stale,
        [
            "coufun-api/src/generated/result_code.rs",
            "docs/result-codes.md"
        ]
    );
}

//! Runtime below, generated above: the hand-written runtime that issues and
//! sends (`src/issuance.rs`, `src/client/`) must not name generated code — no
//! generated request, answer or record type, no `generated::requests`,
//! `::responses`, `::client` or `::issuing` item — except the few generated
//! facts listed in `STILL_READ` (each a fact the runtime still reads from the
//! spec; the list may only shrink). The generated code uses the runtime (the
//! issuing traits, `Client::issue`), never the reverse, as progenitor's
//! generated clients sit on `progenitor-client`. Test modules are not checked.
//!
//! Not yet below: the runtime still names `TrId` (a generated kind type, through
//! the crate root), which the outcomes and errors carry; moving it under the
//! runtime is the next step.

use std::path::{Path, PathBuf};

use coufun_api::OPERATIONS;

/// Generated items the runtime still reads, and why. A new entry needs a reason.
const STILL_READ: &[(&str, &str)] = &[
    // the spec's POC_ID parameter name, added by the client to every call
    ("generated::responses::POC_ID_PARAM", "client/wire.rs"),
    // the test server's URL and the operation table (environment settings)
    (
        "generated::responses::DEFAULT_TEST_URL",
        "client/settings.rs",
    ),
    ("generated::operations::OperationId", "client/settings.rs"),
];

/// The runtime files: the issuance state machine and the client.
fn runtime_files() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.join("issuance.rs")];
    let mut client: Vec<PathBuf> = std::fs::read_dir(src.join("client"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    client.sort();
    files.extend(client);
    files
}

/// The file's text without its test module and without comment lines.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let code = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Whether `word` stands in `code` as a whole identifier.
fn names(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    })
}

#[test]
fn the_runtime_names_no_generated_request_or_answer_type() {
    let types: Vec<String> = OPERATIONS
        .iter()
        .flat_map(|op| {
            let p = pascal(op.name);
            ["Request", "RequestBuilder", "Response", "Item"].map(|s| format!("{p}{s}"))
        })
        .collect();
    assert!(
        types.iter().any(|t| t == "CouponCreateRequest"),
        "{types:?}"
    );
    let mut found = Vec::new();
    for file in runtime_files() {
        let code = code_of(&file);
        for ty in &types {
            if names(&code, ty) {
                found.push(format!("{}: {ty}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the runtime names generated types: {found:#?}"
    );
}

#[test]
fn the_runtime_imports_only_the_generated_facts_listed() {
    let mut found = Vec::new();
    for file in runtime_files() {
        let code = code_of(&file);
        let rel = file
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (at, _) in code.match_indices("generated::") {
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            if !STILL_READ
                .iter()
                .any(|(item, f)| *item == path && *f == rel)
            {
                found.push(format!("{rel}: {path}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "generated code imported by the runtime: {found:#?}"
    );
}

/// The check itself catches an import of a generated type (so that the tests
/// above cannot pass by reading nothing).
#[test]
fn the_check_sees_an_import() {
    let code = "use crate::generated::requests::CouponCreateRequest;\nfn f() {}";
    assert!(names(code, "CouponCreateRequest"));
    assert!(!names(code, "CouponCreate"));
    assert!(!runtime_files().is_empty());
    assert!(runtime_files().iter().any(|f| f.ends_with("drive.rs")));
}

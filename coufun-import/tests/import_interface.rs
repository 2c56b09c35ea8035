//! `cargo xtask import-manual` on the interface manuals. The fixtures in
//! `tests/fixtures/interface/` are manuals the project wrote in the published
//! markdown format, stating the facts the workspace spec holds: on the
//! workspace spec each changes nothing (`--dry-run` exits 0). A synthetic new
//! version of each (a parameter added, a length changed, a value added, a path
//! changed, a root renamed) gives a diff naming every change (snapshot) and a
//! spec (snapshot, as a line diff) that codegen's validation refuses, naming
//! each NEEDS HUMAN mark with its file and line, until a person writes them;
//! then the spec loads and generates. The transcription irregularities parse
//! like the clean text; malformed tables give located errors.
//!
//! Every test reads the workspace spec and works on copies of it (in memory or
//! in a temporary directory); none writes `spec/`.

#![allow(clippy::panic, reason = "a test fails by panicking, with the cause")]

use std::path::{Path, PathBuf};

use coufun_codegen::{ENDPOINTS_PATH, NEEDS_HUMAN, RESULT_CODES_PATH, Spec};
use coufun_codegen::{SpecSource, validate::needs_human_marks};
use coufun_import::import::{self, MissingCodes, Options};
use coufun_import::interface_diff::Sign;
use coufun_import::interface_import::{self, Merged, SpecTexts};
use coufun_import::interface_md::{
    self, Detected, InterfaceManual, Length, ManualKind, ParseError,
};

const GOODS: &str = include_str!("fixtures/interface/goods-v1.2.md");
const CREATE: &str = include_str!("fixtures/interface/create-v1.4.md");
const STATUS: &str = include_str!("fixtures/interface/status-v1.3.md");
const CANCEL: &str = include_str!("fixtures/interface/cancel-v1.2.md");
const EXCHANGE: &str = include_str!("fixtures/interface/exchange-v1.6.md");

/// The manuals equal to the workspace spec, with their file names.
const EQUAL: [(&str, &str); 5] = [
    ("goods-v1.2.md", GOODS),
    ("create-v1.4.md", CREATE),
    ("status-v1.3.md", STATUS),
    ("cancel-v1.2.md", CANCEL),
    ("exchange-v1.6.md", EXCHANGE),
];

/// The synthetic new versions: `(name, file, text)`.
const NEW_VERSIONS: [(&str, &str, &str); 5] = [
    (
        "goods_v13",
        "goods-v1.3.md",
        include_str!("fixtures/interface/goods-v1.3.md"),
    ),
    (
        "create_v15",
        "create-v1.5.md",
        include_str!("fixtures/interface/create-v1.5.md"),
    ),
    (
        "status_v14",
        "status-v1.4.md",
        include_str!("fixtures/interface/status-v1.4.md"),
    ),
    (
        "cancel_v13",
        "cancel-v1.3.md",
        include_str!("fixtures/interface/cancel-v1.3.md"),
    ),
    (
        "exchange_v17",
        "exchange-v1.7.md",
        include_str!("fixtures/interface/exchange-v1.7.md"),
    ),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The workspace's spec files: result codes, endpoints (the exchange notice
/// is its inbound operation).
struct Real {
    codes: String,
    endpoints: String,
}

fn real() -> Real {
    let read = |rel: &str| {
        std::fs::read_to_string(workspace().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    };
    Real {
        codes: read(RESULT_CODES_PATH),
        endpoints: read(ENDPOINTS_PATH),
    }
}

impl Real {
    fn texts(&self) -> SpecTexts<'_> {
        SpecTexts {
            result_codes: &self.codes,
            endpoints: &self.endpoints,
        }
    }
}

fn parse(text: &str) -> InterfaceManual {
    interface_md::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn merge_into(spec: &SpecTexts<'_>, text: &str, missing: MissingCodes) -> Merged {
    interface_import::merge(spec, &parse(text), missing).unwrap_or_else(|e| panic!("{e}"))
}

fn merge_with(text: &str, missing: MissingCodes) -> Merged {
    merge_into(&real().texts(), text, missing)
}

fn merge(text: &str) -> Merged {
    merge_with(text, MissingCodes::Keep)
}

/// `text` with the one occurrence of `from` replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "expected {from:?} exactly once"
    );
    text.replacen(from, to, 1)
}

/// The lines that differ between `old` and `new`, with one line of context,
/// hunks separated by `@@` (no line numbers, so that edits elsewhere in the
/// spec leave the snapshot alone).
fn line_diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // longest common subsequence, from the end
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            ops.push(('+', b[j]));
            j += 1;
        } else {
            ops.push(('-', a[i]));
            i += 1;
        }
    }
    let near = |k: usize| {
        ops[k.saturating_sub(1)..(k + 2).min(ops.len())]
            .iter()
            .any(|(c, _)| *c != ' ')
    };
    let mut out = String::new();
    let mut last_shown = None;
    for (k, (c, line)) in ops.iter().enumerate() {
        if !near(k) {
            continue;
        }
        if last_shown.is_some_and(|l: usize| l + 1 != k) {
            out.push_str("@@\n");
        }
        out.push_str(&format!("{c} {line}\n"));
        last_shown = Some(k);
    }
    out
}

/// The spec files a manual changed, as line diffs against the workspace spec.
fn spec_diff(merged: &Merged) -> String {
    let real = real();
    let mut out = String::new();
    for (file, old, new) in [(ENDPOINTS_PATH, &real.endpoints, &merged.endpoints)] {
        if old != new {
            out.push_str(&format!("==== {file}\n{}", line_diff(old, new)));
        }
    }
    out
}

/// Every placeholder, located, as validation reports it.
fn marks(file: &str, text: &str) -> Vec<String> {
    needs_human_marks(&SpecSource::new(file, text))
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// `file:line` of every placeholder written in `text`.
fn placeholder_lines(file: &str, text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .flat_map(|(i, line)| {
            let n = line.matches(&format!("\"{NEEDS_HUMAN}")).count();
            std::iter::repeat_n(format!("{file}:{}:", i + 1), n)
        })
        .collect()
}

/// What a maintainer writes in place of each placeholder: a value that fits
/// the field (`name` → snake_case, `variant` → UpperCamelCase, `type` and
/// `format` → text, `kind` → a new text kind of the manual's length, written
/// at the end of the file, anything else → prose).
fn fill_in(text: &str) -> String {
    let mut out = String::new();
    let mut kinds = String::new();
    let mut n = 0;
    let mut rest = text;
    while let Some(at) = rest.find(&format!("\"{NEEDS_HUMAN}")) {
        let before = &rest[..at];
        let field = before
            .rsplit_once('=')
            .map(|(b, _)| {
                b.rsplit([' ', '{', ',', '\n'])
                    .find(|w| !w.is_empty())
                    .unwrap_or("")
            })
            .unwrap_or("");
        let end = rest[at + 1..].find('"').map_or(rest.len(), |e| at + 2 + e);
        n += 1;
        let value = match field {
            "name" if rest[at..end].contains("UpperCamelCase") => format!("Filled{n}"),
            "variant" => format!("Filled{n}"),
            "name" | "rust" => format!("filled_{n}"),
            "kind" => {
                let placeholder = &rest[at..end];
                let bytes = placeholder
                    .split_once("manual: ")
                    .and_then(|(_, r)| r.split_once(" bytes"))
                    .map_or("50", |(n, _)| n);
                let source = before
                    .rsplit_once("source = \"")
                    .and_then(|(_, r)| r.split_once('"'))
                    .map_or("inferred", |(s, _)| s);
                kinds.push_str(&format!(
                    "\n[kinds.filled_kind_{n}]\ntype = \"FilledKind{n}\"\nrule = \"text\"\n\
                     max_bytes = {bytes}\ncode = \"99\"\nlimit_source = \"{source}\"\n\
                     doc = \"Written by a person ({n}).\"\n"
                ));
                format!("filled_kind_{n}")
            }
            "type" | "format" => "text".to_owned(),
            _ => format!("Written by a person {n}"),
        };
        out.push_str(before);
        out.push_str(&format!("\"{value}\""));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.push_str(&kinds);
    out
}

/// A temporary workspace holding the two spec files.
fn temp_workspace(codes: &str, endpoints: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.path().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    write_spec(dir.path(), codes, endpoints);
    dir
}

fn write_spec(root: &Path, codes: &str, endpoints: &str) {
    for (rel, text) in [(RESULT_CODES_PATH, codes), (ENDPOINTS_PATH, endpoints)] {
        std::fs::write(root.join(rel), text).unwrap_or_else(|e| panic!("{e}"));
    }
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
fn the_workspace_spec_says_what_the_interface_manuals_say() {
    let real = real();
    for (file, text) in EQUAL {
        let merged = merge_into(&real.texts(), text, MissingCodes::Remove);
        assert!(
            merged.diff.is_empty(),
            "the workspace spec differs from {file}:\n{}",
            merged.diff
        );
        assert_eq!(merged.endpoints, real.endpoints, "{file}");
    }
}

/// What each new version must be reported to change: `(scope, what)` prefixes.
fn expected_changes(name: &str) -> &'static [(&'static str, &'static str)] {
    match name {
        "goods_v13" => &[
            ("document goods", "version"),
            ("operation goods_list", "path"),
            ("operation goods_list", "root"),
            ("operation goods_list", "record field BRAND_NAME"),
            ("client poc_id", "POC_ID max_bytes"),
            ("kind send_type", "value K"),
        ],
        "create_v15" => &[
            ("document create", "version"),
            ("operation coupon_create", "path"),
            ("operation coupon_create", "root"),
            ("operation coupon_create", "request RESERVE3"),
            ("operation coupon_create", "request RESERVE2"),
            ("operation coupon_create", "request TR_ID required"),
            ("kind goods_id", "GOODS_ID max_len"),
            ("kind extra", "RESERVE1 max_bytes"),
        ],
        "status_v14" => &[
            ("document status", "version"),
            ("operation coupon_status", "path"),
            ("operation coupon_status", "root"),
            ("operation coupon_status", "record field USED_BRANCH"),
            ("kind coupon_number", "max_len (BARCODE_NUM)"),
            ("kind coupon_status", "value 002"),
        ],
        "cancel_v13" => &[
            ("document cancel", "version"),
            ("operation coupon_cancel", "path"),
            ("operation coupon_cancel", "root"),
            ("operation coupon_cancel", "request CANCEL_REASON"),
            ("kind coupon_number", "BARCODE_NUM max_len"),
        ],
        "exchange_v17" => &[
            ("document exchange", "version"),
            // the exchange notice is the inbound operation exchange_notice
            ("operation exchange_notice", "root"),
            ("operation exchange_notice", "request USE_CHANNEL"),
            ("operation exchange_notice", "request BRANCH_CODE max_bytes"),
            ("kind coupon_type", "value POINT"),
            ("operation exchange_notice", "code 05"),
        ],
        _ => &[],
    }
}

#[test]
fn each_new_version_gives_a_diff_naming_every_change() {
    for (name, _, text) in NEW_VERSIONS {
        let merged = merge(text);
        for (scope, what) in expected_changes(name) {
            assert!(
                merged
                    .diff
                    .items
                    .iter()
                    .any(|i| i.scope == *scope && i.what.starts_with(what)),
                "{name}: no `{scope}: {what}` in\n{}",
                merged.diff
            );
        }
        let dates = merged
            .diff
            .items
            .iter()
            .filter(|i| i.what == "date" || i.what == "document.revised")
            .count();
        assert_eq!(
            merged.diff.len(),
            expected_changes(name).len() + dates,
            "{name}: {}",
            merged.diff
        );
        insta::assert_snapshot!(format!("{name}_diff"), merged.diff.to_string());
        insta::assert_snapshot!(format!("{name}_spec"), spec_diff(&merged));
    }
}

#[test]
fn codegen_refuses_each_mark_by_file_and_line_then_accepts_the_filled_spec() {
    let real = real();
    for (name, _, text) in NEW_VERSIONS {
        let merged = merge(text);
        let files = [(ENDPOINTS_PATH, merged.endpoints.clone())];
        let found: Vec<String> = files.iter().flat_map(|(f, t)| marks(f, t)).collect();
        let placed: Vec<String> = files
            .iter()
            .flat_map(|(f, t)| placeholder_lines(f, t))
            .collect();
        assert!(!placed.is_empty(), "{name}: no placeholder");
        assert_eq!(found.len(), placed.len(), "{name}: {found:#?}");
        for (mark, at) in found.iter().zip(&placed) {
            assert!(
                mark.starts_with(at.as_str()),
                "{name}: {mark} is not at {at}"
            );
            assert!(mark.contains(NEEDS_HUMAN), "{mark}");
        }
        // the snapshot without positions, which move whenever the spec grows
        let unplaced: Vec<String> = found
            .iter()
            .map(|m| {
                let mut parts = m.splitn(4, ':');
                let file = parts.next().unwrap_or("");
                let rest = parts.nth(2).unwrap_or("");
                format!("{file}:{rest}")
            })
            .collect();
        insta::assert_snapshot!(format!("{name}_marks"), unplaced.join("\n"));

        // what `cargo xtask codegen --check` loads: refused, naming each mark
        let dir = temp_workspace(&real.codes, &merged.endpoints);
        let errors = match Spec::load(dir.path()) {
            Ok(_) => panic!("{name}: a spec with NEEDS HUMAN marks was accepted"),
            Err(e) => e.0.iter().map(ToString::to_string).collect::<Vec<_>>(),
        };
        for mark in &found {
            assert!(
                errors.contains(mark),
                "{name}: {mark} not among {errors:#?}"
            );
        }
        assert!(
            errors.iter().all(|e| e.contains(NEEDS_HUMAN)),
            "{name}: only the marks are refused: {errors:#?}"
        );

        // filled in by a person: the spec loads and every file generates
        let endpoints = fill_in(&merged.endpoints);
        write_spec(dir.path(), &real.codes, &endpoints);
        let spec = Spec::load(dir.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let generated =
            coufun_codegen::generated_files(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!generated.is_empty());

        // a second import of the same manual keeps what the person wrote
        let filled = SpecTexts {
            result_codes: &real.codes,
            endpoints: &endpoints,
        };
        let again = merge_into(&filled, text, MissingCodes::Keep);
        assert_eq!(
            again.endpoints, endpoints,
            "{name}: the second import changed it"
        );
        assert!(
            again.diff.items.iter().all(|i| i.sign == Sign::Removed
                || i.note
                    .as_deref()
                    .is_some_and(|n| n.contains("no longer holds"))),
            "{name}: only the kept removals and the notes are reported again:\n{}",
            again.diff
        );
    }
}

#[test]
fn remove_missing_removes_what_the_manual_dropped() {
    let request = "wire = \"RESERVE2\", source = \"create\", kind";
    let kept = merge(NEW_VERSIONS[1].2);
    assert!(kept.endpoints.contains(request));
    let removed = merge_with(NEW_VERSIONS[1].2, MissingCodes::Remove);
    assert!(!removed.endpoints.contains(request));
    let line = |d: &Merged| {
        d.diff
            .items
            .iter()
            .find(|i| i.what == "request RESERVE2")
            .map(|i| i.detail.clone())
    };
    assert_eq!(
        line(&kept).as_deref(),
        Some("not in the manual; kept (--remove-missing removes it)")
    );
    assert_eq!(
        line(&removed).as_deref(),
        Some("not in the manual; removed")
    );
}

#[test]
fn a_changed_length_or_required_flag_is_reported_with_old_and_new() {
    let merged = merge(NEW_VERSIONS[2].2);
    let item = merged
        .diff
        .items
        .iter()
        .find(|i| i.what == "max_len (BARCODE_NUM)")
        .unwrap_or_else(|| panic!("{}", merged.diff));
    assert_eq!(item.detail, "30 → 40");
    assert!(merged.endpoints.contains("max_len = 40\ncode = \"16\""));

    let optional = edit(
        CREATE,
        "| `GOODS_ID` | 상품 식별자 | 10byte | 필수 |",
        "| `GOODS_ID` | 상품 식별자 | 10byte | 선택 |",
    );
    let merged = merge(&optional);
    let item = merged
        .diff
        .items
        .iter()
        .find(|i| i.what == "request GOODS_ID required")
        .unwrap_or_else(|| panic!("{}", merged.diff));
    assert_eq!(item.detail, "true → false");
    assert_eq!(merged.diff.len(), 1, "{}", merged.diff);
}

#[test]
fn changed_methods_are_taken_and_an_unknown_one_is_a_conflict() {
    let calls = "- **호출:** HTTP `GET` 이나 `POST`";
    let merged = merge(&edit(GOODS, calls, "- **호출:** HTTP `POST`"));
    let item = merged
        .diff
        .items
        .iter()
        .find(|i| i.what == "methods")
        .unwrap_or_else(|| panic!("{}", merged.diff));
    assert_eq!(item.detail, r#""POST, GET" → "POST""#);
    assert_eq!(merged.diff.len(), 1, "{}", merged.diff);
    assert_ne!(
        merged.endpoints,
        real().endpoints,
        "the new methods are written"
    );

    let merged = merge(&edit(GOODS, calls, "- **호출:** HTTP `GET` 이나 `PUT`"));
    let item = merged
        .diff
        .items
        .iter()
        .find(|i| i.what == "methods")
        .unwrap_or_else(|| panic!("{}", merged.diff));
    assert_eq!(item.sign, Sign::Conflict);
    assert_eq!(item.detail, "the manual says GET, PUT");
    assert_eq!(
        item.note.as_deref(),
        Some("not taken: the spec knows no such method")
    );
    assert_eq!(merged.endpoints, real().endpoints, "nothing is written");
}

#[test]
fn a_number_length_of_the_client_parameter_names_its_rule() {
    let number = edit(
        GOODS,
        "| `POC_ID` | 가맹 업체 식별자 | 10byte |",
        "| `POC_ID` | 가맹 업체 식별자 | Number |",
    );
    let merged = merge(&number);
    let item = merged
        .diff
        .items
        .iter()
        .find(|i| i.scope == "client poc_id" && i.what == "POC_ID length")
        .unwrap_or_else(|| panic!("{}", merged.diff));
    assert_eq!(item.sign, Sign::Conflict);
    assert_eq!(
        item.detail,
        "the manual says Number, the client parameter is a `token` with a limit"
    );
    assert_eq!(
        item.note.as_deref(),
        Some("not taken: review the client parameter")
    );
    assert_eq!(merged.diff.len(), 1, "{}", merged.diff);
}

/// The workspace's endpoints without the `[[conflicts]]` entry whose fact names `wire`.
fn without_conflict(endpoints: &str, wire: &str) -> String {
    let mut doc = endpoints
        .parse::<toml_edit::DocumentMut>()
        .unwrap_or_else(|e| panic!("{e}"));
    let conflicts = doc["conflicts"]
        .as_array_of_tables_mut()
        .unwrap_or_else(|| panic!("no [[conflicts]]"));
    let at = conflicts
        .iter()
        .position(|c| c["fact"].as_str().is_some_and(|f| f.contains(wire)))
        .unwrap_or_else(|| panic!("no conflict about {wire}"));
    conflicts.remove(at);
    doc.to_string()
}

#[test]
fn a_length_the_code_manual_contradicts_is_a_conflict_not_taken() {
    // the spec's [[conflicts]] records the create manual's 500: nothing to report
    assert!(merge(CREATE).diff.is_empty());

    // without that record, 500 against the code manual's 200 is a conflict
    let real = real();
    let endpoints = without_conflict(&real.endpoints, "RESERVE1");
    let spec = SpecTexts {
        endpoints: &endpoints,
        ..real.texts()
    };
    let merged = merge_into(&spec, CREATE, MissingCodes::Keep);
    let conflicts: Vec<_> = merged
        .diff
        .items
        .iter()
        .filter(|i| i.sign == Sign::Conflict)
        .collect();
    assert_eq!(conflicts.len(), 2, "{}", merged.diff);
    assert_eq!(conflicts[0].what, "RESERVE1 max_bytes");
    assert!(
        conflicts[0]
            .detail
            .contains("code manual 200, create manual 500"),
        "{}",
        conflicts[0].detail
    );
    assert!(merged.endpoints.contains("max_bytes = 200\ncode = \"24\""));
    assert!(
        merged
            .endpoints
            .contains("fact = \"Length of RESERVE1 / RESERVE2\"")
    );
    assert!(
        merged
            .endpoints
            .contains("{ source = \"create\", text = \"version 1.4, request table: 500 bytes\" }")
    );

    // and a new length in a new version is a new conflict
    let merged = merge(NEW_VERSIONS[1].2);
    let conflict = merged
        .diff
        .items
        .iter()
        .find(|i| i.sign == Sign::Conflict && i.what == "RESERVE1 max_bytes")
        .unwrap_or_else(|| panic!("{}", merged.diff));
    assert!(
        conflict
            .detail
            .contains("code manual 200, create manual 400")
    );
    assert!(merged.endpoints.contains("max_bytes = 200\ncode = \"24\""));
}

// ---------------------------------------------------------------------------
// what transcriptions look like

/// The manual without its line numbers, to compare two spellings of it.
fn facts(m: &InterfaceManual) -> String {
    let mut m = m.clone();
    for p in m.request.iter_mut().chain(m.response.iter_mut()) {
        p.line = 0;
        p.description.clear();
    }
    for u in &mut m.urls {
        u.line = 0;
    }
    for t in &mut m.value_tables {
        t.line = 0;
        for v in &mut t.values {
            v.line = 0;
        }
    }
    for r in [&mut m.root, &mut m.record, &mut m.record_mentioned]
        .into_iter()
        .flatten()
    {
        r.line = 0;
    }
    format!("{m:?}")
}

#[test]
fn crlf_full_width_spaces_emoji_spaced_words_extra_columns_and_an_unfenced_sample_parse() {
    let irregular = include_str!("fixtures/interface/create-v1.4-irregular.md");
    let clean = parse(CREATE);
    for text in [irregular.to_owned(), irregular.replace('\n', "\r\n")] {
        let m = parse(&text);
        assert_eq!(facts(&m), facts(&clean));
        assert_eq!(m.request[3].required, Some(false), "`선 택`");
        assert_eq!(m.request[2].length, Length::Number);
        assert_eq!(
            m.record.as_ref().map(|r| r.name.as_str()),
            Some("ORDER_INFO")
        );
        let merged = interface_import::merge(&real().texts(), &m, MissingCodes::Keep)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(merged.diff.is_empty(), "{}", merged.diff);
    }
}

#[test]
fn a_value_written_short_is_the_spec_value_padded() {
    let m = edit(STATUS, "`001`: 씀", "`1`: 씀");
    let merged = merge(&m);
    assert!(merged.diff.is_empty(), "{}", merged.diff);
    // and an answer code written `5` is code 05
    let e = parse(NEW_VERSIONS[4].2);
    assert!(e.codes.iter().any(|c| c.code == "05"));
}

#[test]
fn the_status_prose_record_is_accepted_with_a_flat_sample() {
    let m = parse(STATUS);
    assert_eq!(m.record, None);
    assert_eq!(
        m.record_mentioned.map(|r| r.name),
        Some("ORDER_INFO".to_owned())
    );
}

// ---------------------------------------------------------------------------
// what cannot be read

fn parse_error(text: &str) -> ParseError {
    match interface_md::parse(text) {
        Ok(_) => panic!("the manual was accepted"),
        Err(e) => e,
    }
}

/// 1-based line and column of the one occurrence of `needle` in `text`.
fn at(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(text.matches(needle).count(), 1, "{needle:?}");
    let offset = text.find(needle).unwrap_or_default();
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

#[test]
fn a_length_that_is_not_a_length_is_refused_at_its_cell() {
    let m = edit(CREATE, "| 50byte | 선택 |", "| 오십 | 선택 |");
    let e = parse_error(&m);
    assert_eq!((e.line, e.column), at(&m, "오십"));
    assert!(e.message.contains("`오십` is not a length"), "{e}");
}

#[test]
fn a_required_cell_that_says_neither_is_refused_at_its_cell() {
    let m = edit(
        CREATE,
        "| 500byte | 선택 |\n| `RESERVE2`",
        "| 500byte | 아마 |\n| `RESERVE2`",
    );
    let e = parse_error(&m);
    assert_eq!((e.line, e.column), at(&m, "아마"));
    assert!(e.message.contains("expected 필수 or 선택"), "{e}");
}

#[test]
fn a_parameter_name_that_is_not_one_is_refused() {
    let m = edit(
        CANCEL,
        "| `GOODS_ID` | 상품 식별자 | 10byte | 필수 |",
        "| 상품 ID | 상품 식별자 | 10byte | 필수 |",
    );
    let e = parse_error(&m);
    assert_eq!((e.line, e.column), at(&m, "상품 ID"));
}

#[test]
fn a_broken_sample_is_refused_at_its_tag() {
    let m = edit(
        CANCEL,
        "  <RESULT_MSG>OK</RESULT_MSG>",
        "  <RESULT_MSG>OK</RESULT_MESSAGE>",
    );
    let e = parse_error(&m);
    assert_eq!((e.line, e.column), at(&m, "</RESULT_MESSAGE>"));
    assert!(e.message.contains("closes `<RESULT_MSG>`"), "{e}");
}

#[test]
fn a_table_without_its_alignment_row_is_refused() {
    let m = edit(
        CANCEL,
        "| 변수명 | 설명 | 최대길이 | 체크 |\n|:------|:------|:----------|:------|\n",
        "| 변수명 | 설명 | 최대길이 | 체크 |\n",
    );
    let e = parse_error(&m);
    assert_eq!(e.line, at(&m, "| `POC_ID`").0);
    assert!(e.message.contains("alignment row"), "{e}");
}

#[test]
fn a_value_table_naming_no_parameter_is_refused() {
    let m = edit(
        GOODS,
        "### 📨 SEND_TYPE (메시지 종류)",
        "### 📨 메시지 종류",
    );
    let e = parse_error(&m);
    assert_eq!(e.line, at(&m, "| 코드 | 설명 |\n|:----|:------|\n| `M`").0);
    assert!(e.message.contains("names no parameter"), "{e}");
}

#[test]
fn a_file_that_is_no_manual_is_not_recognised() {
    assert_eq!(interface_md::detect("# 장보기 목록\n\n- 사과\n"), None);
    assert_eq!(
        interface_md::detect("# 📘 COUFUN B2C 연동 매뉴얼 – 코드정의서 (Ver. 1.6)\n"),
        Some(Detected::CodeDefinition)
    );
    let e = parse_error("# 장보기 목록\n");
    assert_eq!((e.line, e.column), (1, 1));
}

// ---------------------------------------------------------------------------
// the command

#[test]
fn run_recognises_the_manual_and_writes_only_without_dry_run() {
    let real = real();
    let dir = temp_workspace(&real.codes, &real.endpoints);
    let on_disk = |rel: &str| std::fs::read_to_string(dir.path().join(rel)).unwrap_or_default();
    let manual = dir.path().join("manual.md");
    let dry = Options {
        dry_run: true,
        missing: MissingCodes::Keep,
    };

    std::fs::write(&manual, CREATE).unwrap_or_else(|e| panic!("{e}"));
    let outcome = import::run(dir.path(), &manual, dry).unwrap_or_else(|e| panic!("{e}"));
    assert!(outcome.diff.is_empty() && !outcome.wrote);
    assert!(outcome.todo.is_empty(), "{:#?}", outcome.todo);

    let new_create = NEW_VERSIONS[1].2;
    std::fs::write(&manual, new_create).unwrap_or_else(|e| panic!("{e}"));
    let outcome = import::run(dir.path(), &manual, dry).unwrap_or_else(|e| panic!("{e}"));
    assert!(!outcome.diff.is_empty() && !outcome.wrote);
    assert_eq!(on_disk(ENDPOINTS_PATH), real.endpoints);
    assert_eq!(
        outcome.todo,
        marks(ENDPOINTS_PATH, &merge(new_create).endpoints)
    );

    let write = Options {
        dry_run: false,
        ..dry
    };
    let outcome = import::run(dir.path(), &manual, write).unwrap_or_else(|e| panic!("{e}"));
    assert!(outcome.wrote);
    assert_eq!(on_disk(ENDPOINTS_PATH), merge(new_create).endpoints);

    // the exchange manual writes its inbound operation, in the same file
    let before = on_disk(ENDPOINTS_PATH);
    std::fs::write(&manual, NEW_VERSIONS[4].2).unwrap_or_else(|e| panic!("{e}"));
    let outcome = import::run(dir.path(), &manual, write).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.files, [ENDPOINTS_PATH]);
    assert_ne!(on_disk(ENDPOINTS_PATH), before);
    assert!(
        outcome
            .todo
            .iter()
            .any(|t| t.starts_with(ENDPOINTS_PATH) && t.contains(NEEDS_HUMAN)),
        "{:#?}",
        outcome.todo
    );
}

#[test]
fn a_broken_manual_writes_nothing() {
    let real = real();
    let dir = temp_workspace(&real.codes, &real.endpoints);
    let manual = dir.path().join("manual.md");
    let broken = edit(NEW_VERSIONS[1].2, "| 400byte |", "| 400 글자 |");
    std::fs::write(&manual, &broken).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        dry_run: false,
        missing: MissingCodes::Remove,
    };
    match import::run(dir.path(), &manual, options) {
        Err(import::ImportError::InterfaceManual { error, .. }) => {
            assert_eq!((error.line, error.column), at(&broken, "400 글자"));
        }
        other => panic!(
            "expected a located parse error, got {:?}",
            other.map(|o| o.diff)
        ),
    }
    let on_disk = std::fs::read_to_string(dir.path().join(ENDPOINTS_PATH)).unwrap_or_default();
    assert_eq!(on_disk, real.endpoints);
}

/// The status and exchange manuals word the same coupon types: a value that
/// only the exchange document words (POINT, new in exchange v1.7) is not the
/// status manual's to drop, even with `--remove-missing`.
#[test]
fn a_value_only_another_document_words_is_not_reported_removed() {
    let real = real();
    let exchange = NEW_VERSIONS
        .iter()
        .find(|(name, _, _)| *name == "exchange_v17")
        .map(|(_, _, text)| *text)
        .unwrap_or_else(|| panic!("no exchange_v17 fixture"));
    let endpoints = fill_in(&merge(exchange).endpoints);
    assert!(
        endpoints.contains("wire = \"POINT\""),
        "POINT was not added"
    );
    let spec = SpecTexts {
        result_codes: &real.codes,
        endpoints: &endpoints,
    };
    // the status manual lists the coupon types too (without POINT)
    assert!(
        parse(STATUS)
            .value_tables
            .iter()
            .any(|vt| vt.field == "COUPON_TYPE"),
        "the status manual gives no COUPON_TYPE table"
    );
    let merged = merge_into(&spec, STATUS, MissingCodes::Remove);
    let about_point: Vec<String> = merged
        .diff
        .items
        .iter()
        .filter(|i| i.what.contains("POINT"))
        .map(|i| format!("{}: {}", i.scope, i.what))
        .collect();
    assert!(about_point.is_empty(), "{about_point:?}");
    assert_eq!(merged.endpoints, endpoints, "the status import changed it");
}

/// Each document's wording is compared with that document's own only: a
/// changed exchange wording of BARCODE is reported with the exchange words as
/// the old side, and the status wording stays.
#[test]
fn a_changed_wording_is_compared_with_its_own_documents() {
    let changed = edit(
        EXCHANGE,
        "| `BARCODE` | 교환권 |",
        "| `BARCODE` | 교환 쿠폰 |",
    );
    let merged = merge(&changed);
    let item = merged
        .diff
        .items
        .iter()
        .find(|i| i.scope == "kind coupon_type" && i.what.starts_with("value BARCODE"))
        .unwrap_or_else(|| panic!("no BARCODE wording change in\n{}", merged.diff));
    assert_eq!(item.sign, Sign::Changed);
    assert!(item.what.ends_with("wording"), "{}", item.what);
    assert!(
        item.detail.contains("교환권") && item.detail.contains("교환 쿠폰"),
        "{}",
        item.detail
    );
    assert!(
        merged
            .endpoints
            .contains("{ source = \"status\", ko = \"교환형\", en = \"Exchange type\" }"),
        "the status wording changed"
    );
    assert!(
        merged
            .endpoints
            .contains("source = \"exchange\", ko = \"교환 쿠폰\""),
        "the exchange wording was not taken"
    );
    // the status manual, which words BARCODE its own way, sees no change
    let status = merge(STATUS);
    assert!(status.diff.items.is_empty(), "{}", status.diff);
}

/// A value one manual drops while another document still words it loses only
/// the dropping document's wording (`--remove-missing`), and is reported so.
#[test]
fn a_value_dropped_by_one_document_keeps_the_others_wording() {
    let dropped = edit(EXCHANGE, "| `AMOUNT` | 금액권 | 상품권 |\n", "");
    let merged = merge_with(&dropped, MissingCodes::Remove);
    let item = merged
        .diff
        .items
        .iter()
        .find(|i| i.what.starts_with("value AMOUNT"))
        .unwrap_or_else(|| panic!("no AMOUNT item in\n{}", merged.diff));
    assert_eq!(item.sign, Sign::Removed);
    assert!(item.what.ends_with("wording"), "{}", item.what);
    assert!(
        merged.endpoints.contains("wire = \"AMOUNT\""),
        "AMOUNT went"
    );
    assert!(
        merged.endpoints.contains("ko = \"금액형\""),
        "status wording went"
    );
    assert!(
        !merged.endpoints.contains("ko = \"금액권\""),
        "exchange wording kept"
    );
}

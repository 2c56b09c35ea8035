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
use xtask::import::{self, MissingCodes, Options};
use xtask::interface_diff::Sign;
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

/// The synthetic new versions: `(name, new version, equal version)`.
const NEW_VERSIONS: [(&str, &str, &str); 5] = [
    (
        "goods_v13",
        include_str!("fixtures/interface/goods-v1.3.md"),
        GOODS,
    ),
    (
        "create_v15",
        include_str!("fixtures/interface/create-v1.5.md"),
        CREATE,
    ),
    (
        "status_v14",
        include_str!("fixtures/interface/status-v1.4.md"),
        STATUS,
    ),
    (
        "cancel_v13",
        include_str!("fixtures/interface/cancel-v1.3.md"),
        CANCEL,
    ),
    (
        "exchange_v17",
        include_str!("fixtures/interface/exchange-v1.7.md"),
        EXCHANGE,
    ),
];

/// `text` with the one occurrence of `from` replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "expected {from:?} exactly once"
    );
    text.replacen(from, to, 1)
}

/// The spec files a manual lands in, after the merge: endpoints (kinds,
/// documents, conflicts) always, notifications for the exchange manual.
fn landed(name: &str, merged: &Merged) -> Vec<(&'static str, String)> {
    let mut out = vec![(ENDPOINTS_PATH, merged.endpoints.clone())];
    if name.starts_with("exchange") {
        out.push((
            NOTIFICATIONS_PATH,
            merged.notifications.clone().unwrap_or_default(),
        ));
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

/// What a maintainer writes in place of each placeholder: a value that fits
/// the field (`name` → snake_case, `type` → text, `kind` → an existing kind …).
fn fill_in(text: &str) -> String {
    let mut out = String::new();
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
            "name" => format!("filled_{n}"),
            // an existing kind of the manual's length, as a person would pick
            "kind" if rest[at..end].contains("manual: 100 bytes") => "reason".to_owned(),
            "kind" if rest[at..end].contains("manual: 10 bytes") => "poc_id".to_owned(),
            "kind" => "extra".to_owned(),
            "type" => "text".to_owned(),
            _ => format!("Written by a person ({n})."),
        };
        out.push_str(before);
        out.push_str(&format!("\"{value}\""));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
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

#[test]
fn each_new_version_gives_a_diff_naming_every_change() {
    for (name, text, _) in NEW_VERSIONS {
        let merged = merge(text);
        insta::assert_snapshot!(format!("{name}_diff"), merged.diff.to_string());
        let spec = landed(name, &merged)
            .into_iter()
            .map(|(file, text)| format!("# ==== {file}\n{text}"))
            .collect::<String>();
        insta::assert_snapshot!(format!("{name}_spec"), spec);
    }
}

#[test]
fn validation_names_every_mark_until_a_person_writes_it() {
    for (name, text, _) in NEW_VERSIONS {
        let merged = merge(text);
        let files = landed(name, &merged);
        let found: Vec<String> = files.iter().flat_map(|(f, t)| marks(f, t)).collect();
        insta::assert_snapshot!(format!("{name}_marks"), found.join("\n"));
        let placeholders: usize = files
            .iter()
            .map(|(_, t)| t.matches(&format!("\"{NEEDS_HUMAN}")).count())
            .sum();
        assert!(placeholders > 0, "{name}: no placeholder");
        assert_eq!(found.len(), placeholders, "{name}: {found:#?}");
        assert!(found.iter().all(|m| m.contains(NEEDS_HUMAN)), "{found:#?}");

        // filled in: nothing left to refuse, still TOML, and a second import
        // of the same manual keeps what the person wrote
        let done: Vec<(&str, String)> = files.iter().map(|(f, t)| (*f, fill_in(t))).collect();
        for (file, text) in &done {
            assert!(marks(file, text).is_empty(), "{name}: {text}");
            assert!(text.parse::<toml_edit::DocumentMut>().is_ok());
        }
        let endpoints = done[0].1.clone();
        let notifications = done
            .get(1)
            .map_or(NOTIFICATIONS.to_owned(), |d| d.1.clone());
        let again = interface_import::merge(
            &endpoints,
            Some(&notifications),
            &parse(text),
            MissingCodes::Keep,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let after: Vec<(&str, String)> = landed(name, &again);
        assert_eq!(after, done, "{name}: the second import changed the spec");
        assert!(
            again.diff.items.iter().all(|i| i.sign == Sign::Removed),
            "{name}: only the kept removals are reported again:\n{}",
            again.diff
        );
    }
}

#[test]
fn the_endpoint_validation_of_codegen_refuses_the_marks() {
    let merged = merge(NEW_VERSIONS[1].1);
    let codes = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/result_codes.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let errors = match coufun_codegen::Spec::parse(
        SpecSource::new(coufun_codegen::RESULT_CODES_PATH, codes),
        SpecSource::new(ENDPOINTS_PATH, merged.endpoints.as_str()),
    ) {
        Ok(_) => panic!("a spec with NEEDS HUMAN marks was accepted"),
        Err(e) => e.0,
    };
    // until spec/endpoints.toml has this shape, the model may refuse it
    // before validation runs; once it does, every mark is among the errors
    let mark_errors = errors
        .iter()
        .filter(|e| e.message.contains(NEEDS_HUMAN))
        .count();
    let deserialized = !errors
        .iter()
        .any(|e| e.key.is_empty() || !e.message.contains(' '));
    if deserialized && mark_errors > 0 {
        assert_eq!(mark_errors, marks(ENDPOINTS_PATH, &merged.endpoints).len());
    }
}

#[test]
fn remove_missing_removes_what_the_manual_dropped() {
    let kept = merge(NEW_VERSIONS[1].1);
    assert!(
        kept.endpoints
            .contains("wire = \"RESERVE2\", source = \"create\", kind")
    );
    let removed = merge_with(NEW_VERSIONS[1].1, MissingCodes::Remove);
    assert!(
        !removed
            .endpoints
            .contains("wire = \"RESERVE2\", source = \"create\", kind")
    );
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
fn a_length_the_code_manual_contradicts_is_a_conflict_not_taken() {
    let merged = merge(NEW_VERSIONS[1].1);
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
    assert!(
        merged
            .endpoints
            .contains("values = { code = \"200\", create = \"400\" }")
    );
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
        let merged = interface_import::merge(ENDPOINTS, None, &m, MissingCodes::Keep)
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
    let e = parse(NEW_VERSIONS[4].1);
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

fn temp_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::create_dir_all(dir.path().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    let codes = std::fs::read_to_string(root.join(coufun_codegen::RESULT_CODES_PATH))
        .unwrap_or_else(|e| panic!("{e}"));
    for (rel, text) in [
        (coufun_codegen::RESULT_CODES_PATH, codes.as_str()),
        (ENDPOINTS_PATH, ENDPOINTS),
        (NOTIFICATIONS_PATH, NOTIFICATIONS),
    ] {
        std::fs::write(dir.path().join(rel), text).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

#[test]
fn run_recognises_the_manual_and_writes_only_without_dry_run() {
    let dir = temp_workspace();
    let on_disk = |rel: &str| std::fs::read_to_string(dir.path().join(rel)).unwrap_or_default();
    let manual = dir.path().join("manual.md");
    let dry = Options {
        dry_run: true,
        missing: MissingCodes::Keep,
    };

    std::fs::write(&manual, CREATE).unwrap_or_else(|e| panic!("{e}"));
    let outcome = import::run(dir.path(), &manual, dry).unwrap_or_else(|e| panic!("{e}"));
    assert!(outcome.diff.is_empty() && !outcome.wrote);

    std::fs::write(&manual, NEW_VERSIONS[1].1).unwrap_or_else(|e| panic!("{e}"));
    let outcome = import::run(dir.path(), &manual, dry).unwrap_or_else(|e| panic!("{e}"));
    assert!(!outcome.diff.is_empty() && !outcome.wrote);
    assert_eq!(on_disk(ENDPOINTS_PATH), ENDPOINTS);
    let todo: Vec<&String> = outcome
        .todo
        .iter()
        .filter(|t| t.contains(NEEDS_HUMAN))
        .collect();
    assert_eq!(
        todo.len(),
        marks(ENDPOINTS_PATH, &merge(NEW_VERSIONS[1].1).endpoints).len()
    );

    let real = Options {
        dry_run: false,
        ..dry
    };
    let outcome = import::run(dir.path(), &manual, real).unwrap_or_else(|e| panic!("{e}"));
    assert!(outcome.wrote);
    assert_eq!(on_disk(ENDPOINTS_PATH), merge(NEW_VERSIONS[1].1).endpoints);
    assert_eq!(on_disk(NOTIFICATIONS_PATH), NOTIFICATIONS);

    std::fs::write(&manual, NEW_VERSIONS[4].1).unwrap_or_else(|e| panic!("{e}"));
    let outcome = import::run(dir.path(), &manual, real).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.files, [ENDPOINTS_PATH, NOTIFICATIONS_PATH]);
    assert_ne!(on_disk(NOTIFICATIONS_PATH), NOTIFICATIONS);
}

#[test]
fn a_broken_manual_writes_nothing() {
    let dir = temp_workspace();
    let manual = dir.path().join("manual.md");
    let broken = edit(NEW_VERSIONS[1].1, "| 400byte |", "| 400 글자 |");
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
    assert_eq!(on_disk, ENDPOINTS);
}

//! `cargo xtask import-manual`: the workspace spec says what the newest manual
//! kept in `tests/fixtures/` says; the v1.6 manual changes nothing in the v1.6
//! spec; a synthetic v1.7 (added, changed and removed code, new URL, new
//! revision) gives the expected diff and the expected spec, which codegen
//! refuses until a human has replaced the marks; the manual's variations parse;
//! malformed tables give located errors.
//!
//! Every test but the first works on fixtures, so they hold whatever manual
//! version the workspace spec has reached.

#![allow(clippy::panic, reason = "a test fails by panicking, with the cause")]

use std::path::{Path, PathBuf};

use coufun_codegen::{
    ENDPOINTS_PATH, NEEDS_HUMAN, RESULT_CODES_PATH, Spec, SpecSource, SpecSources,
};
use coufun_import::import::{self, MissingCodes, Options};
use coufun_import::manual_md::{self, ParseError};

/// The code-definition manual v1.6 in its markdown form, written for these
/// tests: its tables (revisions, URLs, result codes) carry the manual's facts,
/// its prose is ours; it is not a copy of the published document.
const V16: &str = include_str!("fixtures/coufun-code-definition-v1.6.md");
/// `spec/result_codes.toml` as it stood when it transcribed manual v1.6.
const SPEC_V16: &str = include_str!("fixtures/result_codes-v1.6.toml");
/// The least `spec/endpoints.toml` that validates, so that these tests check
/// the result codes alone.
const ENDPOINTS_MIN: &str = r#"
operations = []

[documents]
code = { title = "code definition", version = "1.6", date = "2020-08-21" }

[answer]
result_code = { name = "RESULT_CODE", source = "code" }
result_message = { name = "RESULT_MSG", source = "code" }

[client]
poc_id = { name = "POC_ID", source = "code", max_bytes = 10, limit_source = "code" }

[test_server]
url = "https://tcorp.coufun.kr:446/b2c_api/"
source = "code"

[kinds]
"#;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn workspace_spec() -> String {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = here.parent().unwrap_or(here).join(RESULT_CODES_PATH);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
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

/// The 1-based line of the one line of `text` equal to `line`.
fn line_of(text: &str, line: &str) -> usize {
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == line)
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(found.len(), 1, "expected {line:?} exactly once");
    found[0]
}

/// A v1.7 of the manual: code 42 added, 20's message changed, 23 removed, the
/// test URL moved to https, a new revision and a new date.
fn v17() -> String {
    let m = edit(V16, "(Ver. 1.6)", "(Ver. 1.7)");
    let m = edit(
        &m,
        "**최종 개정일:** 2020.08.21",
        "**최종 개정일:** 2021.03.02",
    );
    let m = edit(&m, "**문서 버전:** 1.6", "**문서 버전:** 1.7");
    let m = edit(
        &m,
        "| 1.6 | 2020-08-21 | 사명 변경 | 송도화 | - |\n",
        "| 1.6 | 2020-08-21 | 사명 변경 | 송도화 | - |\n\
         | 1.7 | 2021-03-02 | 예약 발송 오류코드 추가, 23번 코드 삭제 | 송도화 | - |\n",
    );
    let m = edit(
        &m,
        "`http://tcorp.coufun.kr/b2c_api/`",
        "`https://tcorp.coufun.kr/b2c_api/`",
    );
    let m = edit(&m, "| 20 | 발송횟수 초과 |", "| 20 | 재발송 횟수 초과 |");
    let m = edit(&m, "| 23 | 중복 요청 오류 | 동일 요청 반복 수행 |\n", "");
    edit(
        &m,
        "| 31 | 판매상품 ID 오류 | 유효하지 않은 판매상품 ID |\n",
        "| 31 | 판매상품 ID 오류 | 유효하지 않은 판매상품 ID |\n\
         | 42 | 예약 발송 오류 | 예약 발송 처리 실패 (관리자 문의) |\n",
    )
}

/// The `[[codes]]` block of `code` in `spec`, from its header to the blank line
/// before the next block (or the end), its leading blank line included.
fn code_block<'s>(spec: &'s str, code: &str) -> &'s str {
    let start = spec
        .find(&format!("\n[[codes]]\ncode = \"{code}\"\n"))
        .unwrap_or_else(|| panic!("no code {code} in the spec"));
    let end = spec[start + 1..]
        .find("\n\n")
        .map_or(spec.len(), |i| start + 1 + i);
    &spec[start..end]
}

/// What the spec must become when v1.7 is imported, written out edit by edit
/// from the spec as it stands.
fn expected_after_v17(spec: &str, missing: MissingCodes) -> String {
    let s = edit(
        spec,
        "version = \"1.6\"\nrevised = \"2020-08-21\"",
        "version = \"1.7\"\nrevised = \"2021-03-02\"",
    );
    let s = edit(
        &s,
        "author = \"송도화\"\n\n[[environments]]",
        &format!(
            "author = \"송도화\"\n\n\
             [[manual.revisions]]\n\
             version = \"1.7\"\n\
             date = \"2021-03-02\"\n\
             change_ko = \"예약 발송 오류코드 추가, 23번 코드 삭제\"\n\
             change_en = \"{NEEDS_HUMAN}: translate `예약 발송 오류코드 추가, 23번 코드 삭제`\"\n\
             author = \"송도화\"\n\n[[environments]]"
        ),
    );
    let s = edit(
        &s,
        "url = \"http://tcorp.coufun.kr/b2c_api/\"",
        "url = \"https://tcorp.coufun.kr/b2c_api/\"",
    );
    let s = edit(
        &s,
        "message_ko = \"발송횟수 초과\"",
        "message_ko = \"재발송 횟수 초과\"",
    );
    let after_31 = code_block(&s, "31").to_owned();
    let s = edit(
        &s,
        &after_31,
        &format!(
            "{after_31}\n\n\
             # New in manual 1.7: category = \"server\" and retry = \"never\" are import defaults; review them, then delete this comment.\n\
             [[codes]]\n\
             code = \"42\"\n\
             variant = \"{NEEDS_HUMAN}: UpperCamelCase name for code 42\"\n\
             message_ko = \"예약 발송 오류\"\n\
             description_ko = \"예약 발송 처리 실패 (관리자 문의)\"\n\
             message_en = \"{NEEDS_HUMAN}: English for `예약 발송 오류`\"\n\
             description_en = \"{NEEDS_HUMAN}: English for `예약 발송 처리 실패 (관리자 문의)`\"\n\
             category = \"server\"\n\
             retry = \"never\"\n\
             contact_admin = true\n\
             since = \"1.7\""
        ),
    );
    match missing {
        MissingCodes::Keep => {
            let block = code_block(&s, "23").to_owned();
            edit(&s, &block, &format!("{block}\nremoved_in = \"1.7\""))
        }
        MissingCodes::Remove => {
            let block = code_block(&s, "23").to_owned();
            edit(&s, &format!("{block}\n"), "")
        }
    }
}

fn merge(manual: &str, missing: MissingCodes) -> import::Merged {
    let doc = manual_md::parse(manual).unwrap_or_else(|e| panic!("manual: {e}"));
    import::merge(SPEC_V16, &doc, "v1.7.md", missing).unwrap_or_else(|e| panic!("merge: {e}"))
}

fn validate(codes: &str) -> Result<Spec, Vec<coufun_codegen::SpecError>> {
    Spec::parse(SpecSources {
        result_codes: SpecSource::new(RESULT_CODES_PATH, codes),
        endpoints: SpecSource::new(ENDPOINTS_PATH, ENDPOINTS_MIN),
    })
    .map_err(|e| e.0)
}

#[test]
fn the_fixture_is_the_v16_manual() {
    let doc = manual_md::parse(V16).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.version, "1.6");
    assert_eq!(doc.revised, "2020-08-21");
    assert_eq!(doc.codes.len(), 34);
    assert_eq!(doc.revisions.len(), 7);
    assert_eq!(doc.urls.len(), 2);
}

#[test]
fn the_workspace_spec_says_what_the_newest_manual_says() {
    let spec = workspace_spec();
    let version = spec
        .parse::<toml_edit::DocumentMut>()
        .ok()
        .and_then(|d| d["manual"]["version"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("{RESULT_CODES_PATH} has no manual.version"));
    let mut manuals = Vec::new();
    for entry in std::fs::read_dir(fixtures()).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
            let doc = manual_md::parse(&text).unwrap_or_else(|e| panic!("{}:{e}", path.display()));
            manuals.push((doc, path));
        }
    }
    let Some((doc, path)) = manuals.into_iter().find(|(d, _)| d.version == version) else {
        panic!(
            "no manual v{version} in coufun-import/tests/fixtures/: keep there, for every manual \
             imported, a fixture stating its facts in our own words (see \
             docs/new-manual-version.md)"
        );
    };
    let merged =
        import::merge(&spec, &doc, "fixture", MissingCodes::Keep).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        merged.diff.is_empty(),
        "{RESULT_CODES_PATH} differs from {}:\n{}",
        path.display(),
        merged.diff
    );
    assert_eq!(merged.text, spec, "the file must come back byte for byte");
}

#[test]
fn importing_the_v16_manual_into_the_v16_spec_changes_nothing() {
    let merged = merge(V16, MissingCodes::Remove);
    assert!(
        merged.diff.is_empty(),
        "unexpected changes:\n{}",
        merged.diff
    );
    assert_eq!(
        merged.text, SPEC_V16,
        "the file must come back byte for byte"
    );
}

#[test]
fn importing_v17_prints_the_semantic_diff() {
    let merged = merge(&v17(), MissingCodes::Keep);
    insta::assert_snapshot!("v17_diff_keep_missing", merged.diff.to_string());
}

#[test]
fn importing_v17_keeps_a_dropped_code_by_default() {
    let merged = merge(&v17(), MissingCodes::Keep);
    assert_eq!(
        merged.text,
        expected_after_v17(SPEC_V16, MissingCodes::Keep)
    );
}

#[test]
fn importing_v17_with_remove_missing_drops_the_code() {
    let merged = merge(&v17(), MissingCodes::Remove);
    assert_eq!(
        merged.text,
        expected_after_v17(SPEC_V16, MissingCodes::Remove)
    );
    let removed = &merged.diff.codes_removed;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].code, "23");
    assert_eq!(removed[0].removed_in, None);
}

#[test]
fn importing_twice_changes_nothing_the_second_time() {
    let once = merge(&v17(), MissingCodes::Keep);
    let doc = manual_md::parse(&v17()).unwrap_or_else(|e| panic!("{e}"));
    let twice = import::merge(&once.text, &doc, "v1.7.md", MissingCodes::Keep)
        .unwrap_or_else(|e| panic!("{e}"));
    // the dropped code is marked `removed_in` already: old news
    assert_eq!(twice.text, once.text);
    assert!(twice.diff.is_empty(), "{}", twice.diff);
}

#[test]
fn a_dropped_code_the_manual_lists_again_loses_its_mark() {
    let once = merge(&v17(), MissingCodes::Keep);
    let back = edit(
        &v17(),
        "| 24 | 추가입력1 오류 |",
        "| 23 | 중복 요청 오류 | 동일 요청 반복 수행 |\n| 24 | 추가입력1 오류 |",
    );
    let doc = manual_md::parse(&back).unwrap_or_else(|e| panic!("{e}"));
    let again = import::merge(&once.text, &doc, "v1.7.md", MissingCodes::Keep)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.diff.len(), 1, "{}", again.diff);
    assert_eq!(
        again.diff.codes_changed[0].what,
        "23 DuplicateRequest removed_in"
    );
    assert_eq!(
        again.text,
        expected_after_v17(SPEC_V16, MissingCodes::Keep).replace("\nremoved_in = \"1.7\"", "")
    );
}

#[test]
fn codegen_refuses_the_imported_spec_until_every_mark_is_replaced() {
    let merged = merge(&v17(), MissingCodes::Keep);
    let problems = validate(&merged.text).err().unwrap_or_default();
    let mut keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
    keys.sort_unstable();
    let block_42 = merged.text.find("code = \"42\"").unwrap_or_default();
    let new = merged.text[..block_42].matches("[[codes]]").count() - 1;
    let (c, r) = (format!("codes[{new}]"), "manual.revisions[7].change_en");
    assert_eq!(
        keys,
        [
            format!("{c}.description_en"),
            format!("{c}.message_en"),
            format!("{c}.variant"),
            r.to_owned()
        ]
    );
    assert!(problems.iter().all(|p| p.message.contains(NEEDS_HUMAN)));

    // what a maintainer writes by hand, and nothing else
    let done = merged
        .text
        .replace(
            &format!("{NEEDS_HUMAN}: UpperCamelCase name for code 42"),
            "ScheduledSendFailed",
        )
        .replace(
            &format!("{NEEDS_HUMAN}: English for `예약 발송 오류`"),
            "Scheduled send error",
        )
        .replace(
            &format!("{NEEDS_HUMAN}: English for `예약 발송 처리 실패 (관리자 문의)`"),
            "The scheduled send failed; contact the administrator.",
        )
        .replace(
            &format!("{NEEDS_HUMAN}: translate `예약 발송 오류코드 추가, 23번 코드 삭제`"),
            "Added the scheduled-send error code (42); removed code 23",
        );
    let spec = validate(&done).unwrap_or_else(|p| panic!("still refused: {p:?}"));
    assert!(coufun_codegen::generated_files(&spec).is_ok());
}

#[test]
fn run_writes_the_spec_only_without_dry_run() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.path().join("spec")).unwrap_or_else(|e| panic!("{e}"));
    for (rel, text) in [
        (RESULT_CODES_PATH, SPEC_V16),
        (ENDPOINTS_PATH, ENDPOINTS_MIN),
    ] {
        std::fs::write(dir.path().join(rel), text).unwrap_or_else(|e| panic!("{e}"));
    }
    let manual = dir.path().join("v1.7.md");
    std::fs::write(&manual, v17()).unwrap_or_else(|e| panic!("{e}"));
    let on_disk =
        || std::fs::read_to_string(dir.path().join(RESULT_CODES_PATH)).unwrap_or_default();

    let dry = Options {
        dry_run: true,
        missing: MissingCodes::Keep,
    };
    let outcome = import::run(dir.path(), &manual, dry).unwrap_or_else(|e| panic!("{e}"));
    assert!(!outcome.wrote && !outcome.diff.is_empty());
    assert_eq!(on_disk(), SPEC_V16);
    assert_eq!(outcome.todo.len(), 4, "{:?}", outcome.todo);

    let real = Options {
        dry_run: false,
        ..dry
    };
    let outcome = import::run(dir.path(), &manual, real).unwrap_or_else(|e| panic!("{e}"));
    assert!(outcome.wrote);
    assert_eq!(on_disk(), expected_after_v17(SPEC_V16, MissingCodes::Keep));
    // every to-do line is located in the spec file
    assert!(
        outcome
            .todo
            .iter()
            .all(|t| t.starts_with(&format!("{RESULT_CODES_PATH}:")) && t.contains(NEEDS_HUMAN))
    );
}

// ---------------------------------------------------------------------------
// the manual's variations

#[test]
fn crlf_whitespace_alignment_rows_and_short_codes_parse_like_the_original() {
    let original = manual_md::parse(V16).unwrap_or_else(|e| panic!("{e}"));
    let varied = edit(V16, "| 05 | 연동기간 오류 |", "|   5\t|  연동기간 오류   |");
    let varied = edit(
        &varied,
        "|:----:|:--------|:------|",
        "| :--: | --- |--------:|",
    );
    let varied = edit(&varied, "## 🕓 개정 이력", "## 🕓🕓 ✨ 개정 이력 ✨");
    let varied = edit(&varied, "| 항목 | 내용 |", "|  **항목**  |  내용|");
    let varied = varied.replace('\n', "\r\n");
    let parsed = manual_md::parse(&varied).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed, original);
}

#[test]
fn a_missing_description_cell_gives_an_empty_description() {
    let m = edit(
        V16,
        "| 98 | API 권한 오류 | 사용 불가 기능 호출 |",
        "| 98 | API 권한 오류 |",
    );
    let doc = manual_md::parse(&m).unwrap_or_else(|e| panic!("{e}"));
    let row = doc.codes.iter().find(|c| c.code == "98");
    assert_eq!(row.map(|r| r.description.clone()), Some(None));
    // the import says so, and the spec stays valid
    let merged =
        import::merge(SPEC_V16, &doc, "m.md", MissingCodes::Keep).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(merged.diff.codes_changed.len(), 1, "{}", merged.diff);
    assert_eq!(merged.diff.codes_changed[0].new, "");
    assert!(validate(&merged.text).is_ok());
}

#[test]
fn the_title_heading_may_carry_any_emoji() {
    let m = edit(V16, "# 📘 COUFUN", "#   🧾✅ COUFUN");
    let doc = manual_md::parse(&m).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.title, "COUFUN B2C 연동 매뉴얼 – 코드정의서");
}

// ---------------------------------------------------------------------------
// malformed tables

fn parse_error(manual: &str) -> ParseError {
    match manual_md::parse(manual) {
        Ok(_) => panic!("the manual was accepted"),
        Err(e) => e,
    }
}

#[test]
fn an_unrecognised_table_header_is_refused_at_its_line() {
    let bad = "| 코드 | 메세지 | 설명 |";
    let m = edit(V16, "| 코드 | 메시지 | 설명 |", bad);
    let e = parse_error(&m);
    assert_eq!(e.line, line_of(&m, bad));
    assert!(e.message.contains("is not recognised"), "{e}");
    assert!(e.message.contains("| 코드 | 메시지 | [설명] |"), "{e}");
}

#[test]
fn a_code_cell_that_is_not_a_number_is_refused_at_its_line() {
    let bad = "| O5 | 연동기간 오류 | 연동기간이 지난 경우 |";
    let m = edit(V16, "| 05 | 연동기간 오류 | 연동기간이 지난 경우 |", bad);
    let e = parse_error(&m);
    assert_eq!(e.line, line_of(&m, bad));
    assert!(e.message.contains("code cell `O5` is not a number"), "{e}");
    assert!(e.message.contains("one or two digits"), "{e}");
}

#[test]
fn a_three_digit_code_is_refused() {
    let bad = "| 105 | 연동기간 오류 | 연동기간이 지난 경우 |";
    let m = edit(V16, "| 05 | 연동기간 오류 | 연동기간이 지난 경우 |", bad);
    let e = parse_error(&m);
    assert_eq!(e.line, line_of(&m, bad));
    assert!(e.message.contains("is not a number"), "{e}");
}

#[test]
fn a_code_given_twice_is_refused_naming_both_lines() {
    let m = edit(V16, "| 08 | 상품수량 오류 |", "| 5 | 상품수량 오류 |");
    let e = parse_error(&m);
    let second = line_of(&m, "| 5 | 상품수량 오류 | 상품 수량이 잘못된 경우 |");
    let first = line_of(&m, "| 05 | 연동기간 오류 | 연동기간이 지난 경우 |");
    assert_eq!(e.line, second);
    assert!(e.message.contains(&format!("first at line {first}")), "{e}");
}

#[test]
fn a_table_without_its_alignment_row_is_refused() {
    let m = edit(V16, "|:----:|:--------|:------|\n", "");
    let e = parse_error(&m);
    assert_eq!(
        e.line,
        line_of(&m, "| 00 | 처리 성공 | 정상적으로 실행 완료 |")
    );
    assert!(e.message.contains("alignment row"), "{e}");
}

#[test]
fn a_row_without_a_message_is_refused() {
    let bad = "| 09 | | 일일 조회 횟수 초과 |";
    let m = edit(
        V16,
        "| 09 | 상품목록 조회 오류 | 일일 조회 횟수 초과 |",
        bad,
    );
    let e = parse_error(&m);
    assert_eq!(e.line, line_of(&m, bad));
    assert!(e.message.contains("no message"), "{e}");
}

#[test]
fn a_missing_result_code_table_is_reported() {
    let start = V16.find("| 코드 |").unwrap_or_default();
    let end = V16.find("| 99 |").unwrap_or_default();
    let end = end + V16[end..].find('\n').unwrap_or_default() + 1;
    let m = format!("{}{}", &V16[..start], &V16[end..]);
    let e = parse_error(&m);
    assert!(e.message.contains("no result-code table"), "{e}");
    assert!(e.message.contains("| 코드 | 메시지 | [설명] |"), "{e}");
}

#[test]
fn a_revision_date_that_is_not_a_date_is_refused() {
    let bad = "| 1.4 | 2018-07-1x | 상용 URL 프로토콜 변경 | 송도화 | - |";
    let m = edit(
        V16,
        "| 1.4 | 2018-07-11 | 상용 URL 프로토콜 변경 | 송도화 | - |",
        bad,
    );
    let e = parse_error(&m);
    assert_eq!(e.line, line_of(&m, bad));
    assert!(e.message.contains("expected YYYY-MM-DD"), "{e}");
}

#[test]
fn a_url_row_naming_no_environment_is_refused_at_its_line() {
    let row = "| **개발 URL** | `https://dev.coufun.kr/b2c_api/` |";
    let m = edit(V16, "| **통신방식** |", &format!("{row}\n| **통신방식** |"));
    let doc = manual_md::parse(&m).unwrap_or_else(|e| panic!("{e}"));
    match import::merge(SPEC_V16, &doc, "m.md", MissingCodes::Keep) {
        Err(import::ImportError::UnknownUrl { line, label, .. }) => {
            assert_eq!(line, line_of(&m, row));
            assert_eq!(label, "개발 URL");
        }
        other => panic!("expected UnknownUrl, got {:?}", other.map(|m| m.diff)),
    }
}

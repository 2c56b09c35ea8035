//! `spec/notifications.toml`: the workspace's file is valid and generates a
//! module that parses; each mistake gives one located error (line, key, limit).

use std::path::Path;

use coufun_codegen::notice_model::NoticeSpec;
use coufun_codegen::{NOTICES_PATH, SpecError, SpecSource};

fn workspace_file() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(NOTICES_PATH),
    )
    .unwrap()
}

/// The errors of the workspace file with `find` replaced by `replace`, and the
/// 1-based line where the replacement stands.
fn broken(find: &str, replace: &str) -> (Vec<SpecError>, usize) {
    let mut text = workspace_file();
    let at = text
        .find(find)
        .unwrap_or_else(|| panic!("{find:?} not found"));
    text.replace_range(at..at + find.len(), replace);
    let line = text[..at].matches('\n').count() + 1;
    let errors = NoticeSpec::parse(SpecSource::new(NOTICES_PATH, text))
        .expect_err("the broken spec must not load")
        .0;
    (errors, line)
}

fn assert_one((errors, line): (Vec<SpecError>, usize), key: &str, message: &str) {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(
        (e.file.as_str(), e.line, e.key.as_str()),
        (NOTICES_PATH, line, key),
        "{e}"
    );
    assert!(e.message.contains(message), "{e}");
}

#[test]
fn the_workspace_file_is_valid_and_its_module_parses() {
    let spec = NoticeSpec::parse(SpecSource::new(NOTICES_PATH, workspace_file())).unwrap();
    assert_eq!(spec.file.fields.len(), 9);
    assert_eq!(spec.file.answer.codes.len(), 5);
    assert_eq!(
        spec.field("STATUS").map(|f| *f.max_bytes.get_ref()),
        Some(3)
    );
    let tokens = coufun_codegen::emit::notice::emit(&spec.file);
    let text = coufun_codegen::render::rust_file(tokens, &[NOTICES_PATH]).unwrap();
    assert!(
        text.contains("pub const NAME: &str = \"RESULTCODE\";"),
        "{text}"
    );
    assert!(text.contains("\"COUPONEXCHANGE\""));
    assert!(text.contains("Duration::from_secs(600)"));
}

#[test]
fn a_lower_case_wire_name_is_located() {
    assert_one(
        broken("name = \"EXCHANGE_NUM\"", "name = \"exchange_num\""),
        "fields[1].name",
        "upper-case wire name",
    );
}

#[test]
fn a_duplicate_answer_code_is_located() {
    assert_one(
        broken("code = \"03\"", "code = \"01\""),
        "answer.codes[2].code",
        "duplicate code `01`",
    );
}

#[test]
fn a_source_naming_another_document_is_located() {
    assert_one(
        broken(
            "source = { document = \"exchange\", section = \"4\", row = 8 }",
            "source = { document = \"cancel\", section = \"4\", row = 8 }",
        ),
        "fields[7].source.document",
        "`cancel` is not the document `exchange`",
    );
}

#[test]
fn a_non_ascii_answer_message_is_located() {
    assert_one(
        broken("message_en = \"Duplicate\"", "message_en = \"중복\""),
        "answer.codes[3].message_en",
        "ASCII letters, digits and spaces only",
    );
}

#[test]
fn an_enum_value_longer_than_its_field_is_located() {
    assert_one(
        broken("value = \"100\"", "value = \"1000\""),
        "tables.state.values[2].value",
        "at most 3 bytes",
    );
}

#[test]
fn a_missing_table_is_located() {
    // The table the field meant is then unused: a second, follow-on error.
    let (mut errors, line) = broken("table = \"coupon_type\"", "table = \"kind\"");
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[1]
            .message
            .contains("no field uses the table `coupon_type`"),
        "{}",
        errors[1]
    );
    errors.truncate(1);
    assert_one((errors, line), "fields[6].table", "no table `kind`");
}

#[test]
fn a_toml_type_error_is_located() {
    let (errors, line) = broken(
        "max_bytes = 30\nformat = \"text\"\ndoc = \"The approval",
        "max_bytes = \"30\"\nformat = \"text\"\ndoc = \"The approval",
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        (errors[0].line, errors[0].key.as_str()),
        (line, "max_bytes"),
        "{}",
        errors[0]
    );
}

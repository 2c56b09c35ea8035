//! The inbound operation of `spec/endpoints.toml` (the exchange notice): the
//! workspace's spec is valid and generates a module that parses; each mistake
//! in the inbound operation gives one located error (line, key, limit).

use std::path::Path;

use coufun_codegen::{ENDPOINTS_PATH, Spec, SpecError, SpecSource, SpecSources};

fn workspace_file() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(ENDPOINTS_PATH),
    )
    .unwrap()
}

/// The errors of the workspace spec with `find` (searched from the inbound
/// operation on, when `after_inbound`) replaced by `replace`, and the 1-based
/// line where the replacement stands.
fn broken_at(find: &str, replace: &str, after_inbound: bool) -> (Vec<SpecError>, usize) {
    let mut text = workspace_file();
    let from = if after_inbound {
        text.find("direction = \"inbound\"").unwrap()
    } else {
        0
    };
    let at = from
        + text[from..]
            .find(find)
            .unwrap_or_else(|| panic!("{find:?} not found"));
    text.replace_range(at..at + find.len(), replace);
    let line = text[..at].matches('\n').count() + 1;
    let errors = Spec::parse(SpecSources {
        endpoints: SpecSource::new(ENDPOINTS_PATH, text),
        ..SpecSources::embedded()
    })
    .expect_err("the broken spec must not load")
    .0;
    (errors, line)
}

fn broken(find: &str, replace: &str) -> (Vec<SpecError>, usize) {
    broken_at(find, replace, true)
}

/// `operations[N]`: the inbound operation's key (it stands after the outbound ones).
fn op() -> String {
    let spec = Spec::parse(SpecSources::embedded()).unwrap();
    format!("operations[{}]", spec.endpoints.operations.len())
}

/// `operations[N].request[I]`: the inbound operation's request field `wire`.
fn field(wire: &str) -> String {
    let spec = Spec::parse(SpecSources::embedded()).unwrap();
    let index = spec.endpoints.inbound[0]
        .request
        .iter()
        .position(|f| f.wire.get_ref() == wire)
        .unwrap();
    format!("{}.request[{index}]", op())
}

/// The index of the coupon-state value written `wire`, in the embedded spec.
fn state_index(wire: &str) -> usize {
    let spec = Spec::parse(SpecSources::embedded()).unwrap();
    spec.endpoints.kinds["coupon_status"]
        .values
        .iter()
        .position(|v| v.wire.get_ref() == wire)
        .unwrap()
}

fn assert_one((errors, line): (Vec<SpecError>, usize), key: &str, message: &str) {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let e = &errors[0];
    assert_eq!(
        (e.file.as_str(), e.line, e.key.as_str()),
        (ENDPOINTS_PATH, line, key),
        "{e}"
    );
    assert!(e.message.contains(message), "{e}");
}

#[test]
fn the_workspace_file_is_valid_and_its_module_parses() {
    let spec = Spec::parse(SpecSources::embedded()).unwrap();
    assert_eq!(spec.endpoints.inbound.len(), 1);
    let notice = &spec.endpoints.inbound[0];
    // the exchange manual's nine fields, and any a newer manual adds
    assert!(notice.request.len() >= 9, "{}", notice.request.len());
    assert_eq!(notice.answer.as_ref().map(|a| a.codes.len()), Some(5));
    assert_eq!(
        notice
            .request
            .iter()
            .find(|f| f.wire.get_ref() == "STATUS")
            .and_then(|f| f.max_bytes.as_ref())
            .map(|m| *m.get_ref()),
        Some(3)
    );
    // the outbound emitters never see it
    assert!(
        spec.endpoints
            .operations
            .iter()
            .all(|o| o.name() != notice.name())
    );
    let tokens = coufun_codegen::emit::inbound::emit(&spec);
    let text = coufun_codegen::render::rust_file(tokens, &[ENDPOINTS_PATH]).unwrap();
    assert!(
        text.contains("pub const RESULT_CODE: &'static str = \"RESULTCODE\";"),
        "{text}"
    );
    assert!(text.contains("\"COUPONEXCHANGE\""));
    assert!(text.contains("Duration::from_secs(600)"));
    // one enum per concept: the notice's state is the status answer's
    assert!(text.contains("pub state: Reported<CouponStatus>"), "{text}");
    assert!(
        text.contains("pub coupon_type: Reported<CouponType>"),
        "{text}"
    );
}

#[test]
fn a_lower_case_wire_name_is_located() {
    assert_one(
        broken("wire = \"EXCHANGE_NUM\"", "wire = \"exchange_num\""),
        &format!("{}.wire", field("EXCHANGE_NUM")),
        "upper-case wire name",
    );
}

#[test]
fn a_duplicate_answer_code_is_located() {
    assert_one(
        broken("code = \"03\"", "code = \"01\""),
        &format!("{}.answer.codes[2].code", op()),
        "duplicate code `01`",
    );
}

#[test]
fn a_source_naming_an_unknown_document_is_located() {
    assert_one(
        broken(
            "source = { document = \"exchange\", section = \"4\", row = 8 }",
            "source = { document = \"nosuch\", section = \"4\", row = 8 }",
        ),
        &format!("{}.source", field("PRICE")),
        "unknown source `nosuch`",
    );
}

#[test]
fn a_non_ascii_answer_message_is_located() {
    assert_one(
        broken("message_en = \"Duplicate\"", "message_en = \"중복\""),
        &format!("{}.answer.codes[3].message_en", op()),
        "ASCII letters, digits and spaces only",
    );
}

#[test]
fn an_enum_value_longer_than_its_field_is_located() {
    assert_one(
        broken_at("wire = \"100\"", "wire = \"1000\"", false),
        &format!("kinds.coupon_status.values[{}].wire", state_index("100")),
        "at most 3 bytes",
    );
}

#[test]
fn a_missing_kind_is_located() {
    assert_one(
        broken("kind = \"coupon_type\"", "kind = \"kind\""),
        &format!("{}.kind", field("BARCODE_TYPE")),
        "unknown kind `kind`",
    );
}

#[test]
fn a_field_with_both_a_kind_and_a_type_is_located() {
    assert_one(
        broken(
            "kind = \"coupon_type\"",
            "kind = \"coupon_type\", type = \"text\"",
        ),
        &field("BARCODE_TYPE"),
        "either a `kind` or a `type`",
    );
}

#[test]
fn a_toml_type_error_is_located() {
    let (errors, line) = broken(
        "type = \"text\", max_bytes = 30, required = true, doc = \"The approval",
        "type = \"text\", max_bytes = \"30\", required = true, doc = \"The approval",
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(
        (errors[0].line, errors[0].key.as_str()),
        (line, "max_bytes"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_second_wording_from_one_document_is_located() {
    assert_one(
        broken_at(
            "{ source = \"exchange\", ko = \"사용\"",
            "{ source = \"status\", ko = \"사용\"",
            false,
        ),
        &format!(
            "kinds.coupon_status.values[{}].wording[1].source",
            state_index("001")
        ),
        "a second wording from `status`",
    );
}

#[test]
fn an_answer_message_may_fill_its_limit_but_not_pass_it() {
    let spec = Spec::parse(SpecSources::embedded()).unwrap();
    let answer = spec.endpoints.inbound[0].answer.as_ref().unwrap();
    let max = *answer.result_message.max_bytes.get_ref() as usize;
    let at_limit = format!("message_en = \"{}\"", "A".repeat(max));
    let text = workspace_file().replacen("message_en = \"Duplicate\"", &at_limit, 1);
    let parsed = Spec::parse(SpecSources {
        endpoints: SpecSource::new(ENDPOINTS_PATH, text),
        ..SpecSources::embedded()
    });
    assert!(parsed.is_ok(), "{parsed:?}");
    let over = format!("message_en = \"{}\"", "A".repeat(max + 1));
    let (errors, _) = broken("message_en = \"Duplicate\"", &over);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0]
            .message
            .contains(&format!("over the message limit of {max}")),
        "{}",
        errors[0]
    );
}

#[test]
fn a_wire_name_with_a_digit_is_located() {
    // a request wire name is A-Z and _ only (an answer element may hold digits)
    assert_one(
        broken("wire = \"EXCHANGE_NUM\"", "wire = \"EXCHANGE_NUM2\""),
        &format!("{}.wire", field("EXCHANGE_NUM")),
        "`EXCHANGE_NUM2` is not an upper-case wire name (A-Z and _)",
    );
}

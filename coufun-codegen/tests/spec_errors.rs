//! Each spec mistake gives one located error: file, line, column, key, message.
//! The workspace's own spec is copied into a temp dir and broken in one place.

use std::path::{Path, PathBuf};

use coufun_codegen::{ENDPOINTS_PATH, RESULT_CODES_PATH, Spec, SpecError, SpecSource, SpecSources};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Loads the spec with `find` replaced by `replace` (first occurrence) in `file`,
/// and returns the errors plus the 1-based line and column where `replace` stands.
fn broken(file: &str, find: &str, replace: &str) -> (Vec<SpecError>, usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("spec")).unwrap();
    let mut position = None;
    for rel in [RESULT_CODES_PATH, ENDPOINTS_PATH] {
        let mut text = std::fs::read_to_string(workspace_root().join(rel)).unwrap();
        if rel == file {
            let at = text
                .find(find)
                .unwrap_or_else(|| panic!("{find:?} not in {rel}"));
            text.replace_range(at..at + find.len(), replace);
            let line = text[..at].matches('\n').count() + 1;
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            position = Some((line, text[line_start..at].chars().count() + 1));
        }
        std::fs::write(dir.path().join(rel), text).unwrap();
    }
    let errors = Spec::load(dir.path())
        .expect_err("the broken spec must not load")
        .0;
    let (line, column) = position.unwrap();
    (errors, line, column)
}

/// Exactly one error in `file`, on `line`, whose key and message are as given.
/// (Removing a code also breaks every endpoint that lists it: those follow-on
/// errors are in the other file.)
fn assert_one(
    (errors, line, _): &(Vec<SpecError>, usize, usize),
    file: &str,
    key: &str,
    message: &str,
) {
    let in_file: Vec<&SpecError> = errors.iter().filter(|e| e.file == file).collect();
    assert_eq!(in_file.len(), 1, "{errors:#?}");
    let e = in_file[0];
    assert_eq!(
        (e.file.as_str(), e.line, e.key.as_str()),
        (file, *line, key),
        "{e}"
    );
    assert!(e.message.contains(message), "{e}");
    assert!(e.to_string().starts_with(&format!("{file}:{line}:")), "{e}");
}

#[test]
fn the_workspace_spec_is_valid() {
    Spec::load(&workspace_root()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn duplicate_code() {
    let r = broken(RESULT_CODES_PATH, "code = \"01\"", "code = \"00\"");
    assert_one(
        &r,
        RESULT_CODES_PATH,
        "codes[1].code",
        "duplicate code `00`",
    );
    // the column points at the value
    assert_eq!(r.0[0].column, r.2 + "code = ".len());
}

#[test]
fn code_not_two_digits() {
    let r = broken(RESULT_CODES_PATH, "code = \"05\"", "code = \"5\"");
    assert_one(
        &r,
        RESULT_CODES_PATH,
        "codes[5].code",
        "`5` is not a two-digit code",
    );
}

#[test]
fn duplicate_variant() {
    let r = broken(
        RESULT_CODES_PATH,
        "variant = \"IpNotRegistered\"",
        "variant = \"Success\"",
    );
    assert_one(
        &r,
        RESULT_CODES_PATH,
        "codes[1].variant",
        "duplicate variant `Success`",
    );
}

#[test]
fn empty_korean_text() {
    let r = broken(
        RESULT_CODES_PATH,
        "message_ko = \"IP 오류\"",
        "message_ko = \"\"",
    );
    assert_one(
        &r,
        RESULT_CODES_PATH,
        "codes[1].message_ko",
        "must not be empty",
    );
}

#[test]
fn empty_english_text() {
    let r = broken(
        RESULT_CODES_PATH,
        "description_en = \"The request named an order ID that does not exist.\"",
        "description_en = \"  \"",
    );
    assert_one(
        &r,
        RESULT_CODES_PATH,
        "codes[3].description_en",
        "must not be empty",
    );
}

#[test]
fn text_still_marked_for_a_human() {
    let r = broken(
        RESULT_CODES_PATH,
        "message_en = \"IP error\"",
        "message_en = \"NEEDS HUMAN: translate 'IP 오류'\"",
    );
    assert_one(
        &r,
        RESULT_CODES_PATH,
        "codes[1].message_en",
        "still marked `NEEDS HUMAN`",
    );
}

#[test]
fn variant_still_marked_for_a_human() {
    let r = broken(
        RESULT_CODES_PATH,
        "variant = \"IpNotRegistered\"",
        "variant = \"NEEDS HUMAN: UpperCamelCase name for code 01\"",
    );
    assert_one(
        &r,
        RESULT_CODES_PATH,
        "codes[1].variant",
        "still marked `NEEDS HUMAN`: name the variant",
    );
}

#[test]
fn an_empty_korean_description_is_accepted_as_the_manual_gave_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("spec")).unwrap();
    for rel in [RESULT_CODES_PATH, ENDPOINTS_PATH] {
        let text = std::fs::read_to_string(workspace_root().join(rel)).unwrap();
        let text = text.replacen(
            "description_ko = \"등록되지 않은 IP로 요청한 경우\"",
            "description_ko = \"\"",
            1,
        );
        std::fs::write(dir.path().join(rel), text).unwrap();
    }
    let spec = Spec::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.codes.codes[1].description_ko.get_ref(), "");
}

#[test]
fn removed_in_names_an_unknown_version() {
    let r = broken(
        RESULT_CODES_PATH,
        "code = \"00\"\n",
        "code = \"00\"\nremoved_in = \"9.9\"\n",
    );
    assert_eq!(r.0.len(), 1, "{:#?}", r.0);
    let e = &r.0[0];
    assert_eq!((e.key.as_str(), e.line), ("codes[0].removed_in", r.1 + 1));
    assert!(
        e.message
            .contains("version `9.9` is not in manual.revisions"),
        "{e}"
    );
}

/// A two-digit code the workspace spec does not define.
fn absent_code() -> String {
    let spec = Spec::load(&workspace_root()).unwrap();
    (0..100)
        .map(|n| format!("{n:02}"))
        .find(|c| spec.codes.codes.iter().all(|e| e.code() != c))
        .unwrap()
}

#[test]
fn field_limit_names_an_unknown_code() {
    let absent = absent_code();
    let r = broken(
        ENDPOINTS_PATH,
        "code = \"21\"",
        &format!("code = \"{absent}\""),
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "kinds.subject.code",
        &format!("code `{absent}` is not in spec/result_codes.toml"),
    );
}

#[test]
fn operation_lists_an_unknown_code() {
    let absent = absent_code();
    let r = broken(
        ENDPOINTS_PATH,
        "\"09\", \"98\"",
        &format!("\"{absent}\", \"98\""),
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[0].codes[4]",
        &format!("code `{absent}` is not in spec/result_codes.toml"),
    );
}

#[test]
fn field_code_missing_from_the_operation() {
    let r = broken(
        ENDPOINTS_PATH,
        "required = false, code = \"24\"",
        "required = false, code = \"16\"",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[1].request[9].code",
        "not in the operation's `codes`",
    );
}

#[test]
fn unknown_request_kind() {
    let r = broken(
        ENDPOINTS_PATH,
        "kind = \"goods_id\", required = true",
        "kind = \"goods\", required = true",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[1].request[0].kind",
        "unknown kind `goods`",
    );
}

#[test]
fn wrong_value_type_is_located() {
    let r = broken(
        RESULT_CODES_PATH,
        "contact_admin = false",
        "contact_admin = \"no\"",
    );
    assert_one(&r, RESULT_CODES_PATH, "contact_admin", "bool");
}

#[test]
fn misspelt_key_is_located() {
    let r = broken(RESULT_CODES_PATH, "retry = \"never\"", "retyr = \"never\"");
    assert_one(&r, RESULT_CODES_PATH, "retyr", "unknown field `retyr`");
}

#[test]
fn every_problem_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("spec")).unwrap();
    let codes = std::fs::read_to_string(workspace_root().join(RESULT_CODES_PATH))
        .unwrap()
        .replacen("code = \"01\"", "code = \"00\"", 1)
        .replacen("message_ko = \"IP 오류\"", "message_ko = \"\"", 1);
    std::fs::write(dir.path().join(RESULT_CODES_PATH), codes).unwrap();
    std::fs::copy(
        workspace_root().join(ENDPOINTS_PATH),
        dir.path().join(ENDPOINTS_PATH),
    )
    .unwrap();
    let errors = Spec::load(dir.path()).unwrap_err().0;
    // the duplicate code, the empty message, and 01 now missing where endpoints use it
    assert!(errors.len() >= 3, "{errors:#?}");
    assert!(errors.iter().any(|e| e.message.contains("duplicate code")));
    assert!(errors.iter().any(|e| e.key == "codes[1].message_ko"));
    assert!(
        errors
            .iter()
            .any(|e| e.file == ENDPOINTS_PATH && e.message.contains("`01`"))
    );
}

#[test]
fn parse_reports_each_of_the_two_files_under_its_own_name() {
    let shipped = SpecSources::embedded();
    assert!(Spec::parse(shipped.clone()).is_ok());
    let bad_codes = SpecSource::new("a/result_codes.toml", "[manual\n");
    let bad_endpoints = SpecSource::new("b/endpoints.toml", "operations = 3");
    let errors = Spec::parse(SpecSources {
        result_codes: bad_codes,
        endpoints: bad_endpoints,
    })
    .unwrap_err()
    .0;
    let files: Vec<&str> = errors.iter().map(|e| e.file.as_str()).collect();
    // every problem at once, the result codes' before the endpoints'
    assert_eq!(
        files,
        ["a/result_codes.toml", "b/endpoints.toml"],
        "{errors:#?}"
    );
    let endpoints_only = Spec::parse(SpecSources {
        endpoints: SpecSource::new(ENDPOINTS_PATH, "[delivery\n"),
        ..SpecSources::embedded()
    })
    .unwrap_err()
    .0;
    assert!(
        !endpoints_only.is_empty() && endpoints_only.iter().all(|e| e.file == ENDPOINTS_PATH),
        "{endpoints_only:#?}"
    );
}

#[test]
fn server_limit_names_an_unknown_code() {
    let absent = absent_code();
    let r = broken(
        ENDPOINTS_PATH,
        "value = 3\ncode = \"20\"",
        &format!("value = 3\ncode = \"{absent}\""),
    );
    // the error points at the code, one line below the replaced text's start
    let (errors, line, column) = r;
    let r = (errors, line + 1, column);
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "server_limits.resends_per_coupon.code",
        &format!("code `{absent}` is not in spec/result_codes.toml"),
    );
}

#[test]
fn unknown_source_document() {
    let r = broken(
        ENDPOINTS_PATH,
        "path = { name = \"coufunCreate.do\", source = \"create\" }",
        "path = { name = \"coufunCreate.do\", source = \"craete\" }",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[2].path.source",
        "unknown source `craete`: name a document of [documents]",
    );
}

#[test]
fn unknown_limit_source_document() {
    let r = broken(
        ENDPOINTS_PATH,
        "limit_source = \"status\"\ndoc = \"Coupon number",
        "limit_source = \"manual\"\ndoc = \"Coupon number",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "kinds.coupon_number.limit_source",
        "unknown source `manual`",
    );
}

#[test]
fn flat_record_field_shadowing_an_answer_field() {
    let r = broken(
        ENDPOINTS_PATH,
        "response = []\nrecords = { name = \"coupons\", element = \"ORDER_INFO\", source = \"status\"",
        "response = [{ name = \"status\", wire = \"STATUS\", source = \"status\", type = \"text\" }]\nrecords = { name = \"coupons\", element = \"ORDER_INFO\", source = \"status\"",
    );
    let errors = &r.0;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    // the STATUS record field, wherever the spec lists it
    assert!(
        errors[0].key.starts_with("operations[3].records.fields[")
            && errors[0].key.ends_with("].wire")
            && errors[0].message.contains("STATUS"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].message.contains("also an answer field"),
        "{}",
        errors[0]
    );
}

#[test]
fn after_lost_answer_texts_come_in_pairs() {
    // Code 12 (codes[10]) keeps its Korean text and loses the English one.
    let (errors, line, _) = broken(
        RESULT_CODES_PATH,
        "after_lost_answer_en = \"After a lost answer on an issuing operation (create",
        "# after_lost_answer_en = \"",
    );
    let in_file: Vec<&SpecError> = errors
        .iter()
        .filter(|e| e.file == RESULT_CODES_PATH)
        .collect();
    assert_eq!(in_file.len(), 1, "{errors:#?}");
    let e = in_file[0];
    assert_eq!(e.key, "codes[10].after_lost_answer", "{e}");
    assert_eq!(e.line, line - 1, "at the Korean text left alone: {e}");
    assert!(e.message.contains("together"), "{e}");
}

// --- issuing roles -----------------------------------------------------------

#[test]
fn a_role_given_twice_in_one_operation() {
    // create's CREATE_CNT claims to be the goods, which GOODS_ID already is
    let r = broken(
        ENDPOINTS_PATH,
        "kind = \"quantity\", required = true, role = \"coupon_count\"",
        "kind = \"quantity\", required = true, role = \"goods\"",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[2].request[1].role",
        "role `goods` is given to two fields",
    );
}

#[test]
fn a_role_on_a_field_of_the_wrong_kind() {
    // the first RESERVE1 is coupon_send's, which has no coupon_count yet
    let r = broken(
        ENDPOINTS_PATH,
        "kind = \"extra\", required = false, code = \"24\"",
        "kind = \"extra\", required = false, code = \"24\", role = \"coupon_count\"",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[1].request[9].role",
        "`coupon_count` needs a single field of a `count` kind, not `extra`",
    );
}

#[test]
fn an_idempotency_key_on_a_read() {
    let r = broken(
        ENDPOINTS_PATH,
        "source = \"status\", kind = \"goods_id\", required = true",
        "source = \"status\", kind = \"goods_id\", required = true, role = \"idempotency_key\"",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[3].request[0].role",
        "an idempotency key belongs to a `write` operation only",
    );
}

#[test]
fn an_answer_role_on_an_element_of_the_wrong_type() {
    let r = broken(
        ENDPOINTS_PATH,
        "max_bytes = 30, role = \"order_id\"",
        "max_bytes = 30, role = \"stated_count\"",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[1].response[0].role",
        "`stated_count` needs an `int` element, not `order_id`",
    );
}

#[test]
fn an_answer_role_on_an_operation_that_does_not_issue() {
    // the cancel answer's BARCODE_NUM is no issued coupon: cancel has no TR_ID
    let r = broken(
        ENDPOINTS_PATH,
        "source = \"cancel\", type = \"coupon_number\", max_bytes = 30",
        "source = \"cancel\", type = \"coupon_number\", max_bytes = 30, role = \"order_id\"",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[4].response[0].role",
        "needs a request field with role `idempotency_key`",
    );
}

#[test]
fn issued_coupons_without_a_coupon_number_field() {
    let r = broken(
        ENDPOINTS_PATH,
        "max_bytes = 30, role = \"coupon_number\" },\n  { name = \"stamp_duty\"",
        "max_bytes = 30 },\n  { name = \"stamp_duty\"",
    );
    let in_file: Vec<&SpecError> = r.0.iter().filter(|e| e.file == ENDPOINTS_PATH).collect();
    assert_eq!(in_file.len(), 1, "{:#?}", r.0);
    assert_eq!(
        in_file[0].key, "operations[2].records.role",
        "{}",
        in_file[0]
    );
    assert!(
        in_file[0]
            .message
            .contains("need a field with role `coupon_number`"),
        "{}",
        in_file[0]
    );
}

#[test]
fn an_unknown_role_is_located() {
    let r = broken(
        ENDPOINTS_PATH,
        "role = \"stated_count\"",
        "role = \"stated_cnt\"",
    );
    // the key is the inline table's key that holds the bad value
    assert_one(&r, ENDPOINTS_PATH, "role", "unknown variant `stated_cnt`");
}

#[test]
fn a_goods_id_role_outside_the_goods_catalog() {
    // the status answer's records are no catalog
    let r = broken(
        ENDPOINTS_PATH,
        "source = \"status\", type = \"coupon_number\", max_bytes = 30 },",
        "source = \"status\", type = \"coupon_number\", max_bytes = 30, role = \"goods_id\" },",
    );
    let in_file: Vec<&SpecError> = r.0.iter().filter(|e| e.file == ENDPOINTS_PATH).collect();
    assert_eq!(in_file.len(), 1, "{:#?}", r.0);
    assert!(
        in_file[0].key.starts_with("operations[3].records.fields["),
        "{}",
        in_file[0]
    );
    assert!(
        in_file[0]
            .message
            .contains("records with role `goods_catalog`"),
        "{}",
        in_file[0]
    );
}

#[test]
fn a_goods_catalog_on_an_operation_with_required_fields() {
    let r = broken(
        ENDPOINTS_PATH,
        "max = 10, also_flat = true, fields = [",
        "max = 10, also_flat = true, role = \"goods_catalog\", fields = [",
    );
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "operations[3].records.role",
        "belong to a read whose request has no required field",
    );
}

#[test]
fn the_vocabulary_is_read_as_the_spec_words() {
    // `unknown` is the SDK's category for a code outside the manual, no word of the spec
    let r = broken(
        RESULT_CODES_PATH,
        "category = \"success\"",
        "category = \"unknown\"",
    );
    assert_one(
        &r,
        RESULT_CODES_PATH,
        "category",
        "unknown variant `unknown`, expected one of `success`, `access`, `request`, `goods`, \
         `duplicate`, `coupon_state`, `limit`, `server`",
    );
    let r = broken(ENDPOINTS_PATH, "effect = \"write\"", "effect = \"Write\"");
    assert_one(
        &r,
        ENDPOINTS_PATH,
        "effect",
        "unknown variant `Write`, expected `read` or `write`",
    );
    let r = broken(ENDPOINTS_PATH, "\"POST\"", "\"post\"");
    assert_one(&r, ENDPOINTS_PATH, "methods", "expected `GET` or `POST`");
    let r = broken(RESULT_CODES_PATH, "retry = \"never\"", "retry = 3");
    assert_one(&r, RESULT_CODES_PATH, "retry", "invalid type: integer `3`");
}

/// Loads the spec with `find` replaced by `replace` (first occurrence) in the
/// endpoint spec, and returns its errors (none when it loads).
fn endpoint_errors(find: &str, replace: &str) -> Vec<SpecError> {
    let text = coufun_spec::ENDPOINTS.text;
    assert!(text.contains(find), "{find:?} not in {ENDPOINTS_PATH}");
    let sources = SpecSources {
        endpoints: SpecSource::new(ENDPOINTS_PATH, text.replacen(find, replace, 1)),
        ..SpecSources::embedded()
    };
    Spec::parse(sources).err().map(|e| e.0).unwrap_or_default()
}

/// Among `errors`, one whose key is `key` and whose message holds `message`.
fn assert_has(errors: &[SpecError], key: &str, message: &str) {
    assert!(
        errors
            .iter()
            .any(|e| e.key == key && e.message.contains(message)),
        "no {key}: {message} in {errors:#?}"
    );
}

// coupon_send (operations[1]) issues: GOODS_ID is its goods, TR_ID its key.
const SEND_KEY: &str = "kind = \"tr_id\", required = true, role = \"idempotency_key\"";
const SEND_ORDER_ID: &str = "type = \"order_id\", max_bytes = 30, role = \"order_id\"";

#[test]
fn an_idempotency_key_that_is_not_required() {
    let errors = endpoint_errors(
        SEND_KEY,
        "kind = \"tr_id\", required = false, role = \"idempotency_key\"",
    );
    assert_has(
        &errors,
        "operations[1].request[1].role",
        "the idempotency key must be a required single field",
    );
}

#[test]
fn an_idempotency_key_of_a_count_kind() {
    let errors = endpoint_errors(
        SEND_KEY,
        "kind = \"quantity\", required = true, role = \"idempotency_key\"",
    );
    assert_has(
        &errors,
        "operations[1].request[1].role",
        "must be of a `text` or `token` kind, not `quantity`",
    );
}

#[test]
fn goods_of_a_count_kind() {
    let errors = endpoint_errors(
        "kind = \"goods_id\", required = true, role = \"goods\"",
        "kind = \"quantity\", required = true, role = \"goods\"",
    );
    assert_has(
        &errors,
        "operations[1].request[0].role",
        "`goods` needs a single field of a `token` kind, not `quantity`",
    );
}

#[test]
fn an_order_id_element_is_text_or_of_a_token_kind() {
    for ty in ["int", "send_type"] {
        let errors = endpoint_errors(
            SEND_ORDER_ID,
            &format!("type = \"{ty}\", max_bytes = 30, role = \"order_id\""),
        );
        assert_has(
            &errors,
            "operations[1].response[0].role",
            &format!("`order_id` needs a `text` (or token kind) element, not `{ty}`"),
        );
    }
    for ty in ["text", "goods_id"] {
        let errors = endpoint_errors(
            SEND_ORDER_ID,
            &format!("type = \"{ty}\", max_bytes = 30, role = \"order_id\""),
        );
        assert!(errors.is_empty(), "{ty}: {errors:#?}");
    }
}

#[test]
fn an_echoed_key_element_is_text() {
    let echo = "type = \"text\", max_bytes = 50, role = \"echo_idempotency_key\"";
    let errors = endpoint_errors(echo, &echo.replace("\"text\"", "\"int\""));
    assert_has(
        &errors,
        "operations[1].response[1].role",
        "`echo_idempotency_key` needs a `text` element, not `int`",
    );
}

#[test]
fn an_echoed_goods_element_is_text_or_of_the_goods_kind() {
    let echo = "type = \"goods_id\", max_bytes = 10, role = \"echo_goods\"";
    let errors = endpoint_errors(echo, &echo.replace("\"goods_id\"", "\"int\""));
    assert_has(
        &errors,
        "operations[2].response[2].role",
        "`echo_goods` needs a `text` (or `goods_id`) element, not `int`",
    );
}

#[test]
fn a_coupon_number_under_the_root() {
    let errors = endpoint_errors(
        SEND_ORDER_ID,
        "type = \"coupon_number\", max_bytes = 30, role = \"coupon_number\"",
    );
    assert_has(
        &errors,
        "operations[1].response[0].role",
        "`coupon_number` belongs to a field of the records with role `issued_coupons`",
    );
}

#[test]
fn a_root_role_on_a_record_field() {
    let errors = endpoint_errors(
        "max_bytes = 30, role = \"coupon_number\"",
        "max_bytes = 30, role = \"stated_count\"",
    );
    assert_has(
        &errors,
        "operations[1].records.fields[0].role",
        "role `stated_count` belongs to an element under the root, not to a record field",
    );
}

#[test]
fn delivery_on_an_outbound_operation() {
    let errors = endpoint_errors(
        "effect = \"read\"",
        "effect = \"read\"\ndelivery = { content_type = \"text/plain\", charset = \"EUC-KR\", \
         retry_interval_seconds = 1, source = \"observed\" }",
    );
    assert_has(
        &errors,
        "operations[0]",
        "`delivery` and `answer` belong to an inbound operation",
    );
}

#[test]
fn a_list_of_a_kind_that_is_not_mobile() {
    let errors = endpoint_errors(
        "kind = \"mobile\", required = true, list = {",
        "kind = \"sender\", required = true, list = {",
    );
    assert_has(
        &errors,
        "operations[1].request[4].list",
        "only `mobile` fields may be lists",
    );
}

#[test]
fn a_check_on_a_required_field() {
    let errors = endpoint_errors("first = \"valid_from\"", "first = \"subject\"");
    assert_has(
        &errors,
        "operations[1].checks[0]",
        "field `subject` is required, so the check can never apply",
    );
}

#[test]
fn an_answer_may_have_64_fields_but_not_65() {
    // goods_list's answer has LIST_CNT under its root; add fields beside it
    let list_count =
        "{ name = \"list_count\", wire = \"LIST_CNT\", source = \"goods\", type = \"int\" },";
    let with = |extra: usize| {
        let fields: String = (0..extra)
            .map(|i| format!("\n  {{ name = \"f{i}\", wire = \"F{i}\", source = \"goods\", type = \"text\" }},"))
            .collect();
        endpoint_errors(list_count, &format!("{list_count}{fields}"))
    };
    let errors = with(63);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_has(
        &with(64),
        "operations[0]",
        "65 answer fields in one answer or record, at most 64",
    );
}

#[test]
fn a_goods_catalog_without_a_goods_id_field() {
    let errors = endpoint_errors(
        "type = \"goods_id\", max_bytes = 10, role = \"goods_id\"",
        "type = \"goods_id\", max_bytes = 10",
    );
    assert_has(
        &errors,
        "operations[0].records.role",
        "the `goods_catalog` records need a field with role `goods_id`",
    );
}

#[test]
fn issued_coupons_on_an_operation_that_does_not_issue() {
    let errors = endpoint_errors(
        "max = 10, also_flat = true, fields = [",
        "max = 10, also_flat = true, role = \"issued_coupons\", fields = [",
    );
    assert_has(
        &errors,
        "operations[3].records.role",
        "role `issued_coupons` needs a request field with role `idempotency_key`",
    );
}

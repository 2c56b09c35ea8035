//! Snapshots of the emitted validators and builders, and proof that their limits
//! (and the literal macros') come from the spec: changing the subject limit in a
//! copy of the spec changes both.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coufun_codegen::emit::{kinds, requests};
use coufun_codegen::literal::check_literal;
use coufun_codegen::render::pretty;
use coufun_codegen::{Spec, SpecSource};

fn spec_text(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).expect("spec file readable")
}

fn parse(endpoints: String) -> Spec {
    Spec::parse(
        SpecSource::new(
            coufun_codegen::RESULT_CODES_PATH,
            spec_text(coufun_codegen::RESULT_CODES_PATH),
        ),
        SpecSource::new(coufun_codegen::ENDPOINTS_PATH, endpoints),
    )
    .expect("spec valid")
}

fn spec() -> Spec {
    parse(spec_text(coufun_codegen::ENDPOINTS_PATH))
}

fn kind_source(spec: &Spec, key: &str) -> String {
    let kind = &spec.endpoints.kinds[key];
    pretty(kinds::emit_kind(spec, key, kind)).expect("kind renders")
}

fn operation_source(spec: &Spec, name: &str) -> String {
    let op = spec
        .endpoints
        .operations
        .iter()
        .find(|o| o.name() == name)
        .expect("operation exists");
    pretty(requests::emit_operation(spec, op)).expect("operation renders")
}

#[test]
fn snapshot_text_validator() {
    insta::assert_snapshot!("kind_subject", kind_source(&spec(), "subject"));
}

#[test]
fn snapshot_mobile_validator() {
    insta::assert_snapshot!("kind_mobile", kind_source(&spec(), "mobile"));
}

#[test]
fn snapshot_enum_kind() {
    insta::assert_snapshot!("kind_send_type", kind_source(&spec(), "send_type"));
}

#[test]
fn snapshot_coupon_send_builder() {
    insta::assert_snapshot!(
        "request_coupon_send",
        operation_source(&spec(), "coupon_send")
    );
}

#[test]
fn snapshot_coupon_status_builder() {
    insta::assert_snapshot!(
        "request_coupon_status",
        operation_source(&spec(), "coupon_status")
    );
}

#[test]
fn changing_the_subject_limit_in_the_spec_changes_validator_and_macro() {
    let original = spec_text(coufun_codegen::ENDPOINTS_PATH);
    let spec = parse(original.clone());
    let max = *spec.endpoints.kinds["subject"]
        .max_bytes
        .as_ref()
        .expect("subject has max_bytes")
        .get_ref();
    let raised = max + 2;

    // The same spec text with only the subject's max_bytes raised by 2.
    let section = original.find("[kinds.subject]").expect("subject section");
    let at = section
        + original[section..]
            .find(&format!("max_bytes = {max}"))
            .expect("subject max_bytes line");
    let edited = format!(
        "{}max_bytes = {raised}{}",
        &original[..at],
        &original[at + format!("max_bytes = {max}").len()..]
    );
    let edited = parse(edited);

    let before = kind_source(&spec, "subject");
    let after = kind_source(&edited, "subject");
    assert!(
        before.contains(&format!("MAX_BYTES: u32 = {max};")),
        "{before}"
    );
    assert!(
        after.contains(&format!("MAX_BYTES: u32 = {raised};")),
        "{after}"
    );

    // One more Hangul syllable than the original limit allows.
    let text = "가".repeat(raised as usize / 2);
    let refused = check_literal(&spec, "subject", &text).expect_err("over the original limit");
    assert!(
        refused
            .0
            .contains(&format!("over the limit of {max} bytes")),
        "{refused}"
    );
    assert!(check_literal(&edited, "subject", &text).is_ok());
}

//! Proof that the emitted validators' limits (and the literal macros') come from
//! the spec: changing the subject limit in a copy of the spec changes both. (The
//! emitters' output is snapshotted on a fixture spec in `emitters.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coufun_codegen::emit::kinds;
use coufun_codegen::literal::check_literal;
use coufun_codegen::render::pretty;
use coufun_codegen::{ENDPOINTS_PATH, RESULT_CODES_PATH, Spec, SpecSource, SpecSources};

fn spec_text(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).expect("spec file readable")
}

fn parse(endpoints: String) -> Spec {
    Spec::parse(SpecSources {
        result_codes: SpecSource::new(RESULT_CODES_PATH, spec_text(RESULT_CODES_PATH)),
        endpoints: SpecSource::new(ENDPOINTS_PATH, endpoints),
    })
    .expect("spec valid")
}

fn kind_source(spec: &Spec, key: &str) -> String {
    let kind = &spec.endpoints.kinds[key];
    pretty(kinds::emit_kind(spec, key, kind)).expect("kind renders")
}

#[test]
fn changing_the_subject_limit_in_the_spec_changes_validator_and_macro() {
    let original = spec_text(ENDPOINTS_PATH);
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

    // The macros' table (what `subject!` checks with) follows the edit too.
    let table = |spec: &Spec| pretty(coufun_codegen::literal::emit(spec)).expect("table renders");
    assert!(table(&spec).contains(&format!("max_bytes: {max},")));
    assert!(table(&edited).contains(&format!("max_bytes: {raised},")));
}

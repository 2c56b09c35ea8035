//! insta snapshots of every emitter's output for a small fixture spec
//! (`tests/fixtures/features/`) that exercises each emitter feature: every rule
//! kind, a list field, both cross-field checks, records (one also flat), answer
//! enums, timestamps, the idempotency key, and an inbound operation (the
//! notice emitter). The
//! workspace's own generated files are checked by the stale-file test alone
//! (`tests/tests/generated_up_to_date.rs`), so a spec change is approved once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coufun_codegen::render::pretty;
use coufun_codegen::{Spec, SpecSource, SpecSources, emit};

const FIXTURE: &str = "tests/fixtures/features";

/// The fixture spec, its inbound operation included.
fn fixture() -> Spec {
    let source = |name: &str| {
        let path = format!("{FIXTURE}/{name}");
        let text =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&path))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        SpecSource::new(path, text)
    };
    Spec::parse(SpecSources {
        result_codes: source("result_codes.toml"),
        endpoints: source("endpoints.toml"),
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn fixture_covers_every_rule_kind() {
    let spec = fixture();
    let mut rules: Vec<String> = spec
        .endpoints
        .kinds
        .values()
        .map(|k| k.rule.word().to_owned())
        .collect();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        ["count", "date", "digits", "enum", "mobile", "text", "token"],
        "the fixture must keep one kind of each rule"
    );
}

#[test]
fn a_rule_word_is_the_spec_word_serde_reads() {
    use coufun_codegen::model::Rule;
    use serde::Deserialize;
    use serde::de::value::{Error, StrDeserializer};
    for rule in [
        Rule::Text,
        Rule::Digits,
        Rule::Mobile,
        Rule::Count,
        Rule::Date,
        Rule::Token,
        Rule::Enum,
    ] {
        let read = Rule::deserialize(StrDeserializer::<Error>::new(rule.word()));
        assert_eq!(
            read.ok(),
            Some(rule),
            "{rule:?} is written `{}`",
            rule.word()
        );
    }
}

#[test]
fn result_code_emitter() {
    insta::assert_snapshot!(pretty(emit::result_code::emit(&fixture())).unwrap());
}

#[test]
fn manual_emitter() {
    insta::assert_snapshot!(pretty(emit::manual::emit(&fixture())).unwrap());
}

#[test]
fn literal_table_emitter() {
    insta::assert_snapshot!(pretty(coufun_codegen::literal::emit(&fixture())).unwrap());
}

#[test]
fn kinds_emitter() {
    insta::assert_snapshot!(pretty(emit::kinds::emit(&fixture())).unwrap());
}

#[test]
fn requests_emitter() {
    insta::assert_snapshot!(pretty(emit::requests::emit(&fixture())).unwrap());
}

#[test]
fn issuing_emitter() {
    insta::assert_snapshot!(pretty(emit::issuing::emit(&fixture())).unwrap());
}

#[test]
fn operations_emitter() {
    insta::assert_snapshot!(pretty(emit::operations::emit(&fixture())).unwrap());
}

#[test]
fn responses_emitter() {
    insta::assert_snapshot!(pretty(emit::responses::emit(&fixture())).unwrap());
}

#[test]
fn client_emitter() {
    let spec = fixture();
    let text = pretty(emit::client::emit(&spec)).unwrap();
    for op in &spec.endpoints.operations {
        let name = op.name();
        assert!(
            text.contains(&format!("pub async fn {name}(")),
            "{name}: no async method"
        );
        assert!(
            text.contains(&format!("pub fn {name}(")),
            "{name}: no blocking method"
        );
    }
    insta::assert_snapshot!(text);
}

#[test]
fn inbound_emitter() {
    let spec = fixture();
    assert_eq!(
        spec.endpoints.inbound.len(),
        1,
        "the fixture keeps one inbound operation"
    );
    insta::assert_snapshot!(pretty(emit::inbound::emit(&spec)).unwrap());
}

#[test]
fn result_code_table() {
    insta::assert_snapshot!(emit::docs::result_codes_markdown(&fixture()));
}

#[test]
fn endpoint_reference() {
    insta::assert_snapshot!(emit::docs::endpoints_markdown(&fixture()));
}

#[test]
fn notification_reference() {
    insta::assert_snapshot!(emit::docs::notifications_markdown(&fixture()));
}

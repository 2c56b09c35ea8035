//! Bounded, stable form of the `spec_loader` fuzz target: the spec loader on
//! arbitrary text and on the shipped spec files with lines deleted, repeated,
//! cut or replaced never panics, and every refusal is a `SpecErrors` holding
//! at least one error with a message.

use coufun_codegen::{Spec, SpecSource, SpecSources};
use proptest::prelude::*;

#[path = "support/line_edits.rs"]
mod line_edits;
use line_edits::{edit, mutate};

fn check(which: usize, text: &str) -> Result<(), TestCaseError> {
    let shipped = SpecSources::embedded();
    let sources = match which {
        0 => SpecSources {
            endpoints: SpecSource::new(coufun_spec::ENDPOINTS.path, text),
            ..shipped
        },
        1 => SpecSources {
            result_codes: SpecSource::new(coufun_spec::RESULT_CODES.path, text),
            ..shipped
        },
        _ => SpecSources {
            notifications: SpecSource::new(coufun_spec::NOTIFICATIONS.path, text),
            ..shipped
        },
    };
    let errors = Spec::parse(sources).err();
    if let Some(errors) = errors {
        prop_assert!(!errors.0.is_empty());
        prop_assert!(!errors.to_string().is_empty());
    }
    Ok(())
}

fn shipped(which: usize) -> &'static str {
    [
        coufun_spec::ENDPOINTS,
        coufun_spec::RESULT_CODES,
        coufun_spec::NOTIFICATIONS,
    ][which]
        .text
}

/// Lines shaped like the format's own.
fn toml_lines() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_]{1,12} = (\"[^\"]{0,10}\"|[0-9]{1,4}|true|\\[\\]|\\{\\})",
        "\\[\\[?[a-z_.]{1,16}\\]\\]?",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(which in 0usize..3, text in "\\PC{0,300}") {
        check(which, &text)?;
    }

    #[test]
    fn edited_spec_files(which in 0usize..3, edits in prop::collection::vec(edit(toml_lines()), 1..6)) {
        check(which, &mutate(shipped(which), &edits))?;
    }
}

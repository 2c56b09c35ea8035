//! Bounded, stable form of the `spec_loader` fuzz target: the spec loader on
//! arbitrary text and on the shipped spec files with lines deleted, repeated,
//! cut or replaced never panics, and every refusal is a `SpecErrors` holding
//! at least one error with a message.

use coufun_codegen::Spec;
use proptest::prelude::*;

#[path = "support/line_edits.rs"]
mod line_edits;
use line_edits::{edit, mutate};
#[path = "support/one_file_replaced.rs"]
mod one_file_replaced;
use one_file_replaced::{one_file_replaced, picked};

fn check(which: usize, text: &str) -> Result<(), TestCaseError> {
    if let Err(errors) = Spec::parse(one_file_replaced(which, text)) {
        prop_assert!(!errors.0.is_empty());
        prop_assert!(!errors.to_string().is_empty());
    }
    Ok(())
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
        check(which, &mutate(picked(which).text, &edits))?;
    }
}
